package s3io

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/frame"
)

// Partition is one partition as a PartitionFilter sees it: the raw
// (unescaped) value of each partition column by name. A null value (Hive's
// default partition) is absent from the map, so p[col] is "" and compares
// as SQL compares NULL in most filters.
type Partition map[string]string

// PartitionFilter returns a ReadOptions function that keeps, in a dataset
// read, only the partitions keep accepts. keep runs before any file of a
// partition is listed, so pruned partitions cost nothing.
func PartitionFilter(keep func(Partition) bool) func(*ReadOptions) {
	return func(o *ReadOptions) { o.PartitionFilter = keep }
}

// PartitionKeys returns a ReadOptions function that gives a dataset's
// partition columns and their types, outermost first.
func PartitionKeys(keys ...arrow.Field) func(*ReadOptions) {
	return func(o *ReadOptions) { o.PartitionKeys = append(o.PartitionKeys, keys...) }
}

// ReadPartitions returns a ReadOptions function that makes a dataset read
// read these partitions instead of discovering the layout (PartitionKeys
// must name their keys).
func ReadPartitions(parts ...DatasetPartition) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Partitions = append(o.Partitions, parts...) }
}

// ReadFormat returns a ReadOptions function that sets the format of a
// dataset's files instead of choosing it by suffix.
func ReadFormat(f FileFormat) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Format = f }
}

// ScanDataset streams a dataset in Hive layout (as WriteDataset writes it)
// as record batches: the data columns, then the partition columns.
//
// Partitions are discovered by listing directories (ListObjectsV2 with a
// "/" delimiter) level by level: one descent finds how many levels of
// col=value/ there are (unless PartitionKeys says), then the directories
// of each level are listed, PartitionFilter is applied to the complete
// partitions, and only the partitions kept have their files listed. At a
// level with partition directories, other objects are not part of the
// dataset, as for Athena. Names starting with _ or . are hidden, as for
// Hive. ReadOptions.Partitions skips the discovery.
//
// Partition columns come back typed: PartitionKeys' types where given,
// otherwise int64 when every value is an integer (without leading zeros),
// date32 when every value is a date YYYY-MM-DD, string otherwise; the
// default partition is null.
//
// Files may have evolved: their schemas are read first (a Parquet footer,
// a CSV or JSON lines sample) and unified with frame.Concat's rules, so a
// column added later is null in older files and an int32 widened to int64
// is int64 throughout. A change that does not unify is a *SchemaError
// naming the file and the column, before any batch is yielded.
// ReadOptions.Schema, when set, is the schema of the data columns instead
// (files are cast to it). Columns projects data and partition columns
// alike. Batches are valid during the loop body only.
func (c *Client) ScanDataset(ctx context.Context, url string, optFns ...func(*ReadOptions)) iter.Seq2[arrow.RecordBatch, error] {
	return filteredScan(ctx, url, c.readOptions(optFns), c.scanDataset)
}

func (c *Client) scanDataset(ctx context.Context, url string, ro ReadOptions) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		ds, err := c.prepareDataset(ctx, url, ro)
		if err != nil {
			yield(nil, err)
			return
		}
		ds.scan(ctx, yield)
	}
}

// ReadDataset reads a dataset into one frame; see ScanDataset.
func (c *Client) ReadDataset(ctx context.Context, url string, optFns ...func(*ReadOptions)) (*frame.Frame, error) {
	return filteredRead(ctx, url, c.readOptions(optFns), c.readDataset)
}

func (c *Client) readDataset(ctx context.Context, url string, ro ReadOptions) (*frame.Frame, error) {
	ds, err := c.prepareDataset(ctx, url, ro)
	if err != nil {
		return nil, err
	}
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	var scanErr error
	ds.scan(ctx, func(b arrow.RecordBatch, err error) bool {
		if err != nil {
			scanErr = err
			return false
		}
		b.Retain()
		batches = append(batches, b)
		return true
	})
	if scanErr != nil {
		return nil, scanErr
	}
	if len(batches) == 0 {
		return emptyFrame(ds.out)
	}
	return frame.FromRecords(batches...)
}

// datasetLeaf is a partition found in the layout.
type datasetLeaf struct {
	values []string // raw values, HiveDefaultPartition for null
	prefix string   // key prefix, ending in "/"
}

// datasetObject is one data file of a dataset read.
type datasetObject struct {
	u      URL
	format FileFormat
	leaf   int           // index into datasetScan.leaves
	schema *arrow.Schema // the file's own schema; nil when unknown or empty
}

// datasetScan is a prepared dataset read.
type datasetScan struct {
	c       *Client
	ro      ReadOptions
	base    URL
	keys    []arrow.Field // partition columns
	leaves  []datasetLeaf
	objects []datasetObject
	data    *arrow.Schema // target schema of the data columns
	dataOut []string      // data columns in the output
	out     *arrow.Schema // output schema
}

func (c *Client) prepareDataset(ctx context.Context, url string, ro ReadOptions) (*datasetScan, error) {
	base, err := datasetRoot(url)
	if err != nil {
		return nil, err
	}
	ds := &datasetScan{c: c, ro: ro, base: base}
	names, err := ds.findLeaves(ctx)
	if err != nil {
		return nil, err
	}
	if err := ds.listObjects(ctx); err != nil {
		return nil, err
	}
	if err := ds.typeKeys(names); err != nil {
		return nil, err
	}
	ds.prunePartitions()
	if err := ds.resolveSchema(ctx); err != nil {
		return nil, err
	}
	if err := ds.project(); err != nil {
		return nil, err
	}
	return ds, nil
}

// prunePartitions drops the files of the partitions whose values rule out
// a condition of the read (Where, passed down as prune conditions), before
// any of their footers is read.
func (ds *datasetScan) prunePartitions() {
	if len(ds.ro.prune) == 0 || len(ds.keys) == 0 {
		return
	}
	ruledOut := make([]bool, len(ds.leaves))
	for l, leaf := range ds.leaves {
		for _, c := range ds.ro.prune {
			k := slices.IndexFunc(ds.keys, func(f arrow.Field) bool { return f.Name == c.Column })
			if k < 0 || k >= len(leaf.values) {
				continue
			}
			v, err := parsePartitionValue(ds.keys[k].Type, leaf.values[k])
			if err == nil && partitionRuleOut(c, v, ds.keys[k].Type) {
				ruledOut[l] = true
				break
			}
		}
	}
	ds.objects = slices.DeleteFunc(ds.objects, func(o datasetObject) bool { return ruledOut[o.leaf] })
}

// findLeaves discovers (or takes) the partitions and applies the filter.
func (ds *datasetScan) findLeaves(ctx context.Context) ([]string, error) {
	var names []string
	for _, k := range ds.ro.PartitionKeys {
		names = append(names, k.Name)
	}
	var leaves []datasetLeaf
	if ds.ro.Partitions != nil {
		for _, p := range ds.ro.Partitions {
			u, err := datasetRoot(p.URL)
			if err != nil {
				return nil, err
			}
			if len(p.Values) != len(names) {
				return nil, fmt.Errorf("s3io: dataset %s: partition %s has %d values for the %d partition keys: %w",
					ds.base, p.URL, len(p.Values), len(names), ErrInvalidOption)
			}
			if u.Bucket != ds.base.Bucket {
				return nil, fmt.Errorf("s3io: dataset %s: partition %s is in another bucket: %w", ds.base, p.URL, ErrInvalidOption)
			}
			leaves = append(leaves, datasetLeaf{values: p.Values, prefix: u.Key})
		}
	} else {
		var err error
		if names, leaves, err = ds.discover(ctx, names); err != nil {
			return nil, err
		}
	}
	if ds.ro.PartitionFilter != nil && len(names) > 0 {
		kept := leaves[:0]
		for _, l := range leaves {
			p := Partition{}
			for i, n := range names {
				if v := l.values[i]; v != HiveDefaultPartition && v != "" {
					p[n] = v
				}
			}
			if ds.ro.PartitionFilter(p) {
				kept = append(kept, l)
			}
		}
		leaves = kept
	}
	ds.leaves = leaves
	return names, nil
}

// dirListing is one delimited listing: the partition directories under a
// prefix (name, raw value, key prefix).
type dirListing struct {
	names, values, prefixes []string
}

// listDirs lists the col=value/ directories directly under prefix.
func (ds *datasetScan) listDirs(ctx context.Context, prefix string) (dirListing, error) {
	var out dirListing
	in := &s3.ListObjectsV2Input{Bucket: aws.String(ds.base.Bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
		ExpectedBucketOwner: ds.ro.owner()}
	u := ds.base.WithKey(prefix)
	for page := 1; ; page++ {
		var res *s3.ListObjectsV2Output
		err := ds.c.call(ctx, ds.ro.Options, "ListObjectsV2", u, func(ctx context.Context) error {
			var err error
			res, err = ds.c.api.ListObjectsV2(ctx, in)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("s3io: list partitions of %s page %d: %w", u, page, err)
		}
		for _, cp := range res.CommonPrefixes {
			key := aws.ToString(cp.Prefix)
			seg := strings.TrimSuffix(strings.TrimPrefix(key, prefix), "/")
			name, value, ok := strings.Cut(seg, "=")
			if !ok || name == "" || strings.HasPrefix(seg, "_") || strings.HasPrefix(seg, ".") {
				continue
			}
			value = UnescapePartitionValue(value)
			if value == "" {
				value = HiveDefaultPartition
			}
			out.names = append(out.names, UnescapePartitionValue(name))
			out.values = append(out.values, value)
			out.prefixes = append(out.prefixes, key)
		}
		if !aws.ToBool(res.IsTruncated) || aws.ToString(res.NextContinuationToken) == "" {
			return out, nil
		}
		in.ContinuationToken = res.NextContinuationToken
	}
}

// discover walks the layout: a descent along the first directory finds the
// depth (unless the keys are known), then each level is listed.
func (ds *datasetScan) discover(ctx context.Context, names []string) ([]string, []datasetLeaf, error) {
	cache := map[string]dirListing{}
	if len(names) == 0 {
		prefix := ds.base.Key
		for {
			l, err := ds.listDirs(ctx, prefix)
			if err != nil {
				return nil, nil, err
			}
			cache[prefix] = l
			if len(l.names) == 0 {
				break
			}
			names = append(names, l.names[0])
			prefix = l.prefixes[0]
		}
	}
	level := []datasetLeaf{{prefix: ds.base.Key}}
	for depth, name := range names {
		next := make([][]datasetLeaf, len(level))
		var mu sync.Mutex
		var errs []error
		sem := make(chan struct{}, ds.ro.Concurrency)
		var wg sync.WaitGroup
		for i, node := range level {
			l, ok := cache[node.prefix]
			if ok {
				next[i] = ds.children(node, l, depth, name, &errs, &mu)
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				l, err := ds.listDirs(ctx, node.prefix)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				next[i] = ds.children(node, l, depth, name, &errs, &mu)
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			return nil, nil, errors.Join(errs...)
		}
		level = slices.Concat(next...)
	}
	if len(names) == 0 {
		return nil, level, nil
	}
	return names, level, nil
}

// children turns a node's listing into the next level, checking that every
// directory names the level's key.
func (ds *datasetScan) children(node datasetLeaf, l dirListing, depth int, name string, errs *[]error, mu *sync.Mutex) []datasetLeaf {
	var out []datasetLeaf
	for j := range l.names {
		if l.names[j] != name {
			mu.Lock()
			*errs = append(*errs, fmt.Errorf("s3io: dataset %s: directory %s is partition key %q, want %q at depth %d: %w",
				ds.base, ds.base.WithKey(l.prefixes[j]), l.names[j], name, depth+1, ErrInvalidOption))
			mu.Unlock()
			return nil
		}
		out = append(out, datasetLeaf{values: append(slices.Clone(node.values), l.values[j]), prefix: l.prefixes[j]})
	}
	return out
}

// listObjects lists the data files of the kept partitions, in key order.
func (ds *datasetScan) listObjects(ctx context.Context) error {
	perLeaf := make([][]datasetObject, len(ds.leaves))
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, ds.ro.Concurrency)
	var wg sync.WaitGroup
	for i, leaf := range ds.leaves {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			lo := ListOptions{Options: ds.ro.Options}
			u := ds.base.WithKey(leaf.prefix)
			ds.c.list(ctx, u, lo, func(obj Object, err error) bool {
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return false
				}
				rel := strings.TrimPrefix(obj.Key, leaf.prefix)
				if obj.Size == 0 || hiddenPath(rel) || strings.HasSuffix(obj.Key, "$folder$") {
					return true
				}
				format := ds.ro.Format
				if format == FormatAuto {
					format = formatOf(obj.Key)
				}
				perLeaf[i] = append(perLeaf[i], datasetObject{u: u.WithKey(obj.Key), format: format, leaf: i})
				return true
			})
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("s3io: dataset %s: %w", ds.base, errors.Join(errs...))
	}
	ds.objects = slices.Concat(perLeaf...)
	if len(ds.objects) == 0 && len(ds.leaves) > 0 && ds.ro.PartitionFilter == nil && ds.ro.Partitions == nil {
		return fmt.Errorf("s3io: dataset %s: %w", ds.base, ErrNoObjects)
	}
	return nil
}

// hiddenPath reports whether a path below a partition has a segment Hive
// hides (starting with _ or .).
func hiddenPath(rel string) bool {
	for seg := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(seg, "_") || strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// formatOf chooses a file's format by its suffix (compression suffixes
// skipped); names without a known suffix are Parquet.
func formatOf(key string) FileFormat {
	name := key[strings.LastIndex(key, "/")+1:]
	for _, z := range []string{".gz", ".gzip", ".zst", ".zstd", ".bz2"} {
		name = strings.TrimSuffix(name, z)
	}
	switch {
	case strings.HasSuffix(name, ".csv"), strings.HasSuffix(name, ".tsv"):
		return CSV
	case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"):
		return JSONLines
	}
	return Parquet
}

// typeKeys gives each partition key its type: PartitionKeys' or one
// inferred from the kept partitions' values.
func (ds *datasetScan) typeKeys(names []string) error {
	given := map[string]arrow.Field{}
	for _, k := range ds.ro.PartitionKeys {
		given[k.Name] = k
	}
	for i, name := range names {
		if f, ok := given[name]; ok {
			if _, err := partitionBuilderCheck(f.Type); err != nil {
				return fmt.Errorf("s3io: dataset %s: partition key %q: %w", ds.base, name, err)
			}
			f.Nullable = true
			ds.keys = append(ds.keys, f)
			continue
		}
		values := make([]string, 0, len(ds.leaves))
		for _, l := range ds.leaves {
			values = append(values, l.values[i])
		}
		ds.keys = append(ds.keys, arrow.Field{Name: name, Type: inferPartitionType(values), Nullable: true})
	}
	// Every value must parse as its key's type, before any file is read.
	for _, l := range ds.leaves {
		for i, k := range ds.keys {
			if _, err := parsePartitionValue(k.Type, l.values[i]); err != nil {
				return fmt.Errorf("s3io: dataset %s: partition %s: key %q: %w", ds.base, ds.base.WithKey(l.prefix), k.Name, err)
			}
		}
	}
	return nil
}

// inferPartitionType is int64 when every non-null value is an integer
// without leading zeros, date32 when every one is a valid YYYY-MM-DD, and
// string otherwise (and when every value is null).
func inferPartitionType(values []string) arrow.DataType {
	ints, dates, seen := true, true, false
	for _, v := range values {
		if v == HiveDefaultPartition || v == "" {
			continue
		}
		seen = true
		if ints {
			digits := strings.TrimPrefix(v, "-")
			_, err := strconv.ParseInt(v, 10, 64)
			ints = err == nil && digits != "" && (digits == "0" || digits[0] != '0') && !strings.HasPrefix(v, "+")
		}
		if dates {
			_, err := time.Parse(time.DateOnly, v)
			dates = err == nil && len(v) == len(time.DateOnly)
		}
		if !ints && !dates {
			break
		}
	}
	switch {
	case !seen:
		return arrow.BinaryTypes.String
	case ints:
		return arrow.PrimitiveTypes.Int64
	case dates:
		return arrow.FixedWidthTypes.Date32
	}
	return arrow.BinaryTypes.String
}

// partitionBuilderCheck reports whether a partition key can have type dt.
func partitionBuilderCheck(dt arrow.DataType) (arrow.DataType, error) {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.DATE32, arrow.TIMESTAMP:
		return dt, nil
	}
	return nil, fmt.Errorf("type %s is not supported for partition keys: %w", dt, ErrInvalidOption)
}

// parsePartitionValue parses a raw partition value as dt; nil is null.
func parsePartitionValue(dt arrow.DataType, v string) (any, error) {
	if v == HiveDefaultPartition || v == "" {
		return nil, nil
	}
	bad := func(err error) (any, error) {
		return nil, fmt.Errorf("value %q is not a %s: %w", v, dt, err)
	}
	switch t := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return v, nil
	case *arrow.BooleanType:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return bad(err)
		}
		return b, nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type:
		n, err := strconv.ParseInt(v, 10, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return bad(err)
		}
		return n, nil
	case *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		n, err := strconv.ParseUint(v, 10, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return bad(err)
		}
		return n, nil
	case *arrow.Float32Type, *arrow.Float64Type:
		f, err := strconv.ParseFloat(v, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return bad(err)
		}
		return f, nil
	case *arrow.Date32Type:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return bad(err)
		}
		return arrow.Date32FromTime(d), nil
	case *arrow.TimestampType:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, time.DateOnly} {
			if ts, err := time.Parse(layout, v); err == nil {
				return arrow.TimestampFromTime(ts, t.Unit)
			}
		}
		return bad(errors.New("want YYYY-MM-DD HH:MM:SS[.fff]"))
	}
	_, err := partitionBuilderCheck(dt)
	return nil, err
}

// constantArray is an array of n copies of a partition value.
func constantArray(mem memory.Allocator, dt arrow.DataType, v any, n int) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(n)
	for range n {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.StringBuilder:
			b.Append(v.(string))
		case *array.LargeStringBuilder:
			b.Append(v.(string))
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.Int8Builder:
			b.Append(int8(v.(int64)))
		case *array.Int16Builder:
			b.Append(int16(v.(int64)))
		case *array.Int32Builder:
			b.Append(int32(v.(int64)))
		case *array.Int64Builder:
			b.Append(v.(int64))
		case *array.Uint8Builder:
			b.Append(uint8(v.(uint64)))
		case *array.Uint16Builder:
			b.Append(uint16(v.(uint64)))
		case *array.Uint32Builder:
			b.Append(uint32(v.(uint64)))
		case *array.Uint64Builder:
			b.Append(v.(uint64))
		case *array.Float32Builder:
			b.Append(float32(v.(float64)))
		case *array.Float64Builder:
			b.Append(v.(float64))
		case *array.Date32Builder:
			b.Append(v.(arrow.Date32))
		case *array.TimestampBuilder:
			b.Append(v.(arrow.Timestamp))
		}
	}
	return b.NewArray()
}

// resolveSchema reads each file's schema and unifies them, or takes
// ReadOptions.Schema.
func (ds *datasetScan) resolveSchema(ctx context.Context) error {
	needSchemas := ds.ro.Schema == nil
	var errs []error
	var mu sync.Mutex
	sem := make(chan struct{}, ds.ro.Concurrency)
	var wg sync.WaitGroup
	for i := range ds.objects {
		obj := &ds.objects[i]
		// Parquet footers are cheap and let a projection skip the columns a
		// file lacks; text files are sampled only when inferring.
		if !needSchemas && obj.format != Parquet {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s, err := ds.fileSchema(ctx, obj)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			obj.schema = s
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	urls := make([]URL, 0, len(ds.objects)+1)
	schemas := make([]*arrow.Schema, 0, len(ds.objects)+1)
	if ds.ro.Schema != nil {
		urls = append(urls, ds.base)
		schemas = append(schemas, ds.ro.Schema)
	}
	for _, obj := range ds.objects {
		urls = append(urls, obj.u)
		schemas = append(schemas, obj.schema)
	}
	if err := checkUnifiable(urls, schemas); err != nil {
		return err
	}
	if ds.ro.Schema != nil {
		ds.data = ds.ro.Schema
		return nil
	}
	var frames []*frame.Frame
	for _, s := range schemas {
		if s == nil {
			continue
		}
		f, err := emptyFrame(s)
		if err != nil {
			return err
		}
		frames = append(frames, f)
	}
	unified, err := frame.Concat(frames...)
	if err != nil {
		return fmt.Errorf("s3io: dataset %s: %w", ds.base, err)
	}
	ds.data = unified.Schema()
	for _, k := range ds.keys {
		if len(ds.data.FieldIndices(k.Name)) > 0 {
			return fmt.Errorf("s3io: %w", &SchemaError{URL: ds.base.String(), Column: k.Name,
				Want: "a partition column only", Got: "also a column of the files"})
		}
	}
	return nil
}

// fileSchema reads a file's schema: a Parquet footer, or the type
// inference of a text file's sample. An empty text file has none (nil).
func (ds *datasetScan) fileSchema(ctx context.Context, obj *datasetObject) (*arrow.Schema, error) {
	if obj.format == Parquet {
		rr, err := ds.c.NewRangeReader(ctx, obj.u.String(), func(o *Options) { *o = ds.ro.Options })
		if err != nil {
			return nil, err
		}
		defer rr.Release()
		var s *arrow.Schema
		err = protect(func() error {
			pf, err := file.NewParquetReader(rr)
			if err != nil {
				return fmt.Errorf("footer: %w: %w", ErrCorrupt, err)
			}
			defer pf.Close()
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, ds.ro.Allocator)
			if err != nil {
				return fmt.Errorf("schema: %w: %w", ErrCorrupt, err)
			}
			s, err = fr.Schema()
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("s3io: read %s: %w", obj.u, err)
		}
		return s, nil
	}
	inner := ds.innerOptions(nil)
	inner.BatchSize = 1
	for b, err := range ds.scanFile(ctx, obj, inner) {
		if err != nil {
			return nil, err
		}
		return b.Schema(), nil
	}
	return nil, nil
}

// innerOptions are the options of one file's read.
func (ds *datasetScan) innerOptions(columns []string) ReadOptions {
	inner := ds.ro
	inner.Columns = columns
	inner.PartitionFilter, inner.PartitionKeys, inner.Partitions, inner.Format = nil, nil, nil, FormatAuto
	inner.Concurrency = max(1, ds.ro.Concurrency/2)
	return inner
}

// scanFile reads one file with its format's scanner.
func (ds *datasetScan) scanFile(ctx context.Context, obj *datasetObject, inner ReadOptions) iter.Seq2[arrow.RecordBatch, error] {
	set := func(o *ReadOptions) { *o = inner }
	switch obj.format {
	case CSV:
		return ds.c.ScanCSV(ctx, obj.u.String(), set)
	case JSONLines:
		return ds.c.ScanJSONLines(ctx, obj.u.String(), set)
	}
	return ds.c.ScanParquet(ctx, obj.u.String(), set)
}

// project resolves ReadOptions.Columns into data and partition columns and
// builds the output schema.
func (ds *datasetScan) project() error {
	keyIdx := map[string]int{}
	for i, k := range ds.keys {
		keyIdx[k.Name] = i
	}
	var fields []arrow.Field
	if len(ds.ro.Columns) == 0 {
		for _, f := range ds.data.Fields() {
			ds.dataOut = append(ds.dataOut, f.Name)
			fields = append(fields, f)
		}
		fields = append(fields, ds.keys...)
		ds.out = arrow.NewSchema(fields, nil)
		return nil
	}
	for _, name := range ds.ro.Columns {
		if i, ok := keyIdx[name]; ok {
			fields = append(fields, ds.keys[i])
			continue
		}
		idx := ds.data.FieldIndices(name)
		if len(idx) == 0 {
			return fmt.Errorf("s3io: %w", &SchemaError{URL: ds.base.String(), Column: name,
				Want: "a column of the dataset", Got: "no such column"})
		}
		ds.dataOut = append(ds.dataOut, name)
		fields = append(fields, ds.data.Field(idx[0]))
	}
	ds.out = arrow.NewSchema(fields, nil)
	return nil
}

// scan decodes the files, Concurrency at a time, in key order, and yields
// their batches conformed to the output schema.
func (ds *datasetScan) scan(ctx context.Context, yield func(arrow.RecordBatch, error) bool) {
	if len(ds.objects) == 0 {
		return
	}
	target, err := emptyFrame(ds.data)
	if err != nil {
		yield(nil, err)
		return
	}
	seq := scanObjects(ctx, len(ds.objects), ds.ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
		obj := &ds.objects[i]
		var cols []string
		readAll := obj.schema == nil // a text file read with the given schema
		if !readAll {
			for _, name := range ds.dataOut {
				if len(obj.schema.FieldIndices(name)) > 0 {
					cols = append(cols, name)
				}
			}
		}
		values := make([]any, len(ds.keys))
		for k, key := range ds.keys {
			values[k], _ = parsePartitionValue(key.Type, ds.leaves[obj.leaf].values[k])
		}
		if !readAll && len(cols) == 0 {
			// Only partition columns (or columns this file lacks): the row
			// count is all that is needed, from any one column.
			cols = []string{obj.schema.Field(0).Name}
		}
		for b, err := range ds.scanFile(ctx, obj, ds.innerOptions(cols)) {
			if err != nil {
				return err
			}
			out, err := ds.conform(target, obj, b, values)
			if err != nil {
				return err
			}
			for j, rec := range out {
				if !emit(rec) {
					// emit released rec; the ones after it were never handed over.
					for _, r := range out[j+1:] {
						r.Release()
					}
					return nil
				}
			}
		}
		return nil
	})
	for ob := range seq {
		if ob.err != nil {
			yield(nil, ob.err)
			return
		}
		ok := yield(ob.batch, nil)
		ob.batch.Release()
		if !ok {
			return
		}
	}
}

// conform casts a file's batch to the dataset's data schema (columns the
// file lacks are null), keeps the projected columns and appends the
// partition columns.
func (ds *datasetScan) conform(target *frame.Frame, obj *datasetObject, b arrow.RecordBatch, values []any) ([]arrow.RecordBatch, error) {
	fail := func(err error) ([]arrow.RecordBatch, error) {
		return nil, fmt.Errorf("s3io: read %s: %w", obj.u, err)
	}
	f, err := frame.FromRecords(b)
	if err != nil {
		return fail(err)
	}
	defer f.Release()
	var keep []string
	for _, name := range f.ColumnNames() {
		if len(ds.data.FieldIndices(name)) > 0 {
			keep = append(keep, name)
		}
	}
	if f, err = f.Select(keep...); err != nil {
		return fail(err)
	}
	u, err := frame.Concat(target, f)
	if err != nil {
		return nil, fmt.Errorf("s3io: %w", &SchemaError{URL: obj.u.String(), Want: ds.data.String(), Got: b.Schema().String(), Err: err})
	}
	defer u.Release()
	for _, want := range ds.data.Fields() {
		col, err := u.Column(want.Name)
		if err != nil {
			return fail(err)
		}
		if !arrow.TypeEqual(col.DataType(), want.Type) {
			if u, err = u.CastColumn(want.Name, want.Type); err != nil {
				return nil, fmt.Errorf("s3io: %w", &SchemaError{URL: obj.u.String(), Column: want.Name,
					Want: want.Type.String(), Got: col.DataType().String(), Err: err})
			}
		}
	}
	n := int(b.NumRows())
	cols := make([]arrow.Array, 0, ds.out.NumFields())
	rdr := u.Records(0)
	defer rdr.Release()
	var out []arrow.RecordBatch
	offset := 0
	for rdr.Next() {
		rec := rdr.RecordBatch()
		m := int(rec.NumRows())
		cols = cols[:0]
		for _, fld := range ds.out.Fields() {
			if idx := rec.Schema().FieldIndices(fld.Name); len(idx) > 0 && slices.Contains(ds.dataOut, fld.Name) {
				a := rec.Column(idx[0])
				a.Retain()
				cols = append(cols, a)
				continue
			}
			for k, key := range ds.keys {
				if key.Name == fld.Name {
					cols = append(cols, constantArray(ds.ro.Allocator, key.Type, values[k], m))
				}
			}
		}
		out = append(out, array.NewRecordBatch(ds.out, cols, int64(m)))
		for _, c := range cols {
			c.Release()
		}
		cols = cols[:0]
		offset += m
	}
	if offset != n {
		for _, r := range out {
			r.Release()
		}
		return fail(fmt.Errorf("conformed %d rows of %d", offset, n))
	}
	return out, nil
}
