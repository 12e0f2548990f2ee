package athena_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/retry"
	"github.com/gowrangler/wrangler/s3io"
)

// newClient starts localaws with a results bucket and returns an athena
// Client over the unmodified SDK client, and the raw client for checks.
func newClient(t *testing.T, stackOpts func(*localaws.Options), optFns ...func(*athena.Options)) (*athena.Client, *sdkathena.Client, *localaws.Stack) {
	t.Helper()
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) {
		o.Buckets = []string{"results"}
		if stackOpts != nil {
			stackOpts(o)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw := sdkathenaClient(st)
	opts := append([]func(*athena.Options){athena.OutputLocation("s3://results/q/"), func(o *athena.Options) {
		o.PollMin = 5 * time.Millisecond
		o.PollMax = 50 * time.Millisecond
	}}, optFns...)
	return athena.New(raw, s3ioClient(st), opts...), raw, st
}

const everyType = `SELECT 1 AS i, CAST(NULL AS varchar) AS n, '' AS e,
		CAST('12.50' AS decimal(10,2)) AS d, DATE '2026-11-25' AS dt, true AS b, CAST(2.5 AS double) AS x,
		CAST(7 AS bigint) AS big, CAST(-8 AS tinyint) AS ti, CAST(300 AS smallint) AS si, CAST(0.5 AS real) AS r,
		CAST('ab' AS char(3)) AS ch, X'00ff' AS vb, TIMESTAMP '2026-11-25 10:00:00.123' AS ts`

func TestQueryTypesAndNulls(t *testing.T) {
	c, _, _ := newClient(t, nil, func(o *athena.Options) { o.CTASDatabase = "scratch" })
	if _, err := c.Run(context.Background(), "CREATE DATABASE scratch"); err != nil {
		t.Fatal(err)
	}
	f, err := c.Query(context.Background(), everyType)
	if err != nil {
		t.Fatal(err)
	}
	// The paged API, the result CSV, UNLOAD and CTAS to Parquet give the
	// same frame.
	for _, path := range []athena.ResultPath{athena.ResultsAPI, athena.ResultsCSV, athena.ResultsUnload, athena.ResultsCTAS} {
		other, err := c.Query(context.Background(), everyType, func(o *athena.Options) { o.Results = path })
		if err != nil {
			t.Fatalf("path %d: %v", path, err)
		}
		if other.String() != f.String() || !sameTypes(other, f) {
			t.Fatalf("path %d gave\n%v\nwant\n%v", path, other, f)
		}
	}
	want := map[string]string{"i": "int32", "n": "utf8", "e": "utf8", "d": "decimal(10, 2)", "dt": "date32",
		"b": "bool", "x": "float64", "big": "int64", "ti": "int8", "si": "int16", "r": "float32", "ch": "utf8",
		"vb": "binary", "ts": "timestamp[ms]"}
	for _, fl := range f.Schema().Fields() {
		if got := fl.Type.String(); got != want[fl.Name] {
			t.Errorf("column %s: type %s, want %s", fl.Name, got, want[fl.Name])
		}
	}
	if f.NumRows() != 1 {
		t.Fatalf("%d rows, want 1", f.NumRows())
	}
	row, err := f.Row(0)
	if err != nil {
		t.Fatal(err)
	}
	// NULL stays NULL and the empty string stays "".
	if got := fmt.Sprint(row); !strings.HasPrefix(got, "[1 <nil>  ") || !strings.Contains(got, "true 2.5 7 -8 300 0.5") {
		t.Fatalf("row %s", got)
	}
	d, _ := f.Column("d")
	if got := d.Chunk(0).(*array.Decimal128).Value(0); got != decimal128.FromI64(1250) {
		t.Fatalf("decimal %v, want 1250 at scale 2 exactly", got)
	}
	vals, valid, _ := frame.Values[string](f, "e")
	if valid != nil && !valid[0] || vals[0] != "" {
		t.Fatalf("empty string came back as %q valid %v", vals[0], valid)
	}
}

func TestEmptyResultKeepsSchema(t *testing.T) {
	c, _, st := newClient(t, nil, func(o *athena.Options) { o.CTASDatabase = "scratch" })
	if _, err := c.Run(context.Background(), "CREATE DATABASE scratch"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []athena.ResultPath{athena.ResultsAPI, athena.ResultsCSV, athena.ResultsUnload, athena.ResultsCTAS} {
		f, err := c.Query(context.Background(), "SELECT CAST(1 AS bigint) AS a, 'x' AS b WHERE 1 = 0",
			func(o *athena.Options) { o.Results = path })
		if err != nil {
			t.Fatalf("path %d: %v", path, err)
		}
		if f.NumRows() != 0 || f.NumCols() != 2 || f.Schema().Field(0).Type.String() != "int64" {
			t.Fatalf("path %d: empty result: %d rows, schema %v", path, f.NumRows(), f.Schema())
		}
	}
	// UNLOAD's and CTAS's temporary files are gone.
	for _, prefix := range []string{"s3://results/q/unload/", "s3://results/q/ctas/"} {
		left, err := s3ioClient(st).ListAll(context.Background(), prefix)
		if err != nil || len(left) != 0 {
			t.Fatalf("output left behind under %s: %v, %v", prefix, left, err)
		}
	}
	if tables := glueTables(t, st, "scratch"); len(tables) != 0 {
		t.Fatalf("CTAS tables left behind: %v", tables)
	}
}

func TestPagedResults(t *testing.T) {
	r := newRecorded(t, nil, true)
	for _, tc := range []struct {
		path  athena.ResultPath
		pages int
	}{
		{athena.ResultsAPI, 3}, // pages of at most 1,000 rows
		{athena.ResultsCSV, 1}, // one call for the column metadata
	} {
		r.api.reset()
		f, err := r.c.Query(context.Background(), upTo2500, func(o *athena.Options) { o.Results = tc.path })
		if err != nil {
			t.Fatal(err)
		}
		// The header row is skipped once.
		checkUpTo2500(t, f)
		// Counted on the client side: localaws counts a call after its
		// response has gone out, which a check right after can beat.
		if n := r.api.resultCalls(); n != tc.pages {
			t.Fatalf("path %v: GetQueryResults calls %d, want %d", tc.path, n, tc.pages)
		}
	}
}

func TestFailedQueryIsQueryError(t *testing.T) {
	c, _, _ := newClient(t, nil)
	_, err := c.Query(context.Background(), "SELECT * FROM no_such_table")
	var qe *athena.QueryError
	if !errors.As(err, &qe) || qe.State != "FAILED" || qe.QueryID == "" || qe.Message == "" {
		t.Fatalf("got %v, want a *QueryError for a FAILED query", err)
	}
}

func TestCancelledContextCancelsTheQuery(t *testing.T) {
	c, raw, _ := newClient(t, func(o *localaws.Options) { o.AthenaQueryLatency = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	e, err := c.Start(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	out, err := raw.GetQueryExecution(context.Background(), &sdkathena.GetQueryExecutionInput{QueryExecutionId: aws.String(e.ID())})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.QueryExecution.Status.State; s != types.QueryExecutionStateCancelled {
		t.Fatalf("query state %s, want CANCELLED", s)
	}
	if c.InFlight() != 0 {
		t.Fatalf("%d slots still held", c.InFlight())
	}
}

// 200 queries at once against an account limit of 20 active queries: the
// client's bound keeps every one within the limit, so Athena refuses none:
// exactly 200 StartQueryExecution calls reach it (a refusal would be
// retried, and counted).
func TestFanOutStaysWithinTheActiveQueryQuota(t *testing.T) {
	const queries, limit = 200, 20
	latency := 300 * time.Millisecond
	c, _, st := newClient(t, func(o *localaws.Options) {
		o.AthenaMaxActiveQueries = limit
		o.AthenaQueryLatency = latency
	}, athena.MaxConcurrent(limit))
	var wg sync.WaitGroup
	var failures, peak atomic.Int64
	start := time.Now()
	for i := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Run(context.Background(), fmt.Sprintf("SELECT %d", i)); err != nil {
				failures.Add(1)
				t.Errorf("query %d: %v", i, err)
			}
			for {
				n, p := int64(c.InFlight()), peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failures.Load() != 0 || peak.Load() > limit {
		t.Fatalf("%d failures, peak in flight %d (limit %d)", failures.Load(), peak.Load(), limit)
	}
	if n := st.Calls("athena:StartQueryExecution"); n != queries {
		t.Fatalf("%d StartQueryExecution calls for %d queries: some were refused and retried", n, queries)
	}
	ideal := time.Duration((queries+limit-1)/limit) * latency
	t.Logf("200 queries in %v; ideal ceil(200/20) x %v = %v (ratio %.2f)", elapsed, latency, ideal, float64(elapsed)/float64(ideal))
}

type result struct {
	N    int32  `frame:"n"`
	Name string `frame:"name"`
}

func TestQueryRows(t *testing.T) {
	c, _, _ := newClient(t, nil)
	rows, err := athena.QueryRows[result](context.Background(), c, "SELECT 7 AS n, 'seven' AS name")
	if err != nil || len(rows) != 1 || rows[0] != (result{7, "seven"}) {
		t.Fatalf("rows %+v, %v", rows, err)
	}
}

func sdkathenaClient(st *localaws.Stack) *sdkathena.Client {
	return sdkathena.NewFromConfig(st.Config())
}

func s3ioClient(st *localaws.Stack) *s3io.Client {
	return s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))
}

func TestQueryAllCollectsPerQueryResults(t *testing.T) {
	c, _, _ := newClient(t, nil, athena.MaxConcurrent(4))
	var queries []string
	for i := range 30 {
		if i%7 == 3 {
			queries = append(queries, "SELECT * FROM missing_table_"+fmt.Sprint(i))
			continue
		}
		queries = append(queries, fmt.Sprintf("SELECT %d AS n", i))
	}
	var last athena.FanOutProgress
	var peakRunning int
	results := c.QueryAll(context.Background(), queries, func(p athena.FanOutProgress) {
		last = p
		peakRunning = max(peakRunning, p.Running)
	})
	failed := 0
	for i, r := range results {
		if r.Index != i || r.SQL != queries[i] {
			t.Fatalf("result %d is for query %d %q", i, r.Index, r.SQL)
		}
		if i%7 == 3 {
			var qe *athena.QueryError
			if !errors.As(r.Err, &qe) {
				t.Fatalf("query %d: got %v, want a *QueryError", i, r.Err)
			}
			failed++
			continue
		}
		if r.Err != nil {
			t.Fatalf("query %d: %v", i, r.Err)
		}
		vals, _, _ := frame.Values[int32](r.Frame, "n")
		if len(vals) != 1 || int(vals[0]) != i {
			t.Fatalf("query %d returned %v", i, vals)
		}
	}
	want := athena.FanOutProgress{Total: 30, Succeeded: 30 - failed, Failed: failed}
	if last != want || peakRunning > 4 {
		t.Fatalf("final progress %+v (want %+v), peak running %d (limit 4)", last, want, peakRunning)
	}
}

// sameTypes compares column names and types, not field metadata (a
// Parquet reader adds its own).
func sameTypes(a, b *frame.Frame) bool {
	if a.NumCols() != b.NumCols() {
		return false
	}
	for i := range a.NumCols() {
		fa, fb := a.Schema().Field(i), b.Schema().Field(i)
		if fa.Name != fb.Name || !arrow.TypeEqual(fa.Type, fb.Type) {
			return false
		}
	}
	return true
}

func TestClientSideCache(t *testing.T) {
	c, _, st := newClient(t, nil, func(o *athena.Options) { o.CacheMaxAge = time.Minute })
	ctx := context.Background()
	st.ResetCounters()
	first, err := c.Query(ctx, "SELECT 1 AS a")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Query(ctx, "SELECT 1 AS a")
	if err != nil || second != first {
		t.Fatalf("second query: %v, same frame %v", err, second == first)
	}
	if n := st.Calls("athena:StartQueryExecution"); n != 1 {
		t.Fatalf("%d queries started, want 1 (the second from the cache)", n)
	}
	if _, err := c.Query(ctx, "SELECT 1 AS a", athena.Database("other")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Query(ctx, "SELECT 1 AS a", func(o *athena.Options) { o.CacheMaxAge = 0 }); err != nil {
		t.Fatal(err)
	}
	if n := st.Calls("athena:StartQueryExecution"); n != 3 {
		t.Fatalf("%d queries started, want 3 (another database, and the cache off)", n)
	}
}

func TestExecutionAndExecutions(t *testing.T) {
	c, _, _ := newClient(t, nil)
	ctx := context.Background()
	qe, err := c.Run(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(qe.QueryExecutionId)
	got, err := c.Execution(ctx, id)
	if err != nil || got.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("Execution: %+v, %v", got, err)
	}
	found := false
	for listed, err := range c.Executions(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		found = found || listed == id
	}
	if !found {
		t.Fatalf("query %s not listed", id)
	}
}

// When the poller cannot learn a query's state (BatchGetQueryExecution
// failing after its retries), Wait stops the query and gives its slot
// back instead of holding it for ever.
func TestUnknownStatusStopsTheQuery(t *testing.T) {
	_, raw, st := newClient(t, func(o *localaws.Options) { o.AthenaQueryLatency = 10 * time.Second })
	// One attempt per call, the SDK's and the Client's, so that the
	// injected failure is final at once.
	c := athena.New(sdkathena.NewFromConfig(st.Config(), func(o *sdkathena.Options) { o.RetryMaxAttempts = 1 }), nil,
		athena.OutputLocation("s3://results/q/"), fastPolling, func(o *athena.Options) { o.Retry = retry.Policy{MaxAttempts: 1} })
	remove := st.Inject(localaws.Fault{Op: "athena:BatchGetQueryExecution", Kind: localaws.InternalError})
	defer remove()
	ctx := context.Background()
	e, err := c.Start(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Wait(ctx)
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InternalServerException" || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("got %v, want the status failure, saying the query was stopped", err)
	}
	if n := c.InFlight(); n != 0 {
		t.Fatalf("%d slots still held", n)
	}
	out, err := raw.GetQueryExecution(ctx, &sdkathena.GetQueryExecutionInput{QueryExecutionId: aws.String(e.ID())})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.QueryExecution.Status.State; s != types.QueryExecutionStateCancelled {
		t.Fatalf("query state %s, want CANCELLED", s)
	}
}
