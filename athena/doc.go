// Package athena runs Amazon Athena queries within the account's quotas and
// returns their results as frames, structs or streams.
//
// A Client bounds the queries in flight (a slot is held from start until the
// query reaches a final state; MaxConcurrent, default 20, the smallest
// regional default of the active-query quota), paces every API call with a
// token bucket at nine tenths of Athena's API rate quota, retries throttling
// (TooManyRequestsException, ThrottlingException) and transient errors, and
// watches all waiting queries with one BatchGetQueryExecution per 50 queries
// instead of one status call each. With Options.Adaptive the bound shrinks
// when Athena says TooManyRequestsException and grows back (retry.AIMD).
// Cancelling a call's context stops its query.
//
//	q := athena.New(athenaClient, s3ioClient, athena.MaxConcurrent(20), athena.Workgroup("primary"),
//		athena.OutputLocation("s3://results/athena/"))
//	f, err := q.Query(ctx, `SELECT dt, sum(amount) AS total FROM sales GROUP BY dt`, athena.Database("analytics"))
//	rows, err := athena.QueryRows[Total](ctx, q, sql)
//	for batch, err := range q.Scan(ctx, sql) { ... }
//	results := q.QueryAll(ctx, queries, progress) // many at once, per-query errors
//
// Results are read through the paged GetQueryResults API (ResultsAPI),
// from the result CSV in one GET (ResultsCSV), or by running the SELECT as
// UNLOAD (ResultsUnload) or CREATE TABLE AS SELECT (ResultsCTAS) to Parquet
// in a temporary prefix that is deleted afterwards, with CTAS's temporary
// Glue table dropped. ResultsAuto, the default, unloads a SELECT known to
// be large (the caller's ExpectRows, or the last read of the same query by
// this Client) and otherwise reads the CSV, falling back to the API when
// there is no S3 client or output location or the GET is refused; the
// exact rule is on ResultsAuto. All paths give the same frame for scalar
// columns: NULL apart from the empty string, and every column typed
// exactly (decimal to decimal128, never a float; timestamps, dates,
// varbinary). Arrays, maps and rows are Athena's text through the API and
// the CSV and nested Arrow types through Parquet (see ResultPath). An
// empty result keeps its schema. On 1M rows against localaws, one run
// (BenchmarkResultPaths): API 0.09 M rows/s (its 1,000-row pages are paced
// by the API quota), CSV 0.37 M rows/s, UNLOAD 4.1 M rows/s. A failed
// query is a *QueryError with Athena's error category, type and
// retryability.
//
// Waiting queries are polled together, at a backoff cadence and, once the
// Client has seen queries finish, when a query is predicted to finish (the
// median and 90th percentile of recent durations), and the round that sees
// a query finish gives its slot to the next query at once. In
// BenchmarkFanOut200 (200 queries of 1 s, 20 at a time, against localaws)
// a finished query is noticed 24-34 ms after it finishes on average,
// against 43-54 ms with polling alone.
//
// FormatQuery writes client-side named parameters as SQL literals quoted
// for their Go type, so no value can change a query's structure; prefer
// Athena's own execution parameters (Parameters) where they fit.
//
// A Client is safe for concurrent use; share one per account and region.
package athena
