package frame

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// AggFunc is an aggregate function of a group-by.
type AggFunc int

// The aggregate functions. All skip nulls; a group with no non-null value
// gets null from every function except Count, CountRows and NUnique, which
// give 0.
const (
	// AggCount counts the non-null values.
	AggCount AggFunc = iota + 1
	// AggCountRows counts the rows, nulls included; it takes no column.
	AggCountRows
	// AggSum adds the values: int64 for signed integers, uint64 for
	// unsigned ones (both wrap on overflow, as Go arithmetic does), float64
	// for floats. A NaN makes the sum NaN.
	AggSum
	// AggMean is the arithmetic mean as float64.
	AggMean
	// AggMin and AggMax keep the column's type. For floats NaN is skipped
	// unless every value is NaN, as Polars does.
	AggMin
	AggMax
	// AggFirst and AggLast are the first and last non-null values in row
	// order.
	AggFirst
	AggLast
	// AggNUnique counts the distinct non-null values (all NaNs count once).
	AggNUnique
	// AggStd and AggVar are the sample standard deviation and variance
	// (n-1 in the denominator) as float64; null below two values.
	AggStd
	AggVar
)

var aggNames = map[AggFunc]string{
	AggCount: "count", AggCountRows: "count", AggSum: "sum", AggMean: "mean", AggMin: "min", AggMax: "max",
	AggFirst: "first", AggLast: "last", AggNUnique: "n_unique", AggStd: "std", AggVar: "var",
}

// String is the aggregate's name as result columns use it ("sum", "n_unique").
func (a AggFunc) String() string {
	if n, ok := aggNames[a]; ok {
		return n
	}
	return fmt.Sprintf("AggFunc(%d)", int(a))
}

// Agg is one aggregate of a group-by: a function of a column, and the name
// of its result column ("<column>_<function>" unless set with As).
type Agg struct {
	Func   AggFunc
	Column string
	Name   string
}

// As names the aggregate's result column.
func (a Agg) As(name string) Agg { a.Name = name; return a }

func (a Agg) resultName() string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Func == AggCountRows:
		return "count"
	}
	return a.Column + "_" + a.Func.String()
}

// Count counts a column's non-null values in each group.
func Count(column string) Agg { return Agg{Func: AggCount, Column: column} }

// CountRows counts each group's rows, nulls included.
func CountRows() Agg { return Agg{Func: AggCountRows} }

// Sum adds a column's non-null values in each group.
func Sum(column string) Agg { return Agg{Func: AggSum, Column: column} }

// Mean is the arithmetic mean, as float64, of a column's non-null values
// in each group.
func Mean(column string) Agg { return Agg{Func: AggMean, Column: column} }

// Min is a column's smallest non-null value in each group.
func Min(column string) Agg { return Agg{Func: AggMin, Column: column} }

// Max is a column's largest non-null value in each group.
func Max(column string) Agg { return Agg{Func: AggMax, Column: column} }

// First is a column's first non-null value in each group, in row order.
func First(column string) Agg { return Agg{Func: AggFirst, Column: column} }

// Last is a column's last non-null value in each group, in row order.
func Last(column string) Agg { return Agg{Func: AggLast, Column: column} }

// NUnique counts a column's distinct non-null values in each group.
func NUnique(column string) Agg { return Agg{Func: AggNUnique, Column: column} }

// Std is the sample standard deviation (n-1) of a column in each group.
func Std(column string) Agg { return Agg{Func: AggStd, Column: column} }

// Var is the sample variance (n-1) of a column in each group.
func Var(column string) Agg { return Agg{Func: AggVar, Column: column} }

// Grouped is a frame grouped by key columns, waiting for aggregates.
type Grouped struct {
	f      *Frame
	keys   []string
	sorted bool
}

// GroupBy groups the rows by the values of the key columns. Rows whose keys
// are equal form a group; nulls are equal to each other (SQL GROUP BY), and
// so are NaNs. Groups come out in order of first appearance unless Sorted is
// called.
func (f *Frame) GroupBy(keys ...string) *Grouped {
	return &Grouped{f: f.orEmpty(), keys: keys}
}

// Sorted makes the result come out sorted by the keys, ascending, nulls
// last.
func (g *Grouped) Sorted() *Grouped {
	c := *g
	c.sorted = true
	return &c
}

// Agg computes the aggregates per group: the result has the key columns,
// then one column per aggregate, one row per group.
func (g *Grouped) Agg(aggs ...Agg) (*Frame, error) {
	return g.AggWithOptions(aggs)
}

// AggWithOptions is Agg with options, such as an allocator.
func (g *Grouped) AggWithOptions(aggs []Agg, optFns ...func(*Options)) (*Frame, error) {
	f := g.f
	if len(g.keys) == 0 {
		return nil, fmt.Errorf("frame: group by: no key columns: %w", ErrInvalidArgument)
	}
	o := resolveOptions(optFns)
	keyCols := make([]*arrow.Chunked, len(g.keys))
	fields := make([]arrow.Field, 0, len(g.keys)+len(aggs))
	names := map[string]bool{}
	for i, k := range g.keys {
		j, err := f.columnIndex(k)
		if err != nil {
			return nil, fmt.Errorf("frame: group by: key %w", err)
		}
		if names[k] {
			return nil, fmt.Errorf("frame: group by: key %q given twice: %w", k, ErrDuplicateColumn)
		}
		names[k] = true
		keyCols[i] = f.cols[j]
		fields = append(fields, f.schema.Field(j))
	}
	codes, err := encodeKeys(g.keys, [][]*arrow.Chunked{keyCols}, false)
	if err != nil {
		return nil, fmt.Errorf("frame: group by: %w", err)
	}
	ids, groups := codes.ids[0], codes.n

	// Check every aggregate before computing any.
	aggCols := make([]*arrow.Chunked, len(aggs))
	for i, a := range aggs {
		name := a.resultName()
		if names[name] {
			return nil, fmt.Errorf("frame: group by: result column %q appears twice; name the aggregate with As: %w", name, ErrDuplicateColumn)
		}
		names[name] = true
		if a.Func == AggCountRows {
			continue
		}
		j, err := f.columnIndex(a.Column)
		if err != nil {
			return nil, fmt.Errorf("frame: group by: %s of %w", a.Func, err)
		}
		aggCols[i] = f.cols[j]
		if err := checkAggType(a, aggCols[i].DataType()); err != nil {
			return nil, fmt.Errorf("frame: group by: %w", err)
		}
	}

	first := make([]int64, groups)
	for i := range first {
		first[i] = -1
	}
	for row, id := range ids {
		if first[id] < 0 {
			first[id] = int64(row)
		}
	}
	cols, err := takeColumns(o.Allocator, arrow.NewSchema(fields, nil), keyCols, first)
	if err != nil {
		return nil, fmt.Errorf("frame: group by: %w", err)
	}
	fail := func(err error) (*Frame, error) {
		for _, c := range cols {
			c.Release()
		}
		return nil, fmt.Errorf("frame: group by: %w", err)
	}
	for i, a := range aggs {
		col, err := aggregate(o.Allocator, a, aggCols[i], ids, groups)
		if err != nil {
			return fail(fmt.Errorf("%s of %q: %w", a.Func, a.Column, err))
		}
		cols = append(cols, col)
		fields = append(fields, arrow.Field{Name: a.resultName(), Type: col.DataType(), Nullable: true})
	}
	out := newFrame(arrow.NewSchema(fields, nil), cols, groups)
	if !g.sorted {
		return out, nil
	}
	sortKeys := make([]SortKey, len(g.keys))
	for i, k := range g.keys {
		sortKeys[i] = Asc(k)
	}
	sorted, err := out.SortWithOptions(sortKeys, optFns...)
	out.Release()
	return sorted, err
}

func checkAggType(a Agg, dt arrow.DataType) error {
	id := dt.ID()
	numeric := arrow.IsInteger(id) || id == arrow.FLOAT32 || id == arrow.FLOAT64
	switch a.Func {
	case AggSum, AggMean, AggStd, AggVar:
		if !numeric {
			return fmt.Errorf("%s of %q: column type %s is not numeric: %w", a.Func, a.Column, dt, ErrTypeMismatch)
		}
	case AggMin, AggMax:
		if !orderable(dt) {
			return fmt.Errorf("%s of %q: column type %s has no order: %w", a.Func, a.Column, dt, ErrTypeMismatch)
		}
	case AggNUnique:
		if _, err := coderFor(a.Column, dt); err != nil {
			return err
		}
	case AggCount, AggFirst, AggLast:
	default:
		return fmt.Errorf("unknown aggregate %v of %q: %w", a.Func, a.Column, ErrInvalidArgument)
	}
	return nil
}

// eachChunk calls fn with each chunk and the row number of its first row.
func eachChunk(col *arrow.Chunked, fn func(base int, arr arrow.Array)) {
	base := 0
	for _, c := range col.Chunks() {
		fn(base, c)
		base += c.Len()
	}
}

func aggregate(mem memory.Allocator, a Agg, col *arrow.Chunked, ids []uint32, groups int) (*arrow.Chunked, error) {
	switch a.Func {
	case AggCountRows:
		counts := make([]int64, groups)
		for _, id := range ids {
			counts[id]++
		}
		return int64Column(mem, counts, nil), nil
	case AggCount:
		counts := make([]int64, groups)
		eachChunk(col, func(base int, arr arrow.Array) {
			for i := range arr.Len() {
				if arr.IsValid(i) {
					counts[ids[base+i]]++
				}
			}
		})
		return int64Column(mem, counts, nil), nil
	case AggSum:
		return sumColumn(mem, col, ids, groups), nil
	case AggMean, AggStd, AggVar:
		return momentColumn(mem, a.Func, col, ids, groups), nil
	case AggMin, AggMax:
		best := bestRows(col, ids, groups, a.Func == AggMax)
		return takeOne(mem, col, best)
	case AggFirst, AggLast:
		rows := make([]int64, groups)
		for i := range rows {
			rows[i] = -1
		}
		eachChunk(col, func(base int, arr arrow.Array) {
			for i := range arr.Len() {
				if arr.IsValid(i) {
					if id := ids[base+i]; a.Func == AggLast || rows[id] < 0 {
						rows[id] = int64(base + i)
					}
				}
			}
		})
		return takeOne(mem, col, rows)
	case AggNUnique:
		return nUniqueColumn(mem, a.Column, col, ids, groups)
	}
	return nil, fmt.Errorf("unknown aggregate %v: %w", a.Func, ErrInvalidArgument)
}

func takeOne(mem memory.Allocator, col *arrow.Chunked, rows []int64) (*arrow.Chunked, error) {
	out, err := takeColumns(mem, arrow.NewSchema([]arrow.Field{{Name: "v", Type: col.DataType()}}, nil), []*arrow.Chunked{col}, rows)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func int64Column(mem memory.Allocator, vals []int64, valid []bool) *arrow.Chunked {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	arr := b.NewArray()
	defer arr.Release()
	return arrow.NewChunked(arr.DataType(), []arrow.Array{arr})
}

func float64Column(mem memory.Allocator, vals []float64, valid []bool) *arrow.Chunked {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	arr := b.NewArray()
	defer arr.Release()
	return arrow.NewChunked(arr.DataType(), []arrow.Array{arr})
}

func uint64Column(mem memory.Allocator, vals []uint64, valid []bool) *arrow.Chunked {
	b := array.NewUint64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	arr := b.NewArray()
	defer arr.Release()
	return arrow.NewChunked(arr.DataType(), []arrow.Array{arr})
}

// numericValues visits the non-null values of a numeric chunk as float64,
// int64 or uint64 through typed loops, one type switch per chunk.
type numericVisitor struct {
	float func(row int, v float64)
	int   func(row int, v int64)
	uint  func(row int, v uint64)
}

func visitNumeric[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](arr arrow.Array, vals []T, base int, fn func(row int, v T)) {
	if arr.NullN() == 0 {
		for i, v := range vals {
			fn(base+i, v)
		}
		return
	}
	for i, v := range vals {
		if arr.IsValid(i) {
			fn(base+i, v)
		}
	}
}

func (nv numericVisitor) visit(col *arrow.Chunked) {
	eachChunk(col, func(base int, arr arrow.Array) {
		asInt := func(row int, v int64) { nv.int(row, v) }
		asUint := func(row int, v uint64) { nv.uint(row, v) }
		switch a := arr.(type) {
		case *array.Float64:
			visitNumeric(arr, a.Float64Values(), base, nv.float)
		case *array.Float32:
			visitNumeric(arr, a.Float32Values(), base, func(row int, v float32) { nv.float(row, float64(v)) })
		case *array.Int64:
			visitNumeric(arr, a.Int64Values(), base, asInt)
		case *array.Int32:
			visitNumeric(arr, a.Int32Values(), base, func(row int, v int32) { nv.int(row, int64(v)) })
		case *array.Int16:
			visitNumeric(arr, a.Int16Values(), base, func(row int, v int16) { nv.int(row, int64(v)) })
		case *array.Int8:
			visitNumeric(arr, a.Int8Values(), base, func(row int, v int8) { nv.int(row, int64(v)) })
		case *array.Uint64:
			visitNumeric(arr, a.Uint64Values(), base, asUint)
		case *array.Uint32:
			visitNumeric(arr, a.Uint32Values(), base, func(row int, v uint32) { nv.uint(row, uint64(v)) })
		case *array.Uint16:
			visitNumeric(arr, a.Uint16Values(), base, func(row int, v uint16) { nv.uint(row, uint64(v)) })
		case *array.Uint8:
			visitNumeric(arr, a.Uint8Values(), base, func(row int, v uint8) { nv.uint(row, uint64(v)) })
		}
	})
}

func sumColumn(mem memory.Allocator, col *arrow.Chunked, ids []uint32, groups int) *arrow.Chunked {
	seen := make([]bool, groups)
	id := col.DataType().ID()
	switch {
	case id == arrow.FLOAT32 || id == arrow.FLOAT64:
		sums := make([]float64, groups)
		numericVisitor{float: func(row int, v float64) { g := ids[row]; sums[g] += v; seen[g] = true }}.visit(col)
		return float64Column(mem, sums, seen)
	case id == arrow.UINT8 || id == arrow.UINT16 || id == arrow.UINT32 || id == arrow.UINT64:
		sums := make([]uint64, groups)
		numericVisitor{uint: func(row int, v uint64) { g := ids[row]; sums[g] += v; seen[g] = true }}.visit(col)
		return uint64Column(mem, sums, seen)
	}
	sums := make([]int64, groups)
	numericVisitor{int: func(row int, v int64) { g := ids[row]; sums[g] += v; seen[g] = true }}.visit(col)
	return int64Column(mem, sums, seen)
}

// momentColumn computes means, variances or standard deviations with
// Welford's update, which stays accurate where sum-of-squares does not.
func momentColumn(mem memory.Allocator, fn AggFunc, col *arrow.Chunked, ids []uint32, groups int) *arrow.Chunked {
	n := make([]float64, groups)
	mean := make([]float64, groups)
	m2 := make([]float64, groups)
	add := func(row int, x float64) {
		g := ids[row]
		n[g]++
		d := x - mean[g]
		mean[g] += d / n[g]
		m2[g] += d * (x - mean[g])
	}
	numericVisitor{
		float: add,
		int:   func(row int, v int64) { add(row, float64(v)) },
		uint:  func(row int, v uint64) { add(row, float64(v)) },
	}.visit(col)
	valid := make([]bool, groups)
	out := mean
	for g := range groups {
		switch fn {
		case AggMean:
			valid[g] = n[g] > 0
		case AggVar, AggStd:
			valid[g] = n[g] > 1
			if valid[g] {
				out[g] = m2[g] / (n[g] - 1)
				if fn == AggStd {
					out[g] = math.Sqrt(out[g])
				}
			}
		}
		if !valid[g] {
			out[g] = 0
		}
	}
	return float64Column(mem, out, valid)
}

// orderable reports whether Min and Max can compare values of type dt.
func orderable(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64,
		arrow.TIMESTAMP, arrow.DURATION, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.BOOL:
		return true
	}
	return false
}

// bestRows finds, per group, the row with the smallest (or largest)
// non-null value; -1 for a group without one.
func bestRows(col *arrow.Chunked, ids []uint32, groups int, largest bool) []int64 {
	rows := make([]int64, groups)
	for i := range rows {
		rows[i] = -1
	}
	switch col.DataType().ID() {
	case arrow.FLOAT32, arrow.FLOAT64:
		best := make([]float64, groups)
		numericVisitor{float: func(row int, v float64) {
			g := ids[row]
			cur := best[g]
			switch {
			case rows[g] < 0, cur != cur && v == v:
				// First value, or a number replacing a NaN: NaN only wins
				// when nothing else is there.
			case v != v:
				return
			case largest && v <= cur, !largest && v >= cur:
				return
			}
			best[g], rows[g] = v, int64(row)
		}}.visit(col)
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		best := make([]string, groups)
		eachChunk(col, func(base int, arr arrow.Array) {
			for i := range arr.Len() {
				if arr.IsNull(i) {
					continue
				}
				v := valueString(arr, i)
				g := ids[base+i]
				if rows[g] < 0 || (largest && v > best[g]) || (!largest && v < best[g]) {
					best[g], rows[g] = v, int64(base+i)
				}
			}
		})
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		best := make([]uint64, groups)
		numericVisitor{uint: func(row int, v uint64) {
			g := ids[row]
			if rows[g] < 0 || (largest && v > best[g]) || (!largest && v < best[g]) {
				best[g], rows[g] = v, int64(row)
			}
		}}.visit(col)
	default:
		// Signed integers, temporal types and booleans compare as int64.
		best := make([]int64, groups)
		eachChunk(col, func(base int, arr arrow.Array) {
			vals := int64Values(arr)
			for i := range arr.Len() {
				if arr.IsNull(i) {
					continue
				}
				v, g := vals(i), ids[base+i]
				if rows[g] < 0 || (largest && v > best[g]) || (!largest && v < best[g]) {
					best[g], rows[g] = v, int64(base+i)
				}
			}
		})
	}
	return rows
}

// valueString returns row i of a string or binary chunk without copying;
// the result is only compared, never kept beyond the chunk's life.
func valueString(arr arrow.Array, i int) string {
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return unsafe.String(unsafe.SliceData(a.Value(i)), len(a.Value(i)))
	case *array.LargeBinary:
		return unsafe.String(unsafe.SliceData(a.Value(i)), len(a.Value(i)))
	}
	return ""
}

// int64Values returns an accessor of a signed integer, unsigned integer up
// to 32 bits, temporal or boolean chunk's values as int64, chosen once per
// chunk; nil for any other type.
func int64Values(arr arrow.Array) func(int) int64 {
	switch a := arr.(type) {
	case *array.Int64:
		v := a.Int64Values()
		return func(i int) int64 { return v[i] }
	case *array.Int32:
		v := a.Int32Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Int16:
		v := a.Int16Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Int8:
		v := a.Int8Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Date32:
		v := a.Date32Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Date64:
		v := a.Date64Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Time32:
		v := a.Time32Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Time64:
		v := a.Time64Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Timestamp:
		v := a.TimestampValues()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Duration:
		v := a.DurationValues()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Uint8:
		v := a.Uint8Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Uint16:
		v := a.Uint16Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Uint32:
		v := a.Uint32Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Boolean:
		return func(i int) int64 {
			if a.Value(i) {
				return 1
			}
			return 0
		}
	}
	return nil
}

func nUniqueColumn(mem memory.Allocator, name string, col *arrow.Chunked, ids []uint32, groups int) (*arrow.Chunked, error) {
	coder, err := coderFor(name, col.DataType())
	if err != nil {
		return nil, err
	}
	codes := make([]uint32, 0, col.Len())
	for _, c := range col.Chunks() {
		codes = coder.encode(c, codes)
	}
	card := coder.cardinality()
	counts := make([]int64, groups)
	if uint64(groups) > math.MaxUint64/card {
		// (group, value) does not fit one uint64 code: count with a map.
		seen := map[[2]uint32]bool{}
		for row, c := range codes {
			if k := [2]uint32{ids[row], c}; c != 0 && !seen[k] {
				seen[k] = true
				counts[ids[row]]++
			}
		}
		return int64Column(mem, counts, nil), nil
	}
	pairs := make([]uint64, 0, len(codes))
	owner := make([]uint32, 0, len(codes))
	for row, c := range codes {
		if c != 0 {
			pairs = append(pairs, uint64(ids[row])*card+uint64(c))
			owner = append(owner, ids[row])
		}
	}
	// After densify each distinct (group, value) pair has one id; count
	// the ids per group.
	n := densify([][]uint64{pairs}, uint64(groups)*card)
	counted := make([]bool, n)
	for i, p := range pairs {
		if !counted[p] {
			counted[p] = true
			counts[owner[i]]++
		}
	}
	return int64Column(mem, counts, nil), nil
}
