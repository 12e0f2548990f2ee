package frame

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Concat stacks frames vertically, first frame first. It is
// ConcatWithOptions with the default options.
func Concat(frames ...*Frame) (*Frame, error) {
	return ConcatWithOptions(frames)
}

// ConcatWithOptions stacks frames vertically, unifying their schemas:
//
//   - the result has the union of the columns, in the order they are first
//     seen (the first frame's columns, then columns new in the second, ...);
//   - a column missing from a frame is null in that frame's rows;
//   - a column whose type differs between frames takes the types'
//     supertype: integers widen (int32 and int64 to int64, signed and
//     unsigned to the narrowest signed type holding both, uint64 and a
//     signed type to float64), integers and floats become float64,
//     timestamps take the finest unit, date32 with a timestamp becomes the
//     timestamp, string with large_string becomes large_string (the full
//     rules are those of the expression operands, see Expr);
//   - types with no supertype (a string and an integer, timestamps in
//     different zones) are an error naming the column, both types and the
//     frames they come from.
//
// Columns that need no conversion are shared chunk by chunk, without copy:
// concatenating frames of equal schemas only gathers their chunks. A nil
// frame counts as an empty one. The schema metadata is the first frame's.
func ConcatWithOptions(frames []*Frame, optFns ...func(*Options)) (*Frame, error) {
	type column struct {
		field arrow.Field
		from  int // frame whose type field.Type currently is
	}
	var cols []column
	index := map[string]int{}
	rows := 0
	for fi, f := range frames {
		f = f.orEmpty()
		rows += f.NumRows()
		for _, fld := range f.Schema().Fields() {
			k, seen := index[fld.Name]
			if !seen {
				index[fld.Name] = len(cols)
				cols = append(cols, column{field: fld, from: fi})
				continue
			}
			c := &cols[k]
			t, ok := supertype(c.field.Type, fld.Type)
			if !ok {
				return nil, fmt.Errorf("frame: concat: column %q is %s in frame %d but %s in frame %d: %w",
					fld.Name, c.field.Type, c.from, fld.Type, fi, ErrTypeMismatch)
			}
			if !arrow.TypeEqual(t, c.field.Type) {
				c.field.Type, c.from = t, fi
			}
			c.field.Nullable = c.field.Nullable || fld.Nullable
		}
	}
	mem := resolveOptions(optFns).Allocator
	out := make([]*arrow.Chunked, 0, len(cols))
	fields := make([]arrow.Field, len(cols))
	fail := func(err error) (*Frame, error) {
		for _, c := range out {
			c.Release()
		}
		return nil, err
	}
	for k, c := range cols {
		dt := c.field.Type
		var chunks []arrow.Array
		var owned []*arrow.Chunked // converted or null pieces, released below
		release := func() {
			for _, o := range owned {
				o.Release()
			}
		}
		for fi, f := range frames {
			f = f.orEmpty()
			j, err := f.columnIndex(c.field.Name)
			if err != nil {
				if f.NumRows() > 0 {
					piece := nullChunked(mem, dt, f.NumRows())
					owned = append(owned, piece)
					chunks = append(chunks, piece.Chunks()...)
					c.field.Nullable = true
				}
				continue
			}
			col := f.cols[j]
			if arrow.TypeEqual(col.DataType(), dt) {
				chunks = append(chunks, col.Chunks()...)
				continue
			}
			piece, err := castColumn(mem, col, widenCastOptions(dt))
			if err != nil {
				release()
				return fail(fmt.Errorf("frame: concat: column %q of frame %d: %w", c.field.Name, fi, err))
			}
			owned = append(owned, piece)
			chunks = append(chunks, piece.Chunks()...)
		}
		out = append(out, arrow.NewChunked(dt, chunks)) // retains the chunks
		release()
		fields[k] = c.field
	}
	var md *arrow.Metadata
	if len(frames) > 0 {
		m := frames[0].Schema().Metadata()
		md = &m
	}
	return newFrame(arrow.NewSchema(fields, md), out, rows), nil
}
