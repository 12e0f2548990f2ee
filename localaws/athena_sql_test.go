package localaws

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// listKeys lists the keys under a prefix through the S3 API.
func listKeys(t *testing.T, e *athenaEnv, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: aws.String("lake"), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, *o.Key)
		}
	}
	return keys
}

// readParquetRows opens a Parquet object with arrow-go's reader, not
// DuckDB, and returns its row count and column names.
func readParquetRows(t *testing.T, e *athenaEnv, key string) (int64, []string) {
	t.Helper()
	body, err := get(context.Background(), e.s3, "lake", key, "")
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(body), parquet.NewReaderProperties(memory.DefaultAllocator),
		pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("arrow-go cannot read %s: %v", key, err)
	}
	defer tbl.Release()
	var names []string
	for _, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
	}
	return tbl.NumRows(), names
}

// setupSales registers a partitioned JSON table and a CSV table.
func setupSales(t *testing.T, e *athenaEnv) {
	t.Helper()
	put(t, e.s3, "lake", "raw/sales/dt=2026-01-01/part-0.json", []byte(`{"id":1,"amount":"10.50","item":"a"}`+"\n"+`{"id":2,"amount":"5.25","item":"b"}`+"\n"))
	put(t, e.s3, "lake", "raw/sales/dt=2026-01-02/part-0.json", []byte(`{"id":3,"amount":"1.00","item":"a"}`+"\n"))
	put(t, e.s3, "lake", "raw/sales/_SUCCESS", nil)
	put(t, e.s3, "lake", "raw/items/items.csv", []byte("code|name|weight\na|apple|1.5\nb|banana|\nc|cherry|x\n"))
	e.mustRun(t, "", "CREATE DATABASE IF NOT EXISTS shop")
	e.mustRun(t, "shop", `CREATE EXTERNAL TABLE sales (id bigint, amount decimal(10,2), item string)
PARTITIONED BY (dt date)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION 's3://lake/raw/sales/'`)
	e.mustRun(t, "shop", `CREATE EXTERNAL TABLE IF NOT EXISTS shop.items (code string, name string, weight double)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '|'
STORED AS TEXTFILE
LOCATION 's3://lake/raw/items/'
TBLPROPERTIES ('skip.header.line.count'='1')`)
}

func queryRows(t *testing.T, e *athenaEnv, db, q string) string {
	t.Helper()
	rows, _ := e.results(t, e.mustRun(t, db, q))
	return joinRows(rowStrings(rows))
}

func TestAthenaPartitionsAndFormats(t *testing.T) {
	e := startAthena(t)
	setupSales(t, e)
	// Unregistered partitions are invisible, as in Athena.
	if got := queryRows(t, e, "shop", "SELECT count(*) AS n FROM sales"); got != "n\n0" {
		t.Errorf("before MSCK: got %q, want %q", got, "n\n0")
	}
	id := e.mustRun(t, "shop", "MSCK REPAIR TABLE sales")
	txt, err := get(context.Background(), e.s3, "lake", "output/"+id+".txt", "")
	if err != nil || !strings.Contains(string(txt), "Repair: Added partition to metastore sales:dt=2026-01-02") {
		t.Errorf("MSCK output: got %q (%v)", txt, err)
	}
	parts, err := e.glue.GetPartitions(context.Background(), &glue.GetPartitionsInput{DatabaseName: aws.String("shop"), TableName: aws.String("sales")})
	if err != nil || len(parts.Partitions) != 2 {
		t.Fatalf("GetPartitions: got %v (%v), want 2", parts, err)
	}
	want := "dt|n|total\n2026-01-01|2|15.75\n2026-01-02|1|1.00"
	if got := queryRows(t, e, "shop", `SELECT dt, count(*) AS n, sum(amount) AS total FROM "shop"."sales" GROUP BY dt ORDER BY dt`); got != want {
		t.Errorf("JSON partitions: got %q, want %q", got, want)
	}
	// CSV with a delimiter, a header to skip, and values the SerDe turns
	// into NULL.
	want = "code|name|weight\na|apple|1.5\nb|banana|<null>\nc|cherry|<null>"
	if got := queryRows(t, e, "", "SELECT * FROM shop.items ORDER BY code"); got != want {
		t.Errorf("CSV table: got %q, want %q", got, want)
	}
	// A join across both, with the query's database.
	want = "name|n\napple|2\nbanana|1"
	if got := queryRows(t, e, "shop", "SELECT i.name, count(*) AS n FROM sales s JOIN items i ON s.item = i.code GROUP BY i.name ORDER BY i.name"); got != want {
		t.Errorf("join: got %q, want %q", got, want)
	}
	// ALTER TABLE DROP / ADD PARTITION with an explicit location.
	e.mustRun(t, "shop", "ALTER TABLE sales DROP PARTITION (dt = '2026-01-02')")
	if got := queryRows(t, e, "shop", "SELECT count(*) AS n FROM sales"); got != "n\n2" {
		t.Errorf("after DROP PARTITION: got %q", got)
	}
	put(t, e.s3, "lake", "elsewhere/jan3/data.json", []byte(`{"id":9,"amount":"2.00","item":"b"}`+"\n"))
	e.mustRun(t, "shop", "ALTER TABLE sales ADD IF NOT EXISTS PARTITION (dt = '2026-01-03') LOCATION 's3://lake/elsewhere/jan3/'")
	if got := queryRows(t, e, "shop", "SELECT id FROM sales WHERE dt = DATE '2026-01-03'"); got != "id\n9" {
		t.Errorf("after ADD PARTITION: got %q", got)
	}
	if got := queryRows(t, e, "shop", "SHOW PARTITIONS sales"); got != "dt=2026-01-01\ndt=2026-01-03" {
		t.Errorf("SHOW PARTITIONS: got %q", got)
	}
	if got := queryRows(t, e, "shop", "SHOW TABLES"); got != "items\nsales" {
		t.Errorf("SHOW TABLES: got %q", got)
	}
	if got := queryRows(t, e, "shop", "SHOW TABLES LIKE 'sal*'"); got != "sales" {
		t.Errorf("SHOW TABLES LIKE: got %q", got)
	}
	if got := queryRows(t, e, "shop", "DESCRIBE items"); !strings.Contains(got, "weight              \tdouble") {
		t.Errorf("DESCRIBE: got %q", got)
	}
	// Execution parameters.
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String("SELECT name FROM items WHERE code = ? AND weight > ?"),
		ExecutionParameters:   []string{"'a'", "1"},
		QueryExecutionContext: &athtypes.QueryExecutionContext{Database: aws.String("shop")},
		ResultConfiguration:   &athtypes.ResultConfiguration{OutputLocation: aws.String(athenaTestOutput)},
	}
	out, err := e.athena.StartQueryExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if qe := e.wait(t, *out.QueryExecutionId); qe.Status.State != athtypes.QueryExecutionStateSucceeded {
		t.Fatalf("parameterised query: %s", aws.ToString(qe.Status.StateChangeReason))
	}
	if rows, _ := e.results(t, *out.QueryExecutionId); joinRows(rowStrings(rows)) != "name\napple" {
		t.Errorf("parameterised query: got %q", joinRows(rowStrings(rows)))
	}
}

func TestAthenaCTASInsertUnload(t *testing.T) {
	e := startAthena(t)
	setupSales(t, e)
	e.mustRun(t, "shop", "MSCK REPAIR TABLE sales")
	id := e.mustRun(t, "shop", `CREATE TABLE shop.sales_pq
WITH (format = 'PARQUET', external_location = 's3://lake/ctas/sales/', partitioned_by = ARRAY['dt'], write_compression = 'SNAPPY')
AS SELECT id, amount, item, dt FROM sales`)
	out, err := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if out.UpdateCount == nil || *out.UpdateCount != 3 || len(out.ResultSet.Rows) != 0 ||
		len(out.ResultSet.ResultSetMetadata.ColumnInfo) != 1 || aws.ToString(out.ResultSet.ResultSetMetadata.ColumnInfo[0].Type) != "bigint" {
		t.Errorf("CTAS results: got UpdateCount %v, %d rows, columns %+v; want 3, 0 rows, one bigint column", out.UpdateCount, len(out.ResultSet.Rows), out.ResultSet.ResultSetMetadata.ColumnInfo)
	}
	qe := e.wait(t, id)
	if qe.StatementType != athtypes.StatementTypeDml || aws.ToString(qe.Statistics.DataManifestLocation) != athenaTestOutput+id+"-manifest.csv" {
		t.Errorf("CTAS execution: got %s, manifest %q", qe.StatementType, aws.ToString(qe.Statistics.DataManifestLocation))
	}
	manifest, err := get(context.Background(), e.s3, "lake", "output/"+id+"-manifest.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	keys := listKeys(t, e, "ctas/sales/")
	if len(keys) != 2 {
		t.Fatalf("CTAS files: got %v, want one per partition", keys)
	}
	for _, k := range keys {
		if !strings.Contains(string(manifest), "s3://lake/"+k+"\n") {
			t.Errorf("manifest %q does not list %s", manifest, k)
		}
		if n, cols := readParquetRows(t, e, k); n == 0 || strings.Join(cols, ",") != "id,amount,item" {
			t.Errorf("%s: got %d rows, columns %v", k, n, cols)
		}
	}
	tbl, err := e.glue.GetTable(context.Background(), &glue.GetTableInput{DatabaseName: aws.String("shop"), Name: aws.String("sales_pq")})
	if err != nil {
		t.Fatalf("CTAS table in Glue: %v", err)
	}
	var cols []string
	for _, c := range tbl.Table.StorageDescriptor.Columns {
		cols = append(cols, *c.Name+" "+*c.Type)
	}
	if got := strings.Join(cols, ", "); got != "id bigint, amount decimal(10,2), item string" ||
		len(tbl.Table.PartitionKeys) != 1 || *tbl.Table.PartitionKeys[0].Type != "date" ||
		*tbl.Table.StorageDescriptor.SerdeInfo.SerializationLibrary != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" {
		t.Errorf("CTAS Glue table: got columns %q, keys %+v", got, tbl.Table.PartitionKeys)
	}
	want := "dt|total\n2026-01-01|15.75\n2026-01-02|1.00"
	if got := queryRows(t, e, "shop", "SELECT dt, sum(amount) AS total FROM sales_pq GROUP BY dt ORDER BY dt"); got != want {
		t.Errorf("CTAS table: got %q, want %q", got, want)
	}
	// INSERT INTO adds a partition and files.
	id = e.mustRun(t, "shop", "INSERT INTO sales_pq SELECT 7, CAST(3.5 AS decimal(10,2)), 'c', DATE '2026-02-01'")
	if out, _ := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)}); out == nil || aws.ToInt64(out.UpdateCount) != 1 {
		t.Errorf("INSERT UpdateCount: got %v, want 1", out)
	}
	if got := queryRows(t, e, "shop", "SELECT count(*) AS n, max(dt) AS last FROM sales_pq"); got != "n|last\n4|2026-02-01" {
		t.Errorf("after INSERT: got %q", got)
	}
	// CTAS without external_location lands under tables/<id>/.
	id = e.mustRun(t, "shop", "CREATE TABLE totals AS SELECT item, sum(amount) AS total FROM sales GROUP BY item")
	if keys := listKeys(t, e, "output/tables/"+id+"/"); len(keys) != 1 {
		t.Errorf("default CTAS location: got %v", keys)
	}
	// UNLOAD writes Parquet a plain reader opens, and refuses a non-empty
	// target.
	e.mustRun(t, "shop", "UNLOAD (SELECT id, item FROM sales WHERE dt = DATE '2026-01-01') TO 's3://lake/unload/one/' WITH (format = 'PARQUET')")
	keys = listKeys(t, e, "unload/one/")
	if len(keys) != 1 {
		t.Fatalf("UNLOAD files: got %v", keys)
	}
	if n, cols := readParquetRows(t, e, keys[0]); n != 2 || strings.Join(cols, ",") != "id,item" {
		t.Errorf("UNLOAD file: got %d rows, columns %v", n, cols)
	}
	qid := e.start(t, "shop", "UNLOAD (SELECT 1) TO 's3://lake/unload/one/' WITH (format = 'PARQUET')")
	if qe := e.wait(t, qid); qe.Status.State != athtypes.QueryExecutionStateFailed || !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "HIVE_PATH_ALREADY_EXISTS") {
		t.Errorf("UNLOAD into a non-empty prefix: got %s %q", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	// UNLOAD as JSON, partitioned.
	e.mustRun(t, "shop", "UNLOAD (SELECT id, item FROM sales) TO 's3://lake/unload/json/' WITH (format = 'JSON', partitioned_by = ARRAY['item'])")
	keys = listKeys(t, e, "unload/json/")
	sort.Strings(keys)
	if len(keys) != 2 || !strings.HasPrefix(keys[0], "unload/json/item=a/") {
		t.Errorf("partitioned UNLOAD: got %v", keys)
	}
	// DROP TABLE removes the catalog entry and keeps the files.
	e.mustRun(t, "shop", "DROP TABLE sales_pq")
	if _, err := e.glue.GetTable(context.Background(), &glue.GetTableInput{DatabaseName: aws.String("shop"), Name: aws.String("sales_pq")}); err == nil {
		t.Error("DROP TABLE: the table is still in Glue")
	}
	if len(listKeys(t, e, "ctas/sales/")) == 0 {
		t.Error("DROP TABLE deleted the data files")
	}
}
