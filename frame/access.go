package frame

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Scalar is the set of Go types that typed column access (Values, All)
// converts Arrow columns to. Each matches exactly one family of Arrow types:
// intN/uintN/floatN the same-width Arrow type, bool boolean, string
// string/large_string, []byte binary/large_binary, and time.Time
// timestamp (any unit and zone), date32 and date64.
type Scalar interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 |
		float32 | float64 | bool | string | []byte | time.Time
}

// Values returns the named column as a Go slice plus its validity: valid[i]
// is false where row i is null, and the value there is the zero T. valid is
// nil when the column has no nulls, matching the constructors' convention.
// The result is a copy, independent of the frame's memory.
//
// Strings (and []byte values) of one Arrow chunk share one Go allocation, so
// holding on to any of them keeps that chunk's text alive.
func Values[T Scalar](f *Frame, name string) ([]T, []bool, error) {
	col, err := typedColumn[T](f, name)
	if err != nil {
		return nil, nil, err
	}
	out := make([]T, col.Len())
	var valid []bool
	if col.NullN() > 0 {
		valid = make([]bool, col.Len())
	}
	pos := 0
	for _, chunk := range col.Chunks() {
		n := chunk.Len()
		if n == 0 {
			continue // nothing to copy, and its buffers may be absent
		}
		if err := decodeScalars(chunk, out[pos:pos+n]); err != nil {
			return nil, nil, fmt.Errorf("frame: column %q: %w", name, err)
		}
		if valid != nil {
			fillValidity(valid[pos:pos+n], chunk)
			zeroNulls(out[pos:pos+n], valid[pos:pos+n])
		}
		pos += n
	}
	return out, valid, nil
}

// All returns an iterator over the named column yielding each value and
// whether it is valid (false for null, when the value is the zero T). It
// converts one Arrow chunk at a time into a reused buffer, so memory stays
// bounded by the largest chunk rather than the column. The iterator reads
// the frame's memory: with a custom allocator, use it before releasing the
// frame.
func All[T Scalar](f *Frame, name string) (iter.Seq2[T, bool], error) {
	col, err := typedColumn[T](f, name)
	if err != nil {
		return nil, err
	}
	return func(yield func(T, bool) bool) {
		var buf []T
		var valid []bool
		for _, chunk := range col.Chunks() {
			n := chunk.Len()
			if n == 0 {
				continue // nothing to yield, and its buffers may be absent
			}
			if cap(buf) < n {
				buf, valid = make([]T, n), make([]bool, n)
			}
			buf, valid = buf[:n], valid[:n]
			if err := decodeScalars(chunk, buf); err != nil {
				// typedColumn checked the type; a failure here means a
				// chunk lies about its type, which is not a value to yield.
				return
			}
			fillValidity(valid, chunk)
			zeroNulls(buf, valid)
			for i := range buf {
				if !yield(buf[i], valid[i]) {
					return
				}
			}
		}
	}, nil
}

// typedColumn finds the named column and checks that T can hold its values.
func typedColumn[T Scalar](f *Frame, name string) (*arrow.Chunked, error) {
	col, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	var zero T
	if !scalarFits(any(zero), col.DataType()) {
		return nil, fmt.Errorf("frame: column %q is %s, cannot read as %T: %w", name, col.DataType(), zero, ErrTypeMismatch)
	}
	return col, nil
}

// scalarFits reports whether the Go type of zero can receive dt's values.
func scalarFits(zero any, dt arrow.DataType) bool {
	id := dt.ID()
	switch zero.(type) {
	case int8:
		return id == arrow.INT8
	case int16:
		return id == arrow.INT16
	case int32:
		return id == arrow.INT32
	case int64:
		return id == arrow.INT64
	case uint8:
		return id == arrow.UINT8
	case uint16:
		return id == arrow.UINT16
	case uint32:
		return id == arrow.UINT32
	case uint64:
		return id == arrow.UINT64
	case float32:
		return id == arrow.FLOAT32
	case float64:
		return id == arrow.FLOAT64
	case bool:
		return id == arrow.BOOL
	case string:
		return id == arrow.STRING || id == arrow.LARGE_STRING
	case []byte:
		return id == arrow.BINARY || id == arrow.LARGE_BINARY
	case time.Time:
		return id == arrow.TIMESTAMP || id == arrow.DATE32 || id == arrow.DATE64
	}
	return false
}

// decodeScalars converts one chunk into dst (len(dst) == chunk.Len()). The
// type switch runs once per chunk; the loops below it are typed.
func decodeScalars[T Scalar](chunk arrow.Array, dst []T) error {
	switch d := any(dst).(type) {
	case []int8:
		return copyFixed(chunk, d)
	case []int16:
		return copyFixed(chunk, d)
	case []int32:
		return copyFixed(chunk, d)
	case []int64:
		return copyFixed(chunk, d)
	case []uint8:
		return copyFixed(chunk, d)
	case []uint16:
		return copyFixed(chunk, d)
	case []uint32:
		return copyFixed(chunk, d)
	case []uint64:
		return copyFixed(chunk, d)
	case []float32:
		return copyFixed(chunk, d)
	case []float64:
		return copyFixed(chunk, d)
	case []bool:
		b, ok := chunk.(*array.Boolean)
		if !ok {
			return chunkTypeError(chunk, dst)
		}
		for i := range d {
			d[i] = b.Value(i)
		}
		return nil
	case []string:
		return decodeStrings(chunk, d)
	case [][]byte:
		return decodeBytes(chunk, d)
	case []time.Time:
		return decodeTimes(chunk, d)
	}
	return chunkTypeError(chunk, dst)
}

func chunkTypeError(chunk arrow.Array, dst any) error {
	return fmt.Errorf("chunk of %s (%T) cannot fill %T: %w", chunk.DataType(), chunk, dst, ErrTypeMismatch)
}

// copyFixed copies a fixed-width chunk whose Go element type is T.
func copyFixed[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](chunk arrow.Array, dst []T) error {
	v, ok := chunk.(interface{ Values() []T })
	if !ok {
		return chunkTypeError(chunk, dst)
	}
	copy(dst, v.Values())
	return nil
}

// decodeStrings copies a string chunk's text into one Go string and slices
// the values out of it: one allocation per chunk instead of one per row.
func decodeStrings(chunk arrow.Array, dst []string) error {
	if chunk.Len() == 0 {
		return nil // its offsets buffer may be absent
	}
	switch a := chunk.(type) {
	case *array.String:
		offs := a.ValueOffsets()
		data := string(a.ValueBytes())
		base := offs[0]
		for i := range dst {
			dst[i] = data[offs[i]-base : offs[i+1]-base]
		}
	case *array.LargeString:
		offs := a.ValueOffsets()
		data := string(a.ValueBytes())
		base := offs[0]
		for i := range dst {
			dst[i] = data[offs[i]-base : offs[i+1]-base]
		}
	default:
		return chunkTypeError(chunk, dst)
	}
	return nil
}

// decodeBytes copies a binary chunk's data into one Go slice and slices the
// values out of it with their capacity capped, so appending to one value can
// never overwrite the next.
func decodeBytes(chunk arrow.Array, dst [][]byte) error {
	if chunk.Len() == 0 {
		return nil // its offsets buffer may be absent
	}
	switch a := chunk.(type) {
	case *array.Binary:
		offs := a.ValueOffsets()
		data := bytes.Clone(a.ValueBytes())
		base := offs[0]
		for i := range dst {
			lo, hi := offs[i]-base, offs[i+1]-base
			dst[i] = data[lo:hi:hi]
		}
	case *array.LargeBinary:
		offs := a.ValueOffsets()
		data := bytes.Clone(a.ValueBytes())
		base := offs[0]
		for i := range dst {
			lo, hi := offs[i]-base, offs[i+1]-base
			dst[i] = data[lo:hi:hi]
		}
	default:
		return chunkTypeError(chunk, dst)
	}
	for i := range dst {
		if dst[i] == nil {
			// bytes.Clone of an empty chunk is nil; a valid empty value
			// must still be non-nil so that it differs from a null.
			dst[i] = []byte{}
		}
	}
	return nil
}

// decodeTimes converts timestamp and date chunks to time.Time. Timestamps
// come back in the column's time zone; a zone-less timestamp is read as UTC.
// Dates come back as midnight UTC.
func decodeTimes(chunk arrow.Array, dst []time.Time) error {
	switch a := chunk.(type) {
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		loc, err := timestampLocation(tt)
		if err != nil {
			return err
		}
		toTime := unitToTime(tt.Unit)
		for i, v := range a.Values() {
			dst[i] = toTime(int64(v)).In(loc)
		}
	case *array.Date32:
		for i, v := range a.Values() {
			dst[i] = time.Unix(int64(v)*86400, 0).UTC()
		}
	case *array.Date64:
		for i, v := range a.Values() {
			dst[i] = time.UnixMilli(int64(v)).UTC()
		}
	default:
		return chunkTypeError(chunk, dst)
	}
	return nil
}

// timestampLocation returns the location a timestamp column's values are
// shown in: the column's zone, or UTC for a zone-less column.
func timestampLocation(tt *arrow.TimestampType) (*time.Location, error) {
	if tt.TimeZone == "" || tt.TimeZone == "UTC" {
		return time.UTC, nil
	}
	loc, err := tt.GetZone()
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", tt.TimeZone, err)
	}
	return loc, nil
}

// unitToTime returns the conversion from a timestamp count to time.Time.
func unitToTime(unit arrow.TimeUnit) func(int64) time.Time {
	switch unit {
	case arrow.Second:
		return func(v int64) time.Time { return time.Unix(v, 0) }
	case arrow.Millisecond:
		return time.UnixMilli
	case arrow.Microsecond:
		return time.UnixMicro
	default:
		return func(v int64) time.Time { return time.Unix(0, v) }
	}
}

// fillValidity writes chunk's validity into dst straight from its bitmap.
func fillValidity(dst []bool, chunk arrow.Array) {
	if chunk.NullN() == 0 {
		for i := range dst {
			dst[i] = true
		}
		return
	}
	if chunk.NullN() == chunk.Len() && chunk.NullBitmapBytes() == nil {
		clear(dst) // a null-typed array has no bitmap and no valid rows
		return
	}
	bm, off := chunk.NullBitmapBytes(), chunk.Data().Offset()
	for i := range dst {
		dst[i] = bitutil.BitIsSet(bm, off+i)
	}
}

// zeroNulls sets values at null rows to the zero value, so callers never see
// whatever bytes Arrow left under a null.
func zeroNulls[T any](vals []T, valid []bool) {
	var zero T
	for i, ok := range valid {
		if !ok {
			vals[i] = zero
		}
	}
}

// Row returns the values of row i, one per column, with nil for nulls. It is
// the slow path, meant for debugging and small results: every value is boxed
// into an interface. Integers, floats, bools and strings come back as their
// Go types, []byte for binary, time.Time for timestamps and dates; nested
// values as Arrow's JSON-like representation (maps for structs, slices for
// lists). Dictionary and run-end encoded values come back as their values
// would. Every value is a copy, valid after the frame is released.
func (f *Frame) Row(i int) ([]any, error) {
	f = f.orEmpty()
	if i < 0 || i >= f.NumRows() {
		return nil, fmt.Errorf("frame: row %d of %d rows: %w", i, f.NumRows(), ErrOutOfRange)
	}
	out := make([]any, f.NumCols())
	for c, col := range f.cols {
		arr, j := locate(col, i)
		v, err := valueAt(arr, j)
		if err != nil {
			return nil, fmt.Errorf("frame: column %q row %d: %w", f.schema.Field(c).Name, i, err)
		}
		out[c] = v
	}
	return out, nil
}

// locate finds the chunk holding row i of col and the row's index in it.
func locate(col *arrow.Chunked, i int) (arrow.Array, int) {
	for _, chunk := range col.Chunks() {
		if i < chunk.Len() {
			return chunk, i
		}
		i -= chunk.Len()
	}
	return nil, -1
}

// valueAt boxes one value; see Row.
func valueAt(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Int8:
		return a.Value(i), nil
	case *array.Int16:
		return a.Value(i), nil
	case *array.Int32:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Uint8:
		return a.Value(i), nil
	case *array.Uint16:
		return a.Value(i), nil
	case *array.Uint32:
		return a.Value(i), nil
	case *array.Uint64:
		return a.Value(i), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.String:
		return strings.Clone(a.Value(i)), nil
	case *array.LargeString:
		return strings.Clone(a.Value(i)), nil
	case *array.Binary:
		return bytes.Clone(a.Value(i)), nil
	case *array.LargeBinary:
		return bytes.Clone(a.Value(i)), nil
	case *array.Timestamp, *array.Date32, *array.Date64:
		one := array.NewSlice(arr, int64(i), int64(i+1))
		defer one.Release()
		var t [1]time.Time
		if err := decodeTimes(one, t[:]); err != nil {
			return nil, err
		}
		return t[0], nil
	case *array.StringView:
		return strings.Clone(a.Value(i)), nil
	case *array.BinaryView:
		return bytes.Clone(a.Value(i)), nil
	case *array.FixedSizeBinary:
		return bytes.Clone(a.Value(i)), nil
	case *array.Dictionary:
		// A dictionary-encoded value is its dictionary entry, boxed as a
		// plain column's value would be.
		return valueAt(a.Dictionary(), a.GetValueIndex(i))
	case *array.RunEndEncoded:
		return valueAt(a.Values(), a.GetPhysicalIndex(i))
	}
	// Nested and rarer types use Arrow's JSON-like form, whose strings and
	// byte slices may point into the array's buffers: copy them so the row
	// stays valid after the frame is released.
	return detach(arr.GetOneForMarshal(i)), nil
}

// detach deep-copies what GetOneForMarshal returns, so that no string or
// byte slice in it aliases Arrow memory. Maps and slices it builds are
// fresh, so their elements are replaced in place.
func detach(v any) any {
	switch x := v.(type) {
	case string:
		return strings.Clone(x)
	case []byte:
		return bytes.Clone(x)
	case json.RawMessage:
		return json.RawMessage(bytes.Clone(x))
	case map[string]any:
		for k, e := range x {
			x[k] = detach(e)
		}
	case []any:
		for k, e := range x {
			x[k] = detach(e)
		}
	}
	return v
}

// Records returns a reader that streams the frame as record batches of at
// most batchSize rows (batchSize <= 0: no limit). Batches are zero-copy
// slices of the columns; a batch also ends where any column's chunk ends, so
// a batch may be shorter than batchSize. Each batch is valid until the next
// call to Next unless the caller retains it. The reader holds its own
// references to the columns, so it stays valid after the frame is released;
// release the reader when done if the frame uses a custom allocator.
func (f *Frame) Records(batchSize int) array.RecordReader {
	f = f.orEmpty()
	cols := append([]*arrow.Chunked(nil), f.cols...)
	for _, c := range cols {
		c.Retain()
	}
	r := &frameReader{
		schema: f.Schema(),
		cols:   cols,
		batch:  batchSize,
		iter:   newRunIter(cols, f.NumRows()),
	}
	r.refs.Store(1)
	return r
}

// frameReader is the array.RecordReader behind Records.
type frameReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	cols   []*arrow.Chunked
	batch  int
	iter   *runIter
	cur    arrow.RecordBatch
}

// Retain adds a reference to the reader.
func (r *frameReader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one releases the current batch and
// the reader's references to the columns.
func (r *frameReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for _, c := range r.cols {
		c.Release()
	}
	r.cols = nil
	r.iter = newRunIter(nil, 0)
}

// Schema returns the frame's schema.
func (r *frameReader) Schema() *arrow.Schema { return r.schema }

// Next advances to the next batch, releasing the previous one.
func (r *frameReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	start, run, ok := r.iter.next(r.batch)
	if !ok {
		return false
	}
	r.cur = array.NewRecordBatch(r.schema, run, int64(r.iter.start-start))
	releaseAll(run)
	return true
}

// RecordBatch returns the current batch, valid until the next call to Next.
func (r *frameReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch; kept because array.RecordReader requires it.
func (r *frameReader) Record() arrow.RecordBatch { return r.cur }

// Err always returns nil: slicing an in-memory frame cannot fail.
func (r *frameReader) Err() error { return nil }
