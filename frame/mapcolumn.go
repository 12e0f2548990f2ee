package frame

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// MapColumn returns a frame with fn applied to each value of column src,
// as the column dst: in place of the column of that name if there is one,
// else appended. It is the escape hatch for what expressions cannot say,
// typed at both ends: In must match src's type as for Values (int64 for an
// int64 column, string for a string column, time.Time for timestamps and
// dates, ...), and the result column has Out's Arrow type (int for Go's int
// is int64; time.Time becomes a UTC timestamp in microseconds).
//
// fn is not called for null rows, which stay null. Each chunk is converted
// to a Go slice once and mapped by a plain loop, so the cost per row is one
// direct call of fn, with no boxing. A time.Time result outside the range
// of a microsecond timestamp is an error naming the row.
func MapColumn[In, Out Scalar](f *Frame, src, dst string, fn func(In) Out, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	if fn == nil {
		return nil, fmt.Errorf("frame: map column %q: nil function: %w", src, ErrInvalidArgument)
	}
	i, err := f.columnIndex(src)
	if err != nil {
		return nil, fmt.Errorf("frame: map column: %w", err)
	}
	col := f.cols[i]
	var zeroIn In
	if !scalarFits(any(zeroIn), col.DataType()) {
		return nil, fmt.Errorf("frame: map column %q of type %s: cannot read it as %T: %w", src, col.DataType(), zeroIn, ErrTypeMismatch)
	}
	mem := resolveOptions(optFns).Allocator
	outType := arrowTypeOf[Out]()
	chunks := make([]arrow.Array, 0, len(col.Chunks()))
	release := func() {
		for _, c := range chunks {
			c.Release()
		}
	}
	var in []In
	var out []Out
	var valid []bool
	row := 0
	for _, chunk := range col.Chunks() {
		n := chunk.Len()
		if cap(in) < n {
			in, out, valid = make([]In, n), make([]Out, n), make([]bool, n)
		}
		in, out, valid = in[:n], out[:n], valid[:n]
		if err := decodeScalars(chunk, in); err != nil {
			release()
			return nil, fmt.Errorf("frame: map column %q: %w", src, err)
		}
		var v []bool
		if chunk.NullN() == 0 {
			for k, x := range in {
				out[k] = fn(x)
			}
		} else {
			fillValidity(valid, chunk)
			var zero Out
			for k, x := range in {
				if valid[k] {
					out[k] = fn(x)
				} else {
					out[k] = zero
				}
			}
			v = valid
		}
		arr, err := buildValues(mem, outType, out, v)
		if err != nil {
			release()
			return nil, fmt.Errorf("frame: map column %q to %q: rows from %d: %w", src, dst, row, err)
		}
		chunks = append(chunks, arr)
		row += n
	}
	result := arrow.NewChunked(outType, chunks)
	release()
	defer result.Release()
	return f.withColumn(dst, result), nil
}

// arrowTypeOf is the Arrow type MapColumn gives a column of T.
func arrowTypeOf[T Scalar]() arrow.DataType {
	var zero T
	switch any(zero).(type) {
	case int8:
		return arrow.PrimitiveTypes.Int8
	case int16:
		return arrow.PrimitiveTypes.Int16
	case int32:
		return arrow.PrimitiveTypes.Int32
	case int64:
		return arrow.PrimitiveTypes.Int64
	case uint8:
		return arrow.PrimitiveTypes.Uint8
	case uint16:
		return arrow.PrimitiveTypes.Uint16
	case uint32:
		return arrow.PrimitiveTypes.Uint32
	case uint64:
		return arrow.PrimitiveTypes.Uint64
	case float32:
		return arrow.PrimitiveTypes.Float32
	case float64:
		return arrow.PrimitiveTypes.Float64
	case bool:
		return arrow.FixedWidthTypes.Boolean
	case string:
		return arrow.BinaryTypes.String
	case []byte:
		return arrow.BinaryTypes.Binary
	}
	return TimestampType(arrow.Microsecond) // time.Time
}

// buildValues builds one array of type dt from Go values and optional
// validity.
func buildValues[T Scalar](mem memory.Allocator, dt arrow.DataType, vals []T, valid []bool) (arrow.Array, error) {
	if times, ok := any(vals).([]time.Time); ok {
		ts := make([]arrow.Timestamp, len(times))
		for i, t := range times {
			if valid != nil && !valid[i] {
				continue
			}
			v, err := timeToUnit(t, arrow.Microsecond)
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
			ts[i] = v
		}
		b := array.NewTimestampBuilder(mem, dt.(*arrow.TimestampType))
		defer b.Release()
		b.AppendValues(ts, valid)
		return b.NewArray(), nil
	}
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	vb, ok := b.(valuesBuilder[T])
	if !ok {
		return nil, fmt.Errorf("no %T builder for %s: %w", vals, dt, ErrUnsupportedType)
	}
	vb.AppendValues(vals, valid)
	return b.NewArray(), nil
}
