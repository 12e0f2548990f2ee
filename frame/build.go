package frame

import (
	"fmt"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Series is a named column waiting to become part of a frame. The typed
// constructors (Int64, String, Timestamp, ...) only capture their arguments;
// the Arrow array is built by New or NewWithOptions with the allocator those
// are given, so the same Series can be built into several frames.
//
// Every typed constructor takes an optional validity slice: valid[i] false
// makes row i null and its value is ignored. Omitting it, or passing nil,
// makes every row valid. A validity slice must have the length of the values,
// and at most one may be given.
type Series struct {
	name  string
	build func(mem memory.Allocator) (*arrow.Chunked, error)
}

// Name returns the column name the series will have.
func (s Series) Name() string { return s.name }

// valuesBuilder is the part of arrow's typed builders that appends a whole Go
// slice plus validity in one call (a memcpy for fixed-width types).
type valuesBuilder[T any] interface {
	array.Builder
	AppendValues([]T, []bool)
}

// validity returns the single optional validity slice, checking its length.
func validity(valid [][]bool, n int) ([]bool, error) {
	switch {
	case len(valid) == 0 || valid[0] == nil && len(valid) == 1:
		return nil, nil
	case len(valid) > 1:
		return nil, fmt.Errorf("%d validity slices given, want at most 1: %w", len(valid), ErrInvalidArgument)
	case len(valid[0]) != n:
		return nil, fmt.Errorf("validity has %d entries, want %d (one per value): %w", len(valid[0]), n, ErrLengthMismatch)
	}
	return valid[0], nil
}

// single wraps one array as a chunked array, handing over the reference.
func single(arr arrow.Array) *arrow.Chunked {
	defer arr.Release()
	return arrow.NewChunked(arr.DataType(), []arrow.Array{arr})
}

// sliceSeries builds a Series from a Go slice whose element type the Arrow
// builder for dtype accepts directly.
func sliceSeries[T any](name string, dtype arrow.DataType, values []T, valid [][]bool) Series {
	return Series{name: name, build: func(mem memory.Allocator) (*arrow.Chunked, error) {
		v, err := validity(valid, len(values))
		if err != nil {
			return nil, err
		}
		b := array.NewBuilder(mem, dtype)
		defer b.Release()
		vb, ok := b.(valuesBuilder[T])
		if !ok {
			return nil, fmt.Errorf("no %T builder for %s: %w", values, dtype, ErrUnsupportedType)
		}
		vb.AppendValues(values, v)
		return single(b.NewArray()), nil
	}}
}

// Int8 returns an int8 column.
func Int8(name string, values []int8, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Int8, values, valid)
}

// Int16 returns an int16 column.
func Int16(name string, values []int16, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Int16, values, valid)
}

// Int32 returns an int32 column.
func Int32(name string, values []int32, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Int32, values, valid)
}

// Int64 returns an int64 column.
func Int64(name string, values []int64, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Int64, values, valid)
}

// Int returns an int64 column from Go ints, the common case in scripts.
func Int(name string, values []int, valid ...[]bool) Series {
	return Series{name: name, build: func(mem memory.Allocator) (*arrow.Chunked, error) {
		wide := make([]int64, len(values))
		for i, v := range values {
			wide[i] = int64(v)
		}
		return Int64(name, wide, valid...).build(mem)
	}}
}

// Uint8 returns a uint8 column.
func Uint8(name string, values []uint8, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Uint8, values, valid)
}

// Uint16 returns a uint16 column.
func Uint16(name string, values []uint16, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Uint16, values, valid)
}

// Uint32 returns a uint32 column.
func Uint32(name string, values []uint32, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Uint32, values, valid)
}

// Uint64 returns a uint64 column.
func Uint64(name string, values []uint64, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Uint64, values, valid)
}

// Float32 returns a float32 column.
func Float32(name string, values []float32, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Float32, values, valid)
}

// Float64 returns a float64 column.
func Float64(name string, values []float64, valid ...[]bool) Series {
	return sliceSeries(name, arrow.PrimitiveTypes.Float64, values, valid)
}

// Bool returns a boolean column.
func Bool(name string, values []bool, valid ...[]bool) Series {
	return sliceSeries(name, arrow.FixedWidthTypes.Boolean, values, valid)
}

// String returns a UTF-8 string column. The strings are copied into Arrow
// memory.
func String(name string, values []string, valid ...[]bool) Series {
	return sliceSeries(name, arrow.BinaryTypes.String, values, valid)
}

// Binary returns a binary column. A nil element is stored as an empty value
// unless the validity slice marks it null.
func Binary(name string, values [][]byte, valid ...[]bool) Series {
	return sliceSeries(name, arrow.BinaryTypes.Binary, values, valid)
}

// TimestampType returns the Arrow type this package uses for instants: a
// timestamp of the given unit in UTC.
func TimestampType(unit arrow.TimeUnit) *arrow.TimestampType {
	return &arrow.TimestampType{Unit: unit, TimeZone: "UTC"}
}

// Timestamp returns a timestamp column of the given unit in UTC
// (TimestampType). Each time is stored as the instant it denotes, whatever its
// location; sub-unit precision is truncated. A time outside the range the unit
// can represent (about years 1678 to 2262 for nanoseconds) is an error.
func Timestamp(name string, values []time.Time, unit arrow.TimeUnit, valid ...[]bool) Series {
	return Series{name: name, build: func(mem memory.Allocator) (*arrow.Chunked, error) {
		v, err := validity(valid, len(values))
		if err != nil {
			return nil, err
		}
		ts := make([]arrow.Timestamp, len(values))
		for i, t := range values {
			if v != nil && !v[i] {
				continue
			}
			if ts[i], err = timeToUnit(t, unit); err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
		}
		b := array.NewTimestampBuilder(mem, TimestampType(unit))
		defer b.Release()
		b.AppendValues(ts, v)
		return single(b.NewArray()), nil
	}}
}

// Date32 returns a date column (days since the Unix epoch). The date of each
// time is its calendar date in the time's own location, so
// time.Date(2024, 3, 1, 23, 0, 0, 0, loc) is 2024-03-01 for any loc.
func Date32(name string, values []time.Time, valid ...[]bool) Series {
	return Series{name: name, build: func(mem memory.Allocator) (*arrow.Chunked, error) {
		v, err := validity(valid, len(values))
		if err != nil {
			return nil, err
		}
		days := make([]arrow.Date32, len(values))
		for i, t := range values {
			if v != nil && !v[i] {
				continue
			}
			if days[i], err = timeToDate32(t); err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
		}
		b := array.NewDate32Builder(mem)
		defer b.Release()
		b.AppendValues(days, v)
		return single(b.NewArray()), nil
	}}
}

// Array returns a series over an existing Arrow array, shared without copy.
// The series takes its own reference; the caller keeps theirs.
func Array(name string, arr arrow.Array) Series {
	return Series{name: name, build: func(memory.Allocator) (*arrow.Chunked, error) {
		if arr == nil {
			return nil, fmt.Errorf("nil array: %w", ErrInvalidArgument)
		}
		return arrow.NewChunked(arr.DataType(), []arrow.Array{arr}), nil
	}}
}

// Chunked returns a series over an existing chunked array, shared without
// copy. The series takes its own reference; the caller keeps theirs.
func Chunked(name string, col *arrow.Chunked) Series {
	return Series{name: name, build: func(memory.Allocator) (*arrow.Chunked, error) {
		if col == nil {
			return nil, fmt.Errorf("nil chunked array: %w", ErrInvalidArgument)
		}
		col.Retain()
		return col, nil
	}}
}

// New builds a frame from columns, allocating with memory.DefaultAllocator.
// All columns must have the same length and distinct names. With no columns
// it returns an empty frame.
func New(cols ...Series) (*Frame, error) {
	return NewWithOptions(cols)
}

// NewWithOptions is New with options, such as WithAllocator.
func NewWithOptions(cols []Series, optFns ...func(*Options)) (*Frame, error) {
	o := resolveOptions(optFns)
	seen := make(map[string]struct{}, len(cols))
	for _, s := range cols {
		if s.build == nil {
			return nil, fmt.Errorf("frame: column %q: zero Series, use a constructor such as frame.Int64: %w", s.name, ErrInvalidArgument)
		}
		if _, dup := seen[s.name]; dup {
			return nil, fmt.Errorf("frame: column %q: %w", s.name, ErrDuplicateColumn)
		}
		seen[s.name] = struct{}{}
	}
	fields := make([]arrow.Field, 0, len(cols))
	chunked := make([]*arrow.Chunked, 0, len(cols))
	fail := func(err error) (*Frame, error) {
		for _, c := range chunked {
			c.Release()
		}
		return nil, err
	}
	for _, s := range cols {
		c, err := s.build(o.Allocator)
		if err != nil {
			return fail(fmt.Errorf("frame: column %q: %w", s.name, err))
		}
		chunked = append(chunked, c)
		if c.Len() != chunked[0].Len() {
			return fail(fmt.Errorf("frame: column %q has %d rows, want %d like column %q: %w",
				s.name, c.Len(), chunked[0].Len(), cols[0].name, ErrLengthMismatch))
		}
		fields = append(fields, arrow.Field{Name: s.name, Type: c.DataType(), Nullable: true})
	}
	rows := 0
	if len(chunked) > 0 {
		rows = chunked[0].Len()
	}
	return newFrame(arrow.NewSchema(fields, nil), chunked, rows), nil
}

// checkUniqueNames reports the first name that appears twice in schema.
func checkUniqueNames(schema *arrow.Schema) error {
	seen := make(map[string]struct{}, schema.NumFields())
	for _, f := range schema.Fields() {
		if _, dup := seen[f.Name]; dup {
			return fmt.Errorf("column %q: %w", f.Name, ErrDuplicateColumn)
		}
		seen[f.Name] = struct{}{}
	}
	return nil
}

// schemaDiff explains how got differs from want, naming the first differing
// column, or returns nil when they are equal.
func schemaDiff(want, got *arrow.Schema) error {
	if want.Equal(got) {
		return nil
	}
	if want.NumFields() != got.NumFields() {
		return fmt.Errorf("%d columns, want %d: %w", got.NumFields(), want.NumFields(), ErrSchemaMismatch)
	}
	for i := range want.NumFields() {
		w, g := want.Field(i), got.Field(i)
		switch {
		case w.Name != g.Name:
			return fmt.Errorf("column %d is %q, want %q: %w", i, g.Name, w.Name, ErrSchemaMismatch)
		case !arrow.TypeEqual(w.Type, g.Type):
			return fmt.Errorf("column %q is %s, want %s: %w", g.Name, g.Type, w.Type, ErrSchemaMismatch)
		case w.Nullable != g.Nullable:
			return fmt.Errorf("column %q nullable=%t, want %t: %w", g.Name, g.Nullable, w.Nullable, ErrSchemaMismatch)
		}
	}
	return fmt.Errorf("field metadata differs: %w", ErrSchemaMismatch)
}

// FromRecords builds a frame whose columns are the record batches' columns
// chunk by chunk, without copying. All batches must have the first batch's
// schema. With no batches it returns an empty frame. The frame takes its own
// references; the caller keeps (and releases) theirs.
func FromRecords(recs ...arrow.RecordBatch) (*Frame, error) {
	if len(recs) == 0 {
		return newFrame(nil, nil, 0), nil
	}
	for i, r := range recs {
		if r == nil {
			return nil, fmt.Errorf("frame: record batch %d is nil: %w", i, ErrInvalidArgument)
		}
	}
	schema := recs[0].Schema()
	if err := checkUniqueNames(schema); err != nil {
		return nil, fmt.Errorf("frame: record batch 0: %w", err)
	}
	for i, r := range recs[1:] {
		if err := schemaDiff(schema, r.Schema()); err != nil {
			return nil, fmt.Errorf("frame: record batch %d: %w", i+1, err)
		}
	}
	return fromBatches(schema, recs), nil
}

// fromBatches assembles a frame from batches already known to share schema.
func fromBatches(schema *arrow.Schema, recs []arrow.RecordBatch) *Frame {
	cols := make([]*arrow.Chunked, schema.NumFields())
	rows := 0
	for _, r := range recs {
		rows += int(r.NumRows())
	}
	chunks := make([]arrow.Array, 0, len(recs))
	for c := range cols {
		chunks = chunks[:0]
		for _, r := range recs {
			if r.NumRows() > 0 {
				chunks = append(chunks, r.Column(c))
			}
		}
		cols[c] = arrow.NewChunked(schema.Field(c).Type, chunks)
	}
	return newFrame(schema, cols, rows)
}

// FromTable builds a frame over an Arrow table's columns without copying.
// The frame takes its own references; the caller keeps theirs.
func FromTable(tbl arrow.Table) (*Frame, error) {
	if tbl == nil {
		return nil, fmt.Errorf("frame: nil table: %w", ErrInvalidArgument)
	}
	schema := tbl.Schema()
	if err := checkUniqueNames(schema); err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	rows := tbl.NumRows()
	cols := make([]*arrow.Chunked, 0, tbl.NumCols())
	for i := range int(tbl.NumCols()) {
		data := tbl.Column(i).Data()
		switch n := int64(data.Len()); {
		case n < rows:
			for _, c := range cols {
				c.Release()
			}
			return nil, fmt.Errorf("frame: column %q has %d rows, want %d: %w", schema.Field(i).Name, n, rows, ErrLengthMismatch)
		case n > rows:
			// arrow.Table allows a row count below the column height; the
			// table's rows are the prefix.
			cols = append(cols, array.NewChunkedSlice(data, 0, rows))
		default:
			data.Retain()
			cols = append(cols, data)
		}
	}
	return newFrame(schema, cols, int(rows)), nil
}

// FromReader drains a record reader into a frame, keeping each batch as a
// chunk without copying. Every batch must have the reader's schema. The reader
// is not released; the frame holds its own references to the batches.
func FromReader(rdr array.RecordReader) (*Frame, error) {
	if rdr == nil {
		return nil, fmt.Errorf("frame: nil record reader: %w", ErrInvalidArgument)
	}
	schema := rdr.Schema()
	if err := checkUniqueNames(schema); err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for rdr.Next() {
		r := rdr.RecordBatch()
		if err := schemaDiff(schema, r.Schema()); err != nil {
			return nil, fmt.Errorf("frame: record batch %d: %w", len(recs), err)
		}
		r.Retain()
		recs = append(recs, r)
	}
	if err := rdr.Err(); err != nil {
		return nil, fmt.Errorf("frame: read batch %d: %w", len(recs), err)
	}
	return fromBatches(schema, recs), nil
}

// FromMap builds a frame from a map of column name to Go slice, for quick
// scripts and tests. Columns are ordered by name, because map order is random
// and a frame's column order is part of its identity.
//
// Accepted values are slices of int, int8..int64, uint, uint8..uint64,
// float32, float64, bool, string, []byte and time.Time (timestamp[us, UTC]),
// the same with pointer elements (a nil pointer is a null), a Series (its own
// name is replaced by the key), an arrow.Array and an *arrow.Chunked.
func FromMap(m map[string]any, optFns ...func(*Options)) (*Frame, error) {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	cols := make([]Series, len(names))
	for i, name := range names {
		s, err := seriesOf(name, m[name])
		if err != nil {
			return nil, fmt.Errorf("frame: column %q: %w", name, err)
		}
		cols[i] = s
	}
	return NewWithOptions(cols, optFns...)
}

// seriesOf maps a FromMap value to a Series.
func seriesOf(name string, v any) (Series, error) {
	switch v := v.(type) {
	case Series:
		v.name = name
		return v, nil
	case arrow.Array:
		return Array(name, v), nil
	case *arrow.Chunked:
		return Chunked(name, v), nil
	case []int:
		return Int(name, v), nil
	case []int8:
		return Int8(name, v), nil
	case []int16:
		return Int16(name, v), nil
	case []int32:
		return Int32(name, v), nil
	case []int64:
		return Int64(name, v), nil
	case []uint:
		u := make([]uint64, len(v))
		for i, x := range v {
			u[i] = uint64(x)
		}
		return Uint64(name, u), nil
	case []uint8:
		return Uint8(name, v), nil
	case []uint16:
		return Uint16(name, v), nil
	case []uint32:
		return Uint32(name, v), nil
	case []uint64:
		return Uint64(name, v), nil
	case []float32:
		return Float32(name, v), nil
	case []float64:
		return Float64(name, v), nil
	case []bool:
		return Bool(name, v), nil
	case []string:
		return String(name, v), nil
	case [][]byte:
		return Binary(name, v), nil
	case []time.Time:
		return Timestamp(name, v, arrow.Microsecond), nil
	case []*int:
		vals, valid := deref(v)
		return Int(name, vals, valid), nil
	case []*int8:
		vals, valid := deref(v)
		return Int8(name, vals, valid), nil
	case []*int16:
		vals, valid := deref(v)
		return Int16(name, vals, valid), nil
	case []*int32:
		vals, valid := deref(v)
		return Int32(name, vals, valid), nil
	case []*int64:
		vals, valid := deref(v)
		return Int64(name, vals, valid), nil
	case []*uint8:
		vals, valid := deref(v)
		return Uint8(name, vals, valid), nil
	case []*uint16:
		vals, valid := deref(v)
		return Uint16(name, vals, valid), nil
	case []*uint32:
		vals, valid := deref(v)
		return Uint32(name, vals, valid), nil
	case []*uint64:
		vals, valid := deref(v)
		return Uint64(name, vals, valid), nil
	case []*float32:
		vals, valid := deref(v)
		return Float32(name, vals, valid), nil
	case []*float64:
		vals, valid := deref(v)
		return Float64(name, vals, valid), nil
	case []*bool:
		vals, valid := deref(v)
		return Bool(name, vals, valid), nil
	case []*string:
		vals, valid := deref(v)
		return String(name, vals, valid), nil
	case []*time.Time:
		vals, valid := deref(v)
		return Timestamp(name, vals, arrow.Microsecond, valid), nil
	case nil:
		return Series{}, fmt.Errorf("nil value: %w", ErrUnsupportedType)
	default:
		return Series{}, fmt.Errorf("Go type %T has no column mapping: %w", v, ErrUnsupportedType)
	}
}

// deref splits a slice of pointers into values and validity (nil = null).
func deref[T any](ptrs []*T) ([]T, []bool) {
	vals := make([]T, len(ptrs))
	valid := make([]bool, len(ptrs))
	for i, p := range ptrs {
		if p != nil {
			vals[i], valid[i] = *p, true
		}
	}
	return vals, valid
}

// timeToUnit converts t to a timestamp count of unit, refusing overflow.
func timeToUnit(t time.Time, unit arrow.TimeUnit) (arrow.Timestamp, error) {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	var mul, div int64
	switch unit {
	case arrow.Second:
		return arrow.Timestamp(sec), nil
	case arrow.Millisecond:
		mul, div = 1e3, 1e6
	case arrow.Microsecond:
		mul, div = 1e6, 1e3
	case arrow.Nanosecond:
		mul, div = 1e9, 1
	default:
		return 0, fmt.Errorf("time unit %d: %w", unit, ErrInvalidArgument)
	}
	// sec*mul + nsec/div must fit in int64; check before multiplying.
	frac := nsec / div
	if sec > (maxInt64-frac)/mul || sec < minInt64/mul {
		return 0, fmt.Errorf("time %s does not fit a timestamp[%s]: %w", t.Format(time.RFC3339Nano), unit, ErrOutOfRange)
	}
	return arrow.Timestamp(sec*mul + frac), nil
}

const (
	maxInt64 = int64(^uint64(0) >> 1)
	minInt64 = -maxInt64 - 1
	maxInt32 = int64(int32(^uint32(0) >> 1))
	minInt32 = -maxInt32 - 1
)

// timeToDate32 returns the calendar date of t, in t's location, as days
// since 1970-01-01.
func timeToDate32(t time.Time) (arrow.Date32, error) {
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if days > maxInt32 || days < minInt32 {
		return 0, fmt.Errorf("date %s does not fit a date32: %w", t.Format(time.DateOnly), ErrOutOfRange)
	}
	return arrow.Date32(days), nil
}
