// Package frame is wrangler's table: an immutable, Arrow-backed frame that
// readers return, writers take and Athena results arrive as.
//
// A Frame is an arrow.Schema plus one arrow.Chunked column per field. It is
// never modified once built: Select, Drop, Rename, Head, Slice, Filter, Sort,
// Join and the rest return new frames that share every column they do not change, so
// slicing and projecting cost no copies, and a frame can be read from any
// number of goroutines.
//
// # Tour
//
//	f, err := frame.New(
//		frame.Int64("id", []int64{1, 2, 3}),
//		frame.String("name", []string{"ann", "", "cy"}, []bool{true, false, true}), // row 1 is null
//		frame.Timestamp("at", times, arrow.Microsecond),
//	)
//	big, err := f.FilterMask([]bool{true, false, true})
//	big, err = f.Filter(frame.Col("id").Gt(1).And(frame.Col("name").IsNotNull())) // expressions: expr.go
//	ids, valid, err := frame.Values[int64](big, "id")   // typed, nulls reported in valid
//	fmt.Println(big)                                      // Polars-style table
//
//	orders, err := frame.FromStructs(rows)                // []Order -> columns
//	back, err := frame.ToStructs[Order](orders)          // columns -> []Order
//
//	byDay, err := orders.GroupBy("day").Sorted().Agg(frame.Sum("amount"), frame.CountRows())
//	named, err := orders.Join(customers, frame.LeftJoin, frame.On("customer_id"))
//	top, err := orders.Sort(frame.Desc("amount"), frame.Asc("id"))
//	all, err := frame.Concat(january, february)          // columns unified, missing ones null
//
// Relational operations work column at a time. Group-by, joins, Unique and
// NUnique share one key encoder (keys.go): every key column is turned into
// small integer codes with a typed hash map, the codes of several columns
// are combined, and the result numbers each distinct key tuple densely, in
// order of first appearance. Nulls are equal to each other when grouping and
// never match in joins (SQL semantics); NaNs equal each other in both.
//
// Frames also come from Arrow directly (FromRecords, FromTable, FromReader)
// and go back to it (Column, Table, Records for streaming in batches).
//
// # Memory model
//
// Arrow memory comes from an allocator. By default this package uses
// memory.DefaultAllocator, whose buffers are ordinary Go memory reclaimed by
// the garbage collector: callers never need to call Release, and dropping a
// frame is enough.
//
// Callers who account for Arrow memory pass their own allocator with
// WithAllocator to the operations that allocate (NewWithOptions, FromMap,
// FromStructs, FilterMask, Sample, ...). Columns are reference counted: each
// frame holds one reference to each of its columns, operations that share a
// column take another, and (*Frame).Release drops the frame's references.
// With a custom allocator, release every frame you create, including
// intermediate ones; the memory returns to the allocator when the last frame
// sharing it is released. Internal operations never leak a reference, which
// the tests check with memory.NewCheckedAllocator.
//
// Frames built from caller-owned Arrow data (FromRecords, FromTable,
// FromReader, Array, Chunked) take their own references: the caller keeps,
// and eventually releases, theirs. Values, All and ToStructs copy out of
// Arrow memory, so their results outlive the frame.
//
// # Errors
//
// Nothing in this package panics on bad input. Errors start with "frame:",
// name the column, field or row involved, and wrap a sentinel such as
// ErrColumnNotFound or ErrTypeMismatch for errors.Is.
package frame
