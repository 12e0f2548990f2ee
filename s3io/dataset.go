package s3io

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowcsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/gowrangler/wrangler/frame"
)

// HiveDefaultPartition is the directory name, and the catalog value, Hive
// gives a partition whose value is null or the empty string.
const HiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// Defaults of DatasetOptions.
const (
	// DefaultFilePrefix starts the name of every file a dataset write
	// creates.
	DefaultFilePrefix = "part"
	// DefaultFileConcurrency bounds the files a dataset write uploads at
	// once. Each file's multipart parts are bounded by Options.Concurrency.
	DefaultFileConcurrency = 4
)

// FileFormat is the format of a dataset's files.
type FileFormat int

const (
	// FormatAuto, the zero value, means Parquet when writing and, when
	// reading, the format each file's suffix names (.parquet, .csv, .json
	// or .jsonl, before any .gz or .zst), Parquet for other names (Athena's
	// CTAS and UNLOAD write Parquet files without a suffix).
	FormatAuto FileFormat = iota
	// Parquet files, pages compressed with Snappy unless
	// WriteOptions.Compression says otherwise.
	Parquet
	// CSV files with a header row (unless WriteOptions.NoHeader).
	CSV
	// JSONLines files: one JSON object per line, nulls omitted.
	JSONLines
)

// String names the format as file suffixes and Glue classifications do.
func (f FileFormat) String() string {
	switch f {
	case FormatAuto:
		return "auto"
	case Parquet:
		return "parquet"
	case CSV:
		return "csv"
	case JSONLines:
		return "json"
	}
	return fmt.Sprintf("FileFormat(%d)", int(f))
}

// WriteMode says what a dataset write does with the data already under its
// prefix.
type WriteMode int

const (
	// Append, the zero value, adds files and leaves existing ones alone.
	Append WriteMode = iota
	// Overwrite replaces the whole dataset: once every new file is
	// complete, every other object under the prefix is deleted.
	Overwrite
	// OverwritePartitions replaces only the partitions the write touches:
	// once every new file is complete, the other objects of those
	// partitions are deleted; partitions the write has no rows for stay. On
	// an unpartitioned dataset it is Overwrite.
	OverwritePartitions
)

// String names the mode as awswrangler does.
func (m WriteMode) String() string {
	switch m {
	case Append:
		return "append"
	case Overwrite:
		return "overwrite"
	case OverwritePartitions:
		return "overwrite_partitions"
	}
	return fmt.Sprintf("WriteMode(%d)", int(m))
}

// DatasetOptions configure WriteDataset and WriteDatasetStream. The
// embedded WriteOptions (and its Options) override the client's for the
// call: Compression, RowGroupRows and the CSV settings apply to every file.
type DatasetOptions struct {
	WriteOptions
	// Format of the files; FormatAuto means Parquet.
	Format FileFormat
	// PartitionBy names the partition columns, outermost first. Their
	// values become the Hive directories col=value/ and are left out of the
	// files. They must be of a primitive type (integers, floats, bool,
	// strings, date32, timestamp, decimal128).
	PartitionBy []string
	// Mode says what happens to existing data; the zero value is Append.
	Mode WriteMode
	// MaxRowsPerFile bounds the rows of one file; 0 means no bound (one file
	// per partition, per stream).
	MaxRowsPerFile int64
	// FilePrefix starts every file name; "" means DefaultFilePrefix.
	FilePrefix string
	// WriteID names this write in every file name; "" means a new
	// time-ordered random id (UUID version 7 layout). It must be unique per
	// write: file names are <FilePrefix>-<WriteID>-<n>.<codec>.parquet (or
	// .csv[.gz], .json[.gz]).
	WriteID string
	// FileConcurrency bounds the files uploading at once; 0 means
	// DefaultFileConcurrency.
	FileConcurrency int
}

// Format returns a DatasetOptions function that sets the file format.
func Format(f FileFormat) func(*DatasetOptions) {
	return func(o *DatasetOptions) { o.Format = f }
}

// PartitionBy returns a DatasetOptions function that sets the partition
// columns, outermost first.
func PartitionBy(columns ...string) func(*DatasetOptions) {
	return func(o *DatasetOptions) { o.PartitionBy = append(o.PartitionBy, columns...) }
}

// Mode returns a DatasetOptions function that sets the write mode.
func Mode(m WriteMode) func(*DatasetOptions) {
	return func(o *DatasetOptions) { o.Mode = m }
}

// MaxRowsPerFile returns a DatasetOptions function that bounds the rows of
// one file.
func MaxRowsPerFile(n int64) func(*DatasetOptions) {
	return func(o *DatasetOptions) { o.MaxRowsPerFile = n }
}

// WithWriteOptions returns a DatasetOptions function that applies
// WriteOptions functions (Compress, RowGroupRows) to a dataset write.
func WithWriteOptions(optFns ...func(*WriteOptions)) func(*DatasetOptions) {
	return func(o *DatasetOptions) {
		for _, fn := range optFns {
			if fn != nil {
				fn(&o.WriteOptions)
			}
		}
	}
}

// DatasetPartition is one partition of a dataset.
type DatasetPartition struct {
	// Values are the partition's raw (unescaped) values in the order of the
	// partition keys, HiveDefaultPartition for a null or empty value: the
	// values the Glue catalog stores.
	Values []string
	// URL is the partition's location, s3://bucket/prefix/k1=v1/k2=v2/, the
	// values escaped as Hive escapes them.
	URL string
}

// DatasetFile is one file a dataset write created.
type DatasetFile struct {
	URL string
	// Partition is the index of the file's partition in
	// DatasetResult.Partitions, or -1 for an unpartitioned dataset.
	Partition int
	Rows      int64
	Bytes     int64
}

// DatasetResult says what a dataset write did: everything a catalog needs to
// describe the dataset (the glue package's SyncDataset takes it as it is).
type DatasetResult struct {
	// URL is the dataset's root, s3://bucket/prefix/.
	URL     string
	Format  FileFormat
	Mode    WriteMode
	WriteID string
	// Compression is the codec used: the Parquet page codec (Snappy by
	// default) or the whole-file compression of text files.
	Compression Compression
	// Schema has the data columns, as stored in the files (the partition
	// columns left out).
	Schema *arrow.Schema
	// PartitionKeys are the partition columns, outermost first, with the
	// types they had in the written data.
	PartitionKeys []arrow.Field
	// Partitions are the partitions written, in path order.
	Partitions []DatasetPartition
	// Files are the files written, in key order.
	Files []DatasetFile
	// Rows counts the rows written.
	Rows int64
	// Delimiter and Header describe CSV files (Format CSV).
	Delimiter rune
	Header    bool
	// Removed counts the old objects an overwrite deleted.
	Removed int
}

// WriteDataset writes a frame as a dataset under url (a prefix, such as
// s3://lake/sales/); see WriteDatasetStream.
func (c *Client) WriteDataset(ctx context.Context, f *frame.Frame, url string, optFns ...func(*DatasetOptions)) (*DatasetResult, error) {
	do := c.datasetOptions(optFns)
	rdr := f.Records(do.BatchSize)
	defer rdr.Release()
	return c.WriteDatasetStream(ctx, rdr, url, optFns...)
}

// WriteDatasetStream writes a stream of record batches as a dataset under
// url in Hive layout: each distinct combination of the PartitionBy columns'
// values becomes the directory col1=v1/col2=v2/ (values escaped as Hive's
// FileUtils.escapePathName does: control characters and "#%'*/:=?\{[]^
// become %XX; a null or empty value is HiveDefaultPartition), and the
// partition columns are left out of the files. Files are named
// <FilePrefix>-<WriteID>-<n>.<codec>.<format>, unique per write.
//
// Rows are encoded as the batches arrive, into one open file per partition
// (a new one after MaxRowsPerFile rows); a file is buffered in memory until
// it outgrows Options.PartSize and then streamed into a multipart upload.
// Finished files upload in the background, FileConcurrency at a time.
//
// Nothing is half-written. Every file appears only when complete, and the
// old data an overwrite replaces is deleted only after every new file is
// complete. If anything fails, or ctx ends, before that point, the files
// already written are deleted again and the previous data is untouched.
// Once every new file is complete the write is committed: the deletion of
// the old files runs to its end even if ctx ends, and a failure to delete
// some of them is returned along with the result (the new data is then
// complete, some old objects remain). Writers that replace the same
// partitions at the same time are not isolated from each other.
func (c *Client) WriteDatasetStream(ctx context.Context, rdr array.RecordReader, url string, optFns ...func(*DatasetOptions)) (*DatasetResult, error) {
	do := c.datasetOptions(optFns)
	base, err := datasetRoot(url)
	if err != nil {
		return nil, err
	}
	dw, err := newDatasetWriter(c, ctx, base, rdr.Schema(), do)
	if err != nil {
		return nil, fmt.Errorf("s3io: write dataset %s: %w", base, err)
	}
	return dw.run(rdr)
}

func (c *Client) datasetOptions(optFns []func(*DatasetOptions)) DatasetOptions {
	do := DatasetOptions{WriteOptions: WriteOptions{Options: c.options}}
	for _, fn := range optFns {
		if fn != nil {
			fn(&do)
		}
	}
	wo := do.WriteOptions
	do.WriteOptions = c.writeOptions([]func(*WriteOptions){func(o *WriteOptions) { *o = wo }})
	if do.Format == FormatAuto {
		do.Format = Parquet
	}
	if do.FilePrefix == "" {
		do.FilePrefix = DefaultFilePrefix
	}
	if do.FileConcurrency <= 0 {
		do.FileConcurrency = DefaultFileConcurrency
	}
	return do
}

// datasetRoot parses a dataset URL: a prefix in a bucket, never a glob or
// the bucket's root (an overwrite of the root would delete the bucket).
func datasetRoot(url string) (URL, error) {
	u, err := ParseURL(url)
	if err != nil {
		return URL{}, err
	}
	if u.IsGlob() {
		return URL{}, fmt.Errorf("s3io: dataset %s: a dataset is a prefix, not a pattern: %w", url, ErrInvalidURL)
	}
	if strings.Trim(u.Key, "/") == "" {
		return URL{}, fmt.Errorf("s3io: dataset %s: a dataset needs a prefix inside the bucket: %w", url, ErrInvalidURL)
	}
	if !strings.HasSuffix(u.Key, "/") {
		u.Key += "/"
	}
	return u, nil
}

// newWriteID returns a UUID version 7: 48 bits of Unix milliseconds, then
// random bits, so the files of later writes sort after earlier ones.
func newWriteID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("write id: %w", err)
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// EscapePartitionValue escapes a partition column name or value for a
// path segment as Hive's FileUtils.escapePathName does: the characters
// 0x00-0x1F, 0x7F and "#%'*/:=?\{[]^ become %XX (two uppercase hex digits);
// everything else, non-ASCII included, stays. An empty value is
// HiveDefaultPartition.
func EscapePartitionValue(s string) string {
	if s == "" {
		return HiveDefaultPartition
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if hiveEscapes(ch) {
			fmt.Fprintf(&b, "%%%02X", ch)
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// hiveEscapes reports whether Hive escapes the ASCII byte ch in paths.
// Bytes of multi-byte UTF-8 sequences are >= 0x80 and never escaped.
func hiveEscapes(ch byte) bool {
	return ch < 0x20 || ch == 0x7f || strings.IndexByte(`"#%'*/:=?\{[]^`, ch) >= 0
}

// UnescapePartitionValue reverses EscapePartitionValue as Hive's
// FileUtils.unescapePathName does: every %XX with two hex digits becomes its
// byte; a % not followed by two hex digits stays as it is.
func UnescapePartitionValue(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if isHex(s[i+1]) && isHex(s[i+2]) {
				v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F'
}

// partitionFormatter renders one partition column's value of a row as
// Hive writes it; null reports a null value.
type partitionFormatter func(arr arrow.Array, i int) (value string, null bool)

// formatterFor returns the formatter of a partition column's type, or an
// error for types a partition cannot have.
func formatterFor(dt arrow.DataType) (partitionFormatter, error) {
	wrap := func(f func(arr arrow.Array, i int) string) partitionFormatter {
		return func(arr arrow.Array, i int) (string, bool) {
			if arr.IsNull(i) {
				return "", true
			}
			return f(arr, i), false
		}
	}
	switch t := dt.(type) {
	case *arrow.StringType:
		return wrap(func(a arrow.Array, i int) string { return a.(*array.String).Value(i) }), nil
	case *arrow.LargeStringType:
		return wrap(func(a arrow.Array, i int) string { return a.(*array.LargeString).Value(i) }), nil
	case *arrow.StringViewType:
		return wrap(func(a arrow.Array, i int) string { return a.(*array.StringView).Value(i) }), nil
	case *arrow.BooleanType:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatBool(a.(*array.Boolean).Value(i)) }), nil
	case *arrow.Int8Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatInt(int64(a.(*array.Int8).Value(i)), 10) }), nil
	case *arrow.Int16Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatInt(int64(a.(*array.Int16).Value(i)), 10) }), nil
	case *arrow.Int32Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatInt(int64(a.(*array.Int32).Value(i)), 10) }), nil
	case *arrow.Int64Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatInt(a.(*array.Int64).Value(i), 10) }), nil
	case *arrow.Uint8Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatUint(uint64(a.(*array.Uint8).Value(i)), 10) }), nil
	case *arrow.Uint16Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatUint(uint64(a.(*array.Uint16).Value(i)), 10) }), nil
	case *arrow.Uint32Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatUint(uint64(a.(*array.Uint32).Value(i)), 10) }), nil
	case *arrow.Uint64Type:
		return wrap(func(a arrow.Array, i int) string { return strconv.FormatUint(a.(*array.Uint64).Value(i), 10) }), nil
	case *arrow.Float32Type:
		return wrap(func(a arrow.Array, i int) string {
			return strconv.FormatFloat(float64(a.(*array.Float32).Value(i)), 'f', -1, 32)
		}), nil
	case *arrow.Float64Type:
		return wrap(func(a arrow.Array, i int) string {
			return strconv.FormatFloat(a.(*array.Float64).Value(i), 'f', -1, 64)
		}), nil
	case *arrow.Date32Type:
		return wrap(func(a arrow.Array, i int) string { return a.(*array.Date32).Value(i).FormattedString() }), nil
	case *arrow.TimestampType:
		unit := t.Unit
		return wrap(func(a arrow.Array, i int) string {
			// Hive's timestamp text; the value is read back as UTC.
			return a.(*array.Timestamp).Value(i).ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999999")
		}), nil
	case *arrow.Decimal128Type:
		scale := t.Scale
		return wrap(func(a arrow.Array, i int) string { return a.(*array.Decimal128).Value(i).ToString(scale) }), nil
	}
	return nil, fmt.Errorf("type %s cannot be a partition column (want integers, floats, bool, strings, date32, timestamp or decimal128): %w",
		dt, ErrInvalidOption)
}

// datasetWriter is one WriteDatasetStream call.
type datasetWriter struct {
	c    *Client
	ctx  context.Context
	base URL
	o    DatasetOptions

	inSchema   *arrow.Schema        // the stream's schema
	partIdx    []int                // indices of the partition columns in the input
	partFields []arrow.Field        // the partition columns
	formatters []partitionFormatter // one per partition column
	dataSchema *arrow.Schema
	codec      Compression
	suffix     string

	open       map[string]*datasetFile // key: partition path, "" when unpartitioned
	partitions map[string]int          // partition path -> index in result
	result     *DatasetResult
	next       int // number of the next file

	sem      chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex // guards the fields below
	started  []string   // every file URL a write was attempted for
	done     []DatasetFile
	failures []error
	progress Progress
}

// datasetFile is one file being encoded.
type datasetFile struct {
	url       string
	partition int
	sink      *spillSink
	enc       recordEncoder
	rows      int64
}

func newDatasetWriter(c *Client, ctx context.Context, base URL, schema *arrow.Schema, o DatasetOptions) (*datasetWriter, error) {
	dw := &datasetWriter{c: c, ctx: ctx, base: base, o: o, inSchema: schema,
		open: map[string]*datasetFile{}, partitions: map[string]int{},
		sem: make(chan struct{}, o.FileConcurrency)}
	switch o.Mode {
	case Append, Overwrite, OverwritePartitions:
	default:
		return nil, fmt.Errorf("mode %v: %w", o.Mode, ErrInvalidOption)
	}
	if o.MaxRowsPerFile < 0 {
		return nil, fmt.Errorf("MaxRowsPerFile %d is negative: %w", o.MaxRowsPerFile, ErrInvalidOption)
	}
	if o.FilePrefix != DefaultFilePrefix && (strings.ContainsAny(o.FilePrefix, "/") || strings.HasPrefix(o.FilePrefix, "_") || strings.HasPrefix(o.FilePrefix, ".")) {
		return nil, fmt.Errorf("file prefix %q: must not contain / or start with _ or . (such files are hidden from Hive and Athena): %w", o.FilePrefix, ErrInvalidOption)
	}
	id := o.WriteID
	if id == "" {
		var err error
		if id, err = newWriteID(); err != nil {
			return nil, err
		}
	} else if strings.Contains(id, "/") {
		return nil, fmt.Errorf("write id %q contains /: %w", id, ErrInvalidOption)
	}
	isPart := map[int]bool{}
	for _, name := range o.PartitionBy {
		idx := schema.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("partition column %q is not a column of the data: %w", name, ErrInvalidOption)
		}
		if isPart[idx[0]] {
			return nil, fmt.Errorf("partition column %q named twice: %w", name, ErrInvalidOption)
		}
		f := schema.Field(idx[0])
		format, err := formatterFor(f.Type)
		if err != nil {
			return nil, fmt.Errorf("partition column %q: %w", name, err)
		}
		isPart[idx[0]] = true
		dw.partIdx = append(dw.partIdx, idx[0])
		dw.partFields = append(dw.partFields, f)
		dw.formatters = append(dw.formatters, format)
	}
	var data []arrow.Field
	for i, f := range schema.Fields() {
		if !isPart[i] {
			data = append(data, f)
		}
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("every column is a partition column; a dataset needs at least one data column: %w", ErrInvalidOption)
	}
	dw.dataSchema = arrow.NewSchema(data, nil)
	switch o.Format {
	case Parquet:
		switch o.Compression {
		case CompressionAuto, Snappy:
			dw.codec, dw.suffix = Snappy, ".snappy.parquet"
		case CompressionNone:
			dw.codec, dw.suffix = CompressionNone, ".parquet"
		case Zstd:
			dw.codec, dw.suffix = Zstd, ".zstd.parquet"
		case Gzip:
			dw.codec, dw.suffix = Gzip, ".gz.parquet"
		default:
			return nil, fmt.Errorf("%s compression for Parquet: %w", o.Compression, ErrInvalidOption)
		}
	case CSV, JSONLines:
		// The compression suffix comes last, where Athena and the readers of
		// this package look for it.
		ext := ".csv"
		if o.Format == JSONLines {
			ext = ".json"
		}
		switch o.Compression {
		case CompressionAuto, CompressionNone:
			dw.codec, dw.suffix = CompressionNone, ext
		case Gzip:
			dw.codec, dw.suffix = Gzip, ext+".gz"
		case Zstd:
			dw.codec, dw.suffix = Zstd, ext+".zst"
		default:
			return nil, fmt.Errorf("%s compression for %s: %w", o.Compression, o.Format, ErrInvalidOption)
		}
	default:
		return nil, fmt.Errorf("format %v: %w", o.Format, ErrInvalidOption)
	}
	dw.result = &DatasetResult{
		URL: base.String(), Format: o.Format, Mode: o.Mode, WriteID: id, Compression: dw.codec,
		Schema: dw.dataSchema, PartitionKeys: dw.partFields,
	}
	if o.Format == CSV {
		dw.result.Delimiter, dw.result.Header = o.Delimiter, !o.NoHeader
	}
	return dw, nil
}

// run encodes the stream, waits for the uploads and applies the mode.
func (dw *datasetWriter) run(rdr array.RecordReader) (*DatasetResult, error) {
	err := dw.consume(rdr)
	if err == nil {
		err = dw.finishAll()
	}
	dw.wg.Wait()
	dw.mu.Lock()
	err = errors.Join(append([]error{err}, dw.failures...)...)
	dw.mu.Unlock()
	if err == nil {
		// The last moment a cancellation can still undo the write.
		err = context.Cause(dw.ctx)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("s3io: write dataset %s: %w", dw.base, err), dw.rollback())
	}
	res := dw.result
	res.Files = dw.done
	slices.SortFunc(res.Files, func(a, b DatasetFile) int { return cmp.Compare(a.URL, b.URL) })
	// Partitions in path order, file indices remapped.
	order := make([]int, len(res.Partitions))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(res.Partitions[a].URL, res.Partitions[b].URL) })
	remap := make([]int, len(order))
	sorted := make([]DatasetPartition, len(order))
	for newIdx, oldIdx := range order {
		remap[oldIdx] = newIdx
		sorted[newIdx] = res.Partitions[oldIdx]
	}
	res.Partitions = sorted
	for i := range res.Files {
		if p := res.Files[i].Partition; p >= 0 {
			res.Files[i].Partition = remap[p]
		}
		res.Rows += res.Files[i].Rows
	}
	if err := dw.replaceOld(res); err != nil {
		return res, fmt.Errorf("s3io: write dataset %s: the new files are complete, but: %w", dw.base, err)
	}
	dw.o.report(Progress{Op: "write dataset", URL: dw.base.String(), Objects: len(res.Files), Rows: res.Rows, Bytes: dw.progress.Bytes, Done: true})
	return res, nil
}

// consume splits each batch by partition and encodes the pieces.
func (dw *datasetWriter) consume(rdr array.RecordReader) error {
	batch := 0
	for rdr.Next() {
		if err := context.Cause(dw.ctx); err != nil {
			return err
		}
		if err := dw.failed(); err != nil {
			return err
		}
		if err := dw.writeBatch(rdr.RecordBatch()); err != nil {
			return fmt.Errorf("batch %d: %w", batch, err)
		}
		batch++
	}
	if err := rdr.Err(); err != nil {
		return fmt.Errorf("read batch %d: %w", batch, err)
	}
	return nil
}

// failed returns the first upload failure so far.
func (dw *datasetWriter) failed() error {
	dw.mu.Lock()
	defer dw.mu.Unlock()
	if len(dw.failures) > 0 {
		return dw.failures[0]
	}
	return nil
}

func (dw *datasetWriter) writeBatch(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	if !rec.Schema().Equal(dw.inSchema) {
		return fmt.Errorf("schema %v differs from the stream's %v: %w", rec.Schema(), dw.inSchema, ErrInvalidOption)
	}
	f, err := frame.FromRecords(rec)
	if err != nil {
		return err
	}
	defer f.Release()
	data, err := f.Drop(dw.o.PartitionBy...)
	if err != nil {
		return err
	}
	defer data.Release()
	if len(dw.partIdx) == 0 {
		return dw.append("", nil, data)
	}
	// Group the rows by partition path, in order of first appearance.
	var keys []string
	groups := map[string][]int{}
	values := map[string][]string{}
	var seg strings.Builder
	for row := 0; row < n; row++ {
		seg.Reset()
		var vals []string
		for k, col := range dw.partIdx {
			v, null := dw.formatters[k](rec.Column(col), row)
			if null || v == "" {
				v = HiveDefaultPartition
			}
			seg.WriteString(EscapePartitionValue(dw.partFields[k].Name))
			seg.WriteByte('=')
			if v == HiveDefaultPartition {
				seg.WriteString(v)
			} else {
				seg.WriteString(EscapePartitionValue(v))
			}
			seg.WriteByte('/')
			vals = append(vals, v)
		}
		key := seg.String()
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
			values[key] = vals
		}
		groups[key] = append(groups[key], row)
	}
	for _, key := range keys {
		rows := groups[key]
		part := data
		if len(keys) > 1 {
			if part, err = data.Take(rows); err != nil {
				return fmt.Errorf("partition %s: %w", key, err)
			}
		}
		err := dw.append(key, values[key], part)
		if part != data {
			part.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// append writes a partition's rows, rotating files at MaxRowsPerFile.
func (dw *datasetWriter) append(key string, values []string, rows *frame.Frame) error {
	if !rows.Schema().Equal(dw.dataSchema) {
		return fmt.Errorf("partition %s: data columns %v, want %v: %w", key, rows.Schema(), dw.dataSchema, ErrInvalidOption)
	}
	offset, total := 0, rows.NumRows()
	for offset < total {
		f := dw.open[key]
		if f == nil {
			var err error
			if f, err = dw.openFile(key, values); err != nil {
				return err
			}
		}
		n := total - offset
		if max := dw.o.MaxRowsPerFile; max > 0 && int64(n) > max-f.rows {
			n = int(max - f.rows)
		}
		piece, err := rows.Slice(offset, n)
		if err != nil {
			return err
		}
		err = dw.encode(f, piece)
		piece.Release()
		if err != nil {
			return err
		}
		f.rows += int64(n)
		offset += n
		if max := dw.o.MaxRowsPerFile; max > 0 && f.rows >= max {
			delete(dw.open, key)
			if err := dw.finish(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func (dw *datasetWriter) encode(f *datasetFile, rows *frame.Frame) error {
	rdr := rows.Records(dw.o.BatchSize)
	defer rdr.Release()
	for rdr.Next() {
		if err := f.enc.write(rdr.RecordBatch()); err != nil {
			return fmt.Errorf("encode %s: %w", f.url, err)
		}
	}
	return rdr.Err()
}

// openFile starts the next file of a partition.
func (dw *datasetWriter) openFile(key string, values []string) (*datasetFile, error) {
	p, ok := dw.partitions[key]
	if !ok {
		if key == "" {
			p = -1
		} else {
			p = len(dw.result.Partitions)
			dw.result.Partitions = append(dw.result.Partitions, DatasetPartition{Values: values, URL: dw.base.String() + key})
		}
		dw.partitions[key] = p
	}
	name := fmt.Sprintf("%s-%s-%05d%s", dw.o.FilePrefix, dw.result.WriteID, dw.next, dw.suffix)
	dw.next++
	u := dw.base.WithKey(dw.base.Key + key + name)
	if _, err := parseObjectURL(u.String()); err != nil {
		return nil, fmt.Errorf("partition %s: %w", key, err)
	}
	// The dataset reports progress per file; the file's own upload reports
	// would come from other goroutines at the same time.
	fo := dw.o.Options
	fo.Progress = nil
	sink := &spillSink{c: dw.c, ctx: dw.ctx, url: u.String(), o: fo}
	enc, err := dw.newEncoder(sink)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", u, err)
	}
	f := &datasetFile{url: u.String(), partition: p, sink: sink, enc: enc}
	dw.mu.Lock()
	dw.started = append(dw.started, f.url)
	dw.mu.Unlock()
	dw.open[key] = f
	return f, nil
}

// finishAll finishes the files still open, in path order.
func (dw *datasetWriter) finishAll() error {
	keys := make([]string, 0, len(dw.open))
	for k := range dw.open {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f := dw.open[k]
		delete(dw.open, k)
		if err := dw.finish(f); err != nil {
			return err
		}
	}
	return nil
}

// finish ends a file's encoding and uploads it in the background,
// FileConcurrency files at a time.
func (dw *datasetWriter) finish(f *datasetFile) error {
	if err := f.enc.close(); err != nil {
		f.sink.abort()
		return fmt.Errorf("encode %s: %w", f.url, err)
	}
	select {
	case dw.sem <- struct{}{}:
	case <-dw.ctx.Done():
		f.sink.abort()
		return context.Cause(dw.ctx)
	}
	dw.wg.Add(1)
	go func() {
		defer dw.wg.Done()
		defer func() { <-dw.sem }()
		n, err := f.sink.commit()
		dw.mu.Lock()
		defer dw.mu.Unlock()
		if err != nil {
			dw.failures = append(dw.failures, err)
			return
		}
		dw.done = append(dw.done, DatasetFile{URL: f.url, Partition: f.partition, Rows: f.rows, Bytes: n})
		dw.progress.Objects++
		dw.progress.Rows += f.rows
		dw.progress.Bytes += n
		dw.o.report(Progress{Op: "write dataset", URL: f.url, Objects: dw.progress.Objects, Rows: dw.progress.Rows, Bytes: dw.progress.Bytes})
	}()
	return nil
}

// rollback aborts the files still open and deletes every file the write
// started, on a context detached from the caller's (whose end may be the
// reason for the rollback).
func (dw *datasetWriter) rollback() error {
	for k, f := range dw.open {
		f.sink.abort()
		delete(dw.open, k)
	}
	dw.mu.Lock()
	urls := slices.Clone(dw.started)
	dw.mu.Unlock()
	if len(urls) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(dw.ctx), abortTimeout)
	defer cancel()
	if _, err := dw.c.Delete(ctx, urls, func(o *Options) { *o = dw.o.Options }); err != nil {
		return fmt.Errorf("s3io: write dataset %s: remove the %d files of the failed write: %w", dw.base, len(urls), err)
	}
	return nil
}

// replaceOld deletes what the mode replaces: every other object under the
// root (Overwrite) or under the touched partitions (OverwritePartitions).
// It runs after every new file is complete, on a context detached from the
// caller's cancellation, so that a committed write is not left half-applied.
func (dw *datasetWriter) replaceOld(res *DatasetResult) error {
	if dw.o.Mode == Append {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(dw.ctx), 10*abortTimeout)
	defer cancel()
	prefixes := []string{dw.base.String()}
	if dw.o.Mode == OverwritePartitions && len(dw.partIdx) > 0 {
		prefixes = prefixes[:0]
		for _, p := range res.Partitions {
			prefixes = append(prefixes, p.URL)
		}
	}
	keep := make(map[string]bool, len(res.Files))
	for _, f := range res.Files {
		keep[f.URL] = true
	}
	lo := func(o *ListOptions) { o.Options = dw.o.Options; o.IncludeDirectoryMarkers = true }
	var old []string
	for _, p := range prefixes {
		for obj, err := range dw.c.List(ctx, p, lo) {
			if err != nil {
				return fmt.Errorf("list the old objects: %w", err)
			}
			if u := obj.URL(); !keep[u] {
				old = append(old, u)
			}
		}
	}
	if len(old) == 0 {
		return nil
	}
	n, err := dw.c.Delete(ctx, old, func(o *Options) { *o = dw.o.Options })
	res.Removed = n
	if err != nil {
		return fmt.Errorf("delete %d old objects (%d deleted): %w", len(old), n, err)
	}
	return nil
}

// spillSink buffers a file in memory until it outgrows a part, then streams
// it into a Writer, so that many small open partitions cost only their
// bytes, not a part buffer each.
type spillSink struct {
	c   *Client
	ctx context.Context
	url string
	o   Options
	buf bytes.Buffer
	w   *Writer
	n   int64
}

// Write buffers or streams p.
func (s *spillSink) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if s.w != nil {
		return s.w.Write(p)
	}
	s.buf.Write(p)
	if int64(s.buf.Len()) < s.o.PartSize {
		return len(p), nil
	}
	w, err := s.c.NewWriter(s.ctx, s.url, func(o *Options) { *o = s.o })
	if err != nil {
		return 0, err
	}
	s.w = w
	if _, err := w.Write(s.buf.Bytes()); err != nil {
		return 0, err
	}
	s.buf = bytes.Buffer{}
	return len(p), nil
}

// commit makes the object appear and returns its size.
func (s *spillSink) commit() (int64, error) {
	if s.w != nil {
		return s.n, s.w.Close()
	}
	_, err := s.c.Upload(s.ctx, s.url, bytes.NewReader(s.buf.Bytes()), func(o *Options) { *o = s.o })
	s.buf = bytes.Buffer{}
	return s.n, err
}

// abort drops the file; a started multipart upload is aborted.
func (s *spillSink) abort() {
	if s.w != nil {
		s.w.Abort()
	}
	s.buf = bytes.Buffer{}
}

// recordEncoder encodes record batches of one file.
type recordEncoder interface {
	write(rec arrow.RecordBatch) error
	// close writes what the format needs at the end (a Parquet footer, the
	// end of a compressed stream).
	close() error
}

func (dw *datasetWriter) newEncoder(w io.Writer) (recordEncoder, error) {
	switch dw.o.Format {
	case Parquet:
		codec := compress.Codecs.Snappy
		switch dw.codec {
		case CompressionNone:
			codec = compress.Codecs.Uncompressed
		case Zstd:
			codec = compress.Codecs.Zstd
		case Gzip:
			codec = compress.Codecs.Gzip
		}
		props := parquet.NewWriterProperties(parquet.WithCompression(codec),
			parquet.WithMaxRowGroupLength(dw.o.RowGroupRows), parquet.WithStats(true))
		var fw *pqarrow.FileWriter
		err := protect(func() error {
			var err error
			fw, err = pqarrow.NewFileWriter(dw.dataSchema, w, props, pqarrow.DefaultWriterProps())
			return err
		})
		if err != nil {
			return nil, err
		}
		return &parquetEncoder{fw: fw}, nil
	case CSV:
		zw, err := compressWriter(w, dw.codec)
		if err != nil {
			return nil, err
		}
		cw := arrowcsv.NewWriter(zw, dw.dataSchema, arrowcsv.WithComma(dw.o.Delimiter),
			arrowcsv.WithHeader(!dw.o.NoHeader), arrowcsv.WithNullWriter(dw.o.NullValue))
		return &textEncoder{zw: zw, writeFn: cw.Write, flush: cw.Flush}, nil
	case JSONLines:
		zw, err := compressWriter(w, dw.codec)
		if err != nil {
			return nil, err
		}
		return &textEncoder{zw: zw, writeFn: func(rec arrow.RecordBatch) error { return array.RecordToJSON(rec, zw) }}, nil
	}
	return nil, fmt.Errorf("format %v: %w", dw.o.Format, ErrInvalidOption)
}

type parquetEncoder struct{ fw *pqarrow.FileWriter }

func (e *parquetEncoder) write(rec arrow.RecordBatch) error {
	return protect(func() error { return e.fw.WriteBuffered(rec) })
}

func (e *parquetEncoder) close() error { return protect(e.fw.Close) }

type textEncoder struct {
	zw      io.WriteCloser
	writeFn func(arrow.RecordBatch) error
	flush   func() error
}

func (e *textEncoder) write(rec arrow.RecordBatch) error { return e.writeFn(rec) }

func (e *textEncoder) close() error {
	if e.flush != nil {
		if err := e.flush(); err != nil {
			return err
		}
	}
	return e.zw.Close()
}
