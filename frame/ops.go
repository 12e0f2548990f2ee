package frame

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Select returns a frame with only the named columns, in the order given.
// Naming a column twice or naming an unknown column is an error.
func (f *Frame) Select(names ...string) (*Frame, error) {
	f = f.orEmpty()
	fields := make([]arrow.Field, len(names))
	cols := make([]*arrow.Chunked, len(names))
	seen := make(map[string]struct{}, len(names))
	for i, name := range names {
		if _, dup := seen[name]; dup {
			return nil, fmt.Errorf("frame: select column %q: %w", name, ErrDuplicateColumn)
		}
		seen[name] = struct{}{}
		j, err := f.columnIndex(name)
		if err != nil {
			return nil, fmt.Errorf("frame: select: %w", err)
		}
		fields[i], cols[i] = f.schema.Field(j), f.cols[j]
	}
	return f.derive(fields, cols), nil
}

// Drop returns a frame without the named columns. Naming an unknown column is
// an error, because a misspelt name would otherwise silently keep the column.
func (f *Frame) Drop(names ...string) (*Frame, error) {
	f = f.orEmpty()
	drop := make(map[int]struct{}, len(names))
	for _, name := range names {
		j, err := f.columnIndex(name)
		if err != nil {
			return nil, fmt.Errorf("frame: drop: %w", err)
		}
		drop[j] = struct{}{}
	}
	fields := make([]arrow.Field, 0, f.NumCols()-len(drop))
	cols := make([]*arrow.Chunked, 0, f.NumCols()-len(drop))
	for j := range f.NumCols() {
		if _, ok := drop[j]; !ok {
			fields, cols = append(fields, f.schema.Field(j)), append(cols, f.cols[j])
		}
	}
	return f.derive(fields, cols), nil
}

// Rename returns a frame with column oldName called newName. Renaming onto
// another existing column's name is an error.
func (f *Frame) Rename(oldName, newName string) (*Frame, error) {
	return f.RenameMap(map[string]string{oldName: newName})
}

// RenameMap returns a frame with each column named by a key of renames
// called by the corresponding value. Renames apply at once, so swapping two
// names works; a result with duplicate names is an error.
func (f *Frame) RenameMap(renames map[string]string) (*Frame, error) {
	f = f.orEmpty()
	fields := append([]arrow.Field(nil), f.Schema().Fields()...)
	for oldName, newName := range renames {
		j, err := f.columnIndex(oldName)
		if err != nil {
			return nil, fmt.Errorf("frame: rename: %w", err)
		}
		fields[j].Name = newName
	}
	seen := make(map[string]struct{}, len(fields))
	for _, fld := range fields {
		if _, dup := seen[fld.Name]; dup {
			return nil, fmt.Errorf("frame: rename: column %q: %w", fld.Name, ErrDuplicateColumn)
		}
		seen[fld.Name] = struct{}{}
	}
	return f.derive(fields, append([]*arrow.Chunked(nil), f.cols...)), nil
}

// Reorder returns a frame whose first columns are the named ones, in the
// order given, followed by the other columns in their current order.
func (f *Frame) Reorder(names ...string) (*Frame, error) {
	f = f.orEmpty()
	first := make(map[int]struct{}, len(names))
	order := make([]int, 0, f.NumCols())
	for _, name := range names {
		j, err := f.columnIndex(name)
		if err != nil {
			return nil, fmt.Errorf("frame: reorder: %w", err)
		}
		if _, dup := first[j]; dup {
			return nil, fmt.Errorf("frame: reorder column %q: %w", name, ErrDuplicateColumn)
		}
		first[j] = struct{}{}
		order = append(order, j)
	}
	for j := range f.NumCols() {
		if _, ok := first[j]; !ok {
			order = append(order, j)
		}
	}
	fields := make([]arrow.Field, len(order))
	cols := make([]*arrow.Chunked, len(order))
	for i, j := range order {
		fields[i], cols[i] = f.schema.Field(j), f.cols[j]
	}
	return f.derive(fields, cols), nil
}

// Head returns the first n rows (all rows if n exceeds them, none if n is
// negative), sharing memory with f.
func (f *Frame) Head(n int) *Frame {
	n = min(max(n, 0), f.NumRows())
	return f.slice(0, n)
}

// Tail returns the last n rows (all rows if n exceeds them, none if n is
// negative), sharing memory with f.
func (f *Frame) Tail(n int) *Frame {
	n = min(max(n, 0), f.NumRows())
	return f.slice(f.NumRows()-n, n)
}

// Slice returns n rows starting at offset, sharing memory with f. A count
// running past the end is cut at the end, as in Polars; a negative offset or
// count, or an offset past the end, is an error.
func (f *Frame) Slice(offset, n int) (*Frame, error) {
	if offset < 0 || n < 0 || offset > f.NumRows() {
		return nil, fmt.Errorf("frame: slice offset %d length %d of %d rows: %w", offset, n, f.NumRows(), ErrOutOfRange)
	}
	return f.slice(offset, min(n, f.NumRows()-offset)), nil
}

// slice is Slice without checks; the range must be within the frame.
func (f *Frame) slice(offset, n int) *Frame {
	f = f.orEmpty()
	if offset == 0 && n == f.NumRows() {
		return f.derive(f.Schema().Fields(), append([]*arrow.Chunked(nil), f.cols...))
	}
	cols := make([]*arrow.Chunked, f.NumCols())
	for i, c := range f.cols {
		cols[i] = array.NewChunkedSlice(c, int64(offset), int64(offset+n))
	}
	return newFrame(f.schema, cols, n)
}

// Sample returns n rows chosen uniformly at random without replacement, in
// their original order, deterministically for a given seed. n larger than
// the frame returns every row; a negative n is an error.
func (f *Frame) Sample(n int, seed uint64, optFns ...func(*Options)) (*Frame, error) {
	if n < 0 {
		return nil, fmt.Errorf("frame: sample %d rows: %w", n, ErrOutOfRange)
	}
	rows := f.NumRows()
	if n >= rows {
		return f.slice(0, rows), nil
	}
	// Selection sampling (Knuth's algorithm S): one pass, exactly n rows,
	// each subset equally likely, and the mask keeps the original order.
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	mask := make([]bool, rows)
	need := n
	for i := 0; i < rows && need > 0; i++ {
		if rng.Uint64N(uint64(rows-i)) < uint64(need) {
			mask[i] = true
			need--
		}
	}
	out, err := f.FilterMask(mask, optFns...)
	if err != nil {
		return nil, fmt.Errorf("frame: sample: %w", err)
	}
	return out, nil
}

// FilterMask returns the rows where mask is true. The mask must have one
// entry per row.
func (f *Frame) FilterMask(mask []bool, optFns ...func(*Options)) (*Frame, error) {
	if len(mask) != f.NumRows() {
		return nil, fmt.Errorf("frame: filter mask has %d entries, want %d (one per row): %w", len(mask), f.NumRows(), ErrLengthMismatch)
	}
	o := resolveOptions(optFns)
	b := array.NewBooleanBuilder(o.Allocator)
	defer b.Release()
	b.AppendValues(mask, nil)
	arr := b.NewArray()
	defer arr.Release()
	return f.FilterArray(arr, optFns...)
}

// FilterArray returns the rows where the boolean array mask is true. A null
// in the mask drops its row, as a SQL WHERE clause does.
func (f *Frame) FilterArray(mask arrow.Array, optFns ...func(*Options)) (*Frame, error) {
	if mask == nil {
		return nil, fmt.Errorf("frame: filter: nil mask: %w", ErrInvalidArgument)
	}
	c := arrow.NewChunked(mask.DataType(), []arrow.Array{mask})
	defer c.Release()
	return f.FilterChunked(c, optFns...)
}

// FilterChunked returns the rows where the boolean chunked mask is true. A
// null in the mask drops its row, as a SQL WHERE clause does. The mask's
// chunks need not line up with the columns' chunks.
//
// The frame is walked in runs that lie within one chunk of the mask and of
// every column. Runs where the mask is all true are shared with f without
// copy and runs where it is all false are skipped; for the rest the selected
// positions are computed once and every column goes through arrow compute's
// take kernel, so the result has one chunk per such run. (arrow-go v18.8's
// filter kernel returns wrong values for boolean columns with nulls; take
// does not, and sharing the indices across columns is cheaper anyway.)
func (f *Frame) FilterChunked(mask *arrow.Chunked, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	if mask == nil {
		return nil, fmt.Errorf("frame: filter: nil mask: %w", ErrInvalidArgument)
	}
	if mask.DataType().ID() != arrow.BOOL {
		return nil, fmt.Errorf("frame: filter mask is %s, want bool: %w", mask.DataType(), ErrTypeMismatch)
	}
	if mask.Len() != f.NumRows() {
		return nil, fmt.Errorf("frame: filter mask has %d entries, want %d (one per row): %w", mask.Len(), f.NumRows(), ErrLengthMismatch)
	}
	o := resolveOptions(optFns)
	ctx := compute.WithAllocator(context.Background(), o.Allocator)
	takeOpts := compute.TakeOptions{BoundsCheck: false}

	out := make([][]arrow.Array, f.NumCols())
	fail := func(err error) (*Frame, error) {
		for _, chunks := range out {
			for _, a := range chunks {
				a.Release()
			}
		}
		return nil, err
	}
	rows := 0
	var idx []int32
	all := append([]*arrow.Chunked{mask}, f.cols...)
	err := forEachRun(all, f.NumRows(), func(start int, run []arrow.Array) error {
		m, ok := run[0].(*array.Boolean)
		if !ok {
			return fmt.Errorf("filter mask chunk is %T, want *array.Boolean: %w", run[0], ErrTypeMismatch)
		}
		n := m.Len()
		if n > int(maxInt32) {
			return fmt.Errorf("filter rows %d..%d: a chunk of more than %d rows: %w", start, start+n, maxInt32, ErrOutOfRange)
		}
		idx = selectedIndices(m, idx[:0])
		rows += len(idx)
		switch len(idx) {
		case 0:
			return nil
		case n:
			for i, a := range run[1:] {
				a.Retain()
				out[i] = append(out[i], a)
			}
			return nil
		}
		// The indices array borrows idx's Go memory; take copies what it
		// selects, so idx can be reused for the next run.
		data := array.NewData(arrow.PrimitiveTypes.Int32, len(idx),
			[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(idx))}, nil, 0, 0)
		indices := array.MakeFromData(data)
		data.Release()
		defer indices.Release()
		for i, a := range run[1:] {
			r, err := compute.TakeArrayOpts(ctx, a, indices, takeOpts)
			if err != nil {
				return fmt.Errorf("filter column %q rows %d..%d: %w", f.schema.Field(i).Name, start, start+n, err)
			}
			out[i] = append(out[i], r)
		}
		return nil
	})
	if err != nil {
		return fail(fmt.Errorf("frame: %w", err))
	}
	cols := make([]*arrow.Chunked, f.NumCols())
	for i, chunks := range out {
		cols[i] = arrow.NewChunked(f.schema.Field(i).Type, chunks)
		for _, a := range chunks {
			a.Release()
		}
	}
	return newFrame(f.schema, cols, rows), nil
}

// selectedIndices appends to dst the positions where m is valid and true,
// eight mask bits at a time.
func selectedIndices(m *array.Boolean, dst []int32) []int32 {
	n, off := m.Len(), m.Data().Offset()
	vals := m.Data().Buffers()[1].Bytes()
	var valid []byte
	if m.NullN() > 0 {
		valid = m.NullBitmapBytes()
	}
	selected := func(i int) bool {
		return bitutil.BitIsSet(vals, off+i) && (valid == nil || bitutil.BitIsSet(valid, off+i))
	}
	i := 0
	for ; i < n && (off+i)%8 != 0; i++ {
		if selected(i) {
			dst = append(dst, int32(i))
		}
	}
	for ; i+8 <= n; i += 8 {
		k := (off + i) / 8
		b := vals[k]
		if valid != nil {
			b &= valid[k]
		}
		for b != 0 {
			dst = append(dst, int32(i+bits.TrailingZeros8(b)))
			b &= b - 1
		}
	}
	for ; i < n; i++ {
		if selected(i) {
			dst = append(dst, int32(i))
		}
	}
	return dst
}

// forEachRun walks rows [0, rows) in runs that lie within a single chunk of
// every column, calling fn with the run's start and, per column, an array
// covering exactly the run (released after fn returns). Aligning runs this
// way lets kernels work on plain arrays without ever concatenating chunks.
func forEachRun(cols []*arrow.Chunked, rows int, fn func(start int, run []arrow.Array) error) error {
	it := newRunIter(cols, rows)
	for {
		start, run, ok := it.next(0)
		if !ok {
			return nil
		}
		err := fn(start, run)
		releaseAll(run)
		if err != nil {
			return err
		}
	}
}

// releaseAll releases every array in arrs and clears the slice's entries.
func releaseAll(arrs []arrow.Array) {
	for i, a := range arrs {
		if a != nil {
			a.Release()
		}
		arrs[i] = nil
	}
}

// runIter yields consecutive row runs that lie within one chunk of every
// column, so each run is a zero-copy slice of every column.
type runIter struct {
	cols  []*arrow.Chunked
	rows  int
	start int
	chunk []int // per column: index of the chunk holding row start
	base  []int // per column: row at which that chunk begins
	run   []arrow.Array
}

func newRunIter(cols []*arrow.Chunked, rows int) *runIter {
	return &runIter{
		cols:  cols,
		rows:  rows,
		chunk: make([]int, len(cols)),
		base:  make([]int, len(cols)),
		run:   make([]arrow.Array, len(cols)),
	}
}

// next returns the next run, at most limit rows long when limit > 0. The
// returned arrays are new references owned by the caller, and the slice is
// reused by the following call.
func (it *runIter) next(limit int) (start int, run []arrow.Array, ok bool) {
	start = it.start
	if start >= it.rows {
		return start, nil, false
	}
	end := it.rows
	if limit > 0 {
		end = min(end, start+limit)
	}
	for i, c := range it.cols {
		// Skip chunks that end at or before start, including empty ones.
		for start >= it.base[i]+c.Chunk(it.chunk[i]).Len() {
			it.base[i] += c.Chunk(it.chunk[i]).Len()
			it.chunk[i]++
		}
		end = min(end, it.base[i]+c.Chunk(it.chunk[i]).Len())
	}
	for i, c := range it.cols {
		a := c.Chunk(it.chunk[i])
		lo, hi := start-it.base[i], end-it.base[i]
		if lo == 0 && hi == a.Len() {
			a.Retain()
			it.run[i] = a
		} else {
			it.run[i] = array.NewSlice(a, int64(lo), int64(hi))
		}
	}
	it.start = end
	return start, it.run, true
}
