package athena

import (
	"log/slog"
	"time"

	"github.com/gowrangler/wrangler/retry"
)

// Defaults of a Client.
const (
	// DefaultMaxConcurrent is the number of queries in flight at once: the
	// smallest regional default of Athena's active DML query quota
	// (AWS-FACTS.md 1.12).
	DefaultMaxConcurrent = 20
	// DefaultPollMin and DefaultPollMax bound the interval between two
	// status rounds (one BatchGetQueryExecution per 50 waiting queries):
	// PollMin while a query is young, growing to a tenth of the youngest
	// query's age, so short queries return fast and long ones cost few
	// calls.
	DefaultPollMin = 100 * time.Millisecond
	DefaultPollMax = 5 * time.Second
	// DefaultPageSize is the rows per GetQueryResults page, Athena's
	// maximum (AWS-FACTS.md 1.4).
	DefaultPageSize = 1000
)

// ResultPath is how a query's results are read.
type ResultPath int

const (
	// ResultsAuto reads a SELECT's result CSV from S3 when the Client has
	// an S3 client and the query has an output location, and pages through
	// GetQueryResults otherwise.
	ResultsAuto ResultPath = iota
	// ResultsAPI pages through GetQueryResults (1,000 rows a call, paced by
	// the API quota); it needs no S3 access, and suits small results and
	// workgroups with managed results.
	ResultsAPI
	// ResultsCSV streams the result CSV Athena wrote to S3 in one GET,
	// typed by the result metadata.
	ResultsCSV
	// ResultsUnload runs a SELECT as UNLOAD to Parquet in a temporary
	// prefix under OutputLocation, reads the files and deletes them: exact
	// types and parallel reads for large results.
	ResultsUnload
)

// Rate is a token bucket: PerSecond calls per second on average, Burst at
// once.
type Rate struct {
	PerSecond float64
	Burst     int
}

// APIQuotas are Athena's per-account API rate quotas (AWS-FACTS.md 1.12).
var APIQuotas = map[string]Rate{
	"StartQueryExecution":    {20, 80},
	"StopQueryExecution":     {20, 80},
	"GetQueryExecution":      {100, 200},
	"GetQueryResults":        {100, 200},
	"BatchGetQueryExecution": {20, 40},
	"ListQueryExecutions":    {5, 10},
}

// DefaultRateHeadroom is the share of each quota the Client's own token
// buckets allow by default. Pacing at exactly the quota still trips it now
// and then, because requests reach Athena in a different order and spacing
// than they left; a tenth spare absorbs that.
const DefaultRateHeadroom = 0.9

// DefaultRetry retries throttled and transient Athena calls
// (TooManyRequestsException, ThrottlingException, 5xx): 500 ms doubling to
// 20 s, 8 attempts, full jitter.
var DefaultRetry = retry.Policy{Interval: 500 * time.Millisecond, MaxAttempts: 8, MaxDelay: 20 * time.Second, Jitter: retry.JitterFull}

// Options configure a Client and, passed to a call, that call only. The
// zero value means the defaults.
type Options struct {
	// Database and Catalog are the query's default context; "" leaves them
	// unset (Catalog then means AwsDataCatalog).
	Database, Catalog string
	// Workgroup runs the query; "" means the account's primary workgroup.
	Workgroup string
	// OutputLocation is the s3:// prefix for results; "" uses the
	// workgroup's.
	OutputLocation string
	// Encryption is SSE_S3, SSE_KMS or CSE_KMS for the results, with
	// KMSKey for the KMS options; "" leaves the workgroup's setting.
	Encryption, KMSKey string
	// ExpectedBucketOwner is the account that must own the output bucket.
	ExpectedBucketOwner string
	// ResultReuseMaxAge lets Athena return the results of an identical
	// recent query younger than this; 0 turns reuse off.
	ResultReuseMaxAge time.Duration
	// CacheMaxAge, when positive, lets Query return the frame of an
	// identical earlier Query (same text, database, catalog, workgroup and
	// execution parameters) run by this Client within that age, without
	// asking Athena; at most DefaultCacheEntries results are kept. Opt in
	// only for data that does not change under the query.
	CacheMaxAge time.Duration
	// ClientRequestToken makes StartQueryExecution idempotent.
	ClientRequestToken string
	// ExecutionParameters fill the query's ? placeholders, in order, as
	// Athena itself substitutes them.
	ExecutionParameters []string

	// MaxConcurrent bounds queries in flight (started and not yet in a
	// final state); 0 means DefaultMaxConcurrent. It is a Client setting:
	// per-call values are ignored.
	MaxConcurrent int
	// Adaptive makes the bound shrink when Athena answers
	// TooManyRequestsException and grow back as queries succeed, within
	// MaxConcurrent (retry.AIMD). A Client setting.
	Adaptive bool
	// APIRates overrides, per operation name, the default pacing of
	// DefaultRateHeadroom x APIQuotas; a Rate with PerSecond <= 0 removes
	// the limit. A Client setting.
	APIRates map[string]Rate
	// Retry retries throttled and transient calls; the zero Policy means
	// DefaultRetry.
	Retry retry.Policy
	// PollMin and PollMax bound the interval between status rounds; zero
	// means the defaults. Client settings.
	PollMin, PollMax time.Duration
	// PageSize is the rows per GetQueryResults page, and the rows per
	// batch when reading the result CSV; 0 means DefaultPageSize.
	PageSize int32
	// Results chooses how results are read; the zero value is
	// ResultsAuto.
	Results ResultPath
	// Progress, when set, is called with each state change of a query.
	Progress func(QueryProgress)
	// Logger, when set, logs query starts and ends at Info level, never
	// parameter values. Nil logs nothing.
	Logger *slog.Logger
}

// QueryProgress reports a query's state as the Client sees it.
type QueryProgress struct {
	QueryID string
	State   string // QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
	Elapsed time.Duration
}

// Database sets the query's database.
func Database(name string) func(*Options) { return func(o *Options) { o.Database = name } }

// Workgroup sets the workgroup.
func Workgroup(name string) func(*Options) { return func(o *Options) { o.Workgroup = name } }

// OutputLocation sets where results go.
func OutputLocation(s3URL string) func(*Options) {
	return func(o *Options) { o.OutputLocation = s3URL }
}

// MaxConcurrent sets the bound on queries in flight.
func MaxConcurrent(n int) func(*Options) { return func(o *Options) { o.MaxConcurrent = n } }

// Parameters sets the execution parameters for ? placeholders.
func Parameters(values ...string) func(*Options) {
	return func(o *Options) { o.ExecutionParameters = values }
}

func (o Options) withDefaults() Options {
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.Retry.Interval == 0 && o.Retry.MaxAttempts == 0 && o.Retry.BackoffRate == 0 && o.Retry.MaxDelay == 0 &&
		o.Retry.Jitter == retry.JitterNone && o.Retry.Retryable == nil {
		o.Retry = DefaultRetry
	}
	if o.PollMin <= 0 {
		o.PollMin = DefaultPollMin
	}
	if o.PollMax <= 0 {
		o.PollMax = DefaultPollMax
	}
	if o.PageSize <= 0 || o.PageSize > DefaultPageSize {
		o.PageSize = DefaultPageSize
	}
	return o
}
