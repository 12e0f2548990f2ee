// Package localaws is an in-process emulator of Amazon S3, the AWS Glue Data
// Catalog and Amazon Athena (running real SQL with DuckDB) that the
// unmodified AWS SDK clients talk to, for tests and for running a pipeline
// offline.
//
// It is the test oracle of this module, so it shares no code with the
// library packages: its type mapping, listing and paging are written again
// here from AWS-FACTS.md, and a bug in one side shows up as a failing test
// instead of hiding in shared code.
//
//	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"lake"} })
//	defer st.Close()
//	s3Client := s3.NewFromConfig(st.Config(), localaws.PathStyle)
//	glueClient := glue.NewFromConfig(st.Config())
//
// One listener serves all three: requests with an X-Amz-Target header of
// AWSGlue.<Op> go to Glue, AmazonAthena.<Op> to Athena, everything else to
// S3.
//
// S3 is github.com/johannesboyne/gofakes3 on a directory: objects are plain
// files under <Dir>/buckets/<bucket>/<key>, so other tools (and the Athena
// emulator) can read them. A thin layer in front of it restores S3 behaviour
// the library depends on: ListObjectsV2 pages of at most 1,000 entries in
// UTF-8 binary order with continuation tokens (gofakes3's directory backend
// returns everything at once), DeleteObjects refuses more than 1,000
// keys with MalformedXML, and UploadPartCopy (which gofakes3 lacks) takes
// x-amz-copy-source-range (bytes=first-last only) and the
// x-amz-copy-source-if-* conditions, which CopyObject honours too.
// Options.Network shapes S3 traffic like a network (first-byte latency,
// bytes a second per request) for benchmarks. Differences from S3 that
// remain, because objects are files:
//   - keys with an empty, "." or ".." path segment (such as "a//b", "a/../b"
//     or a "folder/" marker) are refused with InvalidArgument;
//   - a key cannot be both an object and the prefix of others ("a" and
//     "a/b");
//   - bucket names follow S3's rules (3 to 63 characters), checked by
//     gofakes3.
//
// Faults are injected per operation with Stack.Inject: the service's own
// throttling error, 500 and 503 answers, added latency, or a connection cut
// part way through the body; Stack.Calls and Stack.BytesServed count what
// clients asked for.
//
// # Athena
//
// Requests with X-Amz-Target AmazonAthena.<Op> go to an Athena emulator
// that runs the SQL with DuckDB over the very files the S3 side holds:
//
//	athenaClient := athena.NewFromConfig(st.Config())
//
// Operations: StartQueryExecution (database and catalog, output location,
// encryption settings (reported, not applied), workgroup, execution
// parameters, ClientRequestToken idempotency, result reuse),
// GetQueryExecution, BatchGetQueryExecution, StopQueryExecution,
// GetQueryResults (pages of at most 1,000 rows, the header row first on the
// first page of a SELECT, NULL as a Datum without VarCharValue, DATA_MANIFEST
// for CTAS, INSERT and UNLOAD), ListQueryExecutions (newest first),
// GetQueryRuntimeStatistics (timeline and output rows; no stage plan),
// GetWorkGroup and ListWorkGroups (primary, plus Options.AthenaWorkGroups,
// whose Enforce overrides the client's result configuration). Queries run
// on their own goroutines, QUEUED -> RUNNING -> SUCCEEDED, FAILED or
// CANCELLED; StopQueryExecution interrupts DuckDB; Stack.Close stops every
// query. Failures carry AthenaError with Athena's categories and types
// (USER 2: 1006 syntax, 1110 table not found, 1004 schema, 1000 other) and
// messages prefixed with Trino's error names.
//
// Each query writes where Athena does under its output location:
// <id>.csv for DML (every non-NULL value double-quoted, NULL an empty
// unquoted field), <id>.txt for DDL and utility statements, <id>.csv.metadata
// or <id>.txt.metadata, and <id>-manifest.csv listing the data files of
// CTAS, INSERT and UNLOAD. Athena's metadata file is an undocumented binary;
// localaws writes the result's ColumnInfo as JSON there instead, which no
// client should parse.
//
// Quotas: Options.AthenaMaxActiveQueries (default 20) bounds queued plus
// running queries, DDL and DML together (Athena counts them separately);
// excess StartQueryExecution calls fail with TooManyRequestsException,
// reason CONCURRENT_QUERY_LIMIT_EXCEEDED. API calls draw from per-operation
// token buckets (DefaultAthenaRates, from AWS-FACTS.md 1.12; Options.AthenaRates
// overrides them) and answer ThrottlingException "Rate exceeded" when empty.
// Options.AthenaQueryLatency keeps each query RUNNING for a minimum time.
// Injected faults (Stack.Inject with "athena:<Op>") apply as to the other
// services.
//
// Each query gets a fresh in-memory DuckDB database. Every name in the query
// that is a Glue table (db.table, "db"."table", awsdatacatalog.db.table, or
// an unqualified name in the query's database, default "default") becomes a
// view in a schema named after its database. The view reads the files under
// the table's location (s3://bucket/prefix is <Dir>/buckets/bucket/prefix;
// files starting with _ or . are skipped, gzip is recognised by content):
// Parquet (ParquetHiveSerDe) with read_parquet by column name; JSON lines
// (OpenX or Hive JsonSerDe) with read_json; text with LazySimpleSerDe
// (field.delim, default ^A, \N for NULL, no quoting) or OpenCSVSerde
// (separatorChar, quoteChar, escapeChar) with read_csv, honouring the table
// property skip.header.line.count. Every column is cast to its catalog type;
// text values that do not parse are NULL, as in Hive. A partitioned table
// reads the partitions registered in Glue, at their own locations, with
// partition columns typed by the catalog; as in Athena, files under an
// unregistered Hive directory are invisible until MSCK REPAIR TABLE or ALTER
// TABLE ADD PARTITION registers it.
//
// Supported statements:
//   - SELECT, WITH, VALUES: DuckDB runs them after a token-level
//     translation of Trino's syntax: X'..' literals, Trino types in CAST and
//     TRY_CAST (array(T), map(K,V), row(a T), char(n), varchar(n),
//     ipaddress, interval year to month / day to second, json), and
//     functions DuckDB names differently (approx_distinct, regexp_like,
//     cardinality, from_unixtime, to_unixtime, date_format with MySQL
//     format letters, json_extract_scalar, json_parse, arbitrary,
//     array_join, contains and a few more). Other functions go to DuckDB as
//     they are: most common ones (count, sum, avg, min, max, coalesce,
//     date_trunc, date_diff, substr, lower, upper, round, ...) behave alike;
//     one DuckDB lacks fails the query. Values render as Athena renders
//     them (timestamps with milliseconds, doubles as Java prints them,
//     arrays [a, b], maps {k=v}, rows {name=value}, varbinary as hex bytes).
//     Result types map to Athena's names (bigint for DuckDB's HUGEINT, so
//     sum(bigint) stays bigint); char, ipaddress, unknown (a bare NULL) and
//     the interval kinds come from the declared type of a top-level select
//     item, since DuckDB has no such types.
//   - CREATE TABLE ... WITH (format, external_location, partitioned_by,
//     write_compression / parquet_compression / compression,
//     field_delimiter) AS SELECT ... [WITH [NO] DATA]: Parquet (default,
//     GZIP), JSON and TEXTFILE (gzip unless NONE); the location must be
//     empty; without external_location the data goes to
//     <output>/tables/<id>/; partition columns must be the last selected;
//     at most 100 partitions; the table and its partitions are registered in
//     Glue. No bucketing, no Iceberg, no ORC/Avro/Ion.
//   - UNLOAD (SELECT ...) TO 's3://...' WITH (format, compression,
//     field_delimiter, partitioned_by): same formats, empty target only.
//   - INSERT INTO t [(columns)] SELECT | VALUES: writes new files into the
//     table (or partition) location and registers new partitions.
//   - CREATE EXTERNAL TABLE [IF NOT EXISTS] with columns, COMMENT,
//     PARTITIONED BY, ROW FORMAT SERDE ... [WITH SERDEPROPERTIES] or ROW
//     FORMAT DELIMITED ..., STORED AS PARQUET | TEXTFILE | INPUTFORMAT ...
//     OUTPUTFORMAT ..., LOCATION, TBLPROPERTIES; DROP TABLE [IF EXISTS]
//     (the files stay); CREATE / DROP DATABASE|SCHEMA [IF [NOT] EXISTS]
//     [CASCADE].
//   - MSCK REPAIR TABLE; ALTER TABLE ADD [IF NOT EXISTS] PARTITION (...)
//     [LOCATION ...] ...; ALTER TABLE DROP [IF EXISTS] PARTITION (...), ...
//   - SHOW TABLES [IN db] [LIKE 'pattern'], SHOW DATABASES|SCHEMAS, SHOW
//     PARTITIONS, SHOW COLUMNS, DESCRIBE: one tab-separated line per row,
//     no header row.
//
// Anything else (views, EXPLAIN, prepared statements, UPDATE, DELETE,
// MERGE, Iceberg, federated catalogs) fails the query with a USER error.
// The engine is DuckDB, not Trino: implicit casts, integer division,
// overflow and the exact wording of errors differ. Result reuse ignores
// whether the query is deterministic. Data scanned is the size of the
// files of every table the query names, whatever it reads of them.
//
// Signatures are not checked; any credentials work.
package localaws
