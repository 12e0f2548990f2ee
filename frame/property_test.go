package frame

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// refFrame is the brute-force model of a random frame: plain Go slices kept
// alongside the Arrow columns built from them.
type refFrame struct {
	n          int
	ints       []int64
	intValid   []bool
	floats     []float64
	floatValid []bool
	strs       []string
	strValid   []bool
	bools      []bool
	boolValid  []bool
}

var unicodeWords = []string{"", "a", "héllo", "日本語", "emoji 🙂", "tab\there", "Ωmega", "x"}

func randomRef(rng *rand.Rand, n int) *refFrame {
	r := &refFrame{n: n}
	nullRate := rng.Float64() * 0.5
	valid := func() bool { return rng.Float64() >= nullRate }
	for range n {
		r.ints = append(r.ints, rng.Int64N(1000)-500)
		r.intValid = append(r.intValid, valid())
		r.floats = append(r.floats, rng.NormFloat64())
		r.floatValid = append(r.floatValid, valid())
		r.strs = append(r.strs, unicodeWords[rng.IntN(len(unicodeWords))])
		r.strValid = append(r.strValid, valid())
		r.bools = append(r.bools, rng.IntN(2) == 1)
		r.boolValid = append(r.boolValid, valid())
	}
	return r
}

// randomCuts splits n rows into chunks at random points, including empty
// chunks now and then.
func randomCuts(rng *rand.Rand, n int) [][2]int {
	var cuts [][2]int
	for lo := 0; lo < n || len(cuts) == 0; {
		hi := min(n, lo+rng.IntN(n/3+2))
		cuts = append(cuts, [2]int{lo, hi})
		lo = hi
		if lo >= n {
			break
		}
	}
	return cuts
}

// chunkedOf builds a column from typed slices in randomly cut chunks.
func chunkedOf[T any](t *testing.T, rng *rand.Rand, mem memory.Allocator, dt arrow.DataType, vals []T, valid []bool) *arrow.Chunked {
	t.Helper()
	var chunks []arrow.Array
	for _, c := range randomCuts(rng, len(vals)) {
		b := array.NewBuilder(mem, dt)
		b.(valuesBuilder[T]).AppendValues(vals[c[0]:c[1]], valid[c[0]:c[1]])
		chunks = append(chunks, b.NewArray())
		b.Release()
	}
	col := arrow.NewChunked(dt, chunks)
	for _, a := range chunks {
		a.Release()
	}
	return col
}

func (r *refFrame) build(t *testing.T, rng *rand.Rand, mem memory.Allocator) *Frame {
	t.Helper()
	cols := []*arrow.Chunked{
		chunkedOf(t, rng, mem, arrow.PrimitiveTypes.Int64, r.ints, r.intValid),
		chunkedOf(t, rng, mem, arrow.PrimitiveTypes.Float64, r.floats, r.floatValid),
		chunkedOf(t, rng, mem, arrow.BinaryTypes.String, r.strs, r.strValid),
		chunkedOf(t, rng, mem, arrow.FixedWidthTypes.Boolean, r.bools, r.boolValid),
	}
	series := []Series{Chunked("i", cols[0]), Chunked("f", cols[1]), Chunked("s", cols[2]), Chunked("b", cols[3])}
	f, err := NewWithOptions(series, WithAllocator(mem))
	for _, c := range cols {
		c.Release()
	}
	if err != nil {
		t.Fatalf("NewWithOptions: %v", err)
	}
	return f
}

// checkColumn compares one column against the model at the given rows.
func checkColumn[T Scalar](t *testing.T, f *Frame, name string, want []T, wantValid []bool, rows []int, eq func(a, b T) bool) {
	t.Helper()
	got, valid, err := Values[T](f, name)
	if err != nil {
		t.Fatalf("Values(%q): %v", name, err)
	}
	if len(got) != len(rows) {
		t.Fatalf("column %q: got %d rows, want %d", name, len(got), len(rows))
	}
	var zero T
	for k, i := range rows {
		gotValid := valid == nil || valid[k]
		if gotValid != wantValid[i] {
			t.Fatalf("column %q row %d (source %d): got valid=%t, want %t", name, k, i, gotValid, wantValid[i])
		}
		w := want[i]
		if !wantValid[i] {
			w = zero
		}
		if !eq(got[k], w) {
			t.Fatalf("column %q row %d (source %d): got %v, want %v", name, k, i, got[k], w)
		}
	}
	// The iterator must agree with Values.
	seq, err := All[T](f, name)
	if err != nil {
		t.Fatalf("All(%q): %v", name, err)
	}
	k := 0
	for v, ok := range seq {
		if ok != (valid == nil || valid[k]) || !eq(v, got[k]) {
			t.Fatalf("All(%q) row %d: got (%v, %t), want (%v, %t)", name, k, v, ok, got[k], valid == nil || valid[k])
		}
		k++
	}
	if k != len(rows) {
		t.Fatalf("All(%q): got %d rows, want %d", name, k, len(rows))
	}
}

func eqCmp[T comparable](a, b T) bool { return a == b }

func (r *refFrame) check(t *testing.T, f *Frame, rows []int) {
	t.Helper()
	if f.NumRows() != len(rows) {
		t.Fatalf("NumRows: got %d, want %d", f.NumRows(), len(rows))
	}
	checkColumn(t, f, "i", r.ints, r.intValid, rows, eqCmp[int64])
	checkColumn(t, f, "f", r.floats, r.floatValid, rows, eqCmp[float64])
	checkColumn(t, f, "s", r.strs, r.strValid, rows, eqCmp[string])
	checkColumn(t, f, "b", r.bools, r.boolValid, rows, eqCmp[bool])
}

func span(lo, hi int) []int {
	rows := make([]int, 0, max(hi-lo, 0))
	for i := lo; i < hi; i++ {
		rows = append(rows, i)
	}
	return rows
}

// TestPropertyOps compares every row operation with the brute-force result
// on random chunked frames with nulls, under a checked allocator that must
// end empty.
func TestPropertyOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for iter := range 60 {
		n := rng.IntN(200)
		if iter < 3 {
			n = iter // 0, 1 and 2 rows
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		f := ref.build(t, rng, mem)
		ref.check(t, f, span(0, n))

		h := rng.IntN(n + 3)
		head := f.Head(h)
		ref.check(t, head, span(0, min(h, n)))
		tail := f.Tail(h)
		ref.check(t, tail, span(n-min(h, n), n))

		off := rng.IntN(n + 1)
		ln := rng.IntN(n + 2)
		sl, err := f.Slice(off, ln)
		if err != nil {
			t.Fatalf("Slice(%d, %d) of %d: %v", off, ln, n, err)
		}
		ref.check(t, sl, span(off, min(off+ln, n)))

		// A slice of a slice must still line up with the model.
		sub := sl.Head(ln / 2)
		ref.check(t, sub, span(off, min(off+ln/2, n)))

		mask := make([]bool, n)
		var kept []int
		for i := range mask {
			mask[i] = rng.IntN(3) == 0
			if mask[i] {
				kept = append(kept, i)
			}
		}
		filtered, err := f.FilterMask(mask, WithAllocator(mem))
		if err != nil {
			t.Fatalf("FilterMask: %v", err)
		}
		ref.check(t, filtered, kept)

		// Chunked mask with nulls, cut differently from every column:
		// nulls drop their rows.
		maskValid := make([]bool, n)
		kept = kept[:0]
		for i := range maskValid {
			maskValid[i] = rng.IntN(4) != 0
			if mask[i] && maskValid[i] {
				kept = append(kept, i)
			}
		}
		cm := chunkedOf(t, rng, mem, arrow.FixedWidthTypes.Boolean, mask, maskValid)
		filtered2, err := f.FilterChunked(cm, WithAllocator(mem))
		cm.Release()
		if err != nil {
			t.Fatalf("FilterChunked: %v", err)
		}
		ref.check(t, filtered2, kept)

		// Filtering a slice exercises offsets in both data and mask.
		smask := mask[off:min(off+ln, n)]
		var skept []int
		for k, m := range smask {
			if m {
				skept = append(skept, off+k)
			}
		}
		sf, err := sl.FilterMask(smask, WithAllocator(mem))
		if err != nil {
			t.Fatalf("slice FilterMask: %v", err)
		}
		ref.check(t, sf, skept)

		k := rng.IntN(n + 2)
		s1, err := f.Sample(k, uint64(iter), WithAllocator(mem))
		if err != nil {
			t.Fatalf("Sample: %v", err)
		}
		if s1.NumRows() != min(k, n) {
			t.Fatalf("Sample(%d) of %d: got %d rows, want %d", k, n, s1.NumRows(), min(k, n))
		}
		s2, _ := f.Sample(k, uint64(iter), WithAllocator(mem))
		if s1.String() != s2.String() {
			t.Fatalf("Sample with the same seed differs:\n%s\n%s", s1, s2)
		}

		sel, err := f.Select("s", "i")
		if err != nil {
			t.Fatalf("Select: %v", err)
		}
		if got := sel.ColumnNames(); !slices.Equal(got, []string{"s", "i"}) {
			t.Fatalf("Select columns: got %v, want [s i]", got)
		}
		checkColumn(t, sel, "s", ref.strs, ref.strValid, span(0, n), eqCmp[string])

		// Streaming in batches and reading back reproduces the frame.
		bs := rng.IntN(40)
		rdr := f.Records(bs)
		for rdr.Next() {
			if bs > 0 && rdr.RecordBatch().NumRows() > int64(bs) {
				t.Fatalf("Records(%d): batch of %d rows", bs, rdr.RecordBatch().NumRows())
			}
		}
		rdr.Release()
		rdr = f.Records(bs)
		back, err := FromReader(rdr)
		rdr.Release()
		if err != nil {
			t.Fatalf("FromReader(Records(%d)): %v", bs, err)
		}
		ref.check(t, back, span(0, n))

		for _, fr := range []*Frame{f, head, tail, sl, sub, filtered, filtered2, sf, s1, s2, sel, back} {
			fr.Release()
		}
		mem.AssertSize(t, 0)
	}
}
