package frame

import (
	"encoding/json"
	"errors"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type inner struct {
	A int32   `frame:"a"`
	B *string `frame:"b"`
}

type Embedded struct {
	E1 int64
}

type allTypes struct {
	Embedded
	I        int
	I8       int8
	I16      int16
	I32      int32
	I64      int64
	U        uint
	U8       uint8
	U16      uint16
	U32      uint32
	U64      uint64
	F32      float32
	F64      float64
	B        bool
	S        string
	Bytes    []byte
	T        time.Time
	TNs      time.Time `frame:"t_ns,unit=ns"`
	TS       time.Time `frame:"t_s,unit=s"`
	D        time.Time `frame:"d,date"`
	PI       *int64
	PI8      *int8
	PU       *uint
	PF       *float64
	PS       *string
	PB       *bool
	PT       *time.Time
	Nested   inner
	PNested  *inner
	Ints     []int64
	Strs     []string
	PtrElems []*int32
	Structs  []inner
	Nested2  [][]int16
	Skip     string `frame:"-"`
	JSONName string `json:"json_name,omitempty"`
	hidden   int
}

func ptr[T any](v T) *T { return &v }

func randomAllTypes(rng *rand.Rand, n int) []allTypes {
	maybe := func() bool { return rng.IntN(3) > 0 }
	rows := make([]allTypes, n)
	for i := range rows {
		r := &rows[i]
		r.E1 = rng.Int64()
		r.I, r.I8, r.I16, r.I32, r.I64 = int(rng.Int64()), int8(rng.Int()), int16(rng.Int()), rng.Int32()-1<<30, rng.Int64()
		r.U, r.U8, r.U16, r.U32, r.U64 = uint(rng.Uint64()), uint8(rng.Uint32()), uint16(rng.Uint32()), rng.Uint32(), rng.Uint64()
		r.F32, r.F64 = rng.Float32(), rng.NormFloat64()
		r.B = rng.IntN(2) == 1
		r.S = unicodeWords[rng.IntN(len(unicodeWords))]
		switch rng.IntN(3) {
		case 0: // nil stays nil: a null
		case 1:
			r.Bytes = []byte{}
		default:
			r.Bytes = []byte{byte(i), 0, 255}
		}
		r.T = time.UnixMicro(rng.Int64N(4e15) - 1e15).UTC()
		r.TNs = time.Unix(0, rng.Int64()).UTC()
		r.TS = time.Unix(rng.Int64N(4e9), 0).UTC()
		r.D = time.Date(1900+rng.IntN(300), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		if maybe() {
			r.PI = ptr(rng.Int64())
		}
		if maybe() {
			r.PI8 = ptr(int8(rng.Int()))
		}
		if maybe() {
			r.PU = ptr(uint(rng.Uint64()))
		}
		if maybe() {
			r.PF = ptr(rng.Float64())
		}
		if maybe() {
			r.PS = ptr(unicodeWords[rng.IntN(len(unicodeWords))])
		}
		if maybe() {
			r.PB = ptr(rng.IntN(2) == 1)
		}
		if maybe() {
			r.PT = ptr(time.UnixMicro(rng.Int64N(1e15)).UTC())
		}
		r.Nested = inner{A: rng.Int32()}
		if maybe() {
			r.Nested.B = ptr("nested")
		}
		if maybe() {
			r.PNested = &inner{A: -1}
		}
		if maybe() {
			r.Ints = make([]int64, rng.IntN(4))
			for k := range r.Ints {
				r.Ints[k] = rng.Int64()
			}
		}
		if maybe() {
			r.Strs = []string{"x", "日本"}[:rng.IntN(3)]
		}
		if maybe() {
			r.PtrElems = []*int32{nil, ptr(int32(i))}
		}
		if maybe() {
			r.Structs = []inner{{A: 1}, {A: 2, B: ptr("b")}}[:rng.IntN(3)]
		}
		if maybe() {
			r.Nested2 = [][]int16{{1, 2}, nil, {}}
		}
		r.JSONName = "j"
	}
	return rows
}

func TestStructRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 300} {
		rows := randomAllTypes(rng, n)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		f, err := FromStructs(rows, WithAllocator(mem))
		if err != nil {
			t.Fatalf("FromStructs(%d rows): %v", n, err)
		}
		if f.NumRows() != n {
			t.Fatalf("NumRows: got %d, want %d", f.NumRows(), n)
		}
		back, err := ToStructs[allTypes](f)
		if err != nil {
			t.Fatalf("ToStructs(%d rows): %v", n, err)
		}
		if len(back) != n {
			t.Fatalf("ToStructs: got %d rows, want %d", len(back), n)
		}
		for i := range rows {
			if !reflect.DeepEqual(back[i], rows[i]) {
				t.Fatalf("row %d: got\n%+v\nwant\n%+v", i, back[i], rows[i])
			}
		}
		// Chunked columns decode the same as single-chunk ones.
		if n > 2 {
			a, b := f.Head(n/2), f.Tail(n-n/2)
			ra, _ := ToStructs[allTypes](a)
			rb, _ := ToStructs[allTypes](b)
			if !reflect.DeepEqual(append(ra, rb...), rows) {
				t.Fatalf("sliced round trip differs")
			}
			a.Release()
			b.Release()
		}
		f.Release()
		mem.AssertSize(t, 0)
	}
}

func TestStructSchema(t *testing.T) {
	s, err := SchemaOf[allTypes]()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"E1":        "int64",
		"I":         "int64",
		"U":         "uint64",
		"Bytes":     "binary",
		"T":         "timestamp[us, tz=UTC]",
		"t_ns":      "timestamp[ns, tz=UTC]",
		"t_s":       "timestamp[s, tz=UTC]",
		"d":         "date32",
		"PF":        "float64",
		"Nested":    "struct<a: int32 nullable, b: utf8 nullable>",
		"Ints":      "list<item: int64, nullable>",
		"Nested2":   "list<item: list<item: int16, nullable>, nullable>",
		"json_name": "utf8",
	}
	for name, typ := range want {
		idx := s.FieldIndices(name)
		if len(idx) != 1 {
			t.Errorf("column %q: got %d matches, want 1", name, len(idx))
			continue
		}
		if got := s.Field(idx[0]).Type.String(); got != typ {
			t.Errorf("column %q: got type %s, want %s", name, got, typ)
		}
	}
	for _, absent := range []string{"Skip", "hidden", "JSONName", "Embedded"} {
		if len(s.FieldIndices(absent)) != 0 {
			t.Errorf("column %q: present, want absent", absent)
		}
	}
}

type recursive struct {
	Name     string
	Children []recursive
}

type embeddedPtr struct {
	*Embedded
}

func TestFromStructsErrors(t *testing.T) {
	tests := []struct {
		name    string
		build   func() error
		wantErr error
		wantMsg string
	}{
		{"map", func() error { _, err := FromStructs([]struct{ M map[string]int }{{}}); return err }, ErrUnsupportedType, "field M: Go type map[string]int"},
		{"chan", func() error { _, err := FromStructs([]struct{ C chan int }{{}}); return err }, ErrUnsupportedType, "field C"},
		{"func", func() error { _, err := FromStructs([]struct{ F func() }{{}}); return err }, ErrUnsupportedType, "field F"},
		{"interface", func() error { _, err := FromStructs([]struct{ X any }{{}}); return err }, ErrUnsupportedType, "field X"},
		{"array", func() error { _, err := FromStructs([]struct{ A [2]int }{{}}); return err }, ErrUnsupportedType, "field A"},
		{"nested map", func() error { _, err := FromStructs([]struct{ In struct{ M map[int]int } }{{}}); return err }, ErrUnsupportedType, "field In.M"},
		{"pointer to pointer", func() error { _, err := FromStructs([]struct{ P **int }{{}}); return err }, ErrUnsupportedType, "field P"},
		{"recursive", func() error { _, err := FromStructs([]recursive{{}}); return err }, ErrUnsupportedType, "recursive type"},
		{"embedded pointer", func() error { _, err := FromStructs([]embeddedPtr{{}}); return err }, ErrUnsupportedType, "embedded pointer"},
		{"not a struct", func() error { _, err := FromStructs([]int{1}); return err }, ErrUnsupportedType, "not a struct"},
		{"duplicate tag", func() error {
			_, err := FromStructs([]struct {
				A int `frame:"x"`
				B int `json:"x"`
			}{{}})
			return err
		}, ErrDuplicateColumn, `column "x"`},
		{"date on int", func() error {
			_, err := FromStructs([]struct {
				A int `frame:"a,date"`
			}{{}})
			return err
		}, ErrInvalidArgument, "field A"},
		{"bad unit", func() error {
			_, err := FromStructs([]struct {
				T time.Time `frame:"t,unit=h"`
			}{{}})
			return err
		}, ErrInvalidArgument, "unit=h"},
		{"time out of range", func() error {
			_, err := FromStructs([]struct {
				T time.Time `frame:"t,unit=ns"`
			}{{T: time.Unix(0, 0)}, {T: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}})
			return err
		}, ErrOutOfRange, "row 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.build()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) || !strings.HasPrefix(err.Error(), "frame: ") {
				t.Errorf("got message %q, want it to start with \"frame: \" and contain %q", err, tc.wantMsg)
			}
		})
	}
}

func TestToStructsConversions(t *testing.T) {
	f, err := New(
		Int32("i32", []int32{1, -2}),
		Uint8("u8", []uint8{7, 255}),
		Float32("f32", []float32{1.5, 2}),
		Int64("nullable", []int64{1, 0}, []bool{true, false}),
		String("s", []string{"a", "b"}),
		Timestamp("ts", []time.Time{time.Unix(1, 0), time.Unix(2, 0)}, arrow.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	type widened struct {
		I32 int64   `frame:"i32"`
		U8  int16   `frame:"u8"`
		F32 float64 `frame:"f32"`
		N   *int32  `frame:"nullable"` // int64 into int32 would lose values
	}
	if _, err := ToStructs[widened](f); !errors.Is(err, ErrTypeMismatch) || !strings.Contains(err.Error(), `column "nullable"`) {
		t.Errorf("narrowing: got %v, want ErrTypeMismatch naming column \"nullable\"", err)
	}
	type ok struct {
		I32 int64     `frame:"i32"`
		U8  int16     `frame:"u8"`
		F32 float64   `frame:"f32"`
		N   *int64    `frame:"nullable"`
		TS  time.Time `frame:"ts"`
	}
	got, err := ToStructs[ok](f)
	if err != nil {
		t.Fatalf("widening: %v", err)
	}
	want := []ok{{1, 7, 1.5, ptr(int64(1)), time.Unix(1, 0).UTC()}, {-2, 255, 2, nil, time.Unix(2, 0).UTC()}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("widening: got %+v, want %+v", got, want)
	}

	tests := []struct {
		name    string
		run     func() error
		wantErr error
		wantMsg string
	}{
		{"missing column", func() error {
			_, err := ToStructs[struct{ Nope int }](f)
			return err
		}, ErrColumnNotFound, `column "Nope"`},
		{"string into int", func() error {
			_, err := ToStructs[struct {
				S int `frame:"s"`
			}](f)
			return err
		}, ErrTypeMismatch, `column "s" (utf8) into field S (int)`},
		{"null into value", func() error {
			_, err := ToStructs[struct {
				N int64 `frame:"nullable"`
			}](f)
			return err
		}, ErrNullValue, `column "nullable" row 1`},
		{"signed into unsigned", func() error {
			_, err := ToStructs[struct {
				I uint64 `frame:"i32"`
			}](f)
			return err
		}, ErrTypeMismatch, `column "i32"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("got %v, want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

func TestPlanCached(t *testing.T) {
	a, err := planFor(reflect.TypeFor[allTypes]())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := planFor(reflect.TypeFor[allTypes]())
	if a != b {
		t.Errorf("planFor: got a new plan on the second call, want the cached one")
	}
}

type emptyEdgeInner struct {
	X int16
	S string
}

type emptyEdgeRow struct {
	A  int64
	S  string
	B  []byte
	L  []int32
	N  emptyEdgeInner
	PN *emptyEdgeInner
	LN []emptyEdgeInner
	LP []*emptyEdgeInner
}

// TestStructsEmptyRowsAndChunks covers frames with no rows and columns with
// empty chunks, where the struct mapping must not form pointers outside its
// Go slice (run with -gcflags=all=-d=checkptr to see such a pointer fail).
func TestStructsEmptyRowsAndChunks(t *testing.T) {
	rows := []emptyEdgeRow{
		{A: 1, S: "a", B: []byte("b"), L: []int32{1, 2}, N: emptyEdgeInner{1, "n"}, PN: &emptyEdgeInner{2, "p"},
			LN: []emptyEdgeInner{{3, "l"}}, LP: []*emptyEdgeInner{{4, "q"}, nil}},
		{A: 2, S: "", L: []int32{}, LN: []emptyEdgeInner{}, LP: []*emptyEdgeInner{}},
		{A: 3, S: "c", B: []byte{}},
	}
	allEmptyLists := []emptyEdgeRow{{LN: []emptyEdgeInner{}, LP: []*emptyEdgeInner{}, L: []int32{}}, {}}
	withTrailingEmpty := func(t *testing.T, rows []emptyEdgeRow) *Frame {
		full, err := FromStructs(rows)
		if err != nil {
			t.Fatal(err)
		}
		empty, err := FromStructs(rows[:0])
		if err != nil {
			t.Fatal(err)
		}
		f, err := Concat(full, empty)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		name  string
		frame func(t *testing.T) *Frame
		want  []emptyEdgeRow
	}{
		{"nil rows", func(t *testing.T) *Frame {
			f, err := FromStructs([]emptyEdgeRow(nil))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, []emptyEdgeRow{}},
		{"empty rows", func(t *testing.T) *Frame {
			f, err := FromStructs([]emptyEdgeRow{})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, []emptyEdgeRow{}},
		{"trailing empty chunk", func(t *testing.T) *Frame { return withTrailingEmpty(t, rows) }, rows},
		{"all lists empty", func(t *testing.T) *Frame { return withTrailingEmpty(t, allEmptyLists) }, allEmptyLists},
		{"head zero", func(t *testing.T) *Frame { return withTrailingEmpty(t, rows).Head(0) }, []emptyEdgeRow{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.frame(t)
			if got, want := f.NumRows(), len(tc.want); got != want {
				t.Fatalf("got %d rows, want %d", got, want)
			}
			got, err := ToStructs[emptyEdgeRow](f)
			if err != nil {
				t.Fatalf("ToStructs: got error %v, want none", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// nilOffsetsChunk is a zero-length array of dt without offsets buffer, which
// Arrow allows (IPC readers produce it for empty batches).
func nilOffsetsChunk(t *testing.T, dt arrow.DataType) arrow.Array {
	t.Helper()
	bufs := []*memory.Buffer{nil, nil}
	var children []arrow.ArrayData
	switch dt := dt.(type) {
	case *arrow.StringType, *arrow.BinaryType:
		bufs = append(bufs, nil)
	case *arrow.ListType:
		elem := array.MakeArrayOfNull(memory.DefaultAllocator, dt.Elem(), 0)
		defer elem.Release()
		children = []arrow.ArrayData{elem.Data()}
	}
	d := array.NewData(dt, 0, bufs, children, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// TestToStructsNilOffsetsChunk reads columns whose last chunk is empty and
// has no offsets buffer.
func TestToStructsNilOffsetsChunk(t *testing.T) {
	type R struct {
		S string
		B []byte
		L []int64
	}
	want := []R{{"x", []byte("y"), []int64{1}}, {"", nil, nil}}
	full, err := FromStructs(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"S", "B", "L"} {
		t.Run(name, func(t *testing.T) {
			var cols []Series
			for _, other := range full.ColumnNames() {
				col, err := full.Column(other)
				if err != nil {
					t.Fatal(err)
				}
				if other == name {
					empty := nilOffsetsChunk(t, col.DataType())
					col = arrow.NewChunked(col.DataType(), append(append([]arrow.Array(nil), col.Chunks()...), empty))
					empty.Release()
					defer col.Release()
				}
				cols = append(cols, Chunked(other, col))
			}
			f, err := New(cols...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ToStructs[R](f)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestToStructsNullListElements checks that only the elements of valid list
// rows must be non-null: a null row's offsets may span elements (Arrow
// allows it), and those elements are not the row's.
func TestToStructsNullListElements(t *testing.T) {
	// list<int64> with offsets 0,1,2,3 and elements [1, null, 3].
	listOf := func(valid byte) arrow.Array {
		vb := array.NewInt64Builder(memory.DefaultAllocator)
		defer vb.Release()
		vb.AppendValues([]int64{1, 0, 3}, []bool{true, false, true})
		vals := vb.NewArray()
		defer vals.Release()
		offs := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes([]int32{0, 1, 2, 3}))
		nulls := 3 - bits.OnesCount8(valid)
		d := array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int64), 3,
			[]*memory.Buffer{memory.NewBufferBytes([]byte{valid}), offs}, []arrow.ArrayData{vals.Data()}, nulls, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	type R struct{ L []int64 }
	tests := []struct {
		name    string
		valid   byte // validity bits of the three rows
		want    []R
		wantErr error
		wantMsg string
	}{
		{"null row hides null element", 0b101, []R{{[]int64{1}}, {nil}, {[]int64{3}}}, nil, ""},
		{"valid row holds null element", 0b111, nil, ErrNullValue, "row 1: list element 0"},
		{"later row holds null element", 0b110, nil, ErrNullValue, "row 1: list element 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arr := listOf(tc.valid)
			defer arr.Release()
			f, err := New(Array("L", arr))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ToStructs[R](f)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("got message %q, want it to contain %q", err, tc.wantMsg)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

type shadowBase struct{ ID, Name int64 }

type shadowTagged struct {
	Other int64 `json:"ID"`
}

type shadowByDepth struct {
	shadowBase
	ID int64
}

type shadowByTag struct {
	shadowBase
	shadowTagged
}

type shadowDeep struct {
	shadowByDepth
	Name int64
}

type ambiguousA struct{ ID int64 }
type ambiguousB struct{ ID int64 }

type ambiguousEmbedded struct {
	ambiguousA
	ambiguousB
	Keep int64
}

// fromStructsColumns returns the columns FromStructs makes of one row, as
// name -> value.
func fromStructsColumns[T any](t *testing.T, row T) (map[string]int64, error) {
	t.Helper()
	f, err := FromStructs([]T{row})
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, name := range f.ColumnNames() {
		vals, _, err := Values[int64](f, name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = vals[0]
	}
	return out, nil
}

// jsonColumns is the oracle: the fields encoding/json writes for row.
func jsonColumns(t *testing.T, row any) map[string]int64 {
	t.Helper()
	b, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]int64
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFromStructsEmbeddedConflicts checks that fields sharing a name are
// resolved as encoding/json resolves them, and that a name encoding/json
// would drop as ambiguous is refused.
func TestFromStructsEmbeddedConflicts(t *testing.T) {
	tests := []struct {
		name    string
		build   func(t *testing.T) (map[string]int64, error)
		row     any
		wantErr error
		wantMsg string
	}{
		{"shallower wins", func(t *testing.T) (map[string]int64, error) {
			return fromStructsColumns(t, shadowByDepth{shadowBase{1, 10}, 2})
		}, shadowByDepth{shadowBase{1, 10}, 2}, nil, ""},
		{"tagged wins at equal depth", func(t *testing.T) (map[string]int64, error) {
			return fromStructsColumns(t, shadowByTag{shadowBase{1, 10}, shadowTagged{3}})
		}, shadowByTag{shadowBase{1, 10}, shadowTagged{3}}, nil, ""},
		{"two levels", func(t *testing.T) (map[string]int64, error) {
			return fromStructsColumns(t, shadowDeep{shadowByDepth{shadowBase{1, 10}, 2}, 20})
		}, shadowDeep{shadowByDepth{shadowBase{1, 10}, 2}, 20}, nil, ""},
		{"ambiguous at equal depth", func(t *testing.T) (map[string]int64, error) {
			return fromStructsColumns(t, ambiguousEmbedded{ambiguousA{1}, ambiguousB{2}, 3})
		}, nil, ErrDuplicateColumn, `fields ambiguousA.ID and ambiguousB.ID both map to column "ID"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.build(t)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("got message %q, want it to contain %q", err, tc.wantMsg)
				}
				return
			}
			if want := jsonColumns(t, tc.row); !reflect.DeepEqual(got, want) {
				t.Errorf("got columns %v, want %v (as encoding/json)", got, want)
			}
		})
	}
}
