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
//     filter, expressions, sort, group-by, hash joins and concat, column at
//     a time.
//   - s3io: S3 objects and globs, streaming CSV, JSON lines and Parquet
//     readers and writers in bounded memory, uploads that are aborted
//     rather than left half-written, and partitioned datasets.
//   - glue: the Glue Data Catalog kept in step with written data: Arrow <->
//     Hive types, Athena table inputs, schema evolution and partitions, safe
//     for concurrent writers.
//   - athena: queries within the account's concurrency and API quotas, with
//     results as frames, structs or streams.
//   - localaws: an in-process S3, Glue Data Catalog and Athena (on DuckDB)
//     that the unmodified SDK clients talk to, for tests and offline runs,
//     with fault injection.
//
// The pipeline in brief (examples/quickstart runs it end to end):
//
//	s3c := s3io.New(s3.NewFromConfig(cfg))
//	raw, err := s3c.ReadCSV(ctx, "s3://landing/2026/11/25/08.csv.gz")
//	res, err := s3c.WriteDataset(ctx, raw, "s3://lake/readings/", s3io.PartitionBy("dt"))
//	_, err = glue.New(glueClient).SyncDataset(ctx, "analytics", "readings", res)
//	q := athena.New(athenaClient, s3c, athena.MaxConcurrent(20), athena.OutputLocation("s3://results/"))
//	daily, err := q.Query(ctx, `SELECT dt, avg(value) FROM readings GROUP BY dt`, athena.Database("analytics"))
package wrangler
