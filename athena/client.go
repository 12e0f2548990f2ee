package athena

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/gowrangler/wrangler/retry"
	"github.com/gowrangler/wrangler/s3io"
)

// Client runs Athena queries without tripping the account's quotas: at most
// MaxConcurrent queries are in flight (a slot is held from start until the
// query reaches a final state), each API call is paced by a token bucket
// matching Athena's API rate quota, and throttling is retried.
//
// A Client is safe for concurrent use; share one per account and region so
// its bounds apply to everything the program runs.
type Client struct {
	api     API
	s3      *s3io.Client
	options Options
	slots   *retry.Semaphore
	aimd    *retry.AIMD
	rates   map[string]*retry.RateLimiter
	poller  poller
	cache   resultCache
	history sizeHistory
}

// New returns a Client over an SDK Athena client. s3 reads result files
// from S3; it may be nil, and then results come through GetQueryResults.
func New(api API, s3 *s3io.Client, optFns ...func(*Options)) *Client {
	var o Options
	for _, f := range optFns {
		f(&o)
	}
	o = o.withDefaults()
	c := &Client{api: api, s3: s3, options: o, rates: map[string]*retry.RateLimiter{}}
	c.poller.c = c
	if o.Adaptive {
		c.aimd = retry.NewAIMD(o.MaxConcurrent)
	} else {
		c.slots = retry.NewSemaphore(int64(o.MaxConcurrent))
	}
	for op, q := range APIQuotas {
		r := Rate{PerSecond: q.PerSecond * DefaultRateHeadroom, Burst: max(1, int(float64(q.Burst)*DefaultRateHeadroom))}
		if over, ok := o.APIRates[op]; ok {
			r = over
		}
		if r.PerSecond > 0 {
			c.rates[op] = retry.NewRateLimiter(r.PerSecond, r.Burst)
		}
	}
	return c
}

// InFlight returns the number of queries holding a slot.
func (c *Client) InFlight() int {
	if c.aimd != nil {
		return c.aimd.InFlight()
	}
	return int(c.slots.InFlight())
}

func (c *Client) resolve(optFns []func(*Options)) Options {
	o := c.options
	for _, f := range optFns {
		f(&o)
	}
	return o.withDefaults()
}

// call makes one API call: paced by the operation's token bucket and
// retried on throttling and transient errors.
func call[T any](ctx context.Context, c *Client, o Options, op string, fn func(context.Context) (T, error)) (T, error) {
	return retry.DoValue(ctx, o.Retry, func(ctx context.Context) (T, error) {
		if r := c.rates[op]; r != nil {
			if err := r.Wait(ctx); err != nil {
				var zero T
				return zero, retry.Permanent(err)
			}
		}
		return fn(ctx)
	})
}

// Execution is a started query. Wait for it (or Stop it) to release its
// slot. Wait belongs to one goroutine; Stop may be called from another.
type Execution struct {
	c       *Client
	id      string
	options Options
	started time.Time
	release func(outcome error)
	once    sync.Once
	// onRelease, when set before Wait, is called once just before the
	// slot is released, with whether the query succeeded (QueryAll counts
	// its running queries with it).
	onRelease func(succeeded bool)
	final     *types.QueryExecution
}

// ID is the QueryExecutionId.
func (e *Execution) ID() string { return e.id }

// Start submits a query and returns once Athena has accepted it. It first
// waits for a free slot (or ctx); the slot is held until Wait sees the query
// finish or Stop ends it.
func (c *Client) Start(ctx context.Context, sql string, optFns ...func(*Options)) (*Execution, error) {
	o := c.resolve(optFns)
	in := startInput(sql, o)
	for {
		release, err := c.acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("athena: waiting for a query slot: %w", err)
		}
		out, err := call(ctx, c, o, "StartQueryExecution", func(ctx context.Context) (*athena.StartQueryExecutionOutput, error) {
			return c.api.StartQueryExecution(ctx, in)
		})
		if err == nil {
			e := &Execution{c: c, id: aws.ToString(out.QueryExecutionId), options: o, started: time.Now(), release: release}
			c.log(o, "query started", slog.String("query_id", e.id))
			return e, nil
		}
		release(err)
		// With an adaptive bound, Athena's concurrency limit shrank the
		// bound: take a slot again under the new one.
		if c.aimd != nil && retry.IsThrottle(err) && ctx.Err() == nil {
			continue
		}
		return nil, fmt.Errorf("athena: start query: %w", err)
	}
}

func (c *Client) acquire(ctx context.Context) (release func(error), err error) {
	if c.aimd != nil {
		p, err := c.aimd.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		return p.Release, nil
	}
	if err := c.slots.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func(error) { c.slots.Release(1) }, nil
}

func startInput(sql string, o Options) *athena.StartQueryExecutionInput {
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(sql)}
	if o.Database != "" || o.Catalog != "" {
		in.QueryExecutionContext = &types.QueryExecutionContext{}
		if o.Database != "" {
			in.QueryExecutionContext.Database = aws.String(o.Database)
		}
		if o.Catalog != "" {
			in.QueryExecutionContext.Catalog = aws.String(o.Catalog)
		}
	}
	if o.Workgroup != "" {
		in.WorkGroup = aws.String(o.Workgroup)
	}
	if o.OutputLocation != "" || o.Encryption != "" || o.ExpectedBucketOwner != "" {
		rc := &types.ResultConfiguration{}
		if o.OutputLocation != "" {
			rc.OutputLocation = aws.String(o.OutputLocation)
		}
		if o.Encryption != "" {
			rc.EncryptionConfiguration = &types.EncryptionConfiguration{EncryptionOption: types.EncryptionOption(o.Encryption)}
			if o.KMSKey != "" {
				rc.EncryptionConfiguration.KmsKey = aws.String(o.KMSKey)
			}
		}
		if o.ExpectedBucketOwner != "" {
			rc.ExpectedBucketOwner = aws.String(o.ExpectedBucketOwner)
		}
		in.ResultConfiguration = rc
	}
	if o.ResultReuseMaxAge > 0 {
		in.ResultReuseConfiguration = &types.ResultReuseConfiguration{ResultReuseByAgeConfiguration: &types.ResultReuseByAgeConfiguration{
			Enabled: true, MaxAgeInMinutes: aws.Int32(int32(max(1, min(o.ResultReuseMaxAge.Minutes(), 10080))))}}
	}
	if o.ClientRequestToken != "" {
		in.ClientRequestToken = aws.String(o.ClientRequestToken)
	}
	if len(o.ExecutionParameters) > 0 {
		in.ExecutionParameters = o.ExecutionParameters
	}
	return in
}

// Wait waits until the query reaches a final state; the Client's poller
// asks Athena about all waiting queries at once (see poller). It returns
// the final QueryExecution on success and a *QueryError when the query
// FAILED or was CANCELLED. If ctx ends first, or the query's state cannot
// be learnt (BatchGetQueryExecution failing after its retries), Wait stops
// the query (on a fresh context, since ctx may be done), releases its slot
// and returns the cause.
func (e *Execution) Wait(ctx context.Context) (*types.QueryExecution, error) {
	if e.final != nil {
		return e.final, e.finalError()
	}
	if _, err := e.c.poller.wait(ctx, e); err != nil {
		if ctx.Err() != nil {
			return nil, e.abandon(ctx.Err())
		}
		// The query's state cannot be learnt: stop it rather than hold
		// its slot for ever.
		return nil, e.abandon(err)
	}
	// The poller's round has finished e: e.final is set and the slot
	// released.
	return e.final, e.finalError()
}

// Stop asks Athena to cancel the query and releases its slot.
func (e *Execution) Stop(ctx context.Context) error {
	_, err := call(ctx, e.c, e.options, "StopQueryExecution", func(ctx context.Context) (*athena.StopQueryExecutionOutput, error) {
		return e.c.api.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(e.id)})
	})
	e.releaseSlot(nil, false)
	if err != nil {
		return fmt.Errorf("athena: stop query %s: %w", e.id, err)
	}
	return nil
}

// releaseSlot gives the query's slot back, once.
func (e *Execution) releaseSlot(outcome error, succeeded bool) {
	e.once.Do(func() {
		if e.onRelease != nil {
			e.onRelease(succeeded)
		}
		e.release(outcome)
	})
}

// abandon stops the query after the caller's context ended.
func (e *Execution) abandon(cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		return errors.Join(fmt.Errorf("athena: query %s: %w", e.id, cause), err)
	}
	return fmt.Errorf("athena: query %s stopped: %w", e.id, cause)
}

func (e *Execution) finish(qe *types.QueryExecution) {
	e.final = qe
	outcome := e.finalError()
	e.releaseSlot(outcome, outcome == nil)
	e.c.log(e.options, "query finished", slog.String("query_id", e.id),
		slog.String("state", string(qe.Status.State)), slog.Duration("elapsed", time.Since(e.started)))
}

// finalError is the *QueryError of a failed or cancelled query, else nil.
func (e *Execution) finalError() error {
	st := e.final.Status
	if st == nil || st.State == types.QueryExecutionStateSucceeded {
		return nil
	}
	qe := &QueryError{QueryID: e.id, State: string(st.State), Message: aws.ToString(st.StateChangeReason)}
	if ae := st.AthenaError; ae != nil {
		qe.Category = aws.ToInt32(ae.ErrorCategory)
		qe.Type = aws.ToInt32(ae.ErrorType)
		qe.Retryable = ae.Retryable
		if m := aws.ToString(ae.ErrorMessage); m != "" {
			qe.Message = m
		}
	}
	return qe
}

// Run starts a query and waits for it.
func (c *Client) Run(ctx context.Context, sql string, optFns ...func(*Options)) (*types.QueryExecution, error) {
	e, err := c.Start(ctx, sql, optFns...)
	if err != nil {
		return nil, err
	}
	return e.Wait(ctx)
}

func (c *Client) log(o Options, msg string, attrs ...slog.Attr) {
	if o.Logger != nil {
		o.Logger.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
	}
}

// warn logs what the caller may have to clean up by hand.
func (c *Client) warn(o Options, msg string, attrs ...slog.Attr) {
	if o.Logger != nil {
		o.Logger.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
	}
}

// isSelect reports whether a query returns rows with a header row on its
// first result page: a SELECT, possibly after comments, WITH or parentheses.
func isSelect(qe *types.QueryExecution, sql string) bool {
	if qe != nil && qe.SubstatementType != nil {
		return strings.EqualFold(*qe.SubstatementType, "SELECT")
	}
	s := strings.TrimSpace(stripLeadingComments(sql))
	s = strings.TrimLeft(s, "( \t\r\n")
	word := strings.ToUpper(strings.SplitN(s, " ", 2)[0])
	return word == "SELECT" || word == "WITH" || word == "VALUES" || word == "TABLE"
}

func stripLeadingComments(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"):
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
				continue
			}
			return ""
		case strings.HasPrefix(s, "/*"):
			if i := strings.Index(s, "*/"); i >= 0 {
				s = s[i+2:]
				continue
			}
			return ""
		}
		return s
	}
}

// Execution returns a query's current state, as GetQueryExecution reports
// it; it waits for nothing.
func (c *Client) Execution(ctx context.Context, queryID string, optFns ...func(*Options)) (*types.QueryExecution, error) {
	o := c.resolve(optFns)
	out, err := call(ctx, c, o, "GetQueryExecution", func(ctx context.Context) (*athena.GetQueryExecutionOutput, error) {
		return c.api.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(queryID)})
	})
	if err != nil {
		return nil, fmt.Errorf("athena: query %s: %w", queryID, err)
	}
	return out.QueryExecution, nil
}

// Executions lists the ids of the workgroup's recent queries (Options
// Workgroup, or primary), following pages.
func (c *Client) Executions(ctx context.Context, optFns ...func(*Options)) iter.Seq2[string, error] {
	o := c.resolve(optFns)
	return func(yield func(string, error) bool) {
		var token *string
		for {
			in := &athena.ListQueryExecutionsInput{NextToken: token}
			if o.Workgroup != "" {
				in.WorkGroup = aws.String(o.Workgroup)
			}
			out, err := call(ctx, c, o, "ListQueryExecutions", func(ctx context.Context) (*athena.ListQueryExecutionsOutput, error) {
				return c.api.ListQueryExecutions(ctx, in)
			})
			if err != nil {
				yield("", fmt.Errorf("athena: list queries: %w", err))
				return
			}
			for _, id := range out.QueryExecutionIds {
				if !yield(id, nil) {
					return
				}
			}
			if token = out.NextToken; token == nil || *token == "" {
				return
			}
		}
	}
}
