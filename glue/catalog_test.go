package glue_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"

	"github.com/gowrangler/wrangler/glue"
	"github.com/gowrangler/wrangler/localaws"
)

// newCatalog starts localaws and returns a Catalog over the unmodified SDK
// client with default options, and the raw client for checks.
func newCatalog(t *testing.T) (*glue.Catalog, *sdkglue.Client, *localaws.Stack) {
	t.Helper()
	st, err := localaws.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	client := sdkglue.NewFromConfig(st.Config())
	return glue.New(client), client, st
}

func fields(specs ...string) []arrow.Field {
	out := make([]arrow.Field, len(specs))
	for i, s := range specs {
		name, hive, _ := strings.Cut(s, " ")
		dt, err := glue.ArrowType(hive)
		if err != nil {
			panic(fmt.Sprintf("test field %q: %v", s, err)) // a typo in the test itself
		}
		out[i] = arrow.Field{Name: name, Type: dt, Nullable: true}
	}
	return out
}

func salesSpec(cols []arrow.Field, parts ...string) glue.TableSpec {
	spec := glue.TableSpec{
		Name:          "Sales",
		Location:      "s3://lake/sales/",
		Format:        glue.Parquet,
		Compression:   "snappy",
		Schema:        arrow.NewSchema(cols, nil),
		PartitionKeys: fields("dt string"),
	}
	for _, p := range parts {
		spec.Partitions = append(spec.Partitions, glue.Partition{Values: []string{p}, Location: "s3://lake/sales/dt=" + p + "/"})
	}
	return spec
}

func TestSyncTableCreatesWithAthenaClasses(t *testing.T) {
	cat, client, _ := newCatalog(t)
	ctx := context.Background()
	report, err := cat.SyncTable(ctx, "Analytics", salesSpec(fields("id bigint", "amount decimal(12,2)", "Tags array<string>"), "2026-11-24", "2026-11-25"))
	if err != nil {
		t.Fatal(err)
	}
	if !report.Created || report.AddedPartitions != 2 {
		t.Fatalf("report %+v, want created with 2 partitions", report)
	}
	out, err := client.GetTable(ctx, &sdkglue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("sales")})
	if err != nil {
		t.Fatal(err)
	}
	tb := out.Table
	sd := tb.StorageDescriptor
	// The classes of AWS-FACTS.md 1.13 for Parquet.
	if aws.ToString(sd.SerdeInfo.SerializationLibrary) != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" ||
		aws.ToString(sd.InputFormat) != "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" ||
		aws.ToString(sd.OutputFormat) != "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat" {
		t.Fatalf("storage descriptor %+v", sd)
	}
	if aws.ToString(tb.TableType) != "EXTERNAL_TABLE" || tb.Parameters["classification"] != "parquet" || tb.Parameters["parquet.compression"] != "SNAPPY" {
		t.Fatalf("table type %q parameters %v", aws.ToString(tb.TableType), tb.Parameters)
	}
	var got []string
	for _, c := range sd.Columns {
		got = append(got, aws.ToString(c.Name)+" "+aws.ToString(c.Type))
	}
	if want := []string{"id bigint", "amount decimal(12,2)", "tags array<string>"}; !slices.Equal(got, want) {
		t.Fatalf("columns %q, want %q", got, want)
	}
	table, err := cat.Table(ctx, "analytics", "sales")
	if err != nil {
		t.Fatal(err)
	}
	if table.Format != glue.Parquet || table.Schema.NumFields() != 3 || table.PartitionKeys[0].Name != "dt" {
		t.Fatalf("read back %+v", table)
	}
	var parts []string
	for p, err := range cat.Partitions(ctx, "analytics", "sales", "dt >= '2026-11-25'") {
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p.Values[0]+" "+p.Location)
	}
	if want := []string{"2026-11-25 s3://lake/sales/dt=2026-11-25/"}; !slices.Equal(parts, want) {
		t.Fatalf("partitions %q, want %q", parts, want)
	}
}

func TestSyncTableEvolves(t *testing.T) {
	cat, _, _ := newCatalog(t)
	ctx := context.Background()
	if _, err := cat.SyncTable(ctx, "db", salesSpec(fields("id int", "score float"), "a")); err != nil {
		t.Fatal(err)
	}
	// A later write adds a column, widens two, and lacks one.
	report, err := cat.SyncTable(ctx, "db", salesSpec(fields("id bigint", "score double", "region string"), "b"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(report.AddedColumns, []string{"region"}) || !slices.Equal(report.WidenedColumns, []string{"id", "score"}) {
		t.Fatalf("report %+v", report)
	}
	// A narrower write than the table is fine and changes nothing.
	report, err = cat.SyncTable(ctx, "db", salesSpec(fields("id int"), "c"))
	if err != nil || len(report.AddedColumns)+len(report.WidenedColumns) != 0 || report.AddedPartitions != 1 {
		t.Fatalf("narrow write: %+v, %v", report, err)
	}
	table, _ := cat.Table(ctx, "db", "sales")
	var got []string
	for _, f := range table.Schema.Fields() {
		got = append(got, f.Name+" "+f.Type.String())
	}
	if want := []string{"id int64", "score float64", "region utf8"}; !slices.Equal(got, want) {
		t.Fatalf("schema %q, want %q", got, want)
	}

	// Incompatible changes are refused, naming the column.
	_, err = cat.SyncTable(ctx, "db", salesSpec(fields("id string")))
	var sce *glue.SchemaChangeError
	if !errors.As(err, &sce) || sce.Column != "id" || !errors.Is(err, glue.ErrIncompatibleSchema) {
		t.Fatalf("bigint -> string: got %v", err)
	}
	other := salesSpec(fields("id bigint"))
	other.PartitionKeys = fields("day date")
	if _, err := cat.SyncTable(ctx, "db", other); !errors.As(err, &sce) || sce.Column != "partition keys" {
		t.Fatalf("new partition keys: got %v", err)
	}
	unsigned := append(fields("id bigint"), arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Uint64, Nullable: true})
	if _, err := cat.SyncTable(ctx, "db", salesSpec(unsigned)); !errors.Is(err, glue.ErrUnsupportedType) || !strings.Contains(err.Error(), `"n"`) {
		t.Fatalf("uint64 column: got %v", err)
	}
	report, err = cat.SyncTable(ctx, "db", salesSpec(unsigned, "x"), func(o *glue.Options) {
		o.TypeOverrides = map[string]string{"n": "decimal(20,0)"}
	})
	if err != nil || !slices.Equal(report.AddedColumns, []string{"n"}) {
		t.Fatalf("uint64 column with an override: %+v, %v", report, err)
	}
}

func TestSyncTableBatchesAndMovesPartitions(t *testing.T) {
	cat, _, st := newCatalog(t)
	ctx := context.Background()
	var days []string
	for i := range 250 {
		days = append(days, fmt.Sprintf("d%03d", i))
	}
	st.ResetCounters()
	report, err := cat.SyncTable(ctx, "db", salesSpec(fields("id bigint"), days...))
	if err != nil || report.AddedPartitions != 250 {
		t.Fatalf("%+v, %v", report, err)
	}
	if n := st.Calls("glue:BatchCreatePartition"); n != 3 {
		t.Fatalf("BatchCreatePartition calls %d, want 3 (at most 100 each)", n)
	}
	moved := salesSpec(fields("id bigint"), "d001", "d250")
	moved.Partitions[0].Location = "s3://lake/sales-v2/dt=d001/"
	report, err = cat.SyncTable(ctx, "db", moved)
	if err != nil || report.AddedPartitions != 1 || report.MovedPartitions != 1 {
		t.Fatalf("move: %+v, %v", report, err)
	}
	for p, err := range cat.Partitions(ctx, "db", "sales", "dt = 'd001'") {
		if err != nil || p.Location != "s3://lake/sales-v2/dt=d001/" {
			t.Fatalf("moved partition %+v, %v", p, err)
		}
	}
	var all [][]string
	for _, d := range days[:60] {
		all = append(all, []string{d})
	}
	all = append(all, []string{"never-existed"})
	st.ResetCounters()
	if err := cat.DeletePartitions(ctx, "db", "sales", all); err != nil {
		t.Fatal(err)
	}
	if n := st.Calls("glue:BatchDeletePartition"); n != 3 {
		t.Fatalf("BatchDeletePartition calls %d, want 3 (at most 25 each)", n)
	}
	count := 0
	for _, err := range cat.Partitions(ctx, "db", "sales", "") {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 251-60 {
		t.Fatalf("%d partitions left, want %d", count, 251-60)
	}
}

// Eight writers at once each add a column and a partition to the same
// table; optimistic locking must keep every one of them.
func TestSyncTableConcurrentWriters(t *testing.T) {
	cat, _, _ := newCatalog(t)
	ctx := context.Background()
	totalConflicts := 0
	defer func() {
		// The test is only meaningful if writers really collided.
		if !t.Failed() && totalConflicts == 0 {
			t.Error("no writer ever lost a race: the test did not exercise optimistic locking")
		}
		t.Logf("%d lost races over 20 rounds", totalConflicts)
	}()
	for round := range 20 {
		table := fmt.Sprintf("events_%d", round)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		conflicts := make(chan int, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				spec := salesSpec(fields("id bigint", fmt.Sprintf("col_%d string", w)), fmt.Sprintf("p%d", w))
				spec.Name = table
				report, err := cat.SyncTable(ctx, "db", spec)
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				conflicts <- report.Conflicts
			}()
		}
		wg.Wait()
		close(errs)
		close(conflicts)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
		for c := range conflicts {
			totalConflicts += c
		}
		tb, err := cat.Table(ctx, "db", table)
		if err != nil {
			t.Fatal(err)
		}
		if tb.Schema.NumFields() != 9 {
			t.Fatalf("round %d: %d columns, want id and 8 writers' columns: %v", round, tb.Schema.NumFields(), tb.Schema)
		}
		n := 0
		for _, err := range cat.Partitions(ctx, "db", table, "") {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 8 {
			t.Fatalf("round %d: %d partitions, want 8", round, n)
		}
	}
}

func TestCatalogBasics(t *testing.T) {
	cat, _, _ := newCatalog(t)
	ctx := context.Background()
	created, err := cat.CreateDatabase(ctx, "Raw")
	if err != nil || !created {
		t.Fatalf("first create: %v, %v", created, err)
	}
	if created, err = cat.CreateDatabase(ctx, "raw"); err != nil || created {
		t.Fatalf("second create: %v, %v", created, err)
	}
	var dbs []string
	for name, err := range cat.Databases(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, name)
	}
	if !slices.Contains(dbs, "raw") {
		t.Fatalf("databases %v", dbs)
	}
	if ok, err := cat.TableExists(ctx, "raw", "nope"); ok || err != nil {
		t.Fatalf("TableExists: %v, %v", ok, err)
	}
	if _, err := cat.Table(ctx, "raw", "nope"); !errors.Is(err, glue.ErrNotFound) {
		t.Fatalf("Table of a missing table: %v", err)
	}
	csv := glue.TableSpec{Name: "landing", Location: "s3://lake/landing/", Format: glue.CSV,
		CSV: glue.CSVOptions{Quoted: true, Header: true, Delimiter: ';'}, Schema: arrow.NewSchema(fields("a string"), nil)}
	if _, err := cat.SyncTable(ctx, "raw", csv); err != nil {
		t.Fatal(err)
	}
	tb, _ := cat.Table(ctx, "raw", "landing")
	sd := tb.Raw.StorageDescriptor
	if aws.ToString(sd.SerdeInfo.SerializationLibrary) != "org.apache.hadoop.hive.serde2.OpenCSVSerde" ||
		sd.SerdeInfo.Parameters["separatorChar"] != ";" || tb.Parameters["skip.header.line.count"] != "1" || tb.Format != glue.CSV {
		t.Fatalf("CSV table %+v %+v", sd.SerdeInfo, tb.Parameters)
	}
	if err := cat.DeleteTable(ctx, "raw", "landing"); err != nil {
		t.Fatal(err)
	}
	if err := cat.DeleteTable(ctx, "raw", "landing"); !errors.Is(err, glue.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if err := cat.DeleteDatabase(ctx, "raw"); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.SyncTable(ctx, "raw", glue.TableSpec{Name: "x", Location: "/tmp/x", Format: glue.Parquet,
		Schema: arrow.NewSchema(nil, nil)}); err == nil || !strings.Contains(err.Error(), "s3://") {
		t.Fatalf("a non-S3 location: %v", err)
	}
}
