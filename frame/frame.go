package frame

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Frame is an immutable table: an Arrow schema plus one chunked array per
// field, all of the same length. Operations return new frames that share the
// unchanged columns with their input (by reference count, never by copy), so
// a Frame is safe for concurrent reads from any number of goroutines.
//
// A nil *Frame behaves as an empty frame with no columns and no rows.
type Frame struct {
	schema   *arrow.Schema
	cols     []*arrow.Chunked
	rows     int
	released atomic.Bool
}

// emptySchema is shared by every frame without columns; schemas are immutable.
var emptySchema = arrow.NewSchema(nil, nil)

// newFrame assembles a frame that takes ownership of one reference to each
// column. Callers have already checked lengths and names.
func newFrame(schema *arrow.Schema, cols []*arrow.Chunked, rows int) *Frame {
	if schema == nil {
		schema = emptySchema
	}
	return &Frame{schema: schema, cols: cols, rows: rows}
}

// orEmpty lets methods treat a nil *Frame as an empty frame.
func (f *Frame) orEmpty() *Frame {
	if f == nil {
		return &Frame{schema: emptySchema}
	}
	return f
}

// derive builds a frame over a subset or permutation of f's columns,
// retaining each shared column so both frames own a reference.
func (f *Frame) derive(fields []arrow.Field, cols []*arrow.Chunked) *Frame {
	for _, c := range cols {
		c.Retain()
	}
	md := f.Schema().Metadata()
	return newFrame(arrow.NewSchema(fields, &md), cols, f.NumRows())
}

// NumRows returns the number of rows.
func (f *Frame) NumRows() int {
	if f == nil {
		return 0
	}
	return f.rows
}

// NumCols returns the number of columns.
func (f *Frame) NumCols() int {
	if f == nil {
		return 0
	}
	return len(f.cols)
}

// Schema returns the frame's Arrow schema. It is shared, not copied: do not
// modify its metadata.
func (f *Frame) Schema() *arrow.Schema {
	if f == nil {
		return emptySchema
	}
	return f.schema
}

// ColumnNames returns the column names in order, in a new slice.
func (f *Frame) ColumnNames() []string {
	if f == nil {
		return nil
	}
	names := make([]string, len(f.cols))
	for i, fld := range f.schema.Fields() {
		names[i] = fld.Name
	}
	return names
}

// columnIndex returns the position of the named column.
func (f *Frame) columnIndex(name string) (int, error) {
	if f != nil {
		if idx := f.schema.FieldIndices(name); len(idx) > 0 {
			return idx[0], nil
		}
	}
	return -1, fmt.Errorf("column %q: %w", name, ErrColumnNotFound)
}

// Column returns the named column as an Arrow chunked array. The array is
// owned by the frame: call Retain on it to keep it beyond the frame's
// lifetime when the frame uses a custom allocator and may be released.
func (f *Frame) Column(name string) (*arrow.Chunked, error) {
	f = f.orEmpty()
	i, err := f.columnIndex(name)
	if err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	return f.cols[i], nil
}

// ColumnAt returns the i-th column and its field, or an error if i is out of
// range.
func (f *Frame) ColumnAt(i int) (arrow.Field, *arrow.Chunked, error) {
	f = f.orEmpty()
	if i < 0 || i >= f.NumCols() {
		return arrow.Field{}, nil, fmt.Errorf("frame: column index %d of %d columns: %w", i, f.NumCols(), ErrOutOfRange)
	}
	return f.schema.Field(i), f.cols[i], nil
}

// Table returns the frame as an arrow.Table sharing the frame's columns. The
// caller owns the returned table and should Release it when the frame was
// built with a custom allocator; with the default allocator it may simply be
// dropped.
func (f *Frame) Table() arrow.Table {
	f = f.orEmpty()
	cols := make([]arrow.Column, f.NumCols())
	for i := range cols {
		cols[i] = *arrow.NewColumn(f.schema.Field(i), f.cols[i])
	}
	tbl := array.NewTable(f.Schema(), cols, int64(f.NumRows()))
	for i := range cols {
		cols[i].Release()
	}
	return tbl
}

// Release drops the frame's references to its columns. It is needed only
// when the frame's memory came from a custom allocator (see WithAllocator);
// frames on the default allocator are reclaimed by the garbage collector.
// Other frames sharing the columns stay valid. The frame must not be used
// after Release; calling Release more than once is a no-op.
func (f *Frame) Release() {
	if f == nil || f.released.Swap(true) {
		return
	}
	for _, c := range f.cols {
		c.Release()
	}
}
