package frame

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// SortKey is one key of a sort: a column, its direction and where its
// nulls go. Build it with Asc or Desc.
type SortKey struct {
	Column     string
	Descending bool
	// NullsFirst puts nulls before every value; by default they go last,
	// whatever the direction.
	NullsFirst bool
}

// Asc sorts by column in ascending order, nulls last.
func Asc(column string) SortKey { return SortKey{Column: column} }

// Desc sorts by column in descending order, nulls last.
func Desc(column string) SortKey { return SortKey{Column: column, Descending: true} }

// WithNullsFirst returns the key with nulls placed before every value.
func (k SortKey) WithNullsFirst() SortKey { k.NullsFirst = true; return k }

// Sort returns the rows ordered by the keys, the first key deciding first.
// The sort is stable: rows with equal keys keep their order. Floating-point
// NaN is greater than every number and equal to itself, so NaNs come after
// the numbers in an ascending key and before them in a descending one;
// nulls stay last (or first, with WithNullsFirst) in either direction.
// Strings and binary compare byte by byte.
func (f *Frame) Sort(keys ...SortKey) (*Frame, error) {
	return f.SortWithOptions(keys)
}

// SortWithOptions is Sort with options, such as an allocator.
func (f *Frame) SortWithOptions(keys []SortKey, optFns ...func(*Options)) (*Frame, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("frame: sort: no keys: %w", ErrInvalidArgument)
	}
	f = f.orEmpty()
	o := resolveOptions(optFns)
	sc := make([]sortColumn, len(keys))
	for i, k := range keys {
		j, err := f.columnIndex(k.Column)
		if err != nil {
			return nil, fmt.Errorf("frame: sort: %w", err)
		}
		if sortableNatively(f.cols[j].DataType()) {
			sc[i] = newSortColumn(k, f.cols[j], f.NumRows())
			continue
		}
		if sc[i], err = arrowRankColumn(k, f.cols[j], f.NumRows()); err != nil {
			return nil, fmt.Errorf("frame: sort by %v: %w", keys, err)
		}
	}
	perm := sortPermutation(sc, f.NumRows())
	taken, err := takeColumns(o.Allocator, f.schema, f.cols, perm)
	if err != nil {
		return nil, fmt.Errorf("frame: sort: %w", err)
	}
	return newFrame(f.schema, taken, f.NumRows()), nil
}

// sortableNatively reports the key types sorted by this package's own
// typed comparisons; others go through Arrow's sort_indices kernel, which
// is general but, in v18.8, about ten times slower.
func sortableNatively(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64,
		arrow.TIMESTAMP, arrow.DURATION, arrow.BOOL, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// sortColumn is one key column read into a Go slice of its natural
// comparison type.
type sortColumn interface {
	// order returns rows (all of them, in row order) sorted by this key,
	// stably.
	order(rows []int64) []int64
	// equal reports whether rows i and j tie on this key.
	equal(i, j int) bool
	// compare orders rows i and j by this key, nulls and direction
	// included.
	compare(i, j int) int
}

type typedKey[T cmp.Ordered] struct {
	vals       []T
	valid      []bool // nil: no nulls
	desc       bool
	nullsFirst bool
	float      bool // NaN is the largest value, and equal to itself
}

func (k *typedKey[T]) isNaN(i int) bool { return k.float && k.vals[i] != k.vals[i] }

func (k *typedKey[T]) isNull(i int) bool { return k.valid != nil && !k.valid[i] }

func (k *typedKey[T]) compare(i, j int) int {
	ni, nj := k.isNull(i), k.isNull(j)
	switch {
	case ni && nj:
		return 0
	case ni != nj:
		if ni == k.nullsFirst {
			return -1
		}
		return 1
	}
	var c int
	switch ai, aj := k.isNaN(i), k.isNaN(j); {
	case ai && aj:
		c = 0
	case ai:
		c = 1
	case aj:
		c = -1
	default:
		c = cmp.Compare(k.vals[i], k.vals[j])
	}
	if k.desc {
		return -c
	}
	return c
}

func (k *typedKey[T]) equal(i, j int) bool {
	ni, nj := k.isNull(i), k.isNull(j)
	if ni || nj {
		return ni && nj
	}
	ai, aj := k.isNaN(i), k.isNaN(j)
	if ai || aj {
		return ai && aj
	}
	return k.vals[i] == k.vals[j]
}

// order sorts the rows that hold numbers by value with the row number as a
// tie-break (stable, O(n log n), the comparison inlined for the type), and
// places NaNs and nulls around them as Sort documents.
func (k *typedKey[T]) order(rows []int64) []int64 {
	type pair struct {
		v   T
		row int64
	}
	pairs := make([]pair, 0, len(rows))
	var nans, nulls []int64
	for _, r := range rows {
		switch {
		case k.isNull(int(r)):
			nulls = append(nulls, r)
		case k.isNaN(int(r)):
			nans = append(nans, r)
		default:
			pairs = append(pairs, pair{k.vals[r], r})
		}
	}
	if k.desc {
		slices.SortFunc(pairs, func(a, b pair) int {
			if c := cmp.Compare(b.v, a.v); c != 0 {
				return c
			}
			return cmp.Compare(a.row, b.row)
		})
	} else {
		slices.SortFunc(pairs, func(a, b pair) int {
			if c := cmp.Compare(a.v, b.v); c != 0 {
				return c
			}
			return cmp.Compare(a.row, b.row)
		})
	}
	out := make([]int64, 0, len(rows))
	if k.nullsFirst {
		out = append(out, nulls...)
	}
	if k.desc {
		out = append(out, nans...)
	}
	for _, p := range pairs {
		out = append(out, p.row)
	}
	if !k.desc {
		out = append(out, nans...)
	}
	if !k.nullsFirst {
		out = append(out, nulls...)
	}
	return out
}

// newSortColumn reads a key column once into a Go slice.
func newSortColumn(k SortKey, col *arrow.Chunked, rows int) sortColumn {
	var valid []bool
	if col.NullN() > 0 {
		valid = make([]bool, 0, rows)
		for _, c := range col.Chunks() {
			for i := range c.Len() {
				valid = append(valid, c.IsValid(i))
			}
		}
	}
	switch col.DataType().ID() {
	case arrow.FLOAT32, arrow.FLOAT64:
		vals := make([]float64, rows)
		numericVisitor{float: func(row int, v float64) { vals[row] = v }}.visit(col)
		return &typedKey[float64]{vals, valid, k.Descending, k.NullsFirst, true}
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		vals := make([]uint64, rows)
		numericVisitor{uint: func(row int, v uint64) { vals[row] = v }}.visit(col)
		return &typedKey[uint64]{vals, valid, k.Descending, k.NullsFirst, false}
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		// The strings point into the column's buffers, which the frame
		// keeps alive for the whole sort.
		vals := make([]string, 0, rows)
		for _, c := range col.Chunks() {
			for i := range c.Len() {
				vals = append(vals, valueString(c, i))
			}
		}
		return &typedKey[string]{vals, valid, k.Descending, k.NullsFirst, false}
	}
	vals := make([]int64, 0, rows)
	for _, c := range col.Chunks() {
		get := int64Values(c)
		for i := range c.Len() {
			vals = append(vals, get(i))
		}
	}
	return &typedKey[int64]{vals, valid, k.Descending, k.NullsFirst, false}
}

// sortPermutation returns the row order of a stable sort: all rows by the
// first key with a typed sort, then each run of rows tied on it by the
// remaining keys.
func sortPermutation(sc []sortColumn, rows int) []int64 {
	all := make([]int64, rows)
	for i := range all {
		all[i] = int64(i)
	}
	perm := sc[0].order(all)
	if len(sc) == 1 {
		return perm
	}
	rest := sc[1:]
	for lo := 0; lo < len(perm); {
		hi := lo + 1
		for hi < len(perm) && sc[0].equal(int(perm[lo]), int(perm[hi])) {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(perm[lo:hi], func(a, b int64) int {
				for _, c := range rest {
					if r := c.compare(int(a), int(b)); r != 0 {
						return r
					}
				}
				return cmp.Compare(a, b)
			})
		}
		lo = hi
	}
	return perm
}

// arrowRankColumn is the sort key for a column type this package does not
// compare itself (decimals, float16, for instance): Arrow's sort_indices
// orders the column ascending once, and each row gets the rank of its value
// (equal values, NaNs included, share a rank). Ranks then sort like any
// integer key, so direction, null placement, stability and the NaN rule
// are the same as for native keys: Arrow puts NaN after every number in
// ascending order, which makes it the highest rank.
func arrowRankColumn(k SortKey, col *arrow.Chunked, rows int) (sortColumn, error) {
	ranks := make([]int64, rows)
	var valid []bool
	if col.NullN() > 0 {
		valid = make([]bool, rows)
	}
	key := &typedKey[int64]{ranks, valid, k.Descending, k.NullsFirst, false}
	if rows == 0 {
		return key, nil
	}
	perm, err := arrowSortPermutation(col, rows)
	if err != nil {
		return nil, err
	}
	flat, err := array.Concatenate(col.Chunks(), memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer flat.Release()
	rank := int64(0)
	for i, r := range perm {
		if flat.IsNull(int(r)) {
			break // nulls come last, and valid[r] stays false
		}
		if i > 0 && !array.SliceApproxEqual(flat, perm[i-1], perm[i-1]+1, flat, r, r+1,
			array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
			rank++
		}
		ranks[r] = rank
		if valid != nil {
			valid[r] = true
		}
	}
	return key, nil
}

// arrowSortPermutation sorts one column ascending, nulls at the end, with
// Arrow's sort_indices kernel.
func arrowSortPermutation(col *arrow.Chunked, rows int) ([]int64, error) {
	field := arrow.Field{Name: "key", Type: col.DataType(), Nullable: true}
	tcol := arrow.NewColumn(field, col)
	tbl := array.NewTable(arrow.NewSchema([]arrow.Field{field}, nil), []arrow.Column{*tcol}, int64(rows))
	tcol.Release()
	defer tbl.Release()
	sortKeys := compute.SortOptions{{ColumnIndex: 0, Order: compute.SortOrderAscending, NullPlacement: compute.SortNullsAtEnd}}
	// Go's garbage-collected allocator, not the caller's: arrow-go v18.8's
	// sort_indices keeps one reference too many to its result for some
	// inputs (seen with randomly chunked columns), which a counting
	// allocator reports as a leak. The indices are copied out and dropped.
	res, err := compute.SortIndices(compute.WithAllocator(context.Background(), memory.DefaultAllocator),
		compute.NewDatumWithoutOwning(tbl), sortKeys)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	indices := res.(*compute.ArrayDatum).MakeArray()
	defer indices.Release()
	idx, ok := indices.(*array.Uint64)
	if !ok {
		return nil, fmt.Errorf("sort_indices returned %s", indices.DataType())
	}
	perm := make([]int64, idx.Len())
	for i, v := range idx.Uint64Values() {
		perm[i] = int64(v)
	}
	return perm, nil
}
