package s3io

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/gowrangler/wrangler/frame"
)

// ScanParquet streams Parquet objects as Arrow record batches. url is one
// object, a prefix or a glob; objects are read in key order, up to
// Concurrency at a time, and their batches yielded in that order. With a
// PartitionFilter (or PartitionKeys, or Partitions) it reads url as a
// Hive-partitioned dataset of Parquet files instead, as ScanDataset does.
// Where filters rows and skips row groups (see Where).
//
// Each object is read through a RangeReader: one GET for the footer, then
// for each selected row group (ReadOptions.RowGroups, default all) one
// prefetch of only the projected columns' chunks (ReadOptions.Columns,
// default all), close ranges coalesced and split into 1-8 MiB pieces
// fetched in parallel. Row groups are fetched ahead while earlier ones
// decode, as many as fit in ReadOptions.ReadAhead (default 32 MiB) and at
// least the next one, so memory per object in flight is about ReadAhead
// (or two row groups' projected chunks, when larger) plus the batches
// being decoded.
//
// All objects must have the first object's schema (after projection);
// another schema is a *SchemaError naming the object and the first column
// that differs (ReadParquet unifies instead). A row group that decodes to
// fewer or more rows than its metadata declares is an error wrapping
// ErrCorrupt, as is any input on which the Parquet decoder panics: the
// panic is recovered and reported, never propagated. Batches are valid
// during the loop body only.
func (c *Client) ScanParquet(ctx context.Context, url string, optFns ...func(*ReadOptions)) iter.Seq2[arrow.RecordBatch, error] {
	return c.formatScan(ctx, url, c.readOptions(optFns), Parquet, c.scanParquet)
}

func (c *Client) scanParquet(ctx context.Context, url string, ro ReadOptions) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
		if err != nil {
			yield(nil, err)
			return
		}
		first, err := c.openParquet(ctx, ro, urls[0])
		if err != nil {
			yield(nil, err)
			return
		}
		defer first.close()
		var rows int64
		seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
			po := first
			if i > 0 {
				var err error
				if po, err = c.openParquet(ctx, ro, urls[i]); err != nil {
					return err
				}
				defer po.close()
				if err := sameSchema(urls[i], first.schema, po.schema); err != nil {
					return err
				}
			}
			return po.decode(ctx, emit)
		})
		for ob := range seq {
			if ob.err != nil {
				yield(nil, ob.err)
				return
			}
			rows += ob.batch.NumRows()
			ro.report(Progress{Op: "scan", URL: urls[ob.object].String(), Objects: ob.object, Rows: rows})
			ok := yield(ob.batch, nil)
			ob.batch.Release()
			if !ok {
				return
			}
		}
	}
}

// ReadParquet reads Parquet objects into one frame, unifying the objects'
// schemas as ReadCSV does.
func (c *Client) ReadParquet(ctx context.Context, url string, optFns ...func(*ReadOptions)) (*frame.Frame, error) {
	return c.formatRead(ctx, url, c.readOptions(optFns), Parquet, c.readParquet)
}

func (c *Client) readParquet(ctx context.Context, url string, ro ReadOptions) (*frame.Frame, error) {
	urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
	if err != nil {
		return nil, err
	}
	perObject := make([][]arrow.RecordBatch, len(urls))
	schemas := make([]*arrow.Schema, len(urls))
	seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
		po, err := c.openParquet(ctx, ro, urls[i])
		if err != nil {
			return err
		}
		defer po.close()
		schemas[i] = po.schema
		return po.decode(ctx, emit)
	})
	for ob := range seq {
		if ob.err != nil {
			return nil, ob.err
		}
		perObject[ob.object] = append(perObject[ob.object], ob.batch)
	}
	return framesOf(urls, schemas, perObject)
}

// sameSchema checks that an object's schema is the scan's.
func sameSchema(u URL, want, got *arrow.Schema) error {
	if want.Equal(got) {
		return nil
	}
	for i, f := range want.Fields() {
		idx := got.FieldIndices(f.Name)
		switch {
		case len(idx) == 0:
			return fmt.Errorf("s3io: %w", &SchemaError{URL: u.String(), Column: f.Name, Want: f.Type.String(), Got: "no such column"})
		case !arrow.TypeEqual(got.Field(idx[0]).Type, f.Type):
			return fmt.Errorf("s3io: %w", &SchemaError{URL: u.String(), Column: f.Name, Want: f.Type.String(), Got: got.Field(idx[0]).Type.String()})
		case idx[0] != i:
			return fmt.Errorf("s3io: %w", &SchemaError{URL: u.String(), Column: f.Name, Want: fmt.Sprintf("column %d", i), Got: fmt.Sprintf("column %d", idx[0])})
		}
	}
	for _, f := range got.Fields() {
		if len(want.FieldIndices(f.Name)) == 0 {
			return fmt.Errorf("s3io: %w", &SchemaError{URL: u.String(), Column: f.Name, Want: "no such column", Got: f.Type.String()})
		}
	}
	return fmt.Errorf("s3io: %w", &SchemaError{URL: u.String(), Want: want.String(), Got: got.String()})
}

// parquetObject is one opened Parquet object.
type parquetObject struct {
	u      URL
	ro     ReadOptions
	rr     *RangeReader
	pf     *file.Reader
	fr     *pqarrow.FileReader
	leaves []int // projected leaf column indices
	groups []int // selected row groups
	schema *arrow.Schema
	// columns are the top-level columns read, in batch order, and repairs
	// the legacy list shapes among them to fix (parquet_legacy.go).
	columns []int
	repairs []legacyListRepair
	// fb, when set, reads the object instead of pf and fr: pqarrow refused
	// it for a reason the parquet-go fallback handles (parquet_fallback.go).
	fb *parquetGoObject
}

// protect runs fn, turning a panic of the arrow-go Parquet decoder into an
// error.
func protect(fn func() error) error { return protectLib("arrow-go", fn) }

// protectLib runs fn, turning a panic of the named Parquet library into an
// error.
func protectLib(lib string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the %s Parquet decoder panicked (recovered): %v: %w", lib, r, ErrCorrupt)
		}
	}()
	return fn()
}

// openParquet reads an object's footer and resolves the projection.
func (c *Client) openParquet(ctx context.Context, ro ReadOptions, u URL) (*parquetObject, error) {
	rr, err := c.NewRangeReader(ctx, u.String(), func(o *Options) { *o = ro.Options })
	if err != nil {
		return nil, err
	}
	po := &parquetObject{u: u, ro: ro, rr: rr}
	err = protect(func() error {
		var err error
		if po.pf, err = file.NewParquetReader(rr); err != nil {
			return fmt.Errorf("footer: %w: %w", ErrCorrupt, err)
		}
		po.fr, err = pqarrow.NewFileReader(po.pf, pqarrow.ArrowReadProperties{BatchSize: int64(ro.BatchSize), Parallel: true}, ro.Allocator)
		if err != nil {
			return fmt.Errorf("schema: %w: %w", ErrCorrupt, err)
		}
		return po.project()
	})
	if needsParquetFallback(err) {
		// pqarrow refuses a file parquet-go reads (an optional MAP key as
		// Athena CTAS writes it, a logical type from a newer format): read
		// it with parquet-go. Any other refusal stands.
		if po.pf != nil {
			po.pf.Close()
			po.pf, po.fr = nil, nil
		}
		po.leaves = nil
		ferr := protectLib("parquet-go", func() error {
			fb, err := openParquetGo(rr, rr.Size(), u, ro.Columns)
			if err != nil {
				return err
			}
			groups, err := selectRowGroups(ro.RowGroups, fb.numRowGroups())
			if err != nil {
				return err
			}
			po.fb, po.schema, po.groups = fb, fb.schema, groups
			return nil
		})
		if ferr == nil {
			return po, nil
		}
		err = fmt.Errorf("%w (%w: %w)", err, errNoFallback, ferr)
	}
	if err != nil {
		po.close()
		return nil, fmt.Errorf("s3io: read %s: %w", u, err)
	}
	return po, nil
}

// selectRowGroups resolves ReadOptions.RowGroups against a file of n row
// groups: all of them when nil.
func selectRowGroups(want []int, n int) ([]int, error) {
	if want == nil {
		groups := make([]int, n)
		for i := range groups {
			groups[i] = i
		}
		return groups, nil
	}
	for _, g := range want {
		if g < 0 || g >= n {
			return nil, fmt.Errorf("row group %d of %d: %w", g, n, ErrInvalidOption)
		}
	}
	return slices.Clone(want), nil
}

// project resolves Columns to leaf indices and RowGroups to row groups.
func (po *parquetObject) project() error {
	full, err := po.fr.Schema()
	if err != nil {
		return fmt.Errorf("schema: %w: %w", ErrCorrupt, err)
	}
	manifest := po.fr.Manifest
	po.repairs = findLegacyLists(full, po.pf.MetaData().Schema.Root())
	repaired := repairSchema(full, po.repairs)
	fields := make([]arrow.Field, 0, len(full.Fields()))
	pick := func(i int) {
		fields = append(fields, repaired.Field(i))
		po.columns = append(po.columns, i)
		po.leaves = append(po.leaves, leafIndices(manifest.Fields[i])...)
	}
	if len(po.ro.Columns) == 0 {
		for i := range full.NumFields() {
			pick(i)
		}
	} else {
		for _, name := range po.ro.Columns {
			idx := full.FieldIndices(name)
			if len(idx) == 0 {
				return &SchemaError{URL: po.u.String(), Column: name, Want: "a column of the file", Got: "no such column"}
			}
			pick(idx[0])
		}
	}
	po.schema = arrow.NewSchema(fields, nil)
	if po.groups, err = selectRowGroups(po.ro.RowGroups, po.pf.NumRowGroups()); err != nil {
		return err
	}
	po.pruneRowGroups(full)
	return nil
}

// pruneRowGroups drops the selected row groups in which the statistics of
// a column named by one of the read's prune conditions (its Where, see
// filteredScan) prove that no row can match. Only top-level columns with
// trusted statistics (arrow-go's StatsSet, which distrusts those of
// writers known to get them wrong) take part; conditions on other columns
// (or on columns this file lacks) prune nothing.
func (po *parquetObject) pruneRowGroups(full *arrow.Schema) {
	if len(po.ro.prune) == 0 {
		return
	}
	md := po.pf.MetaData()
	po.groups = slices.DeleteFunc(po.groups, func(g int) bool {
		rg := md.RowGroup(g)
		for _, c := range po.ro.prune {
			idx := full.FieldIndices(c.Column)
			if len(idx) == 0 {
				continue
			}
			field := po.fr.Manifest.Fields[idx[0]]
			if !field.IsLeaf() {
				continue
			}
			cc, err := rg.ColumnChunk(field.ColIndex)
			if err != nil {
				continue
			}
			st, err := cc.Statistics()
			if err != nil || st == nil {
				continue
			}
			if statsRuleOut(c, st, rg.NumRows(), full.Field(idx[0]).Type) {
				return true
			}
		}
		return false
	})
}

func leafIndices(f pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return []int{f.ColIndex}
	}
	var out []int
	for _, ch := range f.Children {
		out = append(out, leafIndices(ch)...)
	}
	return out
}

func (po *parquetObject) close() {
	if po.pf != nil {
		po.pf.Close()
		po.pf = nil
	}
	if po.rr != nil {
		po.rr.Release()
	}
}

// decode reads the selected row groups in order while it fetches the
// ones after: as many row groups ahead as fit in ReadOptions.ReadAhead
// bytes of projected chunks (always at least the next one), so that the
// fetches' first-byte latencies overlap each other and the decoding. The
// chunks held are those in flight plus the row group decoding.
func (po *parquetObject) decode(ctx context.Context, emit func(arrow.RecordBatch) bool) error {
	if po.fb != nil {
		return po.decodeFallback(ctx, emit)
	}
	if len(po.leaves) == 0 || len(po.groups) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type pending struct {
		g     int
		bytes int64
		wait  func() ([]block, error)
	}
	var queue []pending
	var held int64 // bytes of the queued row groups and the one decoding
	next := 0      // index into po.groups of the next row group to fetch
	fill := func() {
		for next < len(po.groups) {
			g := po.groups[next]
			ranges, size, err := po.rowGroupRanges(g)
			if len(queue) > 0 && held+size > po.ro.ReadAhead {
				return
			}
			wait := func() ([]block, error) { return nil, err }
			if err == nil {
				wait = po.rr.startPrefetch(ctx, ranges)
			}
			queue = append(queue, pending{g: g, bytes: size, wait: wait})
			held += size
			next++
		}
	}
	// On an early return the fetches in flight are cancelled and their
	// blocks dropped once they end.
	defer func() {
		cancel()
		for _, p := range queue {
			blocks, _ := p.wait()
			po.rr.drop(blocks)
		}
	}()
	fill()
	for len(queue) > 0 {
		p := queue[0]
		blocks, err := p.wait()
		queue = queue[1:]
		if err != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fmt.Errorf("s3io: read %s row group %d: %w", po.u, p.g, err)
		}
		fill()
		stopped := false
		err = protect(func() error {
			var err error
			stopped, err = po.decodeRowGroup(ctx, p.g, emit)
			return err
		})
		po.rr.drop(blocks)
		held -= p.bytes
		if err != nil {
			return fmt.Errorf("s3io: read %s row group %d: %w", po.u, p.g, err)
		}
		if stopped {
			return nil
		}
	}
	return nil
}

// rowGroupRanges lists row group g's projected column chunks as
// [offset, length] ranges, with their total size.
func (po *parquetObject) rowGroupRanges(g int) (ranges [][2]int64, size int64, err error) {
	err = protect(func() error {
		rg := po.pf.MetaData().RowGroup(g)
		for _, leaf := range po.leaves {
			cc, err := rg.ColumnChunk(leaf)
			if err != nil {
				return fmt.Errorf("column chunk %d: %w: %w", leaf, ErrCorrupt, err)
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			ranges = append(ranges, [2]int64{start, cc.TotalCompressedSize()})
			size += max(cc.TotalCompressedSize(), 0)
		}
		return nil
	})
	return ranges, size, err
}

func (po *parquetObject) decodeRowGroup(ctx context.Context, g int, emit func(arrow.RecordBatch) bool) (stopped bool, err error) {
	rg := po.pf.MetaData().RowGroup(g)
	rdr, err := po.fr.GetRecordReader(ctx, po.leaves, []int{g})
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	defer rdr.Release()
	var rows int64
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rows += rec.NumRows()
		rec.Retain()
		rec, err := repairBatch(rec, po.repairs, po.columns)
		if err != nil {
			return false, err
		}
		if !emit(rec) {
			return true, nil
		}
	}
	if err := rdr.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return false, fmt.Errorf("%w: %w", ErrCorrupt, err)
	} else if err != nil {
		return false, err
	}
	if want := rg.NumRows(); rows != want {
		return false, fmt.Errorf("decoded %d rows, the metadata declares %d: %w", rows, want, ErrCorrupt)
	}
	return false, nil
}

// decodeFallback reads the selected row groups with parquet-go.
func (po *parquetObject) decodeFallback(ctx context.Context, emit func(arrow.RecordBatch) bool) error {
	if len(po.schema.Fields()) == 0 {
		return nil
	}
	for _, g := range po.groups {
		if err := ctx.Err(); err != nil {
			return err
		}
		stopped := false
		err := protectLib("parquet-go", func() error {
			var err error
			stopped, err = po.fb.decodeRowGroup(ctx, g, po.ro.BatchSize, po.ro.Allocator, emit)
			return err
		})
		po.rr.Release()
		if err != nil {
			return fmt.Errorf("s3io: read %s row group %d (parquet-go fallback): %w", po.u, g, err)
		}
		if stopped {
			return nil
		}
	}
	return nil
}
