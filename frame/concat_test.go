package frame

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestPropertyConcat cuts random frames into pieces and glues them back:
// the result must equal the original, share every chunk (equal schemas
// allocate nothing) and leak nothing.
func TestPropertyConcat(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 8))
	for iter := range 40 {
		n := rng.IntN(150)
		if iter < 3 {
			n = iter
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ref := randomRef(rng, n)
		f := ref.build(t, rng, mem)
		var pieces []*Frame
		for lo := 0; lo < n || len(pieces) == 0; {
			hi := min(n, lo+rng.IntN(n/2+2))
			p, err := f.Slice(lo, hi-lo)
			if err != nil {
				t.Fatal(err)
			}
			pieces = append(pieces, p)
			lo = hi
			if lo >= n {
				break
			}
		}
		before := mem.CurrentAlloc()
		out, err := ConcatWithOptions(pieces, WithAllocator(mem))
		if err != nil {
			t.Fatalf("Concat: %v", err)
		}
		if mem.CurrentAlloc() != before {
			t.Fatalf("Concat of equal schemas allocated %d bytes, want 0", mem.CurrentAlloc()-before)
		}
		if !out.Schema().Equal(f.Schema()) {
			t.Fatalf("schema: got %s, want %s", out.Schema(), f.Schema())
		}
		ref.check(t, out, span(0, n))

		// Widening: the int column as int32 in one piece and the float
		// column missing from another.
		narrow, err := pieces[0].CastColumn("i", arrow.PrimitiveTypes.Int32, WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		noFloat, err := f.Drop("f")
		if err != nil {
			t.Fatal(err)
		}
		mixed, err := ConcatWithOptions([]*Frame{narrow, noFloat}, WithAllocator(mem))
		if err != nil {
			t.Fatalf("Concat with widening: %v", err)
		}
		m := pieces[0].NumRows()
		rows := append(span(0, m), span(0, n)...)
		checkColumn(t, mixed, "i", ref.ints, ref.intValid, rows, eqCmp[int64])
		checkColumn(t, mixed, "s", ref.strs, ref.strValid, rows, eqCmp[string])
		fv := append(slices.Clone(ref.floatValid), make([]bool, n)...)
		fw := append(slices.Clone(ref.floats), make([]float64, n)...)
		frows := append(span(0, m), span(n, 2*n)...)
		checkColumn(t, mixed, "f", fw, fv, frows, eqCmp[float64])
		if got := mixed.ColumnNames(); !slices.Equal(got, []string{"i", "f", "s", "b"}) {
			t.Fatalf("columns: got %v, want [i f s b]", got)
		}

		for _, p := range append(pieces, f, out, narrow, noFloat, mixed) {
			p.Release()
		}
		mem.AssertSize(t, 0)
	}
}

func TestConcatUnify(t *testing.T) {
	ts := func(unit arrow.TimeUnit, tz string) arrow.DataType {
		return &arrow.TimestampType{Unit: unit, TimeZone: tz}
	}
	p := arrow.PrimitiveTypes
	tests := []struct {
		a, b arrow.DataType
		want arrow.DataType
	}{
		{p.Int32, p.Int64, p.Int64},
		{p.Int8, p.Int16, p.Int16},
		{p.Uint8, p.Uint32, p.Uint32},
		{p.Int8, p.Uint8, p.Int16},
		{p.Int16, p.Uint32, p.Int64},
		{p.Int64, p.Uint32, p.Int64},
		{p.Int32, p.Uint8, p.Int32},
		{p.Int64, p.Uint64, p.Float64},
		{p.Int8, p.Float32, p.Float64},
		{p.Float32, p.Float64, p.Float64},
		{p.Float32, p.Float32, p.Float32},
		{ts(arrow.Second, "UTC"), ts(arrow.Millisecond, "UTC"), ts(arrow.Millisecond, "UTC")},
		{arrow.FixedWidthTypes.Date32, ts(arrow.Microsecond, "UTC"), ts(arrow.Microsecond, "UTC")},
		{arrow.FixedWidthTypes.Date64, ts(arrow.Second, ""), ts(arrow.Millisecond, "")},
		{arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64, arrow.FixedWidthTypes.Date64},
		{arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.LargeString},
		{arrow.Null, arrow.BinaryTypes.String, arrow.BinaryTypes.String},
		{&arrow.DurationType{Unit: arrow.Second}, &arrow.DurationType{Unit: arrow.Nanosecond}, &arrow.DurationType{Unit: arrow.Nanosecond}},
	}
	for _, tc := range tests {
		for _, pair := range [][2]arrow.DataType{{tc.a, tc.b}, {tc.b, tc.a}} {
			got, ok := supertype(pair[0], pair[1])
			if !ok || !arrow.TypeEqual(got, tc.want) {
				t.Errorf("supertype(%s, %s): got %v %t, want %s", pair[0], pair[1], got, ok, tc.want)
			}
		}
	}
	for _, pair := range [][2]arrow.DataType{
		{p.Int64, arrow.BinaryTypes.String},
		{ts(arrow.Second, "UTC"), ts(arrow.Second, "Asia/Tokyo")},
		{arrow.FixedWidthTypes.Boolean, p.Int8},
		{arrow.BinaryTypes.String, arrow.BinaryTypes.Binary},
	} {
		if got, ok := supertype(pair[0], pair[1]); ok {
			t.Errorf("supertype(%s, %s): got %s, want none", pair[0], pair[1], got)
		}
	}
}

func TestConcatValues(t *testing.T) {
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a := mustNew(t,
		Int32("n", []int32{1, 2}),
		Uint8("u", []uint8{200, 3}),
		Date32("when", []time.Time{day, day.AddDate(0, 0, 1)}),
		String("only_a", []string{"x", "y"}),
	)
	b := mustNew(t,
		Float64("n", []float64{2.5}),
		Int8("u", []int8{-1}),
		Timestamp("when", []time.Time{day.Add(90 * time.Minute)}, arrow.Millisecond),
		Bool("only_b", []bool{true}),
	)
	out, err := Concat(a, nil, a.Head(0), b)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.ColumnNames(); !slices.Equal(got, []string{"n", "u", "when", "only_a", "only_b"}) {
		t.Fatalf("columns: got %v", got)
	}
	n, _, _ := Values[float64](out, "n")
	u, _, _ := Values[int16](out, "u")
	when, _, _ := Values[time.Time](out, "when")
	onlyA, va, _ := Values[string](out, "only_a")
	onlyB, vb, _ := Values[bool](out, "only_b")
	if !slices.Equal(n, []float64{1, 2, 2.5}) || !slices.Equal(u, []int16{200, 3, -1}) {
		t.Fatalf("n=%v u=%v", n, u)
	}
	wantWhen := []time.Time{day, day.AddDate(0, 0, 1), day.Add(90 * time.Minute)}
	for i := range wantWhen {
		if !when[i].Equal(wantWhen[i]) {
			t.Fatalf("when[%d]: got %s, want %s", i, when[i], wantWhen[i])
		}
	}
	if !slices.Equal(onlyA, []string{"x", "y", ""}) || !slices.Equal(va, []bool{true, true, false}) ||
		!slices.Equal(onlyB, []bool{false, false, true}) || !slices.Equal(vb, []bool{false, false, true}) {
		t.Fatalf("missing columns: only_a=%v %v only_b=%v %v", onlyA, va, onlyB, vb)
	}
	if !out.Schema().Field(3).Nullable || !out.Schema().Field(4).Nullable {
		t.Fatalf("columns missing from a frame must be nullable: %s", out.Schema())
	}

	empty, err := Concat()
	if err != nil || empty.NumRows() != 0 || empty.NumCols() != 0 {
		t.Fatalf("Concat(): %v %v", empty, err)
	}
	headers, err := Concat(a.Head(0), b.Head(0))
	if err != nil || headers.NumRows() != 0 || headers.NumCols() != 5 {
		t.Fatalf("Concat of empty frames: %v %v", headers, err)
	}
}

func TestConcatErrors(t *testing.T) {
	a := mustNew(t, Int64("id", []int64{1}), String("name", []string{"a"}))
	b := mustNew(t, String("id", []string{"x"}))
	_, err := Concat(a, a, b)
	if !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("got %v, want ErrTypeMismatch", err)
	}
	for _, m := range []string{`frame: concat: column "id"`, "int64 in frame 0", "utf8 in frame 2"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("got %q, want it to contain %q", err, m)
		}
	}
	// A widening that overflows is reported, not wrapped.
	ts := mustNew(t, Timestamp("t", []time.Time{time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)}, arrow.Second))
	ns := mustNew(t, Timestamp("t", []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, arrow.Nanosecond))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if _, err := ConcatWithOptions([]*Frame{ts, ns}, WithAllocator(mem)); err == nil || !strings.Contains(err.Error(), `column "t" of frame 0`) {
		t.Fatalf("overflowing widening: got %v", err)
	}
	mem.AssertSize(t, 0)
}
