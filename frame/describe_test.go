package frame

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// describeFloats is the brute-force Describe of numeric values.
func describeFloats(vals []float64, valid []bool) ([]float64, []bool) {
	var xs []float64
	for i, v := range vals {
		if valid[i] {
			xs = append(xs, v)
		}
	}
	n := float64(len(xs))
	out := []float64{n, float64(len(vals) - len(xs)), 0, 0, 0, 0}
	ok := []bool{true, true, len(xs) > 0, len(xs) > 1, len(xs) > 0, len(xs) > 0}
	if len(xs) > 0 {
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		out[2] = sum / n
		out[4], out[5] = slices.Min(xs), slices.Max(xs)
	}
	if len(xs) > 1 {
		ss := 0.0
		for _, x := range xs {
			ss += (x - out[2]) * (x - out[2])
		}
		out[3] = math.Sqrt(ss / (n - 1))
	}
	return out, ok
}

func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestPropertyDescribe(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 55))
	for iter := range 40 {
		n := rng.IntN(150)
		if iter < 3 {
			n = iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		f := ref.build(t, rng, mem)
		d, err := f.Describe(WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.ColumnNames(); !slices.Equal(got, []string{"statistic", "i", "f", "s", "b"}) {
			t.Fatalf("columns: got %v", got)
		}
		stats, _, _ := Values[string](d, "statistic")
		if !slices.Equal(stats, DescribeStatistics) {
			t.Fatalf("statistic: got %v", stats)
		}
		ints := make([]float64, n)
		for i, v := range ref.ints {
			ints[i] = float64(v)
		}
		for _, c := range []struct {
			name  string
			vals  []float64
			valid []bool
		}{{"i", ints, ref.intValid}, {"f", ref.floats, ref.floatValid}} {
			want, wantOK := describeFloats(c.vals, c.valid)
			got, gotValid, err := Values[float64](d, c.name)
			if err != nil {
				t.Fatal(err)
			}
			for k := range want {
				ok := gotValid == nil || gotValid[k]
				if ok != wantOK[k] || (ok && !closeTo(got[k], want[k])) {
					t.Fatalf("%s %s: got %v (valid %t), want %v (valid %t)", c.name, stats[k], got[k], ok, want[k], wantOK[k])
				}
			}
		}
		// Strings: counts in decimal, no mean or std, lexicographic extremes.
		var strs []string
		var bools []string
		for i := range n {
			if ref.strValid[i] {
				strs = append(strs, ref.strs[i])
			}
			if ref.boolValid[i] {
				bools = append(bools, strconv.FormatBool(ref.bools[i]))
			}
		}
		for _, c := range []struct {
			name string
			vals []string
		}{{"s", strs}, {"b", bools}} {
			got, gotValid, _ := Values[string](d, c.name)
			want := []string{strconv.Itoa(len(c.vals)), strconv.Itoa(n - len(c.vals)), "", "", "", ""}
			wantOK := []bool{true, true, false, false, len(c.vals) > 0, len(c.vals) > 0}
			if len(c.vals) > 0 {
				want[4], want[5] = slices.Min(c.vals), slices.Max(c.vals)
			}
			for k := range want {
				ok := gotValid == nil || gotValid[k]
				if ok != wantOK[k] || (ok && got[k] != want[k]) {
					t.Fatalf("%s %s: got %q (valid %t), want %q (valid %t)", c.name, stats[k], got[k], ok, want[k], wantOK[k])
				}
			}
		}
		d.Release()
		f.Release()
		mem.AssertSize(t, 0)
	}
}

func TestDescribeEdgeCases(t *testing.T) {
	nan := math.NaN()
	f := mustNew(t,
		Float64("nan", []float64{nan, 2, nan}),
		Float64("allnan", []float64{nan, nan, nan}),
		Uint64("u", []uint64{1 << 63, 1, 2}),
		Int32("nulls", []int32{0, 0, 0}, []bool{false, false, false}),
		Timestamp("t", []time.Time{time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}, arrow.Second),
		Array("list", mustList(t)),
	)
	d, err := f.Describe()
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) ([]float64, []bool) {
		v, ok, err := Values[float64](d, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v, ok
	}
	if v, _ := get("nan"); v[0] != 3 || v[4] != 2 || v[5] != 2 || !math.IsNaN(v[2]) {
		t.Errorf("NaN column: got %v, want count 3 (NaN is a value), NaN mean, min = max = 2", v)
	}
	if v, _ := get("allnan"); !math.IsNaN(v[4]) || !math.IsNaN(v[5]) {
		t.Errorf("all-NaN column: got %v, want NaN extremes", v)
	}
	if v, _ := get("u"); v[4] != 1 || v[5] != float64(uint64(1<<63)) {
		t.Errorf("uint64 column: got %v", v)
	}
	if v, ok := get("nulls"); v[0] != 0 || v[1] != 3 || !slices.Equal(ok, []bool{true, true, false, false, false, false}) {
		t.Errorf("all-null column: got %v %v", v, ok)
	}
	ts, _, _ := Values[string](d, "t")
	if ts[4] != "2025-01-02 00:00:00" || ts[5] != "2027-01-02 00:00:00" {
		t.Errorf("timestamp extremes: got %q %q", ts[4], ts[5])
	}
	list, lv, _ := Values[string](d, "list")
	if list[0] != "2" || list[1] != "1" || lv[4] || lv[5] {
		t.Errorf("list column: got %q valid %v, want counts and no extremes", list, lv)
	}

	one, err := f.Head(1).Describe()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Values[float64](one, "u"); ok[3] {
		t.Error("std of one value must be null")
	}
	none, err := (*Frame)(nil).Describe()
	if err != nil || none.NumCols() != 1 || none.NumRows() != len(DescribeStatistics) {
		t.Errorf("Describe of nil frame: %v %v", none, err)
	}
	if _, err := mustNew(t, Int64("statistic", []int64{1})).Describe(); !errors.Is(err, ErrDuplicateColumn) {
		t.Errorf("column named statistic: got %v, want ErrDuplicateColumn", err)
	}
}

// mustList is a list<int64> column of three rows, one null.
func mustList(t *testing.T) arrow.Array {
	t.Helper()
	type row struct {
		L []int64 `frame:"l"`
	}
	f, err := FromStructs([]row{{[]int64{1}}, {nil}, {[]int64{2, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	col, _ := f.Column("l")
	if col.NullN() != 1 {
		t.Fatalf("list fixture: %d nulls, want 1", col.NullN())
	}
	return col.Chunk(0)
}
