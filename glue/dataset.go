package glue

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/s3io"
)

// DatasetTableSpec describes, as a TableSpec named table, the dataset an
// s3io dataset write produced: its root as the location, its format and
// codec, its data columns, its partition keys with their types, and the
// partitions it wrote. Adjust the spec (description, comments, CSV quoting)
// and pass it to SyncTable, or let SyncDataset do both.
//
// CSV datasets are described for LazySimpleSerDe with the write's
// delimiter and header; values containing the delimiter need
// CSVOptions.Quoted (OpenCSVSerde, which reads every column as a string).
func DatasetTableSpec(table string, res *s3io.DatasetResult) (TableSpec, error) {
	if res == nil {
		return TableSpec{}, fmt.Errorf("glue: table %q: no dataset result", table)
	}
	spec := TableSpec{
		Name:          table,
		Location:      res.URL,
		Schema:        res.Schema,
		PartitionKeys: res.PartitionKeys,
	}
	switch res.Format {
	case s3io.Parquet, s3io.FormatAuto:
		spec.Format = Parquet
	case s3io.CSV:
		spec.Format = CSV
		spec.CSV = CSVOptions{Delimiter: res.Delimiter, Header: res.Header}
	case s3io.JSONLines:
		spec.Format = JSONLines
	default:
		return TableSpec{}, fmt.Errorf("glue: table %q: dataset format %v has no table format", table, res.Format)
	}
	switch res.Compression {
	case s3io.Snappy:
		spec.Compression = "snappy"
	case s3io.Gzip:
		spec.Compression = "gzip"
	case s3io.Zstd:
		spec.Compression = "zstd"
	}
	for _, p := range res.Partitions {
		spec.Partitions = append(spec.Partitions, Partition{Values: slices.Clone(p.Values), Location: p.URL})
	}
	return spec, nil
}

// SyncDataset makes the catalog table db.table describe what an s3io
// dataset write wrote: DatasetTableSpec, then SyncTable (the table and
// database created if missing, new columns appended, compatible types
// widened, incompatible changes refused with a *SchemaChangeError, the new
// partitions added 100 at a time and moved ones updated, concurrent
// writers merged through the table's VersionId).
//
// After an s3io.Overwrite, the partitions the catalog still lists but the
// write did not produce no longer have data: they are deleted, 25 at a
// time, and counted in SyncReport.RemovedPartitions. After Append and
// OverwritePartitions every catalog partition still has its files and
// stays.
func (c *Catalog) SyncDataset(ctx context.Context, db, table string, res *s3io.DatasetResult, optFns ...func(*Options)) (*SyncReport, error) {
	spec, err := DatasetTableSpec(table, res)
	if err != nil {
		return nil, err
	}
	report, err := c.SyncTable(ctx, db, spec, optFns...)
	if err != nil || res.Mode != s3io.Overwrite || len(res.PartitionKeys) == 0 {
		return report, err
	}
	written := map[string]bool{}
	for _, p := range res.Partitions {
		written[strings.Join(p.Values, "\x00")] = true
	}
	var stale [][]string
	for p, err := range c.Partitions(ctx, db, table, "", optFns...) {
		if err != nil {
			return report, fmt.Errorf("glue: sync dataset %s.%s: %w", db, table, err)
		}
		if !written[strings.Join(p.Values, "\x00")] {
			stale = append(stale, p.Values)
		}
	}
	if len(stale) == 0 {
		return report, nil
	}
	if err := c.DeletePartitions(ctx, db, table, stale, optFns...); err != nil {
		return report, fmt.Errorf("glue: sync dataset %s.%s: remove the partitions the overwrite replaced: %w", db, table, err)
	}
	report.RemovedPartitions = len(stale)
	return report, nil
}

// ReadTable reads a catalog table's data through s3c: the location, format,
// data columns and partition keys come from Glue; the partitions read are
// those GetPartitions returns for expression (a Glue partition filter such
// as "dt >= '2026-11-01' AND region = 'eu'", evaluated by Glue; "" reads
// all); the files are read with s3io's dataset reader, cast to the
// catalog's column types, with the partition columns typed as the catalog
// declares them. readFns add read options (Columns, BatchSize, ...).
//
// A partitioned table with no partition matching is an empty frame with the
// table's columns.
func (c *Catalog) ReadTable(ctx context.Context, s3c *s3io.Client, db, table, expression string, readFns ...func(*s3io.ReadOptions)) (*frame.Frame, error) {
	t, err := c.Table(ctx, db, table)
	if err != nil {
		return nil, err
	}
	var format s3io.FileFormat
	switch t.Format {
	case Parquet:
		format = s3io.Parquet
	case CSV:
		format = s3io.CSV
	case JSONLines:
		format = s3io.JSONLines
	default:
		return nil, fmt.Errorf("glue: read table %s.%s: its SerDe is not one this package reads", db, table)
	}
	opts := []func(*s3io.ReadOptions){s3io.WithSchema(t.Schema), s3io.ReadFormat(format), s3io.PartitionKeys(t.PartitionKeys...)}
	if len(t.PartitionKeys) > 0 {
		var parts []s3io.DatasetPartition
		for p, err := range c.Partitions(ctx, db, table, expression) {
			if err != nil {
				return nil, fmt.Errorf("glue: read table %s.%s: %w", db, table, err)
			}
			parts = append(parts, s3io.DatasetPartition{Values: p.Values, URL: p.Location})
		}
		if len(parts) == 0 {
			return emptyTable(t)
		}
		opts = append(opts, s3io.ReadPartitions(parts...))
	} else if expression != "" {
		return nil, fmt.Errorf("glue: read table %s.%s: a partition expression on an unpartitioned table", db, table)
	}
	f, err := s3c.ReadDataset(ctx, t.Location, append(opts, readFns...)...)
	if err != nil {
		return nil, fmt.Errorf("glue: read table %s.%s: %w", db, table, err)
	}
	return f, nil
}

// emptyTable is a frame with a table's columns and no rows.
func emptyTable(t *Table) (*frame.Frame, error) {
	fields := append(slices.Clone(t.Schema.Fields()), t.PartitionKeys...)
	cols := make([]frame.Series, len(fields))
	for i, f := range fields {
		cols[i] = frame.Array(f.Name, array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0))
	}
	return frame.New(cols...)
}
