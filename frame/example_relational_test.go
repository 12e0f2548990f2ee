package frame_test

import (
	"fmt"

	"github.com/gowrangler/wrangler/frame"
)

func ExampleFrame_GroupBy() {
	sales, err := frame.New(
		frame.String("region", []string{"eu", "us", "eu", "us", "eu"}),
		frame.Float64("amount", []float64{10, 20, 30, 40, 0}, []bool{true, true, true, true, false}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	totals, err := sales.GroupBy("region").Sorted().Agg(
		frame.Sum("amount").As("total"), frame.Mean("amount"), frame.CountRows())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(totals)
	// Output:
	// shape: (2, 4)
	// ┌────────┬───────┬─────────────┬───────┐
	// │ region ┆ total ┆ amount_mean ┆ count │
	// │ ---    ┆ ---   ┆ ---         ┆ ---   │
	// │ str    ┆ f64   ┆ f64         ┆ i64   │
	// ╞════════╪═══════╪═════════════╪═══════╡
	// │ eu     ┆  40.0 ┆        20.0 ┆     3 │
	// │ us     ┆  60.0 ┆        30.0 ┆     2 │
	// └────────┴───────┴─────────────┴───────┘
}

func ExampleFrame_Join() {
	orders, _ := frame.New(
		frame.Int64("customer", []int64{1, 2, 1, 3}),
		frame.Float64("amount", []float64{9.5, 20, 3, 7}),
	)
	customers, _ := frame.New(
		frame.Int64("customer", []int64{1, 2}),
		frame.String("name", []string{"Ada", "Grace"}),
	)
	joined, err := orders.Join(customers, frame.LeftJoin, frame.On("customer"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(joined)
	// Output:
	// shape: (4, 3)
	// ┌──────────┬────────┬───────┐
	// │ customer ┆ amount ┆ name  │
	// │ ---      ┆ ---    ┆ ---   │
	// │ i64      ┆ f64    ┆ str   │
	// ╞══════════╪════════╪═══════╡
	// │        1 ┆    9.5 ┆ Ada   │
	// │        2 ┆   20.0 ┆ Grace │
	// │        1 ┆    3.0 ┆ Ada   │
	// │        3 ┆    7.0 ┆ null  │
	// └──────────┴────────┴───────┘
}

func ExampleFrame_Sort() {
	f, _ := frame.New(
		frame.String("city", []string{"Oslo", "Lima", "Oslo", "Lima"}),
		frame.Int64("temp", []int64{-3, 18, 2, 0}, []bool{true, true, true, false}),
	)
	sorted, err := f.Sort(frame.Asc("city"), frame.Desc("temp").WithNullsFirst())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sorted)
	// Output:
	// shape: (4, 2)
	// ┌──────┬──────┐
	// │ city ┆ temp │
	// │ ---  ┆ ---  │
	// │ str  ┆ i64  │
	// ╞══════╪══════╡
	// │ Lima ┆ null │
	// │ Lima ┆   18 │
	// │ Oslo ┆    2 │
	// │ Oslo ┆   -3 │
	// └──────┴──────┘
}
