package frame

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// exprCase is an expression with its brute-force meaning: the value and
// validity of row i of the model.
type exprCase[T Scalar] struct {
	e    Expr
	want func(r *refFrame, i int) (T, bool)
}

func sameFloat(a, b float64) bool { return a == b || (a != a && b != b) }

// checkExprCases evaluates every case with WithColumn and compares each row
// with the model; boolean cases also go through Filter, whose rows must be
// exactly those where the model is valid and true.
func checkExprCases[T Scalar](t *testing.T, f *Frame, r *refFrame, mem memory.Allocator, cases []exprCase[T], eq func(a, b T) bool) {
	t.Helper()
	for _, c := range cases {
		out, err := f.WithColumn("out", c.e, WithAllocator(mem))
		if err != nil {
			t.Fatalf("WithColumn(%s): %v", c.e, err)
		}
		got, valid, err := Values[T](out, "out")
		if err != nil {
			t.Fatalf("Values(%s): %v", c.e, err)
		}
		for i := range r.n {
			w, ok := c.want(r, i)
			gotOK := valid == nil || valid[i]
			if gotOK != ok {
				t.Fatalf("%s row %d: got valid=%t, want %t", c.e, i, gotOK, ok)
			}
			if ok && !eq(got[i], w) {
				t.Fatalf("%s row %d: got %v, want %v", c.e, i, got[i], w)
			}
		}
		if out.NumCols() != f.NumCols()+1 || out.ColumnNames()[f.NumCols()] != "out" {
			t.Fatalf("WithColumn(%s) columns: got %v", c.e, out.ColumnNames())
		}
		out.Release()

		if _, isBool := any(*new(T)).(bool); !isBool {
			continue
		}
		filtered, err := f.Filter(c.e, WithAllocator(mem))
		if err != nil {
			t.Fatalf("Filter(%s): %v", c.e, err)
		}
		var kept []int
		for i := range r.n {
			if w, ok := c.want(r, i); ok && any(w).(bool) {
				kept = append(kept, i)
			}
		}
		r.check(t, filtered, kept)
		filtered.Release()
	}
}

// and3 and or3 are Kleene logic on (value, valid) pairs.
func and3(a, aok, b, bok bool) (bool, bool) {
	switch {
	case aok && !a, bok && !b:
		return false, true
	case aok && bok:
		return true, true
	}
	return false, false
}

func or3(a, aok, b, bok bool) (bool, bool) {
	switch {
	case aok && a, bok && b:
		return true, true
	case aok && bok:
		return false, true
	}
	return false, false
}

func TestPropertyExpr(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	gt100 := Col("i").Gt(100)
	boolCases := []exprCase[bool]{
		{gt100, func(r *refFrame, i int) (bool, bool) { return r.ints[i] > 100, r.intValid[i] }},
		{Col("i").Eq(-3), func(r *refFrame, i int) (bool, bool) { return r.ints[i] == -3, r.intValid[i] }},
		{Lit(0).Ge(Col("i")), func(r *refFrame, i int) (bool, bool) { return 0 >= r.ints[i], r.intValid[i] }},
		{Col("i").Le(Col("f")), func(r *refFrame, i int) (bool, bool) {
			return float64(r.ints[i]) <= r.floats[i], r.intValid[i] && r.floatValid[i]
		}},
		{Col("i").Lt(2.5), func(r *refFrame, i int) (bool, bool) { return float64(r.ints[i]) < 2.5, r.intValid[i] }},
		{Col("f").Ne(0.5), func(r *refFrame, i int) (bool, bool) { return r.floats[i] != 0.5, r.floatValid[i] }},
		{Col("s").Eq("héllo"), func(r *refFrame, i int) (bool, bool) { return r.strs[i] == "héllo", r.strValid[i] }},
		{Col("s").Lt("b"), func(r *refFrame, i int) (bool, bool) { return r.strs[i] < "b", r.strValid[i] }},
		{Col("s").Ge(Col("s")), func(r *refFrame, i int) (bool, bool) { return true, r.strValid[i] }},
		{Col("b").Eq(true), func(r *refFrame, i int) (bool, bool) { return r.bools[i], r.boolValid[i] }},
		{Col("b").Ne(Col("b")), func(r *refFrame, i int) (bool, bool) { return false, r.boolValid[i] }},
		{Col("b").Eq(nil), func(r *refFrame, i int) (bool, bool) { return false, false }},
		{Col("b").Not(), func(r *refFrame, i int) (bool, bool) { return !r.bools[i], r.boolValid[i] }},
		{Not(Col("b").And(gt100)), func(r *refFrame, i int) (bool, bool) {
			v, ok := and3(r.bools[i], r.boolValid[i], r.ints[i] > 100, r.intValid[i])
			return !v, ok
		}},
		{Col("b").Or(Col("i").Lt(0)), func(r *refFrame, i int) (bool, bool) {
			return or3(r.bools[i], r.boolValid[i], r.ints[i] < 0, r.intValid[i])
		}},
		{And(Col("b"), Col("f").Gt(0), Col("s").IsNotNull()), func(r *refFrame, i int) (bool, bool) {
			v, ok := and3(r.bools[i], r.boolValid[i], r.floats[i] > 0, r.floatValid[i])
			return and3(v, ok, r.strValid[i], true)
		}},
		{Or(Col("b"), Col("f").Gt(0), Col("i").IsNull()), func(r *refFrame, i int) (bool, bool) {
			v, ok := or3(r.bools[i], r.boolValid[i], r.floats[i] > 0, r.floatValid[i])
			return or3(v, ok, !r.intValid[i], true)
		}},
		{Col("b").And(true), func(r *refFrame, i int) (bool, bool) { return r.bools[i], r.boolValid[i] }},
		{Col("b").Or(nil), func(r *refFrame, i int) (bool, bool) {
			if r.boolValid[i] && r.bools[i] {
				return true, true
			}
			return false, false
		}},
		{Col("i").IsNull(), func(r *refFrame, i int) (bool, bool) { return !r.intValid[i], true }},
		{Col("s").IsNotNull(), func(r *refFrame, i int) (bool, bool) { return r.strValid[i], true }},
		{Col("i").In(1, 2, 3, -5, 2.5, nil, int8(7)), func(r *refFrame, i int) (bool, bool) {
			return slices.Contains([]int64{1, 2, 3, -5, 7}, r.ints[i]), r.intValid[i]
		}},
		{Col("i").In(), func(r *refFrame, i int) (bool, bool) { return false, r.intValid[i] }},
		{Col("s").In("a", "日本語", ""), func(r *refFrame, i int) (bool, bool) {
			return slices.Contains([]string{"a", "日本語", ""}, r.strs[i]), r.strValid[i]
		}},
		{Col("b").In(true).Not(), func(r *refFrame, i int) (bool, bool) { return !r.bools[i], r.boolValid[i] }},
		{Col("s").Contains("l"), func(r *refFrame, i int) (bool, bool) { return strings.Contains(r.strs[i], "l"), r.strValid[i] }},
		{Col("s").Contains(""), func(r *refFrame, i int) (bool, bool) { return true, r.strValid[i] }},
		{Col("s").HasPrefix("em"), func(r *refFrame, i int) (bool, bool) { return strings.HasPrefix(r.strs[i], "em"), r.strValid[i] }},
		{Col("s").HasSuffix("語"), func(r *refFrame, i int) (bool, bool) { return strings.HasSuffix(r.strs[i], "語"), r.strValid[i] }},
		{Col("i").Add(1).Mul(2).Gt(Col("f")).Or(Col("s").IsNull()), func(r *refFrame, i int) (bool, bool) {
			return or3(float64((r.ints[i]+1)*2) > r.floats[i], r.intValid[i] && r.floatValid[i], !r.strValid[i], true)
		}},
	}
	intCases := []exprCase[int64]{
		{Col("i").Add(Col("i")), func(r *refFrame, i int) (int64, bool) { return 2 * r.ints[i], r.intValid[i] }},
		{Col("i").Sub(7), func(r *refFrame, i int) (int64, bool) { return r.ints[i] - 7, r.intValid[i] }},
		{Lit(7).Sub(Col("i")), func(r *refFrame, i int) (int64, bool) { return 7 - r.ints[i], r.intValid[i] }},
		{Col("i").Mul(-3), func(r *refFrame, i int) (int64, bool) { return -3 * r.ints[i], r.intValid[i] }},
		{Col("i").Add(nil), func(r *refFrame, i int) (int64, bool) { return 0, false }},
		{Col("s").Len(), func(r *refFrame, i int) (int64, bool) { return int64(utf8.RuneCountInString(r.strs[i])), r.strValid[i] }},
		{Lit(40).Add(2), func(r *refFrame, i int) (int64, bool) { return 42, true }},
	}
	floatCases := []exprCase[float64]{
		{Col("i").Div(2), func(r *refFrame, i int) (float64, bool) { return float64(r.ints[i]) / 2, r.intValid[i] }},
		{Col("i").Div(Col("i")), func(r *refFrame, i int) (float64, bool) {
			return float64(r.ints[i]) / float64(r.ints[i]), r.intValid[i]
		}},
		{Col("f").Div(0), func(r *refFrame, i int) (float64, bool) { return r.floats[i] / 0, r.floatValid[i] }},
		{Col("f").Add(Col("i")), func(r *refFrame, i int) (float64, bool) {
			return r.floats[i] + float64(r.ints[i]), r.floatValid[i] && r.intValid[i]
		}},
		{Col("f").Mul(Col("f")).Sub(0.25), func(r *refFrame, i int) (float64, bool) { return r.floats[i]*r.floats[i] - 0.25, r.floatValid[i] }},
		{Col("i").Cast(arrow.PrimitiveTypes.Float64), func(r *refFrame, i int) (float64, bool) { return float64(r.ints[i]), r.intValid[i] }},
	}
	strCases := []exprCase[string]{
		{Col("s").Upper(), func(r *refFrame, i int) (string, bool) { return strings.ToUpper(r.strs[i]), r.strValid[i] }},
		{Col("s").Lower().Alias("lower"), func(r *refFrame, i int) (string, bool) { return strings.ToLower(r.strs[i]), r.strValid[i] }},
		{Lit("x"), func(r *refFrame, i int) (string, bool) { return "x", true }},
	}
	int16Cases := []exprCase[int16]{
		{Col("i").Cast(arrow.PrimitiveTypes.Int16), func(r *refFrame, i int) (int16, bool) { return int16(r.ints[i]), r.intValid[i] }},
	}
	iters := 16
	if testing.Short() {
		iters = 5
	}
	for iter := range iters {
		n := rng.IntN(150)
		if iter < 3 {
			n = iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		// Upper- and lower-case letters, so that Upper and Lower change
		// something.
		for i := range ref.strs {
			if rng.IntN(4) == 0 {
				ref.strs[i] = strings.ToUpper(ref.strs[i]) + "ǅ"
			}
		}
		f := ref.build(t, rng, mem)
		checkExprCases(t, f, ref, mem, boolCases, eqCmp[bool])
		checkExprCases(t, f, ref, mem, intCases, eqCmp[int64])
		checkExprCases(t, f, ref, mem, floatCases, sameFloat)
		checkExprCases(t, f, ref, mem, strCases, eqCmp[string])
		checkExprCases(t, f, ref, mem, int16Cases, eqCmp[int16])

		// A filter over a slice exercises offsets in every kernel input.
		if n > 4 {
			sl, _ := f.Slice(1, n-2)
			sub := &refFrame{n: n - 2, ints: ref.ints[1 : n-1], intValid: ref.intValid[1 : n-1],
				floats: ref.floats[1 : n-1], floatValid: ref.floatValid[1 : n-1], strs: ref.strs[1 : n-1],
				strValid: ref.strValid[1 : n-1], bools: ref.bools[1 : n-1], boolValid: ref.boolValid[1 : n-1]}
			checkExprCases(t, sl, sub, mem, boolCases, eqCmp[bool])
			checkExprCases(t, sl, sub, mem, strCases, eqCmp[string])
			sl.Release()
		}
		f.Release()
		mem.AssertSize(t, 0)
	}
}

func TestPropertyDateParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	parts := []struct {
		name string
		e    func(Expr) Expr
		get  func(time.Time) int32
		date bool
	}{
		{"year", Expr.Year, func(t time.Time) int32 { return int32(t.Year()) }, true},
		{"month", Expr.Month, func(t time.Time) int32 { return int32(t.Month()) }, true},
		{"day", Expr.Day, func(t time.Time) int32 { return int32(t.Day()) }, true},
		{"weekday", Expr.Weekday, func(t time.Time) int32 { return int32(t.Weekday()) }, true},
		{"hour", Expr.Hour, func(t time.Time) int32 { return int32(t.Hour()) }, false},
		{"minute", Expr.Minute, func(t time.Time) int32 { return int32(t.Minute()) }, false},
		{"second", Expr.Second, func(t time.Time) int32 { return int32(t.Second()) }, false},
	}
	for iter := range 30 {
		n := rng.IntN(100) + 1
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		times := make([]time.Time, n)
		valid := make([]bool, n)
		unit := arrow.TimeUnit(rng.IntN(4))
		for i := range times {
			// Years 1600 to 2250 (1680 to 2250 in nanoseconds), before
			// and after the epoch, any nanosecond.
			lo := int64(-11_700_000_000)
			if unit == arrow.Nanosecond {
				lo = -9_200_000_000
			}
			sec := lo + rng.Int64N(8_800_000_000-lo)
			times[i] = time.Unix(sec, rng.Int64N(1e9)).UTC()
			valid[i] = rng.IntN(5) != 0
		}
		zone := []string{"UTC", "", "Asia/Tokyo", "America/New_York"}[iter%4]
		loc := map[string]*time.Location{"UTC": time.UTC, "": time.UTC, "Asia/Tokyo": tokyo, "America/New_York": ny}[zone]
		ts := make([]arrow.Timestamp, n)
		for i, tm := range times {
			ts[i], err = timeToUnit(tm, unit)
			if err != nil {
				t.Fatal(err)
			}
			times[i] = unitToTime(unit)(int64(ts[i])).In(loc) // what the column holds
		}
		col := chunkedOf(t, rng, mem, &arrow.TimestampType{Unit: unit, TimeZone: zone}, ts, valid)
		days := make([]arrow.Date32, n)
		for i, tm := range times {
			days[i], _ = timeToDate32(tm.UTC())
		}
		dcol := chunkedOf(t, rng, mem, arrow.FixedWidthTypes.Date32, days, valid)
		f, err := NewWithOptions([]Series{Chunked("t", col), Chunked("d", dcol)}, WithAllocator(mem))
		col.Release()
		dcol.Release()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			for _, src := range []string{"t", "d"} {
				if src == "d" && !p.date {
					continue
				}
				e := p.e(Col(src))
				out, err := f.Eval(e, WithAllocator(mem))
				if err != nil {
					t.Fatalf("%s: %v", e, err)
				}
				g, _ := NewWithOptions([]Series{Chunked("x", out)}, WithAllocator(mem))
				out.Release()
				got, gotValid, err := Values[int32](g, "x")
				if err != nil {
					t.Fatalf("%s: %v", e, err)
				}
				for i := range n {
					if (gotValid == nil || gotValid[i]) != valid[i] {
						t.Fatalf("%s row %d: got valid %t, want %t", e, i, !valid[i], valid[i])
					}
					want := p.get(times[i])
					if src == "d" {
						want = p.get(times[i].UTC())
					}
					if valid[i] && got[i] != want {
						t.Fatalf("%s (unit %s, zone %q) row %d = %s: got %d, want %d", e, unit, zone, i, times[i], got[i], want)
					}
				}
				g.Release()
			}
		}
		f.Release()
		mem.AssertSize(t, 0)
	}
}

func TestExprString(t *testing.T) {
	tests := []struct {
		e    Expr
		want string
		name string
	}{
		{Col("amount").Gt(100), `(col("amount") > 100)`, "amount"},
		{Col("a").And(Col("b").Not()), `(col("a") AND NOT col("b"))`, "a"},
		{And(Col("a"), Col("b"), Col("c")), `((col("a") AND col("b")) AND col("c"))`, "a"},
		{Or(), `false`, "literal"},
		{Col("s").Contains("x"), `col("s").contains("x")`, "s"},
		{Col("s").HasPrefix("a").Or(Col("s").HasSuffix("z")), `(col("s").has_prefix("a") OR col("s").has_suffix("z"))`, "s"},
		{Col("i").In(1, "a", nil, 2.5), `col("i").is_in([1, "a", null, 2.5])`, "i"},
		{Col("t").Year().Eq(2026), `(col("t").year() == 2026)`, "t"},
		{Col("x").Cast(arrow.PrimitiveTypes.Int32).Alias("y"), `col("x").cast(int32).alias("y")`, "y"},
		{Lit(1).Add(Col("q")).Div(Lit(2.5)), `((1 + col("q")) / 2.5)`, "q"},
		{Col("s").Lower().Upper().Len().IsNull(), `col("s").lower().upper().len().is_null()`, "s"},
		{Col("t").Ge(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), `(col("t") >= 2026-01-02T03:04:05Z)`, "t"},
		{Col("d").Lt(90 * time.Minute), `(col("d") < 1h30m0s)`, "d"},
		{Lit([]byte("ab")).Eq(Col("b")), `("ab" == col("b"))`, "b"},
		{Expr{}, `<empty expression>`, "literal"},
	}
	for _, tc := range tests {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("String: got %s, want %s", got, tc.want)
		}
		if got := tc.e.Name(); got != tc.name {
			t.Errorf("%s Name: got %q, want %q", tc.e, got, tc.name)
		}
	}
}

func TestExprEdgeCases(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
	f := mustNew(t,
		Int16("q", []int16{1, 200, -3}),
		Uint8("u", []uint8{0, 7, 255}),
		Float32("f32", []float32{0.25, 0.5, 0.75}),
		Int64("nulls", []int64{0, 0, 0}, []bool{false, false, false}),
		String("s", []string{"héllo", "日本語", "ǅx"}),
		Timestamp("t", []time.Time{day(1), day(2), day(3)}, arrow.Second),
		Date32("d", []time.Time{day(1), day(2), day(3)}),
		Uint64("big", []uint64{1, 1 << 63, 5}),
	)
	tests := []struct {
		name string
		e    Expr
		want []int // rows kept by Filter
	}{
		{"int16 with small literal", Col("q").Gt(100), []int{1}},
		{"int16 with wide literal", Col("q").Lt(100_000), []int{0, 1, 2}},
		{"uint8 with negative literal", Col("u").Gt(-1), []int{0, 1, 2}},
		{"uint8 with 255", Col("u").Eq(255), []int{2}},
		{"float32 with float literal", Col("f32").Ge(0.5), []int{1, 2}},
		{"int with fractional literal", Col("q").Gt(1.5), []int{1}},
		{"all-null column", Col("nulls").Eq(0), nil},
		{"null literal", Col("q").Eq(nil), nil},
		{"null is null", Lit(nil).IsNull(), []int{0, 1, 2}},
		{"not null", Lit(nil).Eq(1).Not(), nil},
		{"literal true", Lit(true), []int{0, 1, 2}},
		{"unicode upper", Col("s").Upper().Eq("HÉLLO"), []int{0}},
		{"unicode title case", Col("s").Lower().Eq("ǆx"), []int{2}},
		{"unicode len", Col("s").Len().Eq(3), []int{1}},
		{"timestamp with time", Col("t").Gt(day(2)), []int{2}},
		{"timestamp with sub-second time", Col("t").Lt(day(2).Add(time.Millisecond)), []int{0, 1}},
		{"date with midnight", Col("d").Eq(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)), []int{1}},
		{"date with noon", Col("d").Lt(day(2)), []int{0, 1}},
		{"date with timestamp", Col("d").Lt(Col("t")), []int{0, 1, 2}},
		{"uint64 with int16", Col("big").Gt(Col("q")), []int{1, 2}},
		{"in with int16", Col("q").In(200, 1e9, 2.5, -3), []int{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.Filter(tc.e)
			if err != nil {
				t.Fatalf("Filter(%s): %v", tc.e, err)
			}
			if out.NumRows() != len(tc.want) {
				t.Fatalf("Filter(%s): got %d rows, want %v", tc.e, out.NumRows(), tc.want)
			}
			q, _, _ := Values[int16](out, "q")
			all, _, _ := Values[int16](f, "q")
			for k, i := range tc.want {
				if q[k] != all[i] {
					t.Fatalf("Filter(%s) row %d: got q=%d, want %d", tc.e, k, q[k], all[i])
				}
			}
		})
	}

	t.Run("literal column", func(t *testing.T) {
		out, err := f.WithColumn("one", Lit(1))
		if err != nil {
			t.Fatal(err)
		}
		got, valid, err := Values[int64](out, "one")
		if err != nil || valid != nil || !slices.Equal(got, []int64{1, 1, 1}) {
			t.Fatalf("Lit(1): got %v %v %v, want [1 1 1]", got, valid, err)
		}
		out, err = f.WithColumn("q", Col("q").Cast(arrow.PrimitiveTypes.Float64).Div(2))
		if err != nil {
			t.Fatal(err)
		}
		if out.ColumnNames()[0] != "q" || out.NumCols() != f.NumCols() {
			t.Fatalf("replacing q: columns %v", out.ColumnNames())
		}
		half, _, _ := Values[float64](out, "q")
		if !slices.Equal(half, []float64{0.5, 100, -1.5}) {
			t.Fatalf("q/2: got %v", half)
		}
		nullCol, err := f.WithColumn("n", Lit(nil))
		if err != nil || nullCol.Schema().Field(nullCol.NumCols()-1).Type.ID() != arrow.NULL {
			t.Fatalf("Lit(nil) column: %v", err)
		}
	})
	t.Run("with columns", func(t *testing.T) {
		out, err := f.WithColumns([]Expr{Col("q").Add(1), Col("q").Mul(2).Alias("double"), Col("s").Len()})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.ColumnNames(); !slices.Equal(got, []string{"q", "u", "f32", "nulls", "s", "t", "d", "big", "double"}) {
			t.Fatalf("columns: got %v", got)
		}
		q, _, _ := Values[int16](out, "q")
		d, _, _ := Values[int16](out, "double")
		n, _, _ := Values[int64](out, "s")
		if !slices.Equal(q, []int16{2, 201, -2}) || !slices.Equal(d, []int16{2, 400, -6}) || !slices.Equal(n, []int64{5, 3, 2}) {
			t.Fatalf("got q=%v double=%v len=%v", q, d, n)
		}
		if _, err := f.WithColumns([]Expr{Col("q"), Col("q").Add(1)}); !errors.Is(err, ErrDuplicateColumn) {
			t.Fatalf("two results named q: got %v, want ErrDuplicateColumn", err)
		}
	})
	t.Run("empty and columnless frames", func(t *testing.T) {
		empty := f.Head(0)
		out, err := empty.Filter(Col("q").Gt(0))
		if err != nil || out.NumRows() != 0 || out.NumCols() != f.NumCols() {
			t.Fatalf("Filter on empty: %v %v", out, err)
		}
		out, err = empty.WithColumn("x", Col("s").Upper())
		if err != nil || out.NumRows() != 0 {
			t.Fatalf("WithColumn on empty: %v", err)
		}
		var none *Frame
		out, err = none.WithColumn("x", Lit(1))
		if err != nil || out.NumRows() != 0 || out.NumCols() != 1 {
			t.Fatalf("WithColumn on nil frame: %v %v", out, err)
		}
		if _, err := none.Filter(Col("x").Gt(1)); !errors.Is(err, ErrColumnNotFound) {
			t.Fatalf("Filter on nil frame: got %v, want ErrColumnNotFound", err)
		}
	})
	t.Run("single row", func(t *testing.T) {
		one := f.Tail(1)
		out, err := one.Filter(Col("s").HasPrefix("ǅ").And(Col("u").Eq(255)))
		if err != nil || out.NumRows() != 1 {
			t.Fatalf("single row: %d rows, %v", out.NumRows(), err)
		}
	})
}

func TestExprErrors(t *testing.T) {
	f := mustNew(t,
		Int64("amount", []int64{1, math.MaxInt64}),
		String("name", []string{"a", "b"}),
		Bool("ok", []bool{true, false}),
		Date32("day", []time.Time{time.Unix(0, 0), time.Unix(0, 0)}),
		Timestamp("utc", []time.Time{time.Unix(0, 0), time.Unix(0, 0)}, arrow.Second),
		Array("local", mustArray(t, &arrow.TimestampType{Unit: arrow.Second, TimeZone: "Asia/Tokyo"})),
		Float64("x", []float64{1.5, 300}),
	)
	tests := []struct {
		name string
		run  func() error
		is   error
		msgs []string
	}{
		{"string with int", func() error { return second(f.Filter(Col("name").Gt(5))) }, ErrTypeMismatch,
			[]string{`frame: filter (col("name") > 5)`, `col("name") of type utf8`, `5 of type int64`}},
		{"add strings", func() error { return second(f.WithColumn("y", Col("name").Add(Col("name")))) }, ErrTypeMismatch,
			[]string{`frame: with column "y"`, `cannot add col("name") of type utf8 and col("name") of type utf8`, "numeric"}},
		{"unknown column", func() error { return second(f.Filter(Col("amout").Gt(1))) }, ErrColumnNotFound, []string{`"amout"`}},
		{"unknown column eval", func() error { return second(f.Eval(Col("nope"))) }, ErrColumnNotFound, []string{`frame: eval col("nope")`}},
		{"and on int", func() error { return second(f.Filter(Col("ok").And(Col("amount")))) }, ErrTypeMismatch,
			[]string{`col("amount") of type int64`, "bool"}},
		{"not on string", func() error { return second(f.Filter(Col("name").Not())) }, ErrTypeMismatch, []string{`col("name") is of type utf8, want bool`}},
		{"bool order", func() error { return second(f.Filter(Col("ok").Lt(true))) }, ErrTypeMismatch, []string{"have no order"}},
		{"lower on int", func() error { return second(f.Eval(Col("amount").Lower())) }, ErrTypeMismatch, []string{`lower: col("amount") is of type int64`}},
		{"contains on int", func() error { return second(f.Eval(Col("amount").Contains("1"))) }, ErrTypeMismatch, []string{`contains: col("amount")`}},
		{"year of string", func() error { return second(f.Eval(Col("name").Year())) }, ErrTypeMismatch, []string{`year: col("name") is of type utf8`}},
		{"hour of date", func() error { return second(f.Eval(Col("day").Hour())) }, ErrTypeMismatch, []string{`col("day") is of type date32`, "no time of day"}},
		{"in with wrong kind", func() error { return second(f.Eval(Col("amount").In(1, "x"))) }, ErrTypeMismatch, []string{`"x" of type utf8`, `col("amount") of type int64`}},
		{"unsupported literal", func() error { return second(f.Eval(Col("amount").Eq(struct{}{}))) }, ErrUnsupportedType, []string{"struct {}"}},
		{"zero expr", func() error { return second(f.Filter(Expr{})) }, ErrInvalidArgument, []string{"zero Expr"}},
		{"non-bool predicate", func() error { return second(f.Filter(Col("amount").Add(1))) }, ErrTypeMismatch,
			[]string{`(col("amount") + 1)`, "int64, want bool"}},
		{"cast overflow", func() error { return second(f.Eval(Col("x").Cast(arrow.PrimitiveTypes.Int8))) }, nil,
			[]string{`col("x").cast(int8)`}},
		{"impossible cast", func() error { return second(f.Eval(Col("ok").Cast(arrow.ListOf(arrow.PrimitiveTypes.Int8)))) }, ErrTypeMismatch,
			[]string{`cannot cast col("ok") of type bool to list`}},
		{"nil cast", func() error { return second(f.Eval(Col("ok").Cast(nil))) }, ErrInvalidArgument, []string{"nil type"}},
		{"add overflow", func() error { return second(f.Eval(Col("amount").Add(1))) }, nil, []string{`(col("amount") + 1)`, "overflow"}},
		{"zones differ", func() error { return second(f.Eval(Col("utc").Eq(Col("local")))) }, ErrTypeMismatch,
			[]string{`timestamp[s, tz=UTC]`, `timestamp[s, tz=Asia/Tokyo]`}},
		{"literal overflow", func() error { return second(f.Eval(Lit(time.Date(9999, 1, 1, 0, 0, 0, 1, time.UTC)))) }, ErrOutOfRange, []string{"does not fit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("got no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want errors.Is %v", err, tc.is)
			}
			for _, m := range tc.msgs {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("got %q, want it to contain %q", err, m)
				}
			}
			if c := strings.Count(err.Error(), "frame:"); c != 1 {
				t.Errorf("got %q: %d frame: prefixes, want 1", err, c)
			}
		})
	}
}

// mustArray builds a two-row timestamp array of type dt at the epoch.
func mustArray(t *testing.T, dt *arrow.TimestampType) arrow.Array {
	t.Helper()
	b := array.NewTimestampBuilder(memory.DefaultAllocator, dt)
	defer b.Release()
	b.AppendValues([]arrow.Timestamp{0, 0}, nil)
	return b.NewArray()
}

func TestMapColumn(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for range 20 {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, rng.IntN(120))
		f := ref.build(t, rng, mem)
		out, err := MapColumn(f, "i", "i2", func(v int64) float64 { return float64(v) / 4 }, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, ref.n)
		for i, v := range ref.ints {
			want[i] = float64(v) / 4
		}
		checkColumn(t, out, "i2", want, ref.intValid, span(0, ref.n), eqCmp[float64])
		out.Release()

		out, err = MapColumn(f, "s", "s", strings.ToUpper, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		if out.ColumnNames()[2] != "s" || out.NumCols() != 4 {
			t.Fatalf("MapColumn in place: columns %v", out.ColumnNames())
		}
		up := make([]string, ref.n)
		for i, v := range ref.strs {
			up[i] = strings.ToUpper(v)
		}
		checkColumn(t, out, "s", up, ref.strValid, span(0, ref.n), eqCmp[string])
		out.Release()

		calls := 0
		out, err = MapColumn(f, "b", "t", func(b bool) time.Time {
			calls++
			return time.Unix(int64(calls), 0)
		}, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		valid := 0
		for _, ok := range ref.boolValid {
			if ok {
				valid++
			}
		}
		if calls != valid {
			t.Fatalf("fn called %d times, want once per non-null row (%d)", calls, valid)
		}
		if dt := out.Schema().Field(4).Type; !arrow.TypeEqual(dt, TimestampType(arrow.Microsecond)) {
			t.Fatalf("time result type: got %s", dt)
		}
		out.Release()
		f.Release()
		mem.AssertSize(t, 0)
	}

	f := mustNew(t, Int64("a", []int64{1}), Int32("n", []int32{1}))
	if _, err := MapColumn(f, "zz", "b", func(v int64) int64 { return v }); !errors.Is(err, ErrColumnNotFound) || !strings.Contains(err.Error(), `"zz"`) {
		t.Errorf("unknown column: got %v", err)
	}
	if _, err := MapColumn(f, "n", "b", func(v int64) int64 { return v }); !errors.Is(err, ErrTypeMismatch) || !strings.Contains(err.Error(), `"n" of type int32`) {
		t.Errorf("wrong In type: got %v", err)
	}
	if _, err := MapColumn[int64, int64](f, "a", "b", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil fn: got %v", err)
	}
	if _, err := MapColumn(f, "a", "b", func(int64) time.Time { return time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC) }); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("time out of range: got %v", err)
	}
}

func BenchmarkFilterExpr(b *testing.B) {
	f, err := FromStructs(benchStructs())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		e    Expr
	}{
		{"gt", Col("amount").Gt(500)},
		{"and_prefix", Col("amount").Gt(500).And(Col("name").HasPrefix("name-1"))},
		{"is_in", Col("name").In("name-1", "name-2", "name-3")},
		{"hour", Col("at").Hour().Eq(3)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Filter(bc.e); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b, benchRows)
		})
	}
}

func BenchmarkWithColumnArith(b *testing.B) {
	f, err := FromStructs(benchStructs())
	if err != nil {
		b.Fatal(err)
	}
	e := Col("amount").Mul(1.25).Add(Col("id")).Div(2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.WithColumn("x", e); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, benchRows)
}
