package localaws

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
)

const motoFixtures = "../../shared/fixtures/athena/moto-aws-verified/"

// TestAthenaMotoAWSVerified replays moto's AWS-verified test
// (fixtures/athena/moto-aws-verified): the same JSON-lines input, table and
// query must give the recorded ResultSet and result CSV bytes.
func TestAthenaMotoAWSVerified(t *testing.T) {
	e := startAthena(t)
	data, err := os.ReadFile(motoFixtures + "input-data1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	put(t, e.s3, "lake", "input/data1.json", data)
	e.mustRun(t, "", "create database db_moto")
	e.mustRun(t, "db_moto", `CREATE EXTERNAL TABLE mytable (
k1 string,
k2 string,
k3 int
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat'
LOCATION 's3://lake/input/'; `)
	id := e.mustRun(t, "db_moto", "SELECT * FROM mytable")

	out, err := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		ResultSet struct {
			Rows []struct {
				Data []struct {
					VarCharValue *string
				}
			}
			ResultSetMetadata struct {
				ColumnInfo []athtypes.ColumnInfo
			}
		}
	}
	raw, err := os.ReadFile(motoFixtures + "get-query-results.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if got, wantN := len(out.ResultSet.Rows), len(want.ResultSet.Rows); got != wantN {
		t.Fatalf("got %d rows, want %d", got, wantN)
	}
	for i, r := range want.ResultSet.Rows {
		got := out.ResultSet.Rows[i].Data
		if len(got) != len(r.Data) {
			t.Fatalf("row %d: got %d values, want %d", i, len(got), len(r.Data))
		}
		for j, d := range r.Data {
			if !reflect.DeepEqual(got[j].VarCharValue, d.VarCharValue) {
				t.Errorf("row %d value %d: got %v, want %v", i, j, aws.ToString(got[j].VarCharValue), aws.ToString(d.VarCharValue))
			}
		}
	}
	gotCols := out.ResultSet.ResultSetMetadata.ColumnInfo
	if len(gotCols) != len(want.ResultSet.ResultSetMetadata.ColumnInfo) {
		t.Fatalf("got %d columns, want %d", len(gotCols), len(want.ResultSet.ResultSetMetadata.ColumnInfo))
	}
	for i, w := range want.ResultSet.ResultSetMetadata.ColumnInfo {
		g := gotCols[i]
		if aws.ToString(g.CatalogName) != aws.ToString(w.CatalogName) || aws.ToString(g.SchemaName) != aws.ToString(w.SchemaName) ||
			aws.ToString(g.TableName) != aws.ToString(w.TableName) || aws.ToString(g.Name) != aws.ToString(w.Name) ||
			aws.ToString(g.Label) != aws.ToString(w.Label) || aws.ToString(g.Type) != aws.ToString(w.Type) ||
			g.Precision != w.Precision || g.Scale != w.Scale || g.Nullable != w.Nullable || g.CaseSensitive != w.CaseSensitive {
			t.Errorf("column %d: got %+v, want %+v", i, g, w)
		}
	}
	wantCSV, err := os.ReadFile(motoFixtures + "query-output.csv")
	if err != nil {
		t.Fatal(err)
	}
	gotCSV, err := get(context.Background(), e.s3, "lake", "output/"+id+".csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(gotCSV) != string(wantCSV) {
		t.Errorf("result CSV: got %q, want %q", gotCSV, wantCSV)
	}
	if _, err := get(context.Background(), e.s3, "lake", "output/"+id+".csv.metadata", ""); err != nil {
		t.Errorf("result metadata object: %v", err)
	}
	e.mustRun(t, "db_moto", "DROP TABLE mytable")
	e.mustRun(t, "db_moto", "DROP database db_moto")
}
