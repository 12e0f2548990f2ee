package frame

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// Group-by, joins, distinct and n_unique all need the same thing: a small
// integer per row that is equal exactly when the rows' keys are equal. They
// get it in two steps, both column at a time with typed loops:
//
//  1. each key column goes through a valueCoder, which gives every distinct
//     value a code (1, 2, ... in order of first appearance; 0 is null);
//  2. the per-column codes are combined into one code per row and made
//     dense, again in order of first appearance.
//
// Both sides of a join go through the same coders, so equal keys get equal
// codes across sides.

// valueCoder gives each distinct value of one key column a code; 0 is null.
type valueCoder interface {
	// encode appends the code of each of arr's rows to dst.
	encode(arr arrow.Array, dst []uint32) []uint32
	// cardinality is one more than the largest code handed out.
	cardinality() uint64
}

// coderFor returns a coder for a key column of type dt, or an error naming
// the column if values of that type cannot be keys.
func coderFor(name string, dt arrow.DataType) (valueCoder, error) {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return &intCoder{small: map[int64]uint32{}}, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return &floatCoder{codes: map[uint64]uint32{}}, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
		return &bytesCoder{codes: map[string]uint32{}}, nil
	case arrow.BOOL:
		return &boolCoder{}, nil
	case arrow.DECIMAL128:
		return &comparableCoder[decimal128.Num]{codes: map[decimal128.Num]uint32{}}, nil
	case arrow.DECIMAL256:
		return &comparableCoder[decimal256.Num]{codes: map[decimal256.Num]uint32{}}, nil
	case arrow.NULL:
		return &nullCoder{}, nil
	}
	return nil, fmt.Errorf("column %q of type %s cannot be a key: %w", name, dt, ErrTypeMismatch)
}

// keyClass says which key types compare with which: integers of any width
// and signedness compare by value; every other type only with itself.
func keyTypesCompatible(a, b arrow.DataType) bool {
	if arrow.IsInteger(a.ID()) && arrow.IsInteger(b.ID()) {
		return true
	}
	if (a.ID() == arrow.FLOAT32 || a.ID() == arrow.FLOAT64) && (b.ID() == arrow.FLOAT32 || b.ID() == arrow.FLOAT64) {
		return true
	}
	return arrow.TypeEqual(a, b)
}

type intCoder struct {
	small map[int64]uint32  // every value that fits an int64
	big   map[uint64]uint32 // uint64 values above math.MaxInt64
	next  uint32
	// When the values span a small range, a table indexed by value-lo
	// replaces the map: no hashing, one load per row (prepareRange).
	lo    int64
	table []uint32
}

// maxDirectRange bounds the value range coded through a table rather than
// a map: 4 Mi entries (16 MiB), and never more than a few entries per row.
const maxDirectRange = 1 << 22

// prepareRange looks at the key columns' values and switches the coder to
// a direct table when their range is small enough, as with dates, years,
// status codes or dense ids.
func (c *intCoder) prepareRange(cols []*arrow.Chunked) {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	rows := 0
	for _, col := range cols {
		rows += col.Len()
		for _, chunk := range col.Chunks() {
			if chunk.Len() == 0 {
				continue
			}
			if _, ok := chunk.(*array.Uint64); ok {
				return // values above MaxInt64 need the big map
			}
			get := int64Values(chunk)
			if get == nil {
				return
			}
			nulls := chunk.NullN() > 0
			for i := range chunk.Len() {
				if nulls && chunk.IsNull(i) {
					continue
				}
				v := get(i)
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if lo > hi {
		return
	}
	span := uint64(hi - lo) // no overflow: two's complement difference read unsigned
	if hi-lo < 0 || span >= maxDirectRange || span > uint64(4*rows+1024) {
		return
	}
	c.lo, c.table = lo, make([]uint32, span+1)
}

func (c *intCoder) cardinality() uint64 { return uint64(c.next) + 1 }

func (c *intCoder) code(v int64) uint32 {
	// prepareRange saw every value of every side, so v is in range; the
	// check keeps a value it did not see on the map path, not a panic.
	if idx := uint64(v - c.lo); idx < uint64(len(c.table)) {
		slot := &c.table[idx]
		if *slot == 0 {
			c.next++
			*slot = c.next
		}
		return *slot
	}
	if code, ok := c.small[v]; ok {
		return code
	}
	c.next++
	c.small[v] = c.next
	return c.next
}

func (c *intCoder) codeUint(v uint64) uint32 {
	if v <= math.MaxInt64 {
		return c.code(int64(v))
	}
	if c.big == nil {
		c.big = map[uint64]uint32{}
	}
	if code, ok := c.big[v]; ok {
		return code
	}
	c.next++
	c.big[v] = c.next
	return c.next
}

func encodeSigned[T ~int8 | ~int16 | ~int32 | ~int64](c *intCoder, arr arrow.Array, vals []T, dst []uint32) []uint32 {
	nulls := arr.NullN() > 0
	for i, v := range vals {
		if nulls && arr.IsNull(i) {
			dst = append(dst, 0)
			continue
		}
		dst = append(dst, c.code(int64(v)))
	}
	return dst
}

func encodeUnsigned[T uint8 | uint16 | uint32 | uint64](c *intCoder, arr arrow.Array, vals []T, dst []uint32) []uint32 {
	nulls := arr.NullN() > 0
	for i, v := range vals {
		if nulls && arr.IsNull(i) {
			dst = append(dst, 0)
			continue
		}
		dst = append(dst, c.codeUint(uint64(v)))
	}
	return dst
}

func (c *intCoder) encode(arr arrow.Array, dst []uint32) []uint32 {
	switch a := arr.(type) {
	case *array.Int8:
		return encodeSigned(c, arr, a.Int8Values(), dst)
	case *array.Int16:
		return encodeSigned(c, arr, a.Int16Values(), dst)
	case *array.Int32:
		return encodeSigned(c, arr, a.Int32Values(), dst)
	case *array.Int64:
		return encodeSigned(c, arr, a.Int64Values(), dst)
	case *array.Uint8:
		return encodeUnsigned(c, arr, a.Uint8Values(), dst)
	case *array.Uint16:
		return encodeUnsigned(c, arr, a.Uint16Values(), dst)
	case *array.Uint32:
		return encodeUnsigned(c, arr, a.Uint32Values(), dst)
	case *array.Uint64:
		return encodeUnsigned(c, arr, a.Uint64Values(), dst)
	case *array.Date32:
		return encodeSigned(c, arr, a.Date32Values(), dst)
	case *array.Date64:
		return encodeSigned(c, arr, a.Date64Values(), dst)
	case *array.Time32:
		return encodeSigned(c, arr, a.Time32Values(), dst)
	case *array.Time64:
		return encodeSigned(c, arr, a.Time64Values(), dst)
	case *array.Timestamp:
		return encodeSigned(c, arr, a.TimestampValues(), dst)
	case *array.Duration:
		return encodeSigned(c, arr, a.DurationValues(), dst)
	}
	// coderFor admits only the types above.
	return append(dst, make([]uint32, arr.Len())...)
}

type floatCoder struct {
	codes map[uint64]uint32
	next  uint32
}

func (c *floatCoder) cardinality() uint64 { return uint64(c.next) + 1 }

// canonicalNaN stands for every NaN, so that NaNs form one group as they do
// in pandas and Polars. Joins follow the same rule.
var canonicalNaN = math.Float64bits(math.NaN())

func (c *floatCoder) code(v float64) uint32 {
	bits := math.Float64bits(v)
	switch {
	case v != v:
		bits = canonicalNaN
	case v == 0:
		bits = 0 // -0 equals +0
	}
	if code, ok := c.codes[bits]; ok {
		return code
	}
	c.next++
	c.codes[bits] = c.next
	return c.next
}

func encodeFloats[T float32 | float64](c *floatCoder, arr arrow.Array, vals []T, dst []uint32) []uint32 {
	nulls := arr.NullN() > 0
	for i, v := range vals {
		if nulls && arr.IsNull(i) {
			dst = append(dst, 0)
			continue
		}
		dst = append(dst, c.code(float64(v)))
	}
	return dst
}

func (c *floatCoder) encode(arr arrow.Array, dst []uint32) []uint32 {
	switch a := arr.(type) {
	case *array.Float32:
		return encodeFloats(c, arr, a.Float32Values(), dst)
	case *array.Float64:
		return encodeFloats(c, arr, a.Float64Values(), dst)
	}
	return append(dst, make([]uint32, arr.Len())...)
}

type bytesCoder struct {
	codes map[string]uint32
	next  uint32
}

func (c *bytesCoder) cardinality() uint64 { return uint64(c.next) + 1 }

// code looks v up without copying it; only a new value is copied, since v
// points into Arrow memory that may be released after the operation.
func (c *bytesCoder) code(v string) uint32 {
	if code, ok := c.codes[v]; ok {
		return code
	}
	c.next++
	c.codes[strings.Clone(v)] = c.next
	return c.next
}

func (c *bytesCoder) encode(arr arrow.Array, dst []uint32) []uint32 {
	type stringer interface{ ValueString(int) string }
	nulls := arr.NullN() > 0
	switch a := arr.(type) {
	case *array.String:
		for i := range a.Len() {
			if nulls && a.IsNull(i) {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, c.code(a.Value(i)))
		}
	case *array.LargeString:
		for i := range a.Len() {
			if nulls && a.IsNull(i) {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, c.code(a.Value(i)))
		}
	case *array.StringView:
		for i := range a.Len() {
			if nulls && a.IsNull(i) {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, c.code(a.Value(i)))
		}
	case interface{ Value(int) []byte }:
		// Binary, LargeBinary and BinaryView. The conversion in a map
		// lookup does not allocate.
		for i := range arr.Len() {
			if nulls && arr.IsNull(i) {
				dst = append(dst, 0)
				continue
			}
			b := a.Value(i)
			if code, ok := c.codes[string(b)]; ok {
				dst = append(dst, code)
				continue
			}
			c.next++
			c.codes[string(b)] = c.next
			dst = append(dst, c.next)
		}
	default:
		dst = append(dst, make([]uint32, arr.Len())...)
	}
	return dst
}

type boolCoder struct{}

func (boolCoder) cardinality() uint64 { return 3 }

func (boolCoder) encode(arr arrow.Array, dst []uint32) []uint32 {
	a, ok := arr.(*array.Boolean)
	if !ok {
		return append(dst, make([]uint32, arr.Len())...)
	}
	for i := range a.Len() {
		switch {
		case a.IsNull(i):
			dst = append(dst, 0)
		case a.Value(i):
			dst = append(dst, 2)
		default:
			dst = append(dst, 1)
		}
	}
	return dst
}

type nullCoder struct{}

func (nullCoder) cardinality() uint64 { return 1 }
func (nullCoder) encode(arr arrow.Array, dst []uint32) []uint32 {
	return append(dst, make([]uint32, arr.Len())...)
}

type comparableCoder[T comparable] struct {
	codes map[T]uint32
	next  uint32
}

func (c *comparableCoder[T]) cardinality() uint64 { return uint64(c.next) + 1 }

func (c *comparableCoder[T]) encode(arr arrow.Array, dst []uint32) []uint32 {
	a, ok := arr.(interface{ Value(int) T })
	if !ok {
		return append(dst, make([]uint32, arr.Len())...)
	}
	for i := range arr.Len() {
		if arr.IsNull(i) {
			dst = append(dst, 0)
			continue
		}
		v := a.Value(i)
		code, ok := c.codes[v]
		if !ok {
			c.next++
			code = c.next
			c.codes[v] = code
		}
		dst = append(dst, code)
	}
	return dst
}

// keyCodes is the result of encodeKeys.
type keyCodes struct {
	// ids[side][row] is the dense id of the row's key tuple, in [0, n),
	// numbered in order of first appearance across the sides in order.
	ids [][]uint32
	n   int
	// hasNull[side][row] reports a null in any key column of the row; set
	// only when encodeKeys is asked to track nulls.
	hasNull [][]bool
}

// encodeKeys encodes the key columns of one or more sides. keys[side][k] is
// the k-th key column of a side; every side must have the same number of key
// columns, with compatible types (checked by the caller, named in its error).
func encodeKeys(names []string, keys [][]*arrow.Chunked, trackNulls bool) (*keyCodes, error) {
	nk := len(names)
	sides := len(keys)
	out := &keyCodes{ids: make([][]uint32, sides)}
	if trackNulls {
		out.hasNull = make([][]bool, sides)
	}
	var comp [][]uint64 // per side, the combined code so far
	var card uint64 = 1
	for k := range nk {
		coder, err := coderFor(names[k], keys[0][k].DataType())
		if err != nil {
			return nil, err
		}
		if ic, ok := coder.(*intCoder); ok {
			cols := make([]*arrow.Chunked, sides)
			for s := range sides {
				cols[s] = keys[s][k]
			}
			ic.prepareRange(cols)
		}
		colCodes := make([][]uint32, sides)
		for s := range sides {
			col := keys[s][k]
			codes := make([]uint32, 0, col.Len())
			for _, chunk := range col.Chunks() {
				codes = coder.encode(chunk, codes)
			}
			colCodes[s] = codes
			if trackNulls {
				if out.hasNull[s] == nil {
					out.hasNull[s] = make([]bool, len(codes))
				}
				for i, c := range codes {
					if c == 0 {
						out.hasNull[s][i] = true
					}
				}
			}
		}
		cj := coder.cardinality()
		if comp == nil {
			comp = make([][]uint64, sides)
			for s := range sides {
				comp[s] = make([]uint64, len(colCodes[s]))
				for i, c := range colCodes[s] {
					comp[s][i] = uint64(c)
				}
			}
			card = cj
			continue
		}
		if card > math.MaxUint64/cj {
			// The product of cardinalities would overflow: renumber what
			// we have densely first.
			n := densify(comp, card)
			card = uint64(n)
		}
		for s := range sides {
			for i, c := range colCodes[s] {
				comp[s][i] = comp[s][i]*cj + uint64(c)
			}
		}
		card *= cj
	}
	out.n = densify(comp, card)
	for s := range sides {
		ids := make([]uint32, len(comp[s]))
		for i, c := range comp[s] {
			ids[i] = uint32(c)
		}
		out.ids[s] = ids
	}
	return out, nil
}

// densify renumbers codes below card as 0, 1, ... in order of first
// appearance, in place, and returns how many distinct codes there were.
func densify(comp [][]uint64, card uint64) int {
	total := 0
	for _, side := range comp {
		total += len(side)
	}
	next := uint64(0)
	// A lookup table when it is not much larger than the data; a map when
	// the code space is sparse.
	if card <= uint64(4*total+1024) {
		table := make([]int64, card)
		for i := range table {
			table[i] = -1
		}
		for _, side := range comp {
			for i, c := range side {
				if table[c] < 0 {
					table[c] = int64(next)
					next++
				}
				side[i] = uint64(table[c])
			}
		}
		return int(next)
	}
	seen := make(map[uint64]uint64, min(total, 1<<20))
	for _, side := range comp {
		for i, c := range side {
			id, ok := seen[c]
			if !ok {
				id = next
				seen[c] = id
				next++
			}
			side[i] = id
		}
	}
	return int(next)
}
