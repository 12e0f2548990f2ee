package frame

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// JoinKind is the kind of a join.
type JoinKind int

const (
	// InnerJoin keeps pairs of rows whose keys match.
	InnerJoin JoinKind = iota + 1
	// LeftJoin keeps every left row, with nulls where no right row matches.
	LeftJoin
	// RightJoin keeps every right row, with nulls where no left row matches.
	RightJoin
	// OuterJoin keeps every row of both sides.
	OuterJoin
	// SemiJoin keeps the left rows that have a match, once each, with the
	// left columns only.
	SemiJoin
	// AntiJoin keeps the left rows that have no match, with the left
	// columns only.
	AntiJoin
)

// String names the join kind ("inner", "left", ...).
func (k JoinKind) String() string {
	switch k {
	case InnerJoin:
		return "inner"
	case LeftJoin:
		return "left"
	case RightJoin:
		return "right"
	case OuterJoin:
		return "outer"
	case SemiJoin:
		return "semi"
	case AntiJoin:
		return "anti"
	}
	return fmt.Sprintf("JoinKind(%d)", int(k))
}

// DefaultJoinSuffix is appended to a right column whose name the left side
// already uses.
const DefaultJoinSuffix = "_right"

// JoinOptions configure a join. On names key columns both sides share;
// LeftOn and RightOn name them separately, pairwise. The zero Suffix means
// DefaultJoinSuffix.
type JoinOptions struct {
	On      []string
	LeftOn  []string
	RightOn []string
	Suffix  string
	Options
}

// On joins on key columns with the same names on both sides; the result
// has each such key column once.
func On(columns ...string) func(*JoinOptions) {
	return func(o *JoinOptions) { o.On = columns }
}

// LeftRightOn joins left column left[i] with right column right[i]; the
// result keeps both sides' key columns.
func LeftRightOn(left, right []string) func(*JoinOptions) {
	return func(o *JoinOptions) { o.LeftOn, o.RightOn = left, right }
}

// Suffix sets the suffix for clashing right column names.
func Suffix(s string) func(*JoinOptions) {
	return func(o *JoinOptions) { o.Suffix = s }
}

// JoinAllocator makes the join allocate from mem.
func JoinAllocator(mem memory.Allocator) func(*JoinOptions) {
	return func(o *JoinOptions) { o.Allocator = mem }
}

// Join joins f (the left side) with right by hashing the right side's keys.
// Keys match when all of them are equal; a null key never matches (SQL
// semantics), while NaN matches NaN. Key columns must have the same types on
// both sides, except that integers of any width and signedness match by
// value, and so do float32 and float64.
//
// The result has the left columns, then the right ones (for On keys, once:
// taken from the left side, from the right side in a right join, and from
// whichever side has the row in an outer join). Rows come in left order,
// each left row's matches in right order; a right or outer join appends the
// right rows without a match at the end, in right order.
func (f *Frame) Join(right *Frame, kind JoinKind, optFns ...func(*JoinOptions)) (*Frame, error) {
	left := f.orEmpty()
	right = right.orEmpty()
	var o JoinOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	if o.Suffix == "" {
		o.Suffix = DefaultJoinSuffix
	}
	if kind < InnerJoin || kind > AntiJoin {
		return nil, fmt.Errorf("frame: join: unknown kind %v: %w", kind, ErrInvalidArgument)
	}
	leftOn, rightOn, shared := o.LeftOn, o.RightOn, false
	if len(o.On) > 0 {
		if len(leftOn) > 0 || len(rightOn) > 0 {
			return nil, fmt.Errorf("frame: join: both On and LeftRightOn given: %w", ErrInvalidArgument)
		}
		leftOn, rightOn, shared = o.On, o.On, true
	}
	if len(leftOn) == 0 || len(leftOn) != len(rightOn) {
		return nil, fmt.Errorf("frame: join: %d left and %d right key columns; want the same number, at least one: %w",
			len(leftOn), len(rightOn), ErrInvalidArgument)
	}
	leftKeys := make([]*arrow.Chunked, len(leftOn))
	rightKeys := make([]*arrow.Chunked, len(rightOn))
	rightKeyIdx := map[int]int{} // right column -> key position, for On keys
	for i := range leftOn {
		li, err := left.columnIndex(leftOn[i])
		if err != nil {
			return nil, fmt.Errorf("frame: join: left key %w", err)
		}
		ri, err := right.columnIndex(rightOn[i])
		if err != nil {
			return nil, fmt.Errorf("frame: join: right key %w", err)
		}
		lt, rt := left.cols[li].DataType(), right.cols[ri].DataType()
		if !keyTypesCompatible(lt, rt) {
			return nil, fmt.Errorf("frame: join: key %q is %s on the left but %q is %s on the right: %w",
				leftOn[i], lt, rightOn[i], rt, ErrTypeMismatch)
		}
		leftKeys[i], rightKeys[i] = left.cols[li], right.cols[ri]
		if shared {
			rightKeyIdx[ri] = li
		}
	}
	codes, err := encodeKeys(leftOn, [][]*arrow.Chunked{leftKeys, rightKeys}, true)
	if err != nil {
		return nil, fmt.Errorf("frame: join: %w", err)
	}
	leftRows, rightRows := matchRows(kind, codes)

	// Output schema: left columns, then right ones.
	var fields []arrow.Field
	var cols []*arrow.Chunked
	fail := func(err error) (*Frame, error) {
		for _, c := range cols {
			c.Release()
		}
		return nil, fmt.Errorf("frame: join: %w", err)
	}
	taken, err := takeColumns(o.Allocator, left.schema, left.cols, leftRows)
	if err != nil {
		return fail(err)
	}
	cols = append(cols, taken...)
	fields = append(fields, left.schema.Fields()...)
	if kind == SemiJoin || kind == AntiJoin {
		return newFrame(arrow.NewSchema(fields, nil), cols, len(leftRows)), nil
	}
	if shared && (kind == RightJoin || kind == OuterJoin) {
		// The shared key columns come from the right side where the left
		// has no row.
		for ri, li := range rightKeyIdx {
			merged, err := coalesceKeys(o.Allocator, kind, left.cols[li], right.cols[ri], leftRows, rightRows)
			if err != nil {
				return fail(fmt.Errorf("key %q: %w", left.schema.Field(li).Name, err))
			}
			cols[li].Release()
			cols[li] = merged
			fields[li].Type = merged.DataType()
			fields[li].Nullable = true
		}
	}
	used := map[string]bool{}
	for _, fl := range fields {
		used[fl.Name] = true
	}
	var rightFields []arrow.Field
	var rightCols []*arrow.Chunked
	for ri, fl := range right.schema.Fields() {
		if _, isKey := rightKeyIdx[ri]; isKey {
			continue
		}
		if used[fl.Name] {
			fl.Name += o.Suffix
			if used[fl.Name] {
				return fail(fmt.Errorf("right column %q clashes even with suffix %q: %w", fl.Name, o.Suffix, ErrDuplicateColumn))
			}
		}
		used[fl.Name] = true
		fl.Nullable = fl.Nullable || kind == LeftJoin || kind == OuterJoin
		rightFields = append(rightFields, fl)
		rightCols = append(rightCols, right.cols[ri])
	}
	taken, err = takeColumns(o.Allocator, arrow.NewSchema(rightFields, nil), rightCols, rightRows)
	if err != nil {
		return fail(err)
	}
	cols = append(cols, taken...)
	fields = append(fields, rightFields...)
	for i := range fields {
		if kind == RightJoin || kind == OuterJoin {
			if i < left.NumCols() {
				fields[i].Nullable = true
			}
		}
	}
	return newFrame(arrow.NewSchema(fields, nil), cols, len(leftRows)), nil
}

// matchRows pairs left and right rows by key id. -1 stands for the missing
// side of an unmatched row in left, right and outer joins.
func matchRows(kind JoinKind, codes *keyCodes) (leftRows, rightRows []int64) {
	lids, rids := codes.ids[0], codes.ids[1]
	lnull, rnull := codes.hasNull[0], codes.hasNull[1]
	// Right rows grouped by key id: a counting sort, so each id's rows are
	// contiguous and in right order.
	start := make([]int32, codes.n+1)
	for r, id := range rids {
		if !rnull[r] {
			start[id+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	byKey := make([]int32, start[codes.n])
	fill := append([]int32(nil), start[:codes.n]...)
	for r, id := range rids {
		if !rnull[r] {
			byKey[fill[id]] = int32(r)
			fill[id]++
		}
	}
	var matched []bool
	if kind == RightJoin || kind == OuterJoin {
		matched = make([]bool, len(rids))
	}
	estimate := len(lids)
	leftRows = make([]int64, 0, estimate)
	if kind != SemiJoin && kind != AntiJoin {
		rightRows = make([]int64, 0, estimate)
	}
	for l, id := range lids {
		lo, hi := start[id], start[id+1]
		if lnull[l] {
			lo, hi = 0, 0
		}
		switch kind {
		case SemiJoin:
			if hi > lo {
				leftRows = append(leftRows, int64(l))
			}
			continue
		case AntiJoin:
			if hi == lo {
				leftRows = append(leftRows, int64(l))
			}
			continue
		}
		if hi == lo {
			if kind == LeftJoin || kind == OuterJoin {
				leftRows = append(leftRows, int64(l))
				rightRows = append(rightRows, -1)
			}
			continue
		}
		for _, r := range byKey[lo:hi] {
			leftRows = append(leftRows, int64(l))
			rightRows = append(rightRows, int64(r))
			if matched != nil {
				matched[r] = true
			}
		}
	}
	if kind == RightJoin {
		// A right join lists the right rows in right order, each with its
		// left matches: reorder the pairs by right row.
		leftRows, rightRows = reorderByRight(leftRows, rightRows, len(rids), matched)
	}
	if kind == OuterJoin {
		for r, m := range matched {
			if !m {
				leftRows = append(leftRows, -1)
				rightRows = append(rightRows, int64(r))
			}
		}
	}
	return leftRows, rightRows
}

// reorderByRight orders matched pairs by right row (stable, so each right
// row's left matches stay in left order) and adds the unmatched right rows
// in their place.
func reorderByRight(leftRows, rightRows []int64, nRight int, matched []bool) ([]int64, []int64) {
	count := make([]int32, nRight+1)
	for _, r := range rightRows {
		count[r+1]++
	}
	for r := range nRight {
		if !matched[r] {
			count[r+1]++
		}
	}
	for i := 1; i <= nRight; i++ {
		count[i] += count[i-1]
	}
	total := int(count[nRight])
	outL, outR := make([]int64, total), make([]int64, total)
	pos := append([]int32(nil), count[:nRight]...)
	for i, r := range rightRows {
		outL[pos[r]], outR[pos[r]] = leftRows[i], r
		pos[r]++
	}
	for r := range nRight {
		if !matched[r] {
			outL[pos[r]], outR[pos[r]] = -1, int64(r)
		}
	}
	return outL, outR
}

// coalesceKeys builds an On key column for a right or outer join. In a right
// join every row has a right side, whose key equals the left one wherever
// both exist, so the right key column is taken as it is, in its own type. In
// an outer join each row takes the left value where it has a left side, else
// the right value; only the values taken are cast to the common key type, so
// a row that is not used (an unmatched left key too wide for the common
// type, say) cannot fail the join.
func coalesceKeys(mem memory.Allocator, kind JoinKind, leftCol, rightCol *arrow.Chunked, leftRows, rightRows []int64) (*arrow.Chunked, error) {
	if kind == RightJoin {
		return takeKey(mem, rightCol, rightRows)
	}
	var fromLeft, fromRight []int64
	for i, l := range leftRows {
		if l >= 0 {
			fromLeft = append(fromLeft, l)
		} else {
			fromRight = append(fromRight, rightRows[i])
		}
	}
	// Integers of different widths, or float32 and float64, may have been
	// joined: both sides go to a type that holds either.
	dt := commonKeyType(leftCol.DataType(), rightCol.DataType())
	leftVals, err := takeKeyAs(mem, leftCol, fromLeft, dt)
	if err != nil {
		return nil, err
	}
	defer leftVals.Release()
	rightVals, err := takeKeyAs(mem, rightCol, fromRight, dt)
	if err != nil {
		return nil, err
	}
	defer rightVals.Release()
	// The two gathered runs, placed end to end, are put in row order by
	// one more take.
	both := arrow.NewChunked(dt, append(slices.Clone(leftVals.Chunks()), rightVals.Chunks()...))
	defer both.Release()
	idx := make([]int64, len(leftRows))
	nextLeft, nextRight := int64(0), int64(len(fromLeft))
	for i, l := range leftRows {
		if l >= 0 {
			idx[i] = nextLeft
			nextLeft++
		} else {
			idx[i] = nextRight
			nextRight++
		}
	}
	return takeKey(mem, both, idx)
}

// takeKeyAs gathers rows idx of key column col and casts them to dt.
func takeKeyAs(mem memory.Allocator, col *arrow.Chunked, idx []int64, dt arrow.DataType) (*arrow.Chunked, error) {
	taken, err := takeKey(mem, col, idx)
	if err != nil {
		return nil, err
	}
	defer taken.Release()
	return castColumn(mem, taken, compute.SafeCastOptions(dt))
}

// takeKey gathers rows idx of key column col.
func takeKey(mem memory.Allocator, col *arrow.Chunked, idx []int64) (*arrow.Chunked, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: col.DataType(), Nullable: true}}, nil)
	out, err := takeColumns(mem, schema, []*arrow.Chunked{col}, idx)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// commonKeyType is the type of a coalesced key column joined from key types
// a and b (compatible as keyTypesCompatible says): the wider of two signed or
// two unsigned integers, int64 for a signed and an unsigned one (a value that
// does not fit is reported by the checked cast), float64 for two floats.
// Unlike supertype it never turns integer keys into float64, which would
// make distinct large keys equal.
func commonKeyType(a, b arrow.DataType) arrow.DataType {
	if arrow.TypeEqual(a, b) {
		return a
	}
	if !arrow.IsInteger(a.ID()) {
		return arrow.PrimitiveTypes.Float64
	}
	wa, wb := a.(arrow.FixedWidthDataType).BitWidth(), b.(arrow.FixedWidthDataType).BitWidth()
	switch sa, sb := arrow.IsSignedInteger(a.ID()), arrow.IsSignedInteger(b.ID()); {
	case sa == sb && wa >= wb:
		return a
	case sa == sb:
		return b
	}
	return arrow.PrimitiveTypes.Int64
}
