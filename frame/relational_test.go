package frame

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The brute-force references below work on the plain Go slices of a
// refFrame (property_test.go) with nested loops and maps, independently of
// keys.go, groupby.go, join.go and Arrow's kernels.

// cmpNullable orders two nullable values: nulls last unless nullsFirst,
// direction applied to values only.
func cmpNullable[T cmp.Ordered](a T, aValid bool, b T, bValid bool, desc, nullsFirst bool) int {
	switch {
	case !aValid && !bValid:
		return 0
	case !aValid:
		if nullsFirst {
			return -1
		}
		return 1
	case !bValid:
		if nullsFirst {
			return 1
		}
		return -1
	}
	c := cmp.Compare(a, b)
	if desc {
		c = -c
	}
	return c
}

func boolKey(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refCompare compares rows i and j of the model by one sort key.
func (r *refFrame) refCompare(k SortKey, i, j int) int {
	switch k.Column {
	case "i":
		return cmpNullable(r.ints[i], r.intValid[i], r.ints[j], r.intValid[j], k.Descending, k.NullsFirst)
	case "f":
		return cmpNullable(r.floats[i], r.floatValid[i], r.floats[j], r.floatValid[j], k.Descending, k.NullsFirst)
	case "s":
		return cmpNullable(r.strs[i], r.strValid[i], r.strs[j], r.strValid[j], k.Descending, k.NullsFirst)
	case "b":
		return cmpNullable(boolKey(r.bools[i]), r.boolValid[i], boolKey(r.bools[j]), r.boolValid[j], k.Descending, k.NullsFirst)
	}
	panic("unknown column " + k.Column)
}

var sortCases = [][]SortKey{
	{Asc("i")},
	{Desc("f")},
	{Asc("s"), Desc("i")},
	{Desc("b").WithNullsFirst(), Asc("s").WithNullsFirst(), Asc("f")},
	{Asc("s")}, // many ties: stability shows
}

func TestPropertySort(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 5))
	for iter := range 40 {
		n := rng.IntN(300)
		if iter < 3 {
			n = iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		f := ref.build(t, rng, mem)
		for _, keys := range sortCases {
			want := span(0, n)
			slices.SortStableFunc(want, func(i, j int) int {
				for _, k := range keys {
					if c := ref.refCompare(k, i, j); c != 0 {
						return c
					}
				}
				return 0
			})
			got, err := f.SortWithOptions(keys, WithAllocator(mem))
			if err != nil {
				t.Fatalf("Sort(%v): %v", keys, err)
			}
			ref.check(t, got, want)
			got.Release()
		}
		f.Release()
		mem.AssertSize(t, 0)
	}
}

func TestTake(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ref := randomRef(rng, 50)
	f := ref.build(t, rng, mem)
	rows := []int{49, 0, 0, 17, 3, 49}
	got, err := f.Take(rows, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	ref.check(t, got, rows)
	got.Release()
	if _, err := f.Take([]int{3, 50}); !errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), "50") {
		t.Fatalf("out of range: got %v", err)
	}
	empty, err := f.Take(nil, WithAllocator(mem))
	if err != nil || empty.NumRows() != 0 || empty.NumCols() != 4 {
		t.Fatalf("Take(nil): %v rows, %v", empty.NumRows(), err)
	}
	empty.Release()
	f.Release()
	mem.AssertSize(t, 0)
}

// groupKey is a model key tuple: each part is a value or a null marker.
func (r *refFrame) groupKey(cols []string, i int) string {
	var b strings.Builder
	for _, c := range cols {
		switch c {
		case "s":
			if r.strValid[i] {
				fmt.Fprintf(&b, "s%q|", r.strs[i])
			} else {
				b.WriteString("null|")
			}
		case "b":
			if r.boolValid[i] {
				fmt.Fprintf(&b, "b%v|", r.bools[i])
			} else {
				b.WriteString("null|")
			}
		case "i":
			if r.intValid[i] {
				fmt.Fprintf(&b, "i%d|", r.ints[i])
			} else {
				b.WriteString("null|")
			}
		}
	}
	return b.String()
}

// refGroups returns the model's groups in order of first appearance, each
// the list of its rows.
func (r *refFrame) refGroups(keys []string) [][]int {
	index := map[string]int{}
	var groups [][]int
	for i := range r.n {
		k := r.groupKey(keys, i)
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

func closeFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestPropertyGroupBy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	aggs := []Agg{
		CountRows(), Count("i"), Sum("i"), Mean("f"), Min("i"), Max("f"), Min("s"), Max("s"),
		First("i"), Last("f"), NUnique("i"), NUnique("s"), Var("f"), Std("i"), Sum("f").As("total"),
	}
	for iter := range 40 {
		n := rng.IntN(400)
		if iter < 3 {
			n = iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		// Fewer distinct ints so groups and n_unique have something to do.
		for i := range ref.ints {
			ref.ints[i] %= 7
		}
		f := ref.build(t, rng, mem)
		for _, keys := range [][]string{{"s"}, {"b", "s"}, {"i"}} {
			groups := ref.refGroups(keys)
			got, err := f.GroupBy(keys...).AggWithOptions(aggs, WithAllocator(mem))
			if err != nil {
				t.Fatalf("GroupBy(%v): %v", keys, err)
			}
			if got.NumRows() != len(groups) {
				t.Fatalf("GroupBy(%v): %d groups, want %d", keys, got.NumRows(), len(groups))
			}
			// Key columns hold each group's first row.
			firsts := make([]int, len(groups))
			for g, rows := range groups {
				firsts[g] = rows[0]
			}
			for _, k := range keys {
				switch k {
				case "s":
					checkColumn(t, got, "s", ref.strs, ref.strValid, firsts, eqCmp[string])
				case "b":
					checkColumn(t, got, "b", ref.bools, ref.boolValid, firsts, eqCmp[bool])
				case "i":
					checkColumn(t, got, "i", ref.ints, ref.intValid, firsts, eqCmp[int64])
				}
			}
			ref.checkAggregates(t, got, groups)
			got.Release()
		}
		f.Release()
		mem.AssertSize(t, 0)
	}
}

// checkAggregates recomputes each aggregate of TestPropertyGroupBy per group
// over the model.
func (r *refFrame) checkAggregates(t *testing.T, got *Frame, groups [][]int) {
	t.Helper()
	intCol := func(name string) ([]int64, []bool) {
		v, valid, err := Values[int64](got, name)
		if err != nil {
			t.Fatalf("Values(%q): %v", name, err)
		}
		return v, valid
	}
	floatCol := func(name string) ([]float64, []bool) {
		v, valid, err := Values[float64](got, name)
		if err != nil {
			t.Fatalf("Values(%q): %v", name, err)
		}
		return v, valid
	}
	strCol := func(name string) ([]string, []bool) {
		v, valid, err := Values[string](got, name)
		if err != nil {
			t.Fatalf("Values(%q): %v", name, err)
		}
		return v, valid
	}
	isValid := func(valid []bool, g int) bool { return valid == nil || valid[g] }
	countRows, _ := intCol("count")
	countI, _ := intCol("i_count")
	sumI, sumIValid := intCol("i_sum")
	meanF, meanFValid := floatCol("f_mean")
	minI, minIValid := intCol("i_min")
	maxF, maxFValid := floatCol("f_max")
	minS, minSValid := strCol("s_min")
	maxS, maxSValid := strCol("s_max")
	firstI, firstIValid := intCol("i_first")
	lastF, lastFValid := floatCol("f_last")
	nuI, _ := intCol("i_n_unique")
	nuS, _ := intCol("s_n_unique")
	varF, varFValid := floatCol("f_var")
	stdI, stdIValid := floatCol("i_std")
	total, totalValid := floatCol("total")

	for g, rows := range groups {
		var ints []int64
		var floats []float64
		var strs []string
		firstInt, lastFloat := -1, -1
		for _, i := range rows {
			if r.intValid[i] {
				ints = append(ints, r.ints[i])
				if firstInt < 0 {
					firstInt = i
				}
			}
			if r.floatValid[i] {
				floats = append(floats, r.floats[i])
				lastFloat = i
			}
			if r.strValid[i] {
				strs = append(strs, r.strs[i])
			}
		}
		fail := func(what string, gotV, wantV any) {
			t.Fatalf("group %d (%d rows) %s: got %v, want %v", g, len(rows), what, gotV, wantV)
		}
		if countRows[g] != int64(len(rows)) {
			fail("count rows", countRows[g], len(rows))
		}
		if countI[g] != int64(len(ints)) {
			fail("count i", countI[g], len(ints))
		}
		var s int64
		for _, v := range ints {
			s += v
		}
		if isValid(sumIValid, g) != (len(ints) > 0) || (len(ints) > 0 && sumI[g] != s) {
			fail("sum i", sumI[g], s)
		}
		var sf float64
		for _, v := range floats {
			sf += v
		}
		if isValid(totalValid, g) != (len(floats) > 0) || (len(floats) > 0 && !closeFloat(total[g], sf)) {
			fail("sum f", total[g], sf)
		}
		if isValid(meanFValid, g) != (len(floats) > 0) || (len(floats) > 0 && !closeFloat(meanF[g], sf/float64(len(floats)))) {
			fail("mean f", meanF[g], sf/float64(len(floats)))
		}
		if isValid(minIValid, g) != (len(ints) > 0) || (len(ints) > 0 && minI[g] != slices.Min(ints)) {
			fail("min i", minI[g], ints)
		}
		if isValid(maxFValid, g) != (len(floats) > 0) || (len(floats) > 0 && maxF[g] != slices.Max(floats)) {
			fail("max f", maxF[g], floats)
		}
		if isValid(minSValid, g) != (len(strs) > 0) || (len(strs) > 0 && minS[g] != slices.Min(strs)) {
			fail("min s", minS[g], strs)
		}
		if isValid(maxSValid, g) != (len(strs) > 0) || (len(strs) > 0 && maxS[g] != slices.Max(strs)) {
			fail("max s", maxS[g], strs)
		}
		if isValid(firstIValid, g) != (firstInt >= 0) || (firstInt >= 0 && firstI[g] != r.ints[firstInt]) {
			fail("first i", firstI[g], firstInt)
		}
		if isValid(lastFValid, g) != (lastFloat >= 0) || (lastFloat >= 0 && lastF[g] != r.floats[lastFloat]) {
			fail("last f", lastF[g], lastFloat)
		}
		distinctI := map[int64]bool{}
		for _, v := range ints {
			distinctI[v] = true
		}
		if nuI[g] != int64(len(distinctI)) {
			fail("n_unique i", nuI[g], len(distinctI))
		}
		distinctS := map[string]bool{}
		for _, v := range strs {
			distinctS[v] = true
		}
		if nuS[g] != int64(len(distinctS)) {
			fail("n_unique s", nuS[g], len(distinctS))
		}
		if v, ok := sampleVariance(floats); isValid(varFValid, g) != ok || (ok && !closeFloat(varF[g], v)) {
			fail("var f", varF[g], v)
		}
		asFloats := make([]float64, len(ints))
		for k, v := range ints {
			asFloats[k] = float64(v)
		}
		if v, ok := sampleVariance(asFloats); isValid(stdIValid, g) != ok || (ok && !closeFloat(stdI[g], math.Sqrt(v))) {
			fail("std i", stdI[g], math.Sqrt(v))
		}
	}
}

// sampleVariance is the two-pass textbook formula, independent of the
// streaming update the package uses.
func sampleVariance(xs []float64) (float64, bool) {
	if len(xs) < 2 {
		return 0, false
	}
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return ss / float64(len(xs)-1), true
}

// refJoin pairs rows by nested loops in the documented order.
func refJoin(l, r *refFrame, keys []string, kind JoinKind) (lrows, rrows []int) {
	match := func(i, j int) bool {
		for _, k := range keys {
			switch k {
			case "s":
				if !l.strValid[i] || !r.strValid[j] || l.strs[i] != r.strs[j] {
					return false
				}
			case "b":
				if !l.boolValid[i] || !r.boolValid[j] || l.bools[i] != r.bools[j] {
					return false
				}
			case "i":
				if !l.intValid[i] || !r.intValid[j] || l.ints[i] != r.ints[j] {
					return false
				}
			}
		}
		return true
	}
	if kind == RightJoin {
		for j := range r.n {
			found := false
			for i := range l.n {
				if match(i, j) {
					lrows, rrows = append(lrows, i), append(rrows, j)
					found = true
				}
			}
			if !found {
				lrows, rrows = append(lrows, -1), append(rrows, j)
			}
		}
		return lrows, rrows
	}
	matchedRight := make([]bool, r.n)
	for i := range l.n {
		found := false
		for j := range r.n {
			if match(i, j) {
				found = true
				matchedRight[j] = true
				if kind != SemiJoin && kind != AntiJoin {
					lrows, rrows = append(lrows, i), append(rrows, j)
				}
			}
		}
		switch {
		case kind == SemiJoin && found, kind == AntiJoin && !found:
			lrows = append(lrows, i)
		case !found && (kind == LeftJoin || kind == OuterJoin):
			lrows, rrows = append(lrows, i), append(rrows, -1)
		}
	}
	if kind == OuterJoin {
		for j, m := range matchedRight {
			if !m {
				lrows, rrows = append(lrows, -1), append(rrows, j)
			}
		}
	}
	return lrows, rrows
}

// checkSide compares a result column with model values at rows, where -1
// means the row has no such side and must be null.
func checkSide[T Scalar](t *testing.T, f *Frame, name string, vals []T, valid []bool, rows []int, eq func(a, b T) bool) {
	t.Helper()
	got, gotValid, err := Values[T](f, name)
	if err != nil {
		t.Fatalf("Values(%q): %v", name, err)
	}
	if len(got) != len(rows) {
		t.Fatalf("column %q: %d rows, want %d", name, len(got), len(rows))
	}
	for k, i := range rows {
		v := gotValid == nil || gotValid[k]
		want := i >= 0 && valid[i]
		if v != want || (want && !eq(got[k], vals[i])) {
			t.Fatalf("column %q row %d (model row %d): got %v valid %v, want valid %v", name, k, i, got[k], v, want)
		}
	}
}

func TestPropertyJoin(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	kinds := []JoinKind{InnerJoin, LeftJoin, RightJoin, OuterJoin, SemiJoin, AntiJoin}
	for iter := range 30 {
		nl, nr := rng.IntN(120), rng.IntN(60)
		if iter < 2 {
			nl, nr = iter, 1-iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		lref, rref := randomRef(rng, nl), randomRef(rng, nr)
		left, right := lref.build(t, rng, mem), rref.build(t, rng, mem)
		for _, keys := range [][]string{{"s"}, {"s", "b"}} {
			for _, kind := range kinds {
				t.Run(fmt.Sprintf("%d/%v/%s", iter, keys, kind), func(t *testing.T) {
					lrows, rrows := refJoin(lref, rref, keys, kind)
					got, err := left.Join(right, kind, On(keys...), JoinAllocator(mem))
					if err != nil {
						t.Fatal(err)
					}
					defer got.Release()
					checkSide(t, got, "i", lref.ints, lref.intValid, lrows, eqCmp[int64])
					checkSide(t, got, "f", lref.floats, lref.floatValid, lrows, eqCmp[float64])
					if kind == SemiJoin || kind == AntiJoin {
						if got.NumCols() != 4 {
							t.Fatalf("%s join has %d columns, want the left 4", kind, got.NumCols())
						}
						return
					}
					checkSide(t, got, "i_right", rref.ints, rref.intValid, rrows, eqCmp[int64])
					checkSide(t, got, "f_right", rref.floats, rref.floatValid, rrows, eqCmp[float64])
					// The shared key comes from whichever side has the row.
					vals, valid, err := Values[string](got, "s")
					if err != nil {
						t.Fatal(err)
					}
					for k := range lrows {
						wantVal, wantValid := "", false
						if l := lrows[k]; l >= 0 {
							wantVal, wantValid = lref.strs[l], lref.strValid[l]
						} else {
							wantVal, wantValid = rref.strs[rrows[k]], rref.strValid[rrows[k]]
						}
						gotValid := valid == nil || valid[k]
						if gotValid != wantValid || (wantValid && vals[k] != wantVal) {
							t.Fatalf("row %d key s: got %q valid %v, want %q valid %v", k, vals[k], gotValid, wantVal, wantValid)
						}
					}
				})
			}
		}
		left.Release()
		right.Release()
		mem.AssertSize(t, 0)
	}
}

func TestJoinKeyTypesAndErrors(t *testing.T) {
	left, _ := New(Int32("id", []int32{1, 2, 3}), String("v", []string{"a", "b", "c"}))
	right, _ := New(Uint16("id", []uint16{3, 1, 7}), Float64("w", []float64{0.3, 0.1, 9}))
	got, err := left.Join(right, OuterJoin, On("id"))
	if err != nil {
		t.Fatal(err)
	}
	// Signed and unsigned keys match by value; the merged key column is
	// int64 so that it holds both. Left rows first, then right row 7.
	ids, _, err := Values[int64](got, "id")
	if err != nil || !slices.Equal(ids, []int64{1, 2, 3, 7}) {
		t.Fatalf("ids %v, %v; want [1 2 3 7]", ids, err)
	}
	ws, wValid, _ := Values[float64](got, "w")
	if !slices.Equal(ws, []float64{0.1, 0, 0.3, 9}) || wValid[1] {
		t.Fatalf("w %v valid %v; want [0.1 null 0.3 9]", ws, wValid)
	}

	huge, _ := New(Uint64("id", []uint64{math.MaxUint64}), Float64("w", []float64{1}))
	if _, err := left.Join(huge, OuterJoin, On("id")); err == nil || !strings.Contains(err.Error(), `"id"`) {
		t.Fatalf("a uint64 key above int64's range: got %v, want an error naming the key", err)
	}
	if inner, err := left.Join(huge, InnerJoin, On("id")); err != nil || inner.NumRows() != 0 {
		t.Fatalf("inner join with no matches: %v rows, %v", inner.NumRows(), err)
	}

	tests := []struct {
		name string
		run  func() (*Frame, error)
		want error
		text string
	}{
		{"unknown left key", func() (*Frame, error) { return left.Join(right, InnerJoin, On("nope")) }, ErrColumnNotFound, "nope"},
		{"no keys", func() (*Frame, error) { return left.Join(right, InnerJoin) }, ErrInvalidArgument, "key"},
		{"type mismatch", func() (*Frame, error) {
			return left.Join(right, InnerJoin, LeftRightOn([]string{"v"}, []string{"w"}))
		}, ErrTypeMismatch, "utf8"},
		{"unknown kind", func() (*Frame, error) { return left.Join(right, JoinKind(42), On("id")) }, ErrInvalidArgument, "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.run()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("got %v, want %v mentioning %q", err, tt.want, tt.text)
			}
		})
	}
}

func TestGroupByErrors(t *testing.T) {
	f, _ := New(String("k", []string{"a", "b"}), String("s", []string{"x", "y"}), Int64("n", []int64{1, 2}))
	tests := []struct {
		name string
		g    *Grouped
		aggs []Agg
		want error
		text string
	}{
		{"no keys", f.GroupBy(), []Agg{CountRows()}, ErrInvalidArgument, "key"},
		{"unknown key", f.GroupBy("zz"), []Agg{CountRows()}, ErrColumnNotFound, "zz"},
		{"unknown column", f.GroupBy("k"), []Agg{Sum("zz")}, ErrColumnNotFound, "zz"},
		{"sum of strings", f.GroupBy("k"), []Agg{Sum("s")}, ErrTypeMismatch, `"s"`},
		{"duplicate result", f.GroupBy("k"), []Agg{Sum("n"), Sum("n")}, ErrDuplicateColumn, "n_sum"},
		{"result named like a key", f.GroupBy("k"), []Agg{Sum("n").As("k")}, ErrDuplicateColumn, `"k"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.g.Agg(tt.aggs...)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("got %v, want %v mentioning %s", err, tt.want, tt.text)
			}
		})
	}
}

func TestGroupBySortedAndNaN(t *testing.T) {
	f, err := New(
		Float64("k", []float64{math.NaN(), 2, math.NaN(), -0.0, 0, 2}, []bool{true, true, true, true, true, false}),
		Int64("n", []int64{1, 2, 3, 4, 5, 6}),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GroupBy("k").Sorted().Agg(Sum("n"))
	if err != nil {
		t.Fatal(err)
	}
	keys, valid, _ := Values[float64](got, "k")
	sums, _, _ := Values[int64](got, "n_sum")
	// Groups: NaN {1,3}, 2 {2}, ±0 {4,5}, null {6}; sorted ascending with
	// NaN after numbers and null last.
	wantSums := []int64{9, 2, 4, 6}
	if !slices.Equal(sums, wantSums) || !(keys[0] == 0 && keys[1] == 2 && math.IsNaN(keys[2]) && !valid[3]) {
		t.Fatalf("got keys %v valid %v sums %v, want [0 2 NaN null] and %v", keys, valid, sums, wantSums)
	}
	_ = arrow.PrimitiveTypes.Int64
}

// TestJoinSharedKeyOutsideCommonType joins keys of different integer types
// where some key values do not fit the common type. A right join takes the
// shared key column from the right side as it is; an outer join casts only
// the values it takes, so only a value it needs can fail.
func TestJoinSharedKeyOutsideCommonType(t *testing.T) {
	bigLeft, _ := New(Uint64("k", []uint64{1 << 63, 1}), String("lv", []string{"big", "one"}))
	smallLeft, _ := New(Uint64("k", []uint64{5, 1}), String("lv", []string{"five", "one"}))
	right, _ := New(Int64("k", []int64{1, -2}), String("rv", []string{"r1", "r2"}))
	type wantCol struct {
		keys    []int64
		keyType arrow.DataType
		lv      []string
		lvValid []bool
	}
	tests := []struct {
		name    string
		left    *Frame
		kind    JoinKind
		want    wantCol
		wantMsg string // non-empty: the join must fail with this in its message
	}{
		{"right join, unmatched left key too big", bigLeft, RightJoin,
			wantCol{[]int64{1, -2}, arrow.PrimitiveTypes.Int64, []string{"one", ""}, []bool{true, false}}, ""},
		{"right join, keys that fit", smallLeft, RightJoin,
			wantCol{[]int64{1, -2}, arrow.PrimitiveTypes.Int64, []string{"one", ""}, []bool{true, false}}, ""},
		{"outer join, keys that fit", smallLeft, OuterJoin,
			wantCol{[]int64{5, 1, -2}, arrow.PrimitiveTypes.Int64, []string{"five", "one", ""}, []bool{true, true, false}}, ""},
		{"outer join, needed left key too big", bigLeft, OuterJoin, wantCol{}, `key "k"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.left.Join(right, tc.kind, On("k"))
			if tc.wantMsg != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("got error %v, want one mentioning %s", err, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if f, _ := got.Schema().FieldsByName("k"); len(f) != 1 || !arrow.TypeEqual(f[0].Type, tc.want.keyType) {
				t.Errorf("got key field %v, want type %s", f, tc.want.keyType)
			}
			keys, _, err := Values[int64](got, "k")
			if err != nil || !slices.Equal(keys, tc.want.keys) {
				t.Errorf("got keys %v (%v), want %v", keys, err, tc.want.keys)
			}
			lv, lvValid, err := Values[string](got, "lv")
			if err != nil || !slices.Equal(lv, tc.want.lv) || !slices.Equal(lvValid, tc.want.lvValid) {
				t.Errorf("got lv %q valid %v (%v), want %q valid %v", lv, lvValid, err, tc.want.lv, tc.want.lvValid)
			}
		})
	}
}

// TestSortNaNEveryPath checks Sort's NaN rule (NaN above every number,
// nulls last or first whatever the direction) whether the keys are sorted
// by this package or ranked through Arrow's kernel (a decimal or float16
// key), and that ranked keys sort stably.
func TestSortNaNEveryPath(t *testing.T) {
	mem := memory.DefaultAllocator
	fromJSON := func(dt arrow.DataType, js string) arrow.Array {
		arr, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
		if err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
		return arr
	}
	xb := array.NewFloat64Builder(mem)
	xb.AppendValues([]float64{1, math.NaN(), 3, 0, 2, math.NaN()}, []bool{true, true, true, false, true, true})
	x := xb.NewArray()
	xb.Release()
	h := fromJSON(arrow.FixedWidthTypes.Float16, `[1, "NaN", 3, null, 2, "NaN"]`)
	same := fromJSON(&arrow.Decimal128Type{Precision: 5, Scale: 1}, `["1.0","1.0","1.0","1.0","1.0","1.0"]`)
	dec := fromJSON(&arrow.Decimal128Type{Precision: 5, Scale: 1}, `["1.0","2.0","1.0",null,"2.0","-3.5"]`)
	f, err := New(Array("x", x), Array("h", h), Array("same", same), Array("dec", dec),
		Int64("row", []int64{0, 1, 2, 3, 4, 5}))
	if err != nil {
		t.Fatal(err)
	}
	// Rows by x: 1, NaN, 3, null, 2, NaN (h holds the same values).
	tests := []struct {
		name string
		keys []SortKey
		want []int64
	}{
		{"asc native", []SortKey{Asc("x")}, []int64{0, 4, 2, 1, 5, 3}},
		{"asc with ranked tie-break", []SortKey{Asc("x"), Asc("same")}, []int64{0, 4, 2, 1, 5, 3}},
		{"asc float16", []SortKey{Asc("h")}, []int64{0, 4, 2, 1, 5, 3}},
		{"desc native", []SortKey{Desc("x")}, []int64{1, 5, 2, 4, 0, 3}},
		{"desc with ranked tie-break", []SortKey{Desc("x"), Asc("same")}, []int64{1, 5, 2, 4, 0, 3}},
		{"desc float16", []SortKey{Desc("h")}, []int64{1, 5, 2, 4, 0, 3}},
		{"desc nulls first native", []SortKey{Desc("x").WithNullsFirst()}, []int64{3, 1, 5, 2, 4, 0}},
		{"desc nulls first ranked", []SortKey{Desc("x").WithNullsFirst(), Desc("same")}, []int64{3, 1, 5, 2, 4, 0}},
		{"desc float16 nulls first", []SortKey{Desc("h").WithNullsFirst()}, []int64{3, 1, 5, 2, 4, 0}},
		{"decimal asc stable", []SortKey{Asc("dec")}, []int64{5, 0, 2, 1, 4, 3}},
		{"decimal desc stable", []SortKey{Desc("dec")}, []int64{1, 4, 0, 2, 5, 3}},
		{"decimal desc nulls first", []SortKey{Desc("dec").WithNullsFirst()}, []int64{3, 1, 4, 0, 2, 5}},
		{"decimal then float", []SortKey{Asc("dec"), Desc("x")}, []int64{5, 2, 0, 1, 4, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := f.Sort(tc.keys...)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			got, _, err := Values[int64](g, "row")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got rows %v, want %v", got, tc.want)
			}
		})
	}
}

// TestViewColumns gathers string_view and binary_view columns, which
// Arrow's take kernel does not handle, through Take, a join on a view key
// and a group by one.
func TestViewColumns(t *testing.T) {
	mem := memory.DefaultAllocator
	view := func(dt arrow.DataType, chunks ...string) *arrow.Chunked {
		arrs := make([]arrow.Array, len(chunks))
		for i, js := range chunks {
			a, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
			if err != nil {
				t.Fatalf("%s: %v", dt, err)
			}
			arrs[i] = a
		}
		c := arrow.NewChunked(dt, arrs)
		for _, a := range arrs {
			a.Release()
		}
		return c
	}
	// Rows: "a", "long-value-stored-out-of-line", null | "a".
	sv := view(arrow.BinaryTypes.StringView, `["a","long-value-stored-out-of-line",null]`, `["a"]`)
	bv := view(arrow.BinaryTypes.BinaryView, `["YQ==","bG9uZy12YWx1ZS1zdG9yZWQtb3V0LW9mLWxpbmU=",null]`, `["YQ=="]`)
	defer sv.Release()
	defer bv.Release()
	f, err := New(Chunked("s", sv), Chunked("b", bv), Int64("v", []int64{1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	rows := func(g *Frame) [][]any {
		var out [][]any
		for i := range g.NumRows() {
			r, err := g.Row(i)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	long := "long-value-stored-out-of-line"
	tests := []struct {
		name string
		run  func() (*Frame, error)
		want [][]any
	}{
		{"take", func() (*Frame, error) { return f.Take([]int{3, 2, 1}) }, [][]any{
			{"a", []byte("a"), int64(4)}, {nil, nil, int64(3)}, {long, []byte(long), int64(2)},
		}},
		{"inner join on a view key", func() (*Frame, error) {
			right, err := New(String("name", []string{"x", "y"}), Chunked("s", view(arrow.BinaryTypes.StringView, `["a",null]`)))
			if err != nil {
				return nil, err
			}
			g, err := f.Join(right, InnerJoin, On("s"))
			if err != nil {
				return nil, err
			}
			return g.Select("s", "v", "name")
		}, [][]any{{"a", int64(1), "x"}, {"a", int64(4), "x"}}},
		{"group by a view key", func() (*Frame, error) { return f.GroupBy("s").Agg(Sum("v")) }, [][]any{
			{"a", int64(5)}, {long, int64(2)}, {nil, int64(3)},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := tc.run()
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got := rows(g); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// Keys spread too wide for the direct table go through the hash map; both
// paths, and a mix of them in one join, must agree.
func TestKeyEncodingPaths(t *testing.T) {
	wide := []int64{1e15, -1e15, 1e15, 5, 5, math.MinInt64, math.MaxInt64, math.MinInt64}
	f, err := New(Int64("k", wide), Int64("n", []int64{1, 1, 1, 1, 1, 1, 1, 1}))
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.GroupBy("k").Agg(Sum("n"))
	if err != nil {
		t.Fatal(err)
	}
	keys, _, _ := Values[int64](g, "k")
	sums, _, _ := Values[int64](g, "n_sum")
	if !slices.Equal(keys, []int64{1e15, -1e15, 5, math.MinInt64, math.MaxInt64}) || !slices.Equal(sums, []int64{2, 1, 2, 2, 1}) {
		t.Fatalf("keys %v sums %v", keys, sums)
	}
	// A narrow right side against a wide left side.
	right, _ := New(Int32("k", []int32{5, 6}), String("s", []string{"five", "six"}))
	j, err := f.Join(right, InnerJoin, On("k"))
	if err != nil || j.NumRows() != 2 {
		t.Fatalf("join: %v rows, %v", j.NumRows(), err)
	}
}
