package frame

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func mustNew(t *testing.T, cols ...Series) *Frame {
	t.Helper()
	f, err := New(cols...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return f
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		cols    []Series
		wantErr error
		wantMsg string
	}{
		{"duplicate", []Series{Int64("a", []int64{1}), Float64("a", []float64{1})}, ErrDuplicateColumn, `column "a"`},
		{"length", []Series{Int64("a", []int64{1, 2}), String("b", []string{"x"})}, ErrLengthMismatch, `column "b" has 1 rows, want 2`},
		{"validity length", []Series{Int64("a", []int64{1, 2}, []bool{true})}, ErrLengthMismatch, `column "a": validity has 1 entries, want 2`},
		{"two validities", []Series{Bool("a", []bool{true}, []bool{true}, []bool{true})}, ErrInvalidArgument, `column "a"`},
		{"zero series", []Series{{}}, ErrInvalidArgument, "zero Series"},
		{"nil array", []Series{Array("a", nil)}, ErrInvalidArgument, `column "a"`},
		{"timestamp range", []Series{Timestamp("t", []time.Time{{}}, arrow.Nanosecond)}, ErrOutOfRange, `column "t": row 0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := New(tc.cols...)
			if !errors.Is(err, tc.wantErr) || f != nil {
				t.Fatalf("got (%v, %v), want (nil, %v)", f, err, tc.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "frame: ") || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("got message %q, want prefix \"frame: \" and %q", err, tc.wantMsg)
			}
		})
	}
}

func TestConstructorTypes(t *testing.T) {
	day := time.Date(2024, 2, 29, 23, 30, 0, 0, time.FixedZone("x", -5*3600))
	f := mustNew(t,
		Int8("i8", []int8{1}), Int16("i16", []int16{1}), Int32("i32", []int32{1}), Int64("i64", []int64{1}), Int("int", []int{1}),
		Uint8("u8", []uint8{1}), Uint16("u16", []uint16{1}), Uint32("u32", []uint32{1}), Uint64("u64", []uint64{1}),
		Float32("f32", []float32{1}), Float64("f64", []float64{1}), Bool("b", []bool{true}), String("s", []string{"x"}),
		Binary("bin", [][]byte{{1}}), Timestamp("ts", []time.Time{day}, arrow.Microsecond), Date32("d", []time.Time{day}),
	)
	want := []string{"int8", "int16", "int32", "int64", "int64", "uint8", "uint16", "uint32", "uint64",
		"float32", "float64", "bool", "utf8", "binary", "timestamp[us, tz=UTC]", "date32"}
	for i, w := range want {
		if got := f.Schema().Field(i).Type.String(); got != w {
			t.Errorf("column %q: got %s, want %s", f.Schema().Field(i).Name, got, w)
		}
	}
	ts, _, _ := Values[time.Time](f, "ts")
	if !ts[0].Equal(day) || ts[0].Location() != time.UTC {
		t.Errorf("timestamp: got %v, want %v in UTC", ts[0], day.UTC())
	}
	d, _, _ := Values[time.Time](f, "d")
	if want := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC); !d[0].Equal(want) {
		t.Errorf("date: got %v, want %v (the calendar date in the time's own zone)", d[0], want)
	}
	row, err := f.Row(0)
	if err != nil {
		t.Fatal(err)
	}
	wantRow := []any{int8(1), int16(1), int32(1), int64(1), int64(1), uint8(1), uint16(1), uint32(1), uint64(1),
		float32(1), float64(1), true, "x", []byte{1}, day.UTC(), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}
	for i := range wantRow {
		if !reflect.DeepEqual(row[i], wantRow[i]) {
			t.Errorf("Row(0)[%d]: got %#v, want %#v", i, row[i], wantRow[i])
		}
	}
}

func TestValuesAndAll(t *testing.T) {
	f := mustNew(t, Int64("a", []int64{1, 2, 3}, []bool{true, false, true}), String("s", []string{"x", "ü", ""}))
	vals, valid, err := Values[int64](f, "a")
	if err != nil || !slices.Equal(vals, []int64{1, 0, 3}) || !slices.Equal(valid, []bool{true, false, true}) {
		t.Errorf("Values(a): got (%v, %v, %v), want ([1 0 3], [true false true], nil)", vals, valid, err)
	}
	strs, valid, err := Values[string](f, "s")
	if err != nil || !slices.Equal(strs, []string{"x", "ü", ""}) || valid != nil {
		t.Errorf("Values(s): got (%q, %v, %v), want ([x ü ], nil, nil)", strs, valid, err)
	}
	if _, _, err := Values[float64](f, "a"); !errors.Is(err, ErrTypeMismatch) || !strings.Contains(err.Error(), `column "a" is int64`) {
		t.Errorf("Values[float64](a): got %v, want ErrTypeMismatch naming the column", err)
	}
	if _, _, err := Values[int64](f, "zz"); !errors.Is(err, ErrColumnNotFound) {
		t.Errorf("Values(zz): got %v, want ErrColumnNotFound", err)
	}
	seq, err := All[int64](f, "a")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for v, ok := range seq {
		if !ok {
			v = -1
		}
		got = append(got, v)
		if len(got) == 2 {
			break // early exit must be honoured
		}
	}
	if !slices.Equal(got, []int64{1, -1}) {
		t.Errorf("All(a) with break: got %v, want [1 -1]", got)
	}
}

func TestOps(t *testing.T) {
	f := mustNew(t, Int64("a", []int64{1, 2}), String("b", []string{"x", "y"}), Bool("c", []bool{true, false}))
	names := func(g *Frame, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		return strings.Join(g.ColumnNames(), ",")
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"select", names(f.Select("c", "a")), "c,a"},
		{"select none", names(f.Select()), ""},
		{"select unknown", names(f.Select("a", "zz")), `error: frame: select: column "zz": column not found`},
		{"select twice", names(f.Select("a", "a")), `error: frame: select column "a": duplicate column`},
		{"drop", names(f.Drop("b")), "a,c"},
		{"drop unknown", names(f.Drop("zz")), `error: frame: drop: column "zz": column not found`},
		{"rename", names(f.Rename("a", "id")), "id,b,c"},
		{"rename clash", names(f.Rename("a", "b")), `error: frame: rename: column "b": duplicate column`},
		{"rename swap", names(f.RenameMap(map[string]string{"a": "b", "b": "a"})), "b,a,c"},
		{"reorder", names(f.Reorder("c")), "c,a,b"},
		{"reorder unknown", names(f.Reorder("q")), `error: frame: reorder: column "q": column not found`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	// Operations share columns rather than copy them.
	sel, _ := f.Select("a")
	c1, _ := sel.Column("a")
	c0, _ := f.Column("a")
	if c0 != c1 {
		t.Errorf("Select: got a copied column, want the shared *arrow.Chunked")
	}

	errTests := []struct {
		name    string
		err     error
		wantErr error
	}{
		{"slice negative offset", second(f.Slice(-1, 1)), ErrOutOfRange},
		{"slice past end", second(f.Slice(3, 0)), ErrOutOfRange},
		{"slice negative length", second(f.Slice(0, -1)), ErrOutOfRange},
		{"mask length", second(f.FilterMask([]bool{true})), ErrLengthMismatch},
		{"mask type", second(f.FilterChunked(mustColumn(t, f, "a"))), ErrTypeMismatch},
		{"mask nil", second(f.FilterArray(nil)), ErrInvalidArgument},
		{"sample negative", second(f.Sample(-1, 0)), ErrOutOfRange},
		{"row past end", second(f.Row(2)), ErrOutOfRange},
		{"row negative", second(f.Row(-1)), ErrOutOfRange},
		{"column at", third(f.ColumnAt(3)), ErrOutOfRange},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.wantErr) {
				t.Errorf("got %v, want %v", tc.err, tc.wantErr)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func third[A, B any](_ A, _ B, err error) error { return err }

func mustColumn(t *testing.T, f *Frame, name string) *arrow.Chunked {
	t.Helper()
	c, err := f.Column(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEdgeCases(t *testing.T) {
	t.Run("nil frame", func(t *testing.T) {
		var f *Frame
		if f.NumRows() != 0 || f.NumCols() != 0 || f.Schema().NumFields() != 0 || f.ColumnNames() != nil {
			t.Errorf("nil frame: got %d rows %d cols, want empty", f.NumRows(), f.NumCols())
		}
		if _, err := f.Column("a"); !errors.Is(err, ErrColumnNotFound) {
			t.Errorf("Column on nil: got %v, want ErrColumnNotFound", err)
		}
		if g := f.Head(3); g.NumRows() != 0 {
			t.Errorf("Head on nil: got %d rows, want 0", g.NumRows())
		}
		if g, err := f.FilterMask(nil); err != nil || g.NumRows() != 0 {
			t.Errorf("FilterMask on nil: got (%v, %v), want an empty frame", g, err)
		}
		f.Release()
	})
	t.Run("no columns", func(t *testing.T) {
		f := mustNew(t)
		if f.NumRows() != 0 || f.NumCols() != 0 {
			t.Errorf("New(): got %dx%d, want 0x0", f.NumRows(), f.NumCols())
		}
		rdr := f.Records(10)
		if rdr.Next() {
			t.Errorf("Records of an empty frame: got a batch, want none")
		}
		rdr.Release()
	})
	t.Run("rows without columns", func(t *testing.T) {
		f := mustNew(t, Int64("a", []int64{1, 2, 3}))
		g, _ := f.Select()
		if g.NumRows() != 3 {
			t.Fatalf("Select(): got %d rows, want 3", g.NumRows())
		}
		h, err := g.FilterMask([]bool{true, false, true})
		if err != nil || h.NumRows() != 2 {
			t.Errorf("FilterMask without columns: got (%d rows, %v), want 2 rows", h.NumRows(), err)
		}
	})
	t.Run("all null", func(t *testing.T) {
		f := mustNew(t, Float64("x", []float64{1, 2}, []bool{false, false}))
		vals, valid, err := Values[float64](f, "x")
		if err != nil || !slices.Equal(vals, []float64{0, 0}) || !slices.Equal(valid, []bool{false, false}) {
			t.Errorf("all-null Values: got (%v, %v, %v)", vals, valid, err)
		}
		g, _ := f.FilterMask([]bool{false, true})
		if row, _ := g.Row(0); row[0] != nil {
			t.Errorf("filtered all-null row: got %v, want nil", row[0])
		}
	})
	t.Run("single row", func(t *testing.T) {
		f := mustNew(t, String("s", []string{"ünï"}))
		if got := f.Tail(5).NumRows(); got != 1 {
			t.Errorf("Tail(5): got %d rows, want 1", got)
		}
		if got := f.Head(-1).NumRows(); got != 0 {
			t.Errorf("Head(-1): got %d rows, want 0", got)
		}
		s, _ := f.Sample(1, 42)
		if row, _ := s.Row(0); row[0] != "ünï" {
			t.Errorf("Sample(1): got %v, want ünï", row[0])
		}
	})
}

func TestFromArrow(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	other := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	dup := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	record := func(s *arrow.Schema, vals ...int64) arrow.RecordBatch {
		b := array.NewRecordBuilder(mem, s)
		defer b.Release()
		for i := range s.NumFields() {
			if s.Field(i).Type.ID() == arrow.STRING {
				b.Field(i).(*array.StringBuilder).Append("x")
				continue
			}
			b.Field(i).(*array.Int64Builder).AppendValues(vals, nil)
		}
		return b.NewRecordBatch()
	}
	r1, r2, r3 := record(schema, 1, 2), record(schema, 3), record(other)
	defer r1.Release()
	defer r2.Release()
	defer r3.Release()

	f, err := FromRecords(r1, r2)
	if err != nil {
		t.Fatal(err)
	}
	if vals, _, _ := Values[int64](f, "a"); !slices.Equal(vals, []int64{1, 2, 3}) {
		t.Errorf("FromRecords: got %v, want [1 2 3]", vals)
	}
	if col, _ := f.Column("a"); len(col.Chunks()) != 2 {
		t.Errorf("FromRecords: got %d chunks, want 2 (no copy)", len(col.Chunks()))
	}
	if _, err := FromRecords(r1, r3); !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), `record batch 1: column "a" is utf8, want int64`) {
		t.Errorf("FromRecords mismatch: got %v, want ErrSchemaMismatch naming batch and column", err)
	}
	r4 := record(dup, 1)
	defer r4.Release()
	if _, err := FromRecords(r4); !errors.Is(err, ErrDuplicateColumn) {
		t.Errorf("FromRecords duplicate: got %v, want ErrDuplicateColumn", err)
	}
	if _, err := FromRecords(r1, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("FromRecords nil: got %v, want ErrInvalidArgument", err)
	}

	tbl := f.Table()
	g, err := FromTable(tbl)
	tbl.Release()
	if err != nil || g.NumRows() != 3 {
		t.Fatalf("FromTable: got (%v, %v), want 3 rows", g, err)
	}
	rdr, _ := array.NewRecordReader(schema, []arrow.RecordBatch{r1, r2})
	h, err := FromReader(rdr)
	rdr.Release()
	if err != nil || h.NumRows() != 3 {
		t.Fatalf("FromReader: got (%v, %v), want 3 rows", h, err)
	}
	f.Release()
	g.Release()
	h.Release()
}

func TestFromMap(t *testing.T) {
	f, err := FromMap(map[string]any{
		"z": []int{3, 2, 1},
		"a": []string{"x", "y", "z"},
		"m": []*float64{ptr(1.5), nil, ptr(2.5)},
		"t": []time.Time{time.Unix(0, 0), time.Unix(1, 0), time.Unix(2, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ColumnNames(); !slices.Equal(got, []string{"a", "m", "t", "z"}) {
		t.Errorf("FromMap columns: got %v, want sorted [a m t z]", got)
	}
	if _, valid, _ := Values[float64](f, "m"); !slices.Equal(valid, []bool{true, false, true}) {
		t.Errorf("FromMap pointer validity: got %v, want [true false true]", valid)
	}
	_, err = FromMap(map[string]any{"bad": map[string]int{}})
	if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), `column "bad"`) {
		t.Errorf("FromMap unsupported: got %v, want ErrUnsupportedType naming the column", err)
	}
}

// TestNoLeaks runs every allocating operation on a checked allocator and
// requires all memory back once the frames are released.
func TestNoLeaks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opt := WithAllocator(mem)
	f, err := NewWithOptions([]Series{
		Int64("a", []int64{1, 2, 3, 4}, []bool{true, false, true, true}),
		String("s", []string{"a", "b", "c", "d"}),
		Timestamp("t", make([]time.Time, 4), arrow.Second),
		Date32("d", make([]time.Time, 4)),
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewWithOptions([]Series{Int64("a", []int64{1}), Int64("b", []int64{1, 2})}, opt)
	if err == nil {
		t.Fatal("length mismatch: got nil error")
	}
	m, _ := FromMap(map[string]any{"x": []int{1}, "y": []*string{nil}}, opt)
	fm, _ := f.FilterMask([]bool{true, false, true, false}, opt)
	sm, _ := f.Sample(2, 1, opt)
	st, _ := FromStructs([]struct{ A []string }{{A: []string{"x"}}, {}}, opt)
	hd := f.Head(2)
	rdr := f.Records(3)
	for rdr.Next() {
	}
	rdr.Release()
	for _, g := range []*Frame{f, m, fm, sm, st, hd} {
		g.Release()
		g.Release() // a second Release is a no-op
	}
}
