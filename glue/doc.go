// Package glue keeps the AWS Glue Data Catalog in step with data written to
// S3, so Athena can query it as soon as it lands.
//
// A Catalog wraps an SDK Glue client (through the small API interface, so
// tests can fake it) and adds what every pipeline writes by hand: databases
// created if missing; table inputs for Parquet, CSV and JSON lines with the
// exact SerDe and format classes Athena expects; the Arrow <-> Hive type
// mapping (HiveType, ArrowType) including decimal, nested array, map and
// struct types; partitions added in batches of 100 and deleted in batches of
// 25 with per-partition errors reported; schema evolution that appends new
// columns and refuses incompatible changes; and updates guarded by the
// table's VersionId, so concurrent writers never lose each other's columns
// or partitions. Throttled calls are retried through the retry package.
//
//	cat := glue.New(glueClient)
//	report, err := cat.SyncTable(ctx, "analytics", glue.TableSpec{
//		Name:          "sales",
//		Location:      "s3://lake/sales/",
//		Format:        glue.Parquet,
//		Schema:        schema, // *arrow.Schema of the data columns
//		PartitionKeys: []arrow.Field{{Name: "dt", Type: arrow.BinaryTypes.String}},
//		Partitions:    []glue.Partition{{Values: []string{"2026-11-25"}, Location: "s3://lake/sales/dt=2026-11-25/"}},
//	})
//
// A Catalog is safe for concurrent use.
package glue
