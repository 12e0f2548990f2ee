// Package wrangler is the Data Wrangler for Go: a library that Go services and
// AWS Lambdas import to build an analytics pipeline on S3, the Glue Data
// Catalog and Athena in code.
//
// This package holds only this overview; the work is done in its
// subpackages:
//
//   - retry: retry policies with Step Functions semantics (and an import of a
//     state machine's Retry field), classification of AWS throttling and
//     transient errors, an aws.RetryerV2 for SDK clients, and the limiters
//     that keep a program within AWS quotas: a weighted semaphore, a token
//     bucket, and an adaptive (AIMD) concurrency limiter.
//   - frame: the immutable Arrow-backed table the other packages read into
//     and write from: build from columns, records or Go structs; select,
//     filter, take, sort, group-by and hash joins, column at a time.
//   - glue: the Glue Data Catalog kept in step with written data: Arrow <->
//     Hive types, Athena table inputs, schema evolution and partitions, safe
//     for concurrent writers.
//   - localaws: an in-process S3 and Glue Data Catalog that the unmodified
//     SDK clients talk to, for tests and offline runs, with fault injection.
//
// Planned, in the order the project builds them (see README.md): s3io,
// streaming CSV, JSON lines and Parquet readers and writers on S3 with
// nothing half-written on failure, and partitioned datasets; athena, queries under a concurrency limit with typed results; and an
// Athena (on DuckDB) in localaws.
//
// A first taste, retrying a Glue call the way a state machine's retrier
// would:
//
//	policy := retry.Policy{Interval: 2 * time.Second, BackoffRate: 1.85, MaxAttempts: 8}
//	table, err := retry.DoValue(ctx, policy, func(ctx context.Context) (*glue.GetTableOutput, error) {
//		return glueClient.GetTable(ctx, &glue.GetTableInput{DatabaseName: &db, Name: &name})
//	})
package wrangler
