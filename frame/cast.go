package frame

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Cast returns a frame with each column named in types converted to its
// type with Arrow's cast kernel; the other columns are shared with f.
//
// Casts are safe: a value the target type cannot hold (300 as int8, 2.5 as
// int32, a string that is not a number) is an error naming the column,
// never a wrapped or truncated value; a finite float64 beyond float32's
// range is ErrOutOfRange naming the column and row, while NaN and infinities
// convert as they are. Columns are cast in frame order, so
// the error names the first bad one.
func (f *Frame) Cast(types map[string]arrow.DataType, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	targets := make(map[int]arrow.DataType, len(types))
	names := make([]string, 0, len(types))
	for name := range types {
		names = append(names, name)
	}
	slices.Sort(names) // a deterministic error for the first unknown name
	for _, name := range names {
		i, err := f.columnIndex(name)
		if err != nil {
			return nil, fmt.Errorf("frame: cast: %w", err)
		}
		if types[name] == nil {
			return nil, fmt.Errorf("frame: cast column %q to a nil type: %w", name, ErrInvalidArgument)
		}
		targets[i] = types[name]
	}
	mem := resolveOptions(optFns).Allocator
	fields := append([]arrow.Field(nil), f.Schema().Fields()...)
	cols := append([]*arrow.Chunked(nil), f.cols...)
	var made []*arrow.Chunked
	defer func() {
		for _, c := range made {
			c.Release()
		}
	}()
	for i := range cols {
		dt, ok := targets[i]
		if !ok || arrow.TypeEqual(dt, cols[i].DataType()) {
			continue
		}
		c, err := castColumn(mem, cols[i], compute.SafeCastOptions(dt))
		if err != nil {
			return nil, fmt.Errorf("frame: cast column %q: %w", fields[i].Name, err)
		}
		made = append(made, c)
		cols[i] = c
		fields[i].Type = dt
	}
	return f.derive(fields, cols), nil
}

// CastColumn is Cast for one column.
func (f *Frame) CastColumn(name string, dt arrow.DataType, optFns ...func(*Options)) (*Frame, error) {
	return f.Cast(map[string]arrow.DataType{name: dt}, optFns...)
}

// castColumn casts every chunk of col with opts; the caller owns the
// result. It is castChunked with the options left to the caller: Concat
// widens int64 to float64 accepting rounding, which the safe cast refuses.
// Errors name both types.
func castColumn(mem memory.Allocator, col *arrow.Chunked, opts *compute.CastOptions) (*arrow.Chunked, error) {
	dt := opts.ToType
	if arrow.TypeEqual(col.DataType(), dt) {
		col.Retain()
		return col, nil
	}
	if !compute.CanCast(col.DataType(), dt) {
		return nil, fmt.Errorf("cannot cast %s to %s: %w", col.DataType(), dt, ErrTypeMismatch)
	}
	ctx := compute.WithAllocator(context.Background(), mem)
	chunks := make([]arrow.Array, 0, len(col.Chunks()))
	defer func() {
		for _, c := range chunks {
			c.Release()
		}
	}()
	row := 0
	for _, c := range col.Chunks() {
		out, err := compute.CastArray(ctx, c, opts)
		if err != nil {
			return nil, fmt.Errorf("cast %s to %s: %w", col.DataType(), dt, err)
		}
		chunks = append(chunks, out)
		if i := float32Overflow(c, out); i >= 0 {
			return nil, fmt.Errorf("cast %s to %s: row %d: %w", col.DataType(), dt, row+i, float32OverflowError(c, i))
		}
		row += c.Len()
	}
	return arrow.NewChunked(dt, chunks), nil
}

// float32Overflow returns the first row where casting in (float64) to out
// (float32) turned a finite value into an infinity, or -1. Arrow's cast
// checks no range between float types, so 1e300 would silently become
// +Inf; NaN and infinite inputs stay as they are and are not reported.
func float32Overflow(in, out arrow.Array) int {
	src, ok := in.(*array.Float64)
	if !ok {
		return -1
	}
	dst, ok := out.(*array.Float32)
	if !ok {
		return -1
	}
	sv, dv := src.Float64Values(), dst.Float32Values()
	for i, v := range dv {
		if math.IsInf(float64(v), 0) && !math.IsInf(sv[i], 0) && src.IsValid(i) {
			return i
		}
	}
	return -1
}

// float32OverflowError describes the value at row i of a float64 array
// that float32 cannot hold.
func float32OverflowError(in arrow.Array, i int) error {
	return fmt.Errorf("value %g overflows float32: %w", in.(*array.Float64).Value(i), ErrOutOfRange)
}
