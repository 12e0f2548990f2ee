package frame

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestCastFloat64ToFloat32Range checks that a finite float64 beyond
// float32's range is an error naming column and row, in Cast and in
// Expr.Cast, while NaN, infinities and values under nulls convert as they
// are.
func TestCastFloat64ToFloat32Range(t *testing.T) {
	inf := math.Inf(1)
	chunkedX := func(t *testing.T, chunks ...[]float64) *Frame {
		t.Helper()
		arrs := make([]arrow.Array, len(chunks))
		for i, c := range chunks {
			b := array.NewFloat64Builder(memory.DefaultAllocator)
			b.AppendValues(c, nil)
			arrs[i] = b.NewArray()
			b.Release()
		}
		col := arrow.NewChunked(arrow.PrimitiveTypes.Float64, arrs)
		for _, a := range arrs {
			a.Release()
		}
		defer col.Release()
		f, err := New(Chunked("x", col))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		name      string
		frame     func(t *testing.T) *Frame
		want      []float32
		wantValid []bool
		wantMsg   string // non-empty: ErrOutOfRange with this in the message
	}{
		{"special values kept", func(t *testing.T) *Frame {
			f, _ := New(Float64("x", []float64{math.NaN(), inf, -inf, -0.0, 1.5, math.MaxFloat32}))
			return f
		}, []float32{float32(math.NaN()), float32(inf), float32(-inf), 0, 1.5, math.MaxFloat32}, nil, ""},
		{"overflow under a null ignored", func(t *testing.T) *Frame {
			f, _ := New(Float64("x", []float64{1, 1e300}, []bool{true, false}))
			return f
		}, []float32{1, 0}, []bool{true, false}, ""},
		{"positive overflow", func(t *testing.T) *Frame {
			f, _ := New(Float64("x", []float64{math.NaN(), 1e300, inf}))
			return f
		}, nil, nil, `column "x": cast float64 to float32: row 1: value 1e+300`},
		{"negative overflow in a later chunk", func(t *testing.T) *Frame {
			return chunkedX(t, []float64{1, 2}, []float64{3, -1e39})
		}, nil, nil, `column "x": cast float64 to float32: row 3: value -1e+39`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.frame(t)
			g, err := f.CastColumn("x", arrow.PrimitiveTypes.Float32)
			_, exprErr := f.WithColumn("y", Col("x").Cast(arrow.PrimitiveTypes.Float32))
			if tc.wantMsg != "" {
				if !errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("Cast: got error %v, want ErrOutOfRange mentioning %q", err, tc.wantMsg)
				}
				if !errors.Is(exprErr, ErrOutOfRange) || !strings.Contains(exprErr.Error(), "overflows float32") {
					t.Errorf("Expr.Cast: got error %v, want ErrOutOfRange saying it overflows float32", exprErr)
				}
				return
			}
			if err != nil || exprErr != nil {
				t.Fatalf("got errors %v and %v, want none", err, exprErr)
			}
			got, valid, err := Values[float32](g, "x")
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				same := got[i] == tc.want[i] || (got[i] != got[i] && tc.want[i] != tc.want[i])
				if !same {
					t.Errorf("row %d: got %v, want %v", i, got[i], tc.want[i])
				}
			}
			if len(got) != len(tc.want) || (tc.wantValid != nil && !slices.Equal(valid, tc.wantValid)) {
				t.Errorf("got %v valid %v, want %v valid %v", got, valid, tc.want, tc.wantValid)
			}
		})
	}
}
