package frame

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Take returns the rows at the given positions, in that order; a position
// may repeat. A position outside [0, NumRows) is an error naming it.
func (f *Frame) Take(rows []int, optFns ...func(*Options)) (*Frame, error) {
	n := f.NumRows()
	idx := make([]int64, len(rows))
	for i, r := range rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("frame: take: position %d (entry %d) outside the %d rows: %w", r, i, n, ErrOutOfRange)
		}
		idx[i] = int64(r)
	}
	o := resolveOptions(optFns)
	cols, err := takeColumns(o.Allocator, f.schema, f.cols, idx)
	if err != nil {
		return nil, fmt.Errorf("frame: take: %w", err)
	}
	return newFrame(f.schema, cols, len(idx)), nil
}

// indexArray makes an Int64 index array of idx, where -1 means a null row
// (as an outer join needs for the side without a match).
func indexArray(mem memory.Allocator, idx []int64) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	nulls := 0
	for _, v := range idx {
		if v < 0 {
			nulls++
		}
	}
	if nulls == 0 {
		b.AppendValues(idx, nil)
		return b.NewArray()
	}
	b.Reserve(len(idx))
	for _, v := range idx {
		if v < 0 {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(v)
		}
	}
	return b.NewArray()
}

// takeColumns gathers rows idx (-1: null) of each column with Arrow's take
// kernel; the result owns one reference to each new column.
func takeColumns(mem memory.Allocator, schema *arrow.Schema, cols []*arrow.Chunked, idx []int64) ([]*arrow.Chunked, error) {
	indices := indexArray(mem, idx)
	defer indices.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	out := make([]*arrow.Chunked, len(cols))
	errs := make([]error, len(cols))
	take := func(i int) {
		col := cols[i]
		switch col.DataType().ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
			out[i], errs[i] = takeBinary(mem, col, idx)
		case arrow.STRING_VIEW, arrow.BINARY_VIEW:
			// arrow-go v18.8's take kernel has no view types, which keys
			// (keys.go) and Take otherwise accept.
			out[i], errs[i] = takeView(mem, col, idx)
		default:
			out[i], errs[i] = takeChunked(ctx, col, indices)
		}
	}
	// A gather over many rows is memory-bound per column and the columns
	// are independent: take them in parallel, one goroutine per CPU.
	if len(cols) > 1 && len(idx) >= parallelTakeRows {
		next := make(chan int, len(cols))
		for i := range cols {
			next <- i
		}
		close(next)
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(cols)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					take(i)
				}
			}()
		}
		wg.Wait()
	} else {
		for i := range cols {
			take(i)
		}
	}
	for i, err := range errs {
		if err != nil {
			for _, c := range out {
				if c != nil {
					c.Release()
				}
			}
			return nil, fmt.Errorf("column %q: %w", schema.Field(i).Name, err)
		}
	}
	return out, nil
}

// parallelTakeRows is the gather size from which columns are taken in
// parallel; below it the goroutines cost more than they save.
const parallelTakeRows = 64 << 10

func takeChunked(ctx context.Context, col *arrow.Chunked, indices arrow.Array) (*arrow.Chunked, error) {
	if indices.Len() == 0 || col.Len() == 0 {
		// Nothing to gather (or only nulls from an empty side): build the
		// result directly, since take on an empty input has nothing to
		// index into.
		return nullChunked(compute.GetAllocator(ctx), col.DataType(), indices.Len()), nil
	}
	// arrow-go v18.8's chunked take indexes out of range (a panic on a
	// kernel goroutine, which no recover can catch) when a chunk is empty:
	// take from the non-empty chunks only.
	if chunks := col.Chunks(); slices.ContainsFunc(chunks, func(a arrow.Array) bool { return a.Len() == 0 }) {
		nonEmpty := slices.DeleteFunc(slices.Clone(chunks), func(a arrow.Array) bool { return a.Len() == 0 })
		col = arrow.NewChunked(col.DataType(), nonEmpty)
		defer col.Release()
	}
	res, err := compute.Take(ctx, *compute.DefaultTakeOptions(),
		compute.NewDatumWithoutOwning(col), compute.NewDatumWithoutOwning(indices))
	if err != nil {
		return nil, err
	}
	defer res.Release()
	switch d := res.(type) {
	case *compute.ChunkedDatum:
		d.Value.Retain()
		return d.Value, nil
	case *compute.ArrayDatum:
		arr := d.MakeArray()
		defer arr.Release()
		return arrow.NewChunked(arr.DataType(), []arrow.Array{arr}), nil
	}
	return nil, fmt.Errorf("take returned %s", res.Kind())
}

// nullChunked is a column of n nulls of type dt.
func nullChunked(mem memory.Allocator, dt arrow.DataType, n int) *arrow.Chunked {
	if n == 0 {
		return arrow.NewChunked(dt, nil)
	}
	arr := array.MakeArrayOfNull(mem, dt, n)
	defer arr.Release()
	return arrow.NewChunked(dt, []arrow.Array{arr})
}

// binaryValues is what takeBinary needs of the string and binary arrays.
type binaryValues interface {
	arrow.Array
	ValueLen(int) int
}

// takeBinary gathers rows of a string or binary column. Arrow's take kernel
// grows its value buffer as it goes, and on a shuffled gather (a sort, a
// join) that copying dominates; here the total size is summed first, so the
// buffer is allocated once.
func takeBinary(mem memory.Allocator, col *arrow.Chunked, idx []int64) (*arrow.Chunked, error) {
	locateChunk := chunkLocator(col.Chunks())
	locate := func(row int64) (binaryValues, int) {
		arr, i := locateChunk(row)
		return arr.(binaryValues), i
	}
	total := 0
	for _, r := range idx {
		if r >= 0 {
			arr, i := locate(r)
			if arr.IsValid(i) {
				total += arr.ValueLen(i)
			}
		}
	}
	if id := col.DataType().ID(); (id == arrow.STRING || id == arrow.BINARY) && total > math.MaxInt32 {
		// 32-bit offsets cannot address more; Arrow's builder would
		// overflow them rather than fail.
		return nil, fmt.Errorf("%d bytes of %s data, more than %d in one array: %w", total, col.DataType(), math.MaxInt32, ErrOutOfRange)
	}
	bldr := array.NewBuilder(mem, col.DataType())
	defer bldr.Release()
	var b *array.BinaryBuilder
	switch t := bldr.(type) {
	case *array.BinaryBuilder:
		b = t
	case *array.StringBuilder:
		b = t.BinaryBuilder
	case *array.LargeStringBuilder:
		b = t.BinaryBuilder
	default:
		return nil, fmt.Errorf("no binary builder for %s", col.DataType())
	}
	b.Reserve(len(idx))
	b.ReserveData(total)
	for _, r := range idx {
		if r < 0 {
			b.AppendNull()
			continue
		}
		arr, i := locate(r)
		if arr.IsNull(i) {
			b.AppendNull()
			continue
		}
		switch a := arr.(type) {
		case *array.String:
			b.AppendString(a.Value(i))
		case *array.LargeString:
			b.AppendString(a.Value(i))
		case *array.Binary:
			b.Append(a.Value(i))
		case *array.LargeBinary:
			b.Append(a.Value(i))
		}
	}
	out := bldr.NewArray()
	defer out.Release()
	return arrow.NewChunked(col.DataType(), []arrow.Array{out}), nil
}

// chunkLocator returns a function mapping a row of a column made of chunks
// to its chunk and the row within it.
func chunkLocator(chunks []arrow.Array) func(row int64) (arrow.Array, int) {
	starts := make([]int64, len(chunks)+1)
	for i, c := range chunks {
		starts[i+1] = starts[i] + int64(c.Len())
	}
	return func(row int64) (arrow.Array, int) {
		c := 0
		if len(chunks) > 1 {
			c = sort.Search(len(chunks), func(i int) bool { return starts[i+1] > row }) // first chunk ending after row
		}
		return chunks[c], int(row - starts[c])
	}
}

// takeView gathers rows of a string_view or binary_view column, copying
// each value into the new array.
func takeView(mem memory.Allocator, col *arrow.Chunked, idx []int64) (*arrow.Chunked, error) {
	locate := chunkLocator(col.Chunks())
	bldr := array.NewBuilder(mem, col.DataType())
	defer bldr.Release()
	bldr.Reserve(len(idx))
	for _, r := range idx {
		if r < 0 {
			bldr.AppendNull()
			continue
		}
		arr, i := locate(r)
		if arr.IsNull(i) {
			bldr.AppendNull()
			continue
		}
		switch a := arr.(type) {
		case *array.StringView:
			bldr.(*array.StringViewBuilder).Append(a.Value(i))
		case *array.BinaryView:
			bldr.(*array.BinaryViewBuilder).Append(a.Value(i))
		default:
			return nil, chunkTypeError(arr, "view")
		}
	}
	out := bldr.NewArray()
	defer out.Release()
	return arrow.NewChunked(col.DataType(), []arrow.Array{out}), nil
}
