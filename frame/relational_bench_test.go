package frame

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchFrame has n rows: an int64 key with the given number of distinct
// values, a float64 value and a string key with min(groups, 1000) values.
func benchFrame(b *testing.B, n, groups int) *Frame {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]int64, n)
	vals := make([]float64, n)
	names := make([]string, n)
	words := make([]string, min(groups, 1000))
	for i := range words {
		words[i] = fmt.Sprintf("customer-%05d", i)
	}
	for i := range n {
		keys[i] = rng.Int64N(int64(groups))
		vals[i] = rng.Float64() * 100
		names[i] = words[rng.IntN(len(words))]
	}
	f, err := New(Int64("k", keys), Float64("v", vals), String("name", names))
	if err != nil {
		b.Fatal(err)
	}
	return f
}

var benchSizes = []int{1_000_000, 10_000_000}

func BenchmarkSort(b *testing.B) {
	for _, n := range benchSizes {
		f := benchFrame(b, n, n)
		b.Run(fmt.Sprintf("rows=%d/by=int64", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Sort(Asc("k")); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b, n)
		})
	}
}

func BenchmarkGroupBy(b *testing.B) {
	for _, n := range benchSizes {
		for _, groups := range []int{1_000, 1_000_000} {
			f := benchFrame(b, n, groups)
			b.Run(fmt.Sprintf("rows=%d/groups=%d", n, groups), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := f.GroupBy("k").Agg(Sum("v"), Mean("v"), CountRows()); err != nil {
						b.Fatal(err)
					}
				}
				reportRows(b, n)
			})
		}
	}
}

func BenchmarkGroupByString(b *testing.B) {
	f := benchFrame(b, 1_000_000, 1_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.GroupBy("name").Agg(Sum("v"), Max("v")); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, 1_000_000)
}

// BenchmarkHashJoin joins 1M probe rows with a 100k-row build side on a
// unique int64 key.
func BenchmarkHashJoin(b *testing.B) {
	const probeRows, buildRows = 1_000_000, 100_000
	left := benchFrame(b, probeRows, buildRows)
	ids := make([]int64, buildRows)
	labels := make([]string, buildRows)
	for i := range ids {
		ids[i] = int64(i)
		labels[i] = fmt.Sprintf("label-%d", i)
	}
	right, err := New(Int64("k", ids), String("label", labels))
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []JoinKind{InnerJoin, LeftJoin} {
		b.Run(kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := left.Join(right, kind, On("k")); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b, probeRows)
		})
	}
}

// BenchmarkSortPermutation compares this package's typed sort with Arrow's
// sort_indices kernel (the peer) on the same 1M-row int64 key, permutation
// only, so the gather that both would share is left out.
func BenchmarkSortPermutation(b *testing.B) {
	const n = 1_000_000
	f := benchFrame(b, n, n)
	col, _ := f.Column("k")
	key := Asc("k")
	b.Run("wrangler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sortPermutation([]sortColumn{newSortColumn(key, col, n)}, n)
		}
		reportRows(b, n)
	})
	b.Run("peer=arrow-sort_indices", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := arrowSortPermutation(col, n); err != nil {
				b.Fatal(err)
			}
		}
		reportRows(b, n)
	})
}
