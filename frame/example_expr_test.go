package frame_test

import (
	"fmt"

	"github.com/gowrangler/wrangler/frame"
)

func ExampleFrame_Filter() {
	f, _ := frame.New(
		frame.Int64("id", []int64{1, 2, 3, 4}),
		frame.String("city", []string{"Oslo", "Lima", "", "Osaka"}, []bool{true, true, false, true}),
		frame.Float64("amount", []float64{120.5, 80, 310, 99}),
	)
	pred := frame.Col("amount").Gt(100).Or(frame.Col("city").HasPrefix("Os"))
	fmt.Println(pred)
	big, err := f.Filter(pred)
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, _, _ := frame.Values[int64](big, "id")
	fmt.Println(ids)

	_, err = f.Filter(frame.Col("city").Gt(5))
	fmt.Println(err)
	// Output:
	// ((col("amount") > 100) OR col("city").has_prefix("Os"))
	// [1 3 4]
	// frame: filter (col("city") > 5): cannot compare col("city") of type utf8 with 5 of type int64: type mismatch
}

func ExampleFrame_WithColumn() {
	f, _ := frame.New(
		frame.String("item", []string{"Tea", "Coffee"}),
		frame.Int64("qty", []int64{3, 2}),
		frame.Float64("price", []float64{2.5, 4}),
	)
	f, _ = f.WithColumn("total", frame.Col("qty").Mul(frame.Col("price")))
	f, _ = f.WithColumn("item", frame.Col("item").Upper())
	f, _ = f.WithColumn("half", frame.Col("qty").Div(2)) // integers divide to float64
	fmt.Println(f)
	// Output:
	// shape: (2, 5)
	// ┌────────┬─────┬───────┬───────┬──────┐
	// │ item   ┆ qty ┆ price ┆ total ┆ half │
	// │ ---    ┆ --- ┆ ---   ┆ ---   ┆ ---  │
	// │ str    ┆ i64 ┆ f64   ┆ f64   ┆ f64  │
	// ╞════════╪═════╪═══════╪═══════╪══════╡
	// │ TEA    ┆   3 ┆   2.5 ┆   7.5 ┆  1.5 │
	// │ COFFEE ┆   2 ┆   4.0 ┆   8.0 ┆  1.0 │
	// └────────┴─────┴───────┴───────┴──────┘
}

func ExampleConcat() {
	jan, _ := frame.New(
		frame.Int32("id", []int32{1, 2}),
		frame.String("city", []string{"Oslo", "Lima"}),
	)
	feb, _ := frame.New(
		frame.Int64("id", []int64{3}),
		frame.Float64("amount", []float64{9.5}),
	)
	all, err := frame.Concat(jan, feb) // id widens to int64; missing values are null
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(all)
	// Output:
	// shape: (3, 3)
	// ┌─────┬──────┬────────┐
	// │ id  ┆ city ┆ amount │
	// │ --- ┆ ---  ┆ ---    │
	// │ i64 ┆ str  ┆ f64    │
	// ╞═════╪══════╪════════╡
	// │   1 ┆ Oslo ┆   null │
	// │   2 ┆ Lima ┆   null │
	// │   3 ┆ null ┆    9.5 │
	// └─────┴──────┴────────┘
}
