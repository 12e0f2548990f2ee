package localaws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// noRetry turns SDK retries off, to observe every throttling answer
// (AWS-FACTS.md 7).
func noRetry(o *athena.Options) { o.RetryMaxAttempts = 1 }

func TestAthenaConcurrentQueryLimit(t *testing.T) {
	e := startAthena(t, func(o *Options) {
		o.AthenaMaxActiveQueries = 20
		o.AthenaQueryLatency = 3 * time.Second
		o.AthenaRates = map[string]AthenaRate{"StartQueryExecution": Unlimited}
	})
	// 100 parallel calls through a pooling transport leave connections it
	// dialled but never used, which the server's graceful shutdown waits 5 s
	// for; one connection per call avoids them.
	client := athena.NewFromConfig(e.st.Config(), noRetry, func(o *athena.Options) {
		o.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	})
	var mu sync.Mutex
	var ok, limited int
	var other []error
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := client.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
				QueryString:         aws.String("SELECT 1"),
				ResultConfiguration: &athtypes.ResultConfiguration{OutputLocation: aws.String(athenaTestOutput)},
			})
			mu.Lock()
			defer mu.Unlock()
			var tooMany *athtypes.TooManyRequestsException
			switch {
			case err == nil:
				ok++
			case errors.As(err, &tooMany) && tooMany.Reason == athtypes.ThrottleReasonConcurrentQueryLimitExceeded:
				limited++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if ok != 20 || limited != 80 || len(other) > 0 {
		t.Errorf("got %d started, %d TooManyRequestsException, other errors %v; want 20, 80, none", ok, limited, other)
	}
}

func TestAthenaAPIRateThrottling(t *testing.T) {
	e := startAthena(t, func(o *Options) { o.AthenaMaxActiveQueries = 1000 })
	client := athena.NewFromConfig(e.st.Config(), noRetry)
	var ok, throttled int
	start := time.Now()
	for i := 0; i < 200; i++ {
		_, err := client.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
			QueryString:         aws.String("SELECT 1"),
			ResultConfiguration: &athtypes.ResultConfiguration{OutputLocation: aws.String(athenaTestOutput)},
		})
		switch {
		case err == nil:
			ok++
		case apiCode(err) == "ThrottlingException" && strings.Contains(err.Error(), "Rate exceeded"):
			throttled++
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// The bucket holds 80 and refills at 20 per second (AWS-FACTS.md 1.12).
	maxOK := 80 + int(20*time.Since(start).Seconds()) + 1
	if ok < 80 || ok > maxOK || throttled != 200-ok {
		t.Errorf("got %d accepted and %d throttled of 200, want 80..%d accepted and the rest throttled", ok, throttled, maxOK)
	}
}

func TestAthenaIdempotency(t *testing.T) {
	e := startAthena(t)
	token := "0123456789abcdef0123456789abcdef-token"
	start := func(q string) (*athena.StartQueryExecutionOutput, error) {
		return e.athena.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
			QueryString:         aws.String(q),
			ClientRequestToken:  aws.String(token),
			ResultConfiguration: &athtypes.ResultConfiguration{OutputLocation: aws.String(athenaTestOutput)},
		})
	}
	first, err := start("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	second, err := start("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if *first.QueryExecutionId != *second.QueryExecutionId {
		t.Errorf("same token: got ids %s and %s, want one", *first.QueryExecutionId, *second.QueryExecutionId)
	}
	_, err = start("SELECT 2")
	var invalid *athtypes.InvalidRequestException
	if !errors.As(err, &invalid) {
		t.Errorf("same token, other query: got %v, want InvalidRequestException", err)
	}
	list, err := e.athena.ListQueryExecutions(context.Background(), &athena.ListQueryExecutionsInput{})
	if err != nil || len(list.QueryExecutionIds) != 1 {
		t.Errorf("ListQueryExecutions: got %v (%v), want one query", list, err)
	}
}

func TestAthenaResultPaging(t *testing.T) {
	e := startAthena(t)
	id := e.mustRun(t, "", "SELECT x FROM range(2500) AS t(x) ORDER BY x")
	var pages []int
	var all [][]string
	var token *string
	for {
		out, err := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(out.ResultSet.Rows))
		all = append(all, rowStrings(out.ResultSet.Rows)...)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if fmt.Sprint(pages) != "[1000 1000 501]" {
		t.Errorf("page sizes: got %v, want [1000 1000 501] (header + 2,500 rows)", pages)
	}
	if all[0][0] != "x" || all[1][0] != "0" || all[2500][0] != "2499" {
		t.Errorf("rows: got header %q, first %q, last %q", all[0][0], all[1][0], all[2500][0])
	}
	for i, r := range all[1:] {
		if r[0] != fmt.Sprint(i) {
			t.Fatalf("row %d: got %q, want the header only on the first page", i+1, r[0])
		}
	}
	out, err := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(10)})
	if err != nil || len(out.ResultSet.Rows) != 10 || out.NextToken == nil {
		t.Errorf("MaxResults 10: got %d rows, token %v (%v)", len(out.ResultSet.Rows), out.NextToken, err)
	}
	_, err = e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1001)})
	var invalid *athtypes.InvalidRequestException
	if !errors.As(err, &invalid) {
		t.Errorf("MaxResults 1001: got %v, want InvalidRequestException", err)
	}
}

func TestAthenaCancellation(t *testing.T) {
	e := startAthena(t)
	id := e.start(t, "", "SELECT sum(hash(x)) FROM range(1000000000000) AS t(x)")
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := e.athena.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if out.QueryExecution.Status.State == athtypes.QueryExecutionStateRunning || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	_, err := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if err == nil || !strings.Contains(err.Error(), "Query has not yet finished. Current state: RUNNING") {
		t.Errorf("GetQueryResults while running: got %v", err)
	}
	if _, err := e.athena.StopQueryExecution(context.Background(), &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	qe := e.wait(t, id)
	if qe.Status.State != athtypes.QueryExecutionStateCancelled || qe.Status.CompletionDateTime == nil {
		t.Errorf("after Stop: got %s, want CANCELLED with a completion time", qe.Status.State)
	}
	// The DuckDB work is interrupted: the stack closes promptly (Close
	// waits for every query goroutine).
	done := make(chan error, 1)
	go func() { done <- e.st.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return: the cancelled query is still running")
	}
}

func TestAthenaFailedQueries(t *testing.T) {
	e := startAthena(t)
	e.mustRun(t, "", "CREATE DATABASE d1")
	cases := []struct {
		query   string
		errType int32
		reason  string
	}{
		{"SELEC 1", 1000, "NOT_SUPPORTED"},
		{"SELECT FROM WHERE", 1006, "SYNTAX_ERROR"},
		{"SELECT 'unterminated", 1006, "SYNTAX_ERROR"},
		{"SELECT * FROM nosuchtable", 1110, "TABLE_NOT_FOUND"},
		{"SELECT nosuchcolumn FROM (SELECT 1 AS a)", 1004, "Binder"},
		{"SELECT 1; SELECT 2", 1006, "only one statement"},
		{"CREATE VIEW v AS SELECT 1", 1000, "NOT_SUPPORTED"},
		{"SELECT CAST(1 AS float8x)", 1006, "Unknown type"},
		{"CREATE DATABASE d1", 1000, "already exists"},
		{"DROP TABLE missing", 1110, "TABLE_NOT_FOUND"},
		{"SELECT ? + 1", 1006, "parameter"},
		{"UNLOAD (SELECT 1) TO 's3://nosuchbucket/x/' WITH (format = 'PARQUET')", 1306, "bucket"},
		{"UNLOAD (SELECT 1) TO 's3://lake/x/' WITH (format = 'ORC')", 1000, "NOT_SUPPORTED"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			qe := e.wait(t, e.start(t, "d1", c.query))
			if qe.Status.State != athtypes.QueryExecutionStateFailed || qe.Status.AthenaError == nil {
				t.Fatalf("got %s, want FAILED with an AthenaError", qe.Status.State)
			}
			ae := qe.Status.AthenaError
			if aws.ToInt32(ae.ErrorCategory) != 2 || aws.ToInt32(ae.ErrorType) != c.errType || ae.Retryable ||
				!strings.Contains(aws.ToString(ae.ErrorMessage), c.reason) || aws.ToString(qe.Status.StateChangeReason) != aws.ToString(ae.ErrorMessage) {
				t.Errorf("got AthenaError %d/%d retryable=%v %q, want 2/%d, not retryable, mentioning %q",
					aws.ToInt32(ae.ErrorCategory), aws.ToInt32(ae.ErrorType), ae.Retryable, aws.ToString(ae.ErrorMessage), c.errType, c.reason)
			}
			_, err := e.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId})
			if err == nil || !strings.Contains(err.Error(), "Current state: FAILED") {
				t.Errorf("GetQueryResults: got %v, want InvalidRequestException", err)
			}
		})
	}
}

func TestAthenaExecutionsAndWorkGroups(t *testing.T) {
	e := startAthena(t, func(o *Options) {
		o.AthenaWorkGroups = []AthenaWorkGroup{{Name: "etl", OutputLocation: "s3://lake/etl-results/", Enforce: true, EncryptionOption: "SSE_S3"}}
	})
	ctx := context.Background()
	// No output location anywhere: refused.
	_, err := e.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")})
	var invalid *athtypes.InvalidRequestException
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "No output location provided") {
		t.Errorf("no output location: got %v", err)
	}
	// An enforcing workgroup overrides the client's location.
	out, err := e.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String("SELECT 1 AS one"), WorkGroup: aws.String("etl"),
		ResultConfiguration: &athtypes.ResultConfiguration{OutputLocation: aws.String("s3://lake/ignored/")},
	})
	if err != nil {
		t.Fatal(err)
	}
	qe := e.wait(t, *out.QueryExecutionId)
	if got := aws.ToString(qe.ResultConfiguration.OutputLocation); got != "s3://lake/etl-results/"+*out.QueryExecutionId+".csv" {
		t.Errorf("enforced OutputLocation: got %s", got)
	}
	if qe.WorkGroup == nil || *qe.WorkGroup != "etl" || qe.StatementType != athtypes.StatementTypeDml || qe.Statistics == nil {
		t.Errorf("execution: got workgroup %v type %s", qe.WorkGroup, qe.StatementType)
	}
	if _, err := get(ctx, e.s3, "lake", "etl-results/"+*out.QueryExecutionId+".csv", ""); err != nil {
		t.Errorf("result in the workgroup location: %v", err)
	}
	ddl := e.mustRun(t, "", "CREATE DATABASE IF NOT EXISTS x")
	dq := e.wait(t, ddl)
	if dq.StatementType != athtypes.StatementTypeDdl || !strings.HasSuffix(aws.ToString(dq.ResultConfiguration.OutputLocation), ddl+".txt") {
		t.Errorf("DDL execution: got %s %s", dq.StatementType, aws.ToString(dq.ResultConfiguration.OutputLocation))
	}
	batch, err := e.athena.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: []string{ddl, "nope"}})
	if err != nil || len(batch.QueryExecutions) != 1 || len(batch.UnprocessedQueryExecutionIds) != 1 {
		t.Errorf("BatchGetQueryExecution: got %+v (%v)", batch, err)
	}
	list, err := e.athena.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{WorkGroup: aws.String("etl")})
	if err != nil || len(list.QueryExecutionIds) != 1 || list.QueryExecutionIds[0] != *out.QueryExecutionId {
		t.Errorf("ListQueryExecutions(etl): got %v (%v)", list, err)
	}
	stats, err := e.athena.GetQueryRuntimeStatistics(ctx, &athena.GetQueryRuntimeStatisticsInput{QueryExecutionId: out.QueryExecutionId})
	if err != nil || stats.QueryRuntimeStatistics.Timeline == nil || stats.QueryRuntimeStatistics.Rows == nil || aws.ToInt64(stats.QueryRuntimeStatistics.Rows.OutputRows) != 1 {
		t.Errorf("GetQueryRuntimeStatistics: got %+v (%v)", stats, err)
	}
	wg, err := e.athena.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("primary")})
	if err != nil || wg.WorkGroup.Configuration.ResultConfiguration.OutputLocation != nil ||
		aws.ToString(wg.WorkGroup.Configuration.EngineVersion.EffectiveEngineVersion) != "Athena engine version 3" {
		t.Errorf("GetWorkGroup(primary): got %+v (%v)", wg, err)
	}
	wgs, err := e.athena.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{})
	if err != nil || len(wgs.WorkGroups) != 2 || *wgs.WorkGroups[0].Name != "etl" || *wgs.WorkGroups[1].Name != "primary" {
		t.Errorf("ListWorkGroups: got %+v (%v)", wgs, err)
	}
	if _, err := e.athena.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("nope")}); !errors.As(err, &invalid) {
		t.Errorf("GetWorkGroup(nope): got %v", err)
	}
	// Result reuse answers from the previous result without running.
	reuse := &athtypes.ResultReuseConfiguration{ResultReuseByAgeConfiguration: &athtypes.ResultReuseByAgeConfiguration{Enabled: true}}
	// A new input each time: the SDK stores its generated
	// ClientRequestToken in the input, and a reused input is a retry.
	in := func() *athena.StartQueryExecutionInput {
		return &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 42 AS answer"), ResultReuseConfiguration: reuse,
			ResultConfiguration: &athtypes.ResultConfiguration{OutputLocation: aws.String(athenaTestOutput)}}
	}
	a1, err := e.athena.StartQueryExecution(ctx, in())
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, *a1.QueryExecutionId)
	a2, err := e.athena.StartQueryExecution(ctx, in())
	if err != nil {
		t.Fatal(err)
	}
	q2 := e.wait(t, *a2.QueryExecutionId)
	if *a1.QueryExecutionId == *a2.QueryExecutionId || !q2.Statistics.ResultReuseInformation.ReusedPreviousResult {
		t.Errorf("result reuse: got ReusedPreviousResult %v", q2.Statistics.ResultReuseInformation.ReusedPreviousResult)
	}
	if rows, _ := e.results(t, *a2.QueryExecutionId); joinRows(rowStrings(rows)) != "answer\n42" {
		t.Errorf("reused results: got %q", joinRows(rowStrings(rows)))
	}
}

func TestAthenaFaultInjection(t *testing.T) {
	e := startAthena(t)
	e.st.Inject(Fault{Op: "athena:GetQueryExecution", Kind: Throttle, Times: 1})
	client := athena.NewFromConfig(e.st.Config(), noRetry)
	_, err := client.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String("x")})
	if apiCode(err) != "ThrottlingException" {
		t.Errorf("injected throttle: got %v", err)
	}
	if n := e.st.Calls("athena:GetQueryExecution"); n != 1 {
		t.Errorf("Calls: got %d, want 1", n)
	}
}
