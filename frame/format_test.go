package frame

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestString(t *testing.T) {
	small, err := New(
		Int64("id", []int64{1, 2, 3}),
		String("name", []string{"ann", "bob", "日本"}, []bool{true, false, true}),
		Float64("score", []float64{1.5, 2, -0.25}),
	)
	if err != nil {
		t.Fatal(err)
	}
	long, err := New(
		Int("n", []int{1, 2, 3, 4, 5, 6}),
		String("s", []string{"abcdefgh", "b", "c", "d", "e", "f"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	times, err := New(
		Timestamp("ts", []time.Time{time.Date(2024, 3, 1, 12, 30, 0, 500_000_000, time.UTC)}, arrow.Millisecond),
		Date32("d", []time.Time{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}),
		Bool("ok", []bool{true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"small", small.String(), `shape: (3, 3)
┌─────┬──────┬───────┐
│ id  ┆ name ┆ score │
│ --- ┆ ---  ┆ ---   │
│ i64 ┆ str  ┆ f64   │
╞═════╪══════╪═══════╡
│   1 ┆ ann  ┆   1.5 │
│   2 ┆ null ┆   2.0 │
│   3 ┆ 日本 ┆ -0.25 │
└─────┴──────┴───────┘
`},
		{"rows and width elided", long.Format(MaxRows(4), MaxWidth(5)), `shape: (6, 2)
┌─────┬───────┐
│ n   ┆ s     │
│ --- ┆ ---   │
│ i64 ┆ str   │
╞═════╪═══════╡
│   1 ┆ abcd… │
│   2 ┆ b     │
│   … ┆ …     │
│   5 ┆ e     │
│   6 ┆ f     │
└─────┴───────┘
`},
		{"columns elided", small.Format(MaxCols(2)), `shape: (3, 3)
┌─────┬─────┬───────┐
│ id  ┆ …   ┆ score │
│ --- ┆ --- ┆ ---   │
│ i64 ┆     ┆ f64   │
╞═════╪═════╪═══════╡
│   1 ┆ …   ┆   1.5 │
│   2 ┆ …   ┆   2.0 │
│   3 ┆ …   ┆ -0.25 │
└─────┴─────┴───────┘
`},
		{"times", times.String(), `shape: (1, 3)
┌───────────────────────┬────────────┬──────┐
│ ts                    ┆ d          ┆ ok   │
│ ---                   ┆ ---        ┆ ---  │
│ datetime[ms, UTC]     ┆ date       ┆ bool │
╞═══════════════════════╪════════════╪══════╡
│ 2024-03-01 12:30:00.5 ┆ 2024-03-01 ┆ true │
└───────────────────────┴────────────┴──────┘
`},
		{"empty", (*Frame)(nil).String(), "shape: (0, 0)\n┌┐\n└┘\n"},
		{"no rows", small.Head(0).Format(MaxCols(1)), `shape: (0, 3)
┌─────┬─────┐
│ id  ┆ …   │
│ --- ┆ --- │
│ i64 ┆     │
╞═════╪═════╡
└─────┴─────┘
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", tc.got, tc.want)
			}
		})
	}
}
