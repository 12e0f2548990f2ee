package frame

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fillRef is the model after FillNull: every row valid, nulls replaced.
func fillRef[T any](vals []T, valid []bool, v T) ([]T, []bool) {
	out := slices.Clone(vals)
	for i, ok := range valid {
		if !ok {
			out[i] = v
		}
	}
	all := make([]bool, len(vals))
	for i := range all {
		all[i] = true
	}
	return out, all
}

func TestPropertyNulls(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	for iter := range 40 {
		n := rng.IntN(150)
		if iter < 3 {
			n = iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		// Few distinct values, so that Unique and ValueCounts have
		// something to merge.
		for i := range ref.floats {
			ref.floats[i] = math.Round(ref.floats[i])
			ref.ints[i] %= 7
		}
		f := ref.build(t, rng, mem)
		all := span(0, n)

		// FillNull, column by column.
		fi, err := f.FillNull("i", 42, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		w, wv := fillRef(ref.ints, ref.intValid, 42)
		checkColumn(t, fi, "i", w, wv, all, eqCmp[int64])
		checkColumn(t, fi, "s", ref.strs, ref.strValid, all, eqCmp[string])
		ff, err := f.FillNull("f", 0.5, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		wf, wfv := fillRef(ref.floats, ref.floatValid, 0.5)
		checkColumn(t, ff, "f", wf, wfv, all, eqCmp[float64])
		fs, err := f.FillNull("s", "∅", WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		ws, wsv := fillRef(ref.strs, ref.strValid, "∅")
		checkColumn(t, fs, "s", ws, wsv, all, eqCmp[string])
		fb, err := f.FillNull("b", true, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		wb, wbv := fillRef(ref.bools, ref.boolValid, true)
		checkColumn(t, fb, "b", wb, wbv, all, eqCmp[bool])

		// DropNulls over all columns and over some.
		var keepAll, keepIS []int
		for i := range n {
			if ref.intValid[i] && ref.strValid[i] {
				keepIS = append(keepIS, i)
				if ref.floatValid[i] && ref.boolValid[i] {
					keepAll = append(keepAll, i)
				}
			}
		}
		dAll, err := f.DropNullsWithOptions(nil, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		ref.check(t, dAll, keepAll)
		dIS, err := f.DropNullsWithOptions([]string{"i", "s"}, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		ref.check(t, dIS, keepIS)

		// Unique keeps the first row of each key, nulls equal.
		firstRows := func(key func(i int) string) []int {
			seen := map[string]bool{}
			var rows []int
			for i := range n {
				if k := key(i); !seen[k] {
					seen[k] = true
					rows = append(rows, i)
				}
			}
			return rows
		}
		str := func(i int) string {
			if !ref.strValid[i] {
				return "\x00null"
			}
			return ref.strs[i]
		}
		boolKey := func(i int) string {
			if !ref.boolValid[i] {
				return "null"
			}
			return map[bool]string{true: "t", false: "f"}[ref.bools[i]]
		}
		intKey := func(i int) string {
			if !ref.intValid[i] {
				return "null"
			}
			return string(rune('a' + ref.ints[i] + 7))
		}
		floatKey := func(i int) string {
			if !ref.floatValid[i] {
				return "null"
			}
			return string(rune('a' + int(ref.floats[i]) + 10))
		}
		u1, err := f.UniqueWithOptions([]string{"s"}, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		ref.check(t, u1, firstRows(str))
		u2, err := f.UniqueWithOptions([]string{"b", "i"}, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		ref.check(t, u2, firstRows(func(i int) string { return boolKey(i) + "|" + intKey(i) }))
		u3, err := f.UniqueWithOptions(nil, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		ref.check(t, u3, firstRows(func(i int) string {
			return intKey(i) + "|" + floatKey(i) + "|" + str(i) + "|" + boolKey(i)
		}))

		// ValueCounts: count desc, then value asc with null last.
		vc, err := f.ValueCounts("s", WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		type entry struct {
			v     string
			null  bool
			count int64
		}
		counts := map[string]*entry{}
		for i := range n {
			k := str(i)
			if counts[k] == nil {
				counts[k] = &entry{v: ref.strs[i], null: !ref.strValid[i]}
				if !ref.strValid[i] {
					counts[k].v = ""
				}
			}
			counts[k].count++
		}
		var want []*entry
		for _, e := range counts {
			want = append(want, e)
		}
		slices.SortFunc(want, func(a, b *entry) int {
			if c := cmp.Compare(b.count, a.count); c != 0 {
				return c
			}
			if a.null != b.null {
				if a.null {
					return 1
				}
				return -1
			}
			return strings.Compare(a.v, b.v)
		})
		gotV, gotValid, _ := Values[string](vc, "s")
		gotC, _, _ := Values[int64](vc, "count")
		if len(gotV) != len(want) {
			t.Fatalf("ValueCounts: got %d values, want %d", len(gotV), len(want))
		}
		for k, e := range want {
			if gotC[k] != e.count || (gotValid == nil || gotValid[k]) == e.null || gotV[k] != e.v {
				t.Fatalf("ValueCounts row %d: got (%q, valid %v, %d), want (%q, null %t, %d)", k, gotV[k], gotValid, gotC[k], e.v, e.null, e.count)
			}
		}

		for _, fr := range []*Frame{f, fi, ff, fs, fb, dAll, dIS, u1, u2, u3, vc} {
			fr.Release()
		}
		mem.AssertSize(t, 0)
	}
}

func TestNullsEdgeCases(t *testing.T) {
	f := mustNew(t,
		Int8("small", []int8{1, 0}, []bool{true, false}),
		Int64("none", []int64{0, 0}, []bool{false, false}),
		String("s", []string{"a", "b"}),
		Float32("f32", []float32{1, 0}, []bool{false, true}),
	)
	t.Run("fill all-null", func(t *testing.T) {
		out, err := f.FillNull("none", int8(-4))
		if err != nil {
			t.Fatal(err)
		}
		got, valid, _ := Values[int64](out, "none")
		if !slices.Equal(got, []int64{-4, -4}) || valid != nil {
			t.Fatalf("got %v %v, want [-4 -4] all valid", got, valid)
		}
		out, err = f.FillNull("f32", 0.1)
		if err != nil {
			t.Fatal(err)
		}
		got32, _, _ := Values[float32](out, "f32")
		if got32[0] != float32(0.1) {
			t.Fatalf("float32 fill: got %v", got32)
		}
	})
	t.Run("fill without nulls shares", func(t *testing.T) {
		out, err := f.FillNull("s", "z")
		if err != nil {
			t.Fatal(err)
		}
		a, _ := out.Column("s")
		b, _ := f.Column("s")
		if a != b {
			t.Fatal("FillNull on a column without nulls copied it")
		}
	})
	t.Run("drop nulls on all-null column", func(t *testing.T) {
		out, err := f.DropNulls("none")
		if err != nil || out.NumRows() != 0 || out.NumCols() != 4 {
			t.Fatalf("got %v %v", out, err)
		}
		out, err = f.DropNulls("s")
		if err != nil || out.NumRows() != 2 {
			t.Fatalf("no nulls in s: got %v %v", out, err)
		}
	})
	t.Run("empty frame", func(t *testing.T) {
		e := f.Head(0)
		for name, run := range map[string]func() (*Frame, error){
			"unique":       func() (*Frame, error) { return e.Distinct() },
			"drop nulls":   func() (*Frame, error) { return e.DropNulls() },
			"fill":         func() (*Frame, error) { return e.FillNull("small", 1) },
			"value counts": func() (*Frame, error) { return e.ValueCounts("s") },
		} {
			out, err := run()
			if err != nil || out.NumRows() != 0 {
				t.Fatalf("%s: got %v %v", name, out, err)
			}
		}
	})
	t.Run("value counts of count", func(t *testing.T) {
		g := mustNew(t, Int64("count", []int64{3, 3, 1}))
		out, err := g.ValueCounts("count")
		if err != nil || !slices.Equal(out.ColumnNames(), []string{"count", "counts"}) {
			t.Fatalf("got %v %v", out, err)
		}
	})
	t.Run("cast", func(t *testing.T) {
		out, err := f.Cast(map[string]arrow.DataType{"small": arrow.PrimitiveTypes.Float64, "s": arrow.BinaryTypes.LargeString})
		if err != nil {
			t.Fatal(err)
		}
		got, valid, _ := Values[float64](out, "small")
		if !slices.Equal(got, []float64{1, 0}) || !slices.Equal(valid, []bool{true, false}) {
			t.Fatalf("cast small: got %v %v", got, valid)
		}
		if dt := out.Schema().Field(2).Type; dt.ID() != arrow.LARGE_STRING {
			t.Fatalf("cast s: got %s", dt)
		}
	})

	errs := []struct {
		name string
		err  error
		is   error
		msgs []string
	}{
		{"fill unknown", second(f.FillNull("nope", 1)), ErrColumnNotFound, []string{`"nope"`}},
		{"fill wrong kind", second(f.FillNull("small", "x")), ErrTypeMismatch, []string{`column "small" of type int8`, `"x" of type utf8`}},
		{"fill overflow", second(f.FillNull("small", 300)), ErrOutOfRange, []string{`column "small" of type int8`, "300"}},
		{"fill fraction", second(f.FillNull("none", 2.5)), ErrOutOfRange, []string{`column "none"`}},
		{"fill nil", second(f.FillNull("small", nil)), ErrInvalidArgument, []string{`column "small"`}},
		{"fill unsupported", second(f.FillNull("small", []int{1})), ErrUnsupportedType, []string{`column "small"`}},
		{"drop unknown", second(f.DropNulls("s", "nope")), ErrColumnNotFound, []string{`"nope"`}},
		{"unique unknown", second(f.Unique("nope")), ErrColumnNotFound, []string{`"nope"`}},
		{"value counts unknown", second(f.ValueCounts("nope")), ErrColumnNotFound, []string{`"nope"`}},
		{"cast unknown", second(f.CastColumn("nope", arrow.PrimitiveTypes.Int8)), ErrColumnNotFound, []string{`"nope"`}},
		{"cast nil", second(f.CastColumn("s", nil)), ErrInvalidArgument, []string{`column "s"`}},
		{"cast overflow", second(mustNew(t, Int64("big", []int64{1, 300})).CastColumn("big", arrow.PrimitiveTypes.Int8)), nil,
			[]string{`frame: cast column "big": cast int64 to int8`}},
		{"cast parse", second(f.CastColumn("s", arrow.PrimitiveTypes.Int32)), nil, []string{`cast column "s"`}},
		{"cast impossible", second(f.CastColumn("s", arrow.ListOf(arrow.PrimitiveTypes.Int8))), ErrTypeMismatch, []string{`column "s"`, "utf8", "list"}},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("got no error")
			}
			if tc.is != nil && !errors.Is(tc.err, tc.is) {
				t.Errorf("got %v, want errors.Is %v", tc.err, tc.is)
			}
			for _, m := range tc.msgs {
				if !strings.Contains(tc.err.Error(), m) {
					t.Errorf("got %q, want it to contain %q", tc.err, m)
				}
			}
			if c := strings.Count(tc.err.Error(), "frame:"); c != 1 {
				t.Errorf("got %q: %d frame: prefixes, want 1", tc.err, c)
			}
		})
	}
}
