package frame

import (
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// poisonAllocator overwrites memory when it is freed, as an allocator that
// reuses memory (or C malloc) eventually does, so that a value still
// pointing into a released frame shows up as garbage.
type poisonAllocator struct{ memory.Allocator }

func (p poisonAllocator) Free(b []byte) {
	for i := range b {
		b[i] = 'X'
	}
	p.Allocator.Free(b)
}

// TestRowCopiesValues checks that Row's values stay intact after the frame
// and its arrays are released, for every type whose value Arrow hands out
// as a view of its buffers.
func TestRowCopiesValues(t *testing.T) {
	mem := poisonAllocator{memory.NewGoAllocator()}
	fromJSON := func(dt arrow.DataType, js string) arrow.Array {
		arr, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
		if err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
		return arr
	}
	dictionary := func() arrow.Array {
		b := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String})
		defer b.Release()
		if err := b.(*array.BinaryDictionaryBuilder).AppendString("hello-dictionary"); err != nil {
			t.Fatal(err)
		}
		return b.NewArray()
	}
	tests := []struct {
		name string
		arr  func() arrow.Array
		want any
	}{
		{"dictionary<string>", dictionary, "hello-dictionary"},
		{"string_view", func() arrow.Array {
			return fromJSON(arrow.BinaryTypes.StringView, `["hello-string-view-out-of-line"]`)
		}, "hello-string-view-out-of-line"},
		{"binary_view", func() arrow.Array {
			return fromJSON(arrow.BinaryTypes.BinaryView, `["aGVsbG8tYmluYXJ5LXZpZXctb3V0LW9mLWxpbmU="]`)
		}, []byte("hello-binary-view-out-of-line")},
		{"fixed_size_binary", func() arrow.Array {
			return fromJSON(&arrow.FixedSizeBinaryType{ByteWidth: 4}, `["YWJjZA=="]`)
		}, []byte("abcd")},
		{"run_end_encoded<string>", func() arrow.Array {
			return fromJSON(arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String), `["hello-run"]`)
		}, "hello-run"},
		{"struct<string, binary>", func() arrow.Array {
			return fromJSON(arrow.StructOf(
				arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
				arrow.Field{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
			), `[{"s": "hello-struct", "b": "aGk="}]`)
		}, map[string]any{"s": "hello-struct", "b": []byte("hi")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arr := tc.arr()
			f, err := New(Array("c", arr))
			arr.Release()
			if err != nil {
				t.Fatal(err)
			}
			row, err := f.Row(0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(row[0], tc.want) {
				t.Fatalf("before release: got %#v, want %#v", row[0], tc.want)
			}
			f.Release()
			if !reflect.DeepEqual(row[0], tc.want) {
				t.Errorf("after release: got %#v, want %#v", row[0], tc.want)
			}
		})
	}
}

// TestValuesNilOffsetsChunk reads string and binary columns whose last
// chunk is empty and has no offsets buffer.
func TestValuesNilOffsetsChunk(t *testing.T) {
	column := func(t *testing.T, s Series) *Frame {
		t.Helper()
		f, err := New(s)
		if err != nil {
			t.Fatal(err)
		}
		col, err := f.Column(s.Name())
		if err != nil {
			t.Fatal(err)
		}
		empty := nilOffsetsChunk(t, col.DataType())
		defer empty.Release()
		chunked := arrow.NewChunked(col.DataType(), append(append([]arrow.Array(nil), col.Chunks()...), empty))
		defer chunked.Release()
		g, err := New(Chunked(s.Name(), chunked))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	tests := []struct {
		name string
		run  func(t *testing.T) (got, want any)
	}{
		{"Values string", func(t *testing.T) (any, any) {
			got, _, err := Values[string](column(t, String("s", []string{"a", "b"})), "s")
			if err != nil {
				t.Fatal(err)
			}
			return got, []string{"a", "b"}
		}},
		{"Values bytes", func(t *testing.T) (any, any) {
			got, _, err := Values[[]byte](column(t, Binary("b", [][]byte{[]byte("a"), {}})), "b")
			if err != nil {
				t.Fatal(err)
			}
			return got, [][]byte{[]byte("a"), {}}
		}},
		{"All string", func(t *testing.T) (any, any) {
			seq, err := All[string](column(t, String("s", []string{"a", "b"})), "s")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for v := range seq {
				got = append(got, v)
			}
			return got, []string{"a", "b"}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, want := tc.run(t)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}
