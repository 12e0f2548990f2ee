package s3io

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Defaults of ReadOptions.
const (
	// DefaultBatchSize is the most rows in one yielded record batch.
	DefaultBatchSize = 64 * 1024
	// DefaultInferRows is how many rows type inference samples.
	DefaultInferRows = 1000
	// DefaultReadAhead is how many bytes of Parquet column chunks a read
	// fetches ahead of the row group it decodes.
	DefaultReadAhead = 32 << 20
	// DefaultMaxRecordBytes bounds one CSV record or JSON line, so that an
	// unterminated quote cannot make a reader buffer a whole object.
	DefaultMaxRecordBytes = 64 << 20
)

// ReadOptions configure the readers (ScanCSV, ScanJSONLines, ScanParquet
// and the Read forms). The embedded Options override the client's for the
// call. Zero values mean the documented defaults.
type ReadOptions struct {
	Options

	// Schema, when set, is the schema of the read: columns are matched by
	// name (by position without a header) and values parsed as its types.
	// Without it the types are inferred from the first InferRows rows.
	Schema *arrow.Schema
	// Columns keeps only the named columns, in this order.
	Columns []string
	// BatchSize bounds the rows of a batch; 0 means DefaultBatchSize.
	BatchSize int
	// InferRows is the sample size of type inference; 0 means
	// DefaultInferRows.
	InferRows int
	// StringsOnly turns inference off: every column is a string.
	StringsOnly bool
	// Compression of text objects; CompressionAuto chooses by suffix.
	Compression Compression
	// MaxRecordBytes bounds one record; 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int

	// Delimiter separates CSV fields; 0 means ','. It must be one ASCII
	// character other than '"', '\r' and '\n'.
	Delimiter rune
	// NoHeader says the CSV's first row is data. Column names then come from
	// Schema, or ColumnNames, or are f0, f1, ...
	NoHeader    bool
	ColumnNames []string
	// NullValues are the unquoted CSV values read as null; nil means {""}.
	// A quoted value ("") is never null.
	NullValues []string

	// RowGroups keeps only these Parquet row groups (0-based); nil reads all.
	RowGroups []int
	// ReadAhead bounds the bytes of projected Parquet column chunks an
	// object's read fetches ahead (the next row group is fetched whatever
	// its size): more overlaps more first-byte latencies with decoding, at
	// the cost of memory. 0 means DefaultReadAhead.
	ReadAhead int64
	// Where keeps only the rows for which every condition holds; Parquet
	// reads skip the row groups whose statistics rule them out, dataset
	// reads the partitions whose values do. See Where (the function).
	Where []Condition
	// prune are conditions used only to skip row groups and partitions,
	// never to filter rows: filteredScan moves Where here for the read
	// it wraps, which then filters the rows once.
	prune []Condition

	// Allocator allocates the batches; nil means memory.DefaultAllocator.
	Allocator memory.Allocator

	// The fields below shape dataset reads (ScanDataset, ReadDataset; see
	// dataset_read.go). Given to a format's reader (ScanParquet, ReadCSV,
	// ...), PartitionFilter, PartitionKeys or Partitions make it read the
	// URL as a Hive-partitioned dataset of that format, partition columns
	// included.

	// Format of a dataset's files; FormatAuto chooses by each file's suffix.
	Format FileFormat
	// PartitionFilter keeps only the partitions it returns true for. It is
	// applied before the files of any partition are listed.
	PartitionFilter func(Partition) bool
	// PartitionKeys are the partition columns with their types, outermost
	// first. Without them the keys are discovered from the layout and typed
	// from their values.
	PartitionKeys []arrow.Field
	// Partitions, when set, are read instead of discovering the layout (as
	// a catalog knows them); PartitionKeys must then name their keys.
	Partitions []DatasetPartition
}

// Columns returns a ReadOptions function that projects the named columns.
func Columns(names ...string) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Columns = append(o.Columns, names...) }
}

// WithSchema returns a ReadOptions function that sets an explicit schema.
func WithSchema(s *arrow.Schema) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Schema = s }
}

// BatchSize returns a ReadOptions function that sets the batch size.
func BatchSize(rows int) func(*ReadOptions) {
	return func(o *ReadOptions) { o.BatchSize = rows }
}

// InferRows returns a ReadOptions function that sets the inference sample.
func InferRows(rows int) func(*ReadOptions) {
	return func(o *ReadOptions) { o.InferRows = rows }
}

// Delimiter returns a ReadOptions function that sets the CSV delimiter.
func Delimiter(r rune) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Delimiter = r }
}

// NullValues returns a ReadOptions function that sets the CSV null markers.
func NullValues(values ...string) func(*ReadOptions) {
	return func(o *ReadOptions) { o.NullValues = values }
}

// RowGroups returns a ReadOptions function that selects Parquet row groups.
func RowGroups(groups ...int) func(*ReadOptions) {
	return func(o *ReadOptions) { o.RowGroups = append(o.RowGroups, groups...) }
}

// WithCompression returns a ReadOptions function that overrides the
// compression chosen by suffix.
func WithCompression(c Compression) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Compression = c }
}

// readOptions resolves a read's options over the client's.
func (c *Client) readOptions(optFns []func(*ReadOptions)) ReadOptions {
	ro := ReadOptions{Options: c.options}
	for _, fn := range optFns {
		if fn != nil {
			fn(&ro)
		}
	}
	ro.Options = ro.Options.withDefaults()
	if ro.BatchSize <= 0 {
		ro.BatchSize = DefaultBatchSize
	}
	if ro.InferRows <= 0 {
		ro.InferRows = DefaultInferRows
	}
	if ro.MaxRecordBytes <= 0 {
		ro.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if ro.ReadAhead <= 0 {
		ro.ReadAhead = DefaultReadAhead
	}
	if ro.Delimiter == 0 {
		ro.Delimiter = ','
	}
	if ro.NullValues == nil {
		ro.NullValues = []string{""}
	}
	if ro.Allocator == nil {
		ro.Allocator = memory.DefaultAllocator
	}
	return ro
}

// partitioned reports whether a format's read is a dataset read.
func (ro ReadOptions) partitioned() bool {
	return ro.PartitionFilter != nil || ro.PartitionKeys != nil || ro.Partitions != nil
}
