package frame

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
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
