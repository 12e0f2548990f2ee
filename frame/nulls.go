package frame

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// FillNull returns a frame whose column named column has value in place of
// every null; the other columns, and the chunks of the column that have no
// null, are shared with f.
//
// value is a Go value of the column's kind, converted as expression
// literals are (see Lit): an int for any integer column if it fits, a
// float for a float column, a string for a string column, a time.Time for
// a timestamp or date column. A value of another kind, or one the column
// cannot hold exactly (300 for int8, 2.5 for int64), is an error naming
// the column and both types; so is nil.
func (f *Frame) FillNull(column string, value any, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	i, err := f.columnIndex(column)
	if err != nil {
		return nil, fmt.Errorf("frame: fill null: %w", err)
	}
	col := f.cols[i]
	dt := col.DataType()
	if value == nil {
		return nil, fmt.Errorf("frame: fill null in column %q: nil value: %w", column, ErrInvalidArgument)
	}
	lit := newLit(value)
	if lit.err != nil {
		return nil, fmt.Errorf("frame: fill null in column %q: %w", column, lit.err)
	}
	sc, exact, ok := lit.scalarAs(dt)
	switch {
	case !ok:
		return nil, fmt.Errorf("frame: fill null in column %q of type %s with %s of type %s: %w", column, dt, lit, lit.natural, ErrTypeMismatch)
	case !exact:
		return nil, fmt.Errorf("frame: fill null in column %q of type %s: %s does not fit: %w", column, dt, lit, ErrOutOfRange)
	}
	if col.NullN() == 0 {
		return f.slice(0, f.NumRows()), nil
	}
	mem := resolveOptions(optFns).Allocator
	fill, err := scalar.MakeArrayFromScalar(sc, 1, mem)
	if err != nil {
		return nil, fmt.Errorf("frame: fill null in column %q: %w", column, err)
	}
	defer fill.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	var chunks []arrow.Array
	defer func() {
		for _, c := range chunks {
			c.Release()
		}
	}()
	var idx []int64
	for _, chunk := range col.Chunks() {
		if chunk.NullN() == 0 {
			chunk.Retain()
			chunks = append(chunks, chunk)
			continue
		}
		// Take from the chunk followed by the fill value: each row takes
		// itself, each null the value just past the chunk's end.
		n := chunk.Len()
		idx = idx[:0]
		bm, off := chunk.NullBitmapBytes(), chunk.Data().Offset()
		for k := range n {
			if bm != nil && bitutil.BitIsSet(bm, off+k) {
				idx = append(idx, int64(k))
			} else {
				idx = append(idx, int64(n))
			}
		}
		both := arrow.NewChunked(dt, []arrow.Array{chunk, fill})
		indices := indexArray(mem, idx)
		filled, err := takeChunked(ctx, both, indices)
		indices.Release()
		both.Release()
		if err != nil {
			return nil, fmt.Errorf("frame: fill null in column %q: %w", column, err)
		}
		for _, c := range filled.Chunks() {
			c.Retain()
			chunks = append(chunks, c)
		}
		filled.Release()
	}
	out := arrow.NewChunked(dt, chunks)
	defer out.Release()
	return f.withColumn(column, out), nil
}

// DropNulls returns the rows that have no null in any of the named
// columns, or in any column when none is named. A NaN is a value, not a
// null. It is DropNullsWithOptions with the default options.
func (f *Frame) DropNulls(columns ...string) (*Frame, error) {
	return f.DropNullsWithOptions(columns)
}

// DropNullsWithOptions is DropNulls with options, such as an allocator.
// When no row has a null the result shares every column with f.
func (f *Frame) DropNullsWithOptions(columns []string, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	cols := f.cols
	if len(columns) > 0 {
		cols = make([]*arrow.Chunked, len(columns))
		for k, name := range columns {
			i, err := f.columnIndex(name)
			if err != nil {
				return nil, fmt.Errorf("frame: drop nulls: %w", err)
			}
			cols[k] = f.cols[i]
		}
	}
	var keep []bool
	for _, col := range cols {
		if col.NullN() == 0 {
			continue
		}
		if keep == nil {
			keep = make([]bool, f.NumRows())
			for i := range keep {
				keep[i] = true
			}
		}
		pos := 0
		for _, chunk := range col.Chunks() {
			n := chunk.Len()
			if chunk.NullN() > 0 {
				bm, off := chunk.NullBitmapBytes(), chunk.Data().Offset()
				for k := range n {
					if bm == nil || !bitutil.BitIsSet(bm, off+k) {
						keep[pos+k] = false
					}
				}
			}
			pos += n
		}
	}
	if keep == nil {
		return f.slice(0, f.NumRows()), nil
	}
	out, err := f.FilterMask(keep, optFns...)
	if err != nil {
		return nil, fmt.Errorf("frame: drop nulls: %w", err)
	}
	return out, nil
}
