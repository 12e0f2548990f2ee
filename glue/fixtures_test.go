package glue_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"

	"github.com/gowrangler/wrangler/glue"
)

// fixtureDir holds Glue responses recorded by other people
// (../shared/fixtures/glue/MANIFEST.md), relative to this package.
const fixtureDir = "../../shared/fixtures/glue/s3-selectable"

// replay serves one recorded response body to every request.
func replay(t *testing.T, file string) (*glue.Catalog, []byte) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(fixtureDir, file))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	client := sdkglue.New(sdkglue.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
	return glue.New(client), body
}

func TestRecordedTablesMapToArrow(t *testing.T) {
	// Hive type -> Arrow type name, as the package documents ArrowType.
	arrowName := map[string]string{"string": "utf8", "int": "int32", "bigint": "int64", "double": "float64"}
	for _, tc := range []struct {
		file   string
		format glue.Format
		keys   []string
	}{
		{"get-table-parquet-ctas-partitioned-bucketed.json", glue.Parquet, []string{"ssl_protocol", "elb_response_code"}},
		{"get-table-textfile-ctas-bucketed.json", glue.CSV, nil},
		{"get-table-json-ctas-bucketed.json", glue.JSONLines, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cat, body := replay(t, tc.file)
			var recorded struct {
				Table struct {
					StorageDescriptor struct{ Columns []struct{ Name, Type string } }
				}
			}
			if err := json.Unmarshal(body, &recorded); err != nil {
				t.Fatal(err)
			}
			table, err := cat.Table(context.Background(), "db", "t")
			if err != nil {
				t.Fatal(err)
			}
			if table.Format != tc.format {
				t.Errorf("format %v, want %v", table.Format, tc.format)
			}
			cols := recorded.Table.StorageDescriptor.Columns
			if table.Schema.NumFields() != len(cols) {
				t.Fatalf("%d fields, want %d", table.Schema.NumFields(), len(cols))
			}
			for i, c := range cols {
				f := table.Schema.Field(i)
				if f.Name != c.Name || f.Type.String() != arrowName[c.Type] {
					t.Errorf("field %d: got %s %s, want %s %s", i, f.Name, f.Type, c.Name, arrowName[c.Type])
				}
			}
			var keys []string
			for _, k := range table.PartitionKeys {
				keys = append(keys, k.Name)
			}
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("partition keys %v, want %v", keys, tc.keys)
			}
		})
	}
}

func TestRecordedPartitions(t *testing.T) {
	cat, body := replay(t, "get-partitions-parquet-ctas-partitioned-bucketed.json")
	var recorded struct {
		Partitions []struct {
			Values            []string
			StorageDescriptor struct{ Location string }
		}
	}
	if err := json.Unmarshal(body, &recorded); err != nil {
		t.Fatal(err)
	}
	var got []glue.Partition
	for p, err := range cat.Partitions(context.Background(), "db", "t", "") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if len(got) != len(recorded.Partitions) || len(got) != 10 {
		t.Fatalf("%d partitions, want the 10 recorded", len(got))
	}
	for i, p := range recorded.Partitions {
		if !slices.Equal(got[i].Values, p.Values) || got[i].Location != p.StorageDescriptor.Location {
			t.Errorf("partition %d: got %v %s, want %v %s", i, got[i].Values, got[i].Location, p.Values, p.StorageDescriptor.Location)
		}
	}
}
