package frame_test

import (
	"fmt"
	"time"

	"github.com/gowrangler/wrangler/frame"
)

func Example() {
	f, err := frame.New(
		frame.Int64("id", []int64{1, 2, 3}),
		frame.String("city", []string{"Oslo", "", "Lima"}, []bool{true, false, true}),
		frame.Float64("amount", []float64{120.5, 80, 310}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f)
	// Output:
	// shape: (3, 3)
	// ┌─────┬──────┬────────┐
	// │ id  ┆ city ┆ amount │
	// │ --- ┆ ---  ┆ ---    │
	// │ i64 ┆ str  ┆ f64    │
	// ╞═════╪══════╪════════╡
	// │   1 ┆ Oslo ┆  120.5 │
	// │   2 ┆ null ┆   80.0 │
	// │   3 ┆ Lima ┆  310.0 │
	// └─────┴──────┴────────┘
}

func ExampleFrame_FilterMask() {
	f, _ := frame.New(
		frame.Int64("id", []int64{1, 2, 3, 4}),
		frame.Float64("amount", []float64{120.5, 80, 310, 99}),
	)
	amounts, _, _ := frame.Values[float64](f, "amount")
	mask := make([]bool, len(amounts))
	for i, a := range amounts {
		mask[i] = a > 100
	}
	big, err := f.FilterMask(mask)
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, _, _ := frame.Values[int64](big, "id")
	fmt.Println(ids)
	// Output:
	// [1 3]
}

func ExampleFromStructs() {
	type Order struct {
		ID     int64     `frame:"id"`
		Note   *string   `frame:"note"`
		Placed time.Time `frame:"placed,date"`
		Tags   []string  `frame:"tags"`
	}
	note := "gift"
	orders := []Order{
		{ID: 1, Note: &note, Placed: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Tags: []string{"a", "b"}},
		{ID: 2, Placed: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)},
	}
	f, err := frame.FromStructs(orders)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(f)
	back, err := frame.ToStructs[Order](f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*back[0].Note, back[1].Note == nil, back[0].Tags, back[1].Tags == nil)
	// Output:
	// shape: (2, 4)
	// ┌─────┬──────┬────────────┬────────────┐
	// │ id  ┆ note ┆ placed     ┆ tags       │
	// │ --- ┆ ---  ┆ ---        ┆ ---        │
	// │ i64 ┆ str  ┆ date       ┆ list[str]  │
	// ╞═════╪══════╪════════════╪════════════╡
	// │   1 ┆ gift ┆ 2026-11-25 ┆ ["a", "b"] │
	// │   2 ┆ null ┆ 2026-11-26 ┆ null       │
	// └─────┴──────┴────────────┴────────────┘
	// gift true [a b] true
}

func ExampleFrame_Format() {
	ids := make([]int64, 100)
	for i := range ids {
		ids[i] = int64(i * i)
	}
	f, _ := frame.New(frame.Int64("square", ids))
	fmt.Print(f.Format(frame.MaxRows(4)))
	// Output:
	// shape: (100, 1)
	// ┌────────┐
	// │ square │
	// │ ---    │
	// │ i64    │
	// ╞════════╡
	// │      0 │
	// │      1 │
	// │      … │
	// │   9604 │
	// │   9801 │
	// └────────┘
}

func ExampleFrame_Records() {
	f, _ := frame.New(frame.Int("n", []int{1, 2, 3, 4, 5}))
	rdr := f.Records(2)
	defer rdr.Release()
	for rdr.Next() {
		fmt.Println(rdr.RecordBatch().NumRows())
	}
	// Output:
	// 2
	// 2
	// 1
}
