package localaws

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

const glueTestAccount = "123456789012"

// newGlueTestService starts a Glue emulator on dir ("" = in memory) behind
// an httptest server and returns it with an SDK client that uses default
// options but for the endpoint, dummy credentials and no retries.
func newGlueTestService(t *testing.T, dir string) (*glueService, *glue.Client) {
	t.Helper()
	g, err := newGlueService(dir, "us-east-1", glueTestAccount)
	if err != nil {
		t.Fatalf("newGlueService(%q): %v", dir, err)
	}
	return g, newGlueTestClient(t, g)
}

// newGlueTestClient serves g on an httptest server for the test's duration.
func newGlueTestClient(t *testing.T, g *glueService) *glue.Client {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	// Default SDK options, retries included: the glue client (v1.175.1 with
	// smithy-go v1.28.9 on Go 1.26) fails about one response in 2,000 from
	// a loopback server with "use of closed network connection" while
	// reading a complete 200 body, which plain net/http never does against
	// the same server; the SDK's retryer absorbs it, as it would in
	// production.
	return glue.New(glue.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

// glueErrorAs asserts that err holds an E (a modeled SDK error type) and
// returns it.
func glueErrorAs[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("got error %v (%T), want %T", err, err, target)
	}
	return target
}

// mustCreateGlueDatabase creates a database or fails the test.
func mustCreateGlueDatabase(t *testing.T, c *glue.Client, name string) {
	t.Helper()
	_, err := c.CreateDatabase(context.Background(), &glue.CreateDatabaseInput{
		DatabaseInput: &types.DatabaseInput{Name: aws.String(name)},
	})
	if err != nil {
		t.Fatalf("CreateDatabase(%s): %v", name, err)
	}
}

// glueTestTableInput is a partitioned Parquet table with the given
// partition keys (name, type pairs).
func glueTestTableInput(name string, keys ...string) *types.TableInput {
	var pk []types.Column
	for i := 0; i+1 < len(keys); i += 2 {
		pk = append(pk, types.Column{Name: aws.String(keys[i]), Type: aws.String(keys[i+1])})
	}
	if pk == nil {
		pk = []types.Column{}
	}
	return &types.TableInput{
		Name:          aws.String(name),
		TableType:     aws.String("EXTERNAL_TABLE"),
		PartitionKeys: pk,
		Parameters:    map[string]string{"classification": "parquet", "EXTERNAL": "TRUE"},
		StorageDescriptor: &types.StorageDescriptor{
			Columns: []types.Column{
				{Name: aws.String("id"), Type: aws.String("bigint")},
				{Name: aws.String("amount"), Type: aws.String("decimal(10,2)"), Comment: aws.String("in EUR")},
			},
			Location:     aws.String("s3://lake/" + name + "/"),
			InputFormat:  aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
			OutputFormat: aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
			SerdeInfo: &types.SerDeInfo{
				SerializationLibrary: aws.String("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
				Parameters:           map[string]string{"serialization.format": "1"},
			},
		},
	}
}

// mustCreateGlueTable creates a table or fails the test.
func mustCreateGlueTable(t *testing.T, c *glue.Client, db string, in *types.TableInput) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &glue.CreateTableInput{DatabaseName: aws.String(db), TableInput: in})
	if err != nil {
		t.Fatalf("CreateTable(%s.%s): %v", db, aws.ToString(in.Name), err)
	}
}

// gluePartitionInputs builds partition inputs for the given value lists.
func gluePartitionInputs(values ...[]string) []types.PartitionInput {
	out := make([]types.PartitionInput, len(values))
	for i, v := range values {
		out[i] = types.PartitionInput{
			Values:     v,
			Parameters: map[string]string{"n": fmt.Sprint(i)},
			StorageDescriptor: &types.StorageDescriptor{
				Location: aws.String(fmt.Sprintf("s3://lake/p/%d/", i)),
				Columns:  []types.Column{{Name: aws.String("id"), Type: aws.String("bigint")}},
			},
		}
	}
	return out
}

// mustBatchCreateGluePartitions creates partitions in batches of 100 and
// fails the test on any error, per entry included.
func mustBatchCreateGluePartitions(t *testing.T, c *glue.Client, db, table string, inputs []types.PartitionInput) {
	t.Helper()
	for start := 0; start < len(inputs); start += 100 {
		end := min(start+100, len(inputs))
		out, err := c.BatchCreatePartition(context.Background(), &glue.BatchCreatePartitionInput{
			DatabaseName: aws.String(db), TableName: aws.String(table), PartitionInputList: inputs[start:end],
		})
		if err != nil {
			t.Fatalf("BatchCreatePartition: %v", err)
		}
		if len(out.Errors) != 0 {
			t.Fatalf("BatchCreatePartition: got %d errors, first %s: %s, want none", len(out.Errors),
				aws.ToString(out.Errors[0].ErrorDetail.ErrorCode), aws.ToString(out.Errors[0].ErrorDetail.ErrorMessage))
		}
	}
}

// allGluePartitions lists every partition through the SDK paginator.
func allGluePartitions(t *testing.T, c *glue.Client, in *glue.GetPartitionsInput) ([]types.Partition, int) {
	t.Helper()
	var all []types.Partition
	pages := 0
	p := glue.NewGetPartitionsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("GetPartitions page %d: %v", pages+1, err)
		}
		pages++
		all = append(all, out.Partitions...)
	}
	return all, pages
}
