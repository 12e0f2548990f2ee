package localaws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athtypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// athenaEnv is a stack with SDK clients for the three services.
type athenaEnv struct {
	st     *Stack
	athena *athena.Client
	s3     *s3.Client
	glue   *glue.Client
}

// startAthena starts a stack with a "lake" bucket, default SDK options.
func startAthena(t *testing.T, optFns ...func(*Options)) *athenaEnv {
	t.Helper()
	opts := append([]func(*Options){func(o *Options) { o.Buckets = []string{"lake"} }}, optFns...)
	st, s3c := startStack(t, opts...)
	return &athenaEnv{st: st, athena: athena.NewFromConfig(st.Config()), s3: s3c, glue: glue.NewFromConfig(st.Config())}
}

const athenaTestOutput = "s3://lake/output/"

// start starts a query in database db with the test output location.
func (e *athenaEnv) start(t *testing.T, db, query string) string {
	t.Helper()
	in := &athena.StartQueryExecutionInput{
		QueryString:         aws.String(query),
		ResultConfiguration: &athtypes.ResultConfiguration{OutputLocation: aws.String(athenaTestOutput)},
	}
	if db != "" {
		in.QueryExecutionContext = &athtypes.QueryExecutionContext{Database: aws.String(db)}
	}
	out, err := e.athena.StartQueryExecution(context.Background(), in)
	if err != nil {
		t.Fatalf("StartQueryExecution(%q): %v", query, err)
	}
	return *out.QueryExecutionId
}

// wait polls until the query is in a terminal state.
func (e *athenaEnv) wait(t *testing.T, id string) *athtypes.QueryExecution {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := e.athena.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetQueryExecution: %v", err)
		}
		switch out.QueryExecution.Status.State {
		case athtypes.QueryExecutionStateSucceeded, athtypes.QueryExecutionStateFailed, athtypes.QueryExecutionStateCancelled:
			return out.QueryExecution
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s still %s", id, out.QueryExecution.Status.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// mustRun runs a query to SUCCEEDED and returns its id.
func (e *athenaEnv) mustRun(t *testing.T, db, query string) string {
	t.Helper()
	id := e.start(t, db, query)
	qe := e.wait(t, id)
	if qe.Status.State != athtypes.QueryExecutionStateSucceeded {
		reason := ""
		if qe.Status.StateChangeReason != nil {
			reason = *qe.Status.StateChangeReason
		}
		t.Fatalf("query %q: got state %s (%s), want SUCCEEDED", query, qe.Status.State, reason)
	}
	return id
}

// results fetches all pages of a query's results.
func (e *athenaEnv) results(t *testing.T, id string) ([]athtypes.Row, []athtypes.ColumnInfo) {
	t.Helper()
	var rows []athtypes.Row
	var cols []athtypes.ColumnInfo
	p := athena.NewGetQueryResultsPaginator(e.athena, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		rows = append(rows, out.ResultSet.Rows...)
		cols = out.ResultSet.ResultSetMetadata.ColumnInfo
	}
	return rows, cols
}

// rowStrings renders rows with NULL as "<null>".
func rowStrings(rows []athtypes.Row) [][]string {
	var out [][]string
	for _, r := range rows {
		var vals []string
		for _, d := range r.Data {
			if d.VarCharValue == nil {
				vals = append(vals, "<null>")
			} else {
				vals = append(vals, *d.VarCharValue)
			}
		}
		out = append(out, vals)
	}
	return out
}

func joinRows(rows [][]string) string {
	var lines []string
	for _, r := range rows {
		lines = append(lines, strings.Join(r, "|"))
	}
	return strings.Join(lines, "\n")
}
