package athena_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/retry"
	"github.com/gowrangler/wrangler/s3io"
)

// glueTables lists a database's tables through Glue itself.
func glueTables(t *testing.T, st *localaws.Stack, db string) []string {
	t.Helper()
	out, err := glue.NewFromConfig(st.Config()).GetTables(context.Background(), &glue.GetTablesInput{DatabaseName: aws.String(db)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range out.TableList {
		names = append(names, aws.ToString(tb.Name))
	}
	return names
}

// leftUnder lists the objects under an S3 prefix.
func leftUnder(t *testing.T, st *localaws.Stack, prefix string) []string {
	t.Helper()
	objs, err := s3ioClient(st).ListAll(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// states returns the state of each query localaws ran whose text starts
// with prefix.
func states(t *testing.T, raw *sdkathena.Client, prefix string) []types.QueryExecutionState {
	t.Helper()
	ctx := context.Background()
	ids, err := raw.ListQueryExecutions(ctx, &sdkathena.ListQueryExecutionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var out []types.QueryExecutionState
	for start := 0; start < len(ids.QueryExecutionIds); start += 50 {
		batch, err := raw.BatchGetQueryExecution(ctx, &sdkathena.BatchGetQueryExecutionInput{
			QueryExecutionIds: ids.QueryExecutionIds[start:min(start+50, len(ids.QueryExecutionIds))]})
		if err != nil {
			t.Fatal(err)
		}
		for _, qe := range batch.QueryExecutions {
			if strings.HasPrefix(aws.ToString(qe.Query), prefix) {
				out = append(out, qe.Status.State)
			}
		}
	}
	return out
}

func newCTASClient(t *testing.T, s3Opts func(*s3.Options), optFns ...func(*athena.Options)) *recorded {
	t.Helper()
	r := newRecorded(t, nil, true, optFns...)
	if s3Opts != nil {
		r.s3.Client = s3.NewFromConfig(r.stack.Config(), localaws.PathStyle, s3Opts)
	}
	if _, err := r.c.Run(context.Background(), "CREATE DATABASE scratch"); err != nil {
		t.Fatal(err)
	}
	r.api.reset()
	return r
}

func TestCTASReadsAndCleansUp(t *testing.T) {
	r := newCTASClient(t, nil, func(o *athena.Options) { o.CTASDatabase = "scratch" })
	f, err := r.c.Query(context.Background(), upTo2500, athena.ReadResults(athena.ResultsCTAS))
	if err != nil {
		t.Fatal(err)
	}
	checkUpTo2500(t, f)
	got := r.api.queries()
	if len(got) != 2 || !strings.HasPrefix(got[0], `CREATE TABLE "scratch"."wrangler_ctas_`) || !strings.HasPrefix(got[1], "DROP TABLE IF EXISTS `scratch`.`wrangler_ctas_") {
		t.Fatalf("queries started %q: want the CTAS, then its DROP TABLE", got)
	}
	if tables := glueTables(t, r.stack, "scratch"); len(tables) != 0 {
		t.Errorf("tables left in Glue: %v", tables)
	}
	if left := leftUnder(t, r.stack, "s3://results/q/ctas/"); len(left) != 0 {
		t.Errorf("CTAS data left in S3: %v", left)
	}
}

// A read that fails after the CTAS succeeded still drops the table and
// deletes its data: every GET fails (an injected 500), while the LIST and
// DeleteObjects of the clean-up and the DROP TABLE query go through.
func TestCTASCleansUpAfterAFailedRead(t *testing.T) {
	r := newCTASClient(t, func(o *s3.Options) { o.RetryMaxAttempts = 1 }, athena.Database("scratch"))
	// One attempt per request, so that the injected failure is final at
	// once.
	r.c = athena.New(r.api, s3io.New(r.s3, func(o *s3io.Options) { o.Retry = retry.Policy{MaxAttempts: 1} }),
		athena.OutputLocation("s3://results/q/"), fastPolling, athena.Database("scratch"))
	remove := r.stack.Inject(localaws.Fault{Op: "s3:GetObject", Kind: localaws.InternalError})
	_, err := r.c.Query(context.Background(), upTo2500, athena.ReadResults(athena.ResultsCTAS))
	remove()
	var qe *athena.QueryError
	if err == nil || errors.As(err, &qe) || !strings.Contains(err.Error(), "CTAS output") {
		t.Fatalf("got %v, want the failed read of the CTAS output", err)
	}
	raw := sdkathenaClient(r.stack)
	if got := states(t, raw, "CREATE TABLE"); len(got) != 1 || got[0] != types.QueryExecutionStateSucceeded {
		t.Fatalf("CTAS states %v, want one SUCCEEDED (the table existed before the read)", got)
	}
	if got := states(t, raw, "DROP TABLE"); len(got) != 1 || got[0] != types.QueryExecutionStateSucceeded {
		t.Fatalf("DROP TABLE states %v, want one SUCCEEDED", got)
	}
	if tables := glueTables(t, r.stack, "scratch"); len(tables) != 0 {
		t.Errorf("tables left in Glue: %v", tables)
	}
	if left := leftUnder(t, r.stack, "s3://results/q/ctas/"); len(left) != 0 {
		t.Errorf("CTAS data left in S3: %v", left)
	}
}

func TestCTASFailedQueryStillDrops(t *testing.T) {
	r := newCTASClient(t, nil, athena.Database("scratch"))
	_, err := r.c.Query(context.Background(), "SELECT * FROM no_such_table", athena.ReadResults(athena.ResultsCTAS))
	var qe *athena.QueryError
	if !errors.As(err, &qe) || qe.State != "FAILED" {
		t.Fatalf("got %v, want the CTAS's *QueryError", err)
	}
	if got := r.api.queries(); len(got) != 2 || !strings.HasPrefix(got[1], "DROP TABLE IF EXISTS") {
		t.Fatalf("queries started %q: want the CTAS and a DROP TABLE IF EXISTS", got)
	}
	if tables := glueTables(t, r.stack, "scratch"); len(tables) != 0 {
		t.Errorf("tables left in Glue: %v", tables)
	}
}

func TestCTASNeedsADatabase(t *testing.T) {
	r := newCTASClient(t, nil)
	_, err := r.c.Query(context.Background(), "SELECT 1 AS a", athena.ReadResults(athena.ResultsCTAS))
	if err == nil || !strings.Contains(err.Error(), "CTASDatabase") {
		t.Fatalf("got %v, want an error naming CTASDatabase", err)
	}
	if got := r.api.queries(); len(got) != 0 {
		t.Fatalf("queries started %q, want none", got)
	}
}

// Queries ending in a line comment, with a final semicolon, and an
// idempotency token: the rewritten UNLOAD and CTAS must still parse, and
// the LIMIT 0 query of an empty result must not reuse the caller's token.
func TestRewrittenQueriesKeepTheirMeaning(t *testing.T) {
	r := newCTASClient(t, nil, athena.Database("scratch"))
	ctx := context.Background()
	for _, path := range []athena.ResultPath{athena.ResultsUnload, athena.ResultsCTAS} {
		f, err := r.c.Query(ctx, "SELECT 7 AS a -- the answer;\n;", athena.ReadResults(path))
		if err != nil {
			t.Fatalf("path %d: %v", path, err)
		}
		if row, _ := f.Row(0); f.NumRows() != 1 || row[0] != int32(7) {
			t.Fatalf("path %d: %v, want one row a = 7", path, f)
		}
		f, err = r.c.Query(ctx, "SELECT CAST(1 AS bigint) AS a WHERE 1 = 0", athena.ReadResults(path),
			func(o *athena.Options) { o.ClientRequestToken = strings.Repeat("t", 32) + path.String() })
		if err != nil {
			t.Fatalf("path %d, empty result with a token: %v", path, err)
		}
		if f.NumRows() != 0 || f.NumCols() != 1 || f.Schema().Field(0).Type.String() != "int64" {
			t.Fatalf("path %d: empty result %v", path, f.Schema())
		}
	}
}
