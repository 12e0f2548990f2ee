package athena

import (
	"fmt"
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
	// DefaultPollMin and DefaultPollMax bound the backoff interval between
	// two status rounds (one BatchGetQueryExecution per 50 waiting
	// queries): PollMin while a query is young, growing to a tenth of the
	// youngest query's age, so short queries return fast and long ones
	// cost few calls. Once queries have finished, rounds also come when a
	// waiting query reaches the median and the 90th percentile of the
	// recent queries' durations (plus PollMin/10, for queries started
	// together to share the round), so a query like the previous ones is
	// noticed within milliseconds of finishing.
	DefaultPollMin = 100 * time.Millisecond
	DefaultPollMax = 5 * time.Second
	// DefaultPageSize is the rows per GetQueryResults page, Athena's
	// maximum (AWS-FACTS.md 1.4).
	DefaultPageSize = 1000
)

// ResultPath is how a query's results are read.
//
// What each path returns for Athena's nested types: GetQueryResults and the
// result CSV carry array, map and row values only as Athena's text
// rendering (ARRAY[1, 2] as "[1, 2]", a map as "{k=1.5}", a row as
// "{x=1, y=b}"; AWS-FACTS.md 1.4) and their ColumnInfo names only the bare
// type ("array", "map", "row"), so ResultsAPI and ResultsCSV give such
// columns as utf8 holding that text, which this package does not parse
// back (the rendering is ambiguous: "{k=1.5}" cannot tell a string "1.5"
// from a number). ResultsUnload and ResultsCTAS read Parquet, which keeps
// the structure: list, map and struct columns with typed elements
// (timestamps inside them keep the Parquet file's unit; top-level ones are
// made milliseconds like on the other paths). Every scalar type comes out
// the same on all paths (decimal128, date32, timestamp[ms], binary ...).
// When a query has nested columns and its result is empty, UNLOAD and CTAS
// leave no file to take the nested types from, and those columns come back
// as utf8 too. ResultsAuto never rewrites a query into UNLOAD because its
// result might have nested columns: that is known only once it has run
// (the metadata comes with the result), and a second run to change path
// would double the cost; ask for ResultsUnload where nested types matter.
type ResultPath int

const (
	// ResultsAuto chooses the path for each query by this rule, in order:
	//
	//  1. UNLOAD (as ResultsUnload), chosen before the query runs, when the
	//     query is a SELECT (or WITH, VALUES, TABLE), the Client has an S3
	//     client, Options.OutputLocation is set, the results are not
	//     client-side encrypted (Encryption CSE_KMS), ResultReuseMaxAge is
	//     0 (a reused result needs the same SELECT text, and an UNLOAD's
	//     never is), and the result is known to be large: either the
	//     caller says so (Options.ExpectedRows >= LargeResultRows), or the
	//     last complete read of the identical query (same text, database,
	//     catalog, workgroup and execution parameters) by this Client
	//     returned at least LargeResultRows rows or a result CSV of at
	//     least LargeResultBytes, and had no array, map or row column (so
	//     that a query's column types do not change from one run to the
	//     next: see ResultPath).
	//  2. Otherwise the query runs as given, and its result is read from
	//     the result CSV in S3 when it is a SELECT, the Client has an S3
	//     client, Athena reports an output location and the results are
	//     not CSE_KMS-encrypted (the object in S3 is ciphertext then).
	//  3. Otherwise, and also when the GET of the result CSV is refused
	//     with AccessDenied (HTTP 403: no s3:GetObject or kms:Decrypt on
	//     the result location), through the paged GetQueryResults API. The
	//     fallback is logged (Options.Logger) and costs one refused GET.
	//
	// A read that fails or stops early teaches the rule nothing.
	ResultsAuto ResultPath = iota
	// ResultsAPI pages through GetQueryResults (1,000 rows a call, paced by
	// the API quota); it needs no S3 access, and suits small results and
	// workgroups with managed results.
	ResultsAPI
	// ResultsCSV streams the result CSV Athena wrote to S3 in one GET,
	// typed by the result metadata. Unlike ResultsAuto it does not fall
	// back: no S3 client, no output location, CSE_KMS or a refused GET is
	// an error.
	ResultsCSV
	// ResultsUnload runs a SELECT as UNLOAD to Parquet in a temporary
	// prefix under OutputLocation, reads the files and deletes them: exact
	// types and parallel reads for large results.
	ResultsUnload
	// ResultsCTAS runs a SELECT as CREATE TABLE AS SELECT to Parquet: a
	// temporary table in CTASDatabase (or Database) whose data goes to a
	// temporary prefix under OutputLocation. It reads the files, then drops
	// the table with an Athena DROP TABLE query and deletes the files,
	// whether the read succeeded or not. It gives what ResultsUnload gives,
	// at the cost of a DDL query and a short-lived Glue table; use it where
	// UNLOAD is not allowed. CTAS refuses columns without a name or with
	// duplicate (case-insensitive) names and NULL-typed (unknown) columns.
	ResultsCTAS
)

// String names the path: auto, api, csv, unload or ctas.
func (p ResultPath) String() string {
	switch p {
	case ResultsAuto:
		return "auto"
	case ResultsAPI:
		return "api"
	case ResultsCSV:
		return "csv"
	case ResultsUnload:
		return "unload"
	case ResultsCTAS:
		return "ctas"
	}
	return fmt.Sprintf("ResultPath(%d)", int(p))
}

// Defaults of ResultsAuto's choice of UNLOAD for large results. Reading the
// result CSV is one stream parsed row by row, while UNLOAD's Parquet files
// are compressed, typed and read in parallel, at the fixed cost of a LIST
// and a DeleteObjects (and, for an empty result, a second query to learn
// the schema). Against localaws (go test -run '^$' -bench
// ResultPathsBySize -benchtime 5x ./athena, one run, two columns) the two
// were even at 10^3 and 10^4 rows (250-280 ms a query each) and UNLOAD
// took 450 ms against the CSV's 640 ms at 10^5 rows. The defaults sit
// where UNLOAD had clearly won, since on AWS its fixed costs are larger.
const (
	// DefaultLargeResultRows is the row count from which a result counts
	// as large.
	DefaultLargeResultRows = 100_000
	// DefaultLargeResultBytes is the result CSV size from which a result
	// counts as large: about DefaultLargeResultRows rows of 40 bytes.
	DefaultLargeResultBytes = 4 << 20
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
	// PollMin and PollMax bound the backoff interval between status
	// rounds (see DefaultPollMin); zero means the defaults. Client
	// settings.
	PollMin, PollMax time.Duration
	// PageSize is the rows per GetQueryResults page, and the rows per
	// batch when reading the result CSV; 0 means DefaultPageSize.
	PageSize int32
	// Results chooses how results are read; the zero value is
	// ResultsAuto.
	Results ResultPath
	// ExpectedRows is the caller's estimate of the result's row count; 0
	// means unknown. ResultsAuto unloads a SELECT expected to return at
	// least LargeResultRows rows (see ResultsAuto).
	ExpectedRows int64
	// LargeResultRows and LargeResultBytes are the row count and result
	// CSV size from which ResultsAuto treats a result as large; 0 means
	// DefaultLargeResultRows and DefaultLargeResultBytes.
	LargeResultRows  int64
	LargeResultBytes int64
	// CTASDatabase is the database ResultsCTAS creates its temporary
	// table in; "" means Database. It must exist.
	CTASDatabase string
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

// ExpectRows tells ResultsAuto how many rows the query is expected to
// return, so that it can choose UNLOAD for a large result up front.
func ExpectRows(n int64) func(*Options) { return func(o *Options) { o.ExpectedRows = n } }

// ReadResults sets how results are read.
func ReadResults(path ResultPath) func(*Options) { return func(o *Options) { o.Results = path } }

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
	if o.LargeResultRows <= 0 {
		o.LargeResultRows = DefaultLargeResultRows
	}
	if o.LargeResultBytes <= 0 {
		o.LargeResultBytes = DefaultLargeResultBytes
	}
	if o.PageSize <= 0 || o.PageSize > DefaultPageSize {
		o.PageSize = DefaultPageSize
	}
	return o
}
