package s3io

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/gowrangler/wrangler/frame"
)

// filterRows is the Go-side copy of the Parquet object the filter tests
// read: expected results are computed from it by brute force.
type filterRows struct {
	id     []int64
	ts     []time.Time // timestamp[ms], increasing with id
	name   []string    // increasing with id, 100 rows each
	score  []float64
	scored []bool // score's validity
	u      []uint32
	flag   []bool
	day    []time.Time // date32, increasing with id
}

var filterBase = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func makeFilterRows(n int, seed uint64) *filterRows {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := &filterRows{}
	for i := range n {
		r.id = append(r.id, int64(i))
		r.ts = append(r.ts, filterBase.Add(time.Duration(i)*time.Second))
		r.name = append(r.name, fmt.Sprintf("n%05d", i/100))
		r.score = append(r.score, math.Round(rng.NormFloat64()*1000)/10)
		r.scored = append(r.scored, i%7 != 3)
		r.u = append(r.u, rng.Uint32()) // both halves of the unsigned range
		r.flag = append(r.flag, i%3 == 0)
		r.day = append(r.day, filterBase.AddDate(0, 0, i/1000))
	}
	return r
}

func (r *filterRows) frame(t testing.TB) *frame.Frame {
	f, err := frame.New(
		frame.Int64("id", r.id),
		frame.Timestamp("ts", r.ts, arrow.Millisecond),
		frame.String("name", r.name),
		frame.Float64("score", r.score, r.scored),
		frame.Uint32("u", r.u),
		frame.Bool("flag", r.flag),
		frame.Date32("day", r.day),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// holds evaluates c on row i with SQL semantics: a null satisfies only
// IS NULL.
func (r *filterRows) holds(c Condition, i int) bool {
	var v any
	null := false
	switch c.Column {
	case "id":
		v = r.id[i]
	case "ts":
		v = r.ts[i]
	case "name":
		v = r.name[i]
	case "score":
		v, null = r.score[i], !r.scored[i]
	case "u":
		v = r.u[i]
	case "flag":
		v = r.flag[i]
	case "day":
		v = r.day[i]
	}
	switch c.Op {
	case OpIsNull:
		return null
	case OpIsNotNull:
		return !null
	}
	if null {
		return false
	}
	compare := func(w any) int {
		switch v := v.(type) {
		case int64:
			return cmp.Compare(v, w.(int64))
		case float64:
			return cmp.Compare(v, w.(float64))
		case uint32:
			return cmp.Compare(v, w.(uint32))
		case string:
			return cmp.Compare(v, w.(string))
		case time.Time:
			return v.Compare(w.(time.Time))
		case bool:
			a, b := 0, 0
			if v {
				a = 1
			}
			if w.(bool) {
				b = 1
			}
			return cmp.Compare(a, b)
		}
		panic(fmt.Sprintf("no comparison for %T", v))
	}
	switch c.Op {
	case OpIn:
		return slices.ContainsFunc(c.Values, func(w any) bool { return compare(w) == 0 })
	case OpEq:
		return compare(c.Value) == 0
	case OpNe:
		return compare(c.Value) != 0
	case OpLt:
		return compare(c.Value) < 0
	case OpLe:
		return compare(c.Value) <= 0
	case OpGt:
		return compare(c.Value) > 0
	case OpGe:
		return compare(c.Value) >= 0
	}
	panic("unknown operator")
}

// randomCondition draws a condition on a random column, with a value from
// the data or just outside it.
func (r *filterRows) randomCondition(rng *rand.Rand) Condition {
	n := len(r.id)
	i := rng.IntN(n)
	ops := []CompareOp{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpIsNull, OpIsNotNull}
	op := ops[rng.IntN(len(ops))]
	var col string
	var val, other any
	switch rng.IntN(7) {
	case 0:
		col, val, other = "id", int64(i)+int64(rng.IntN(3))-1, int64(rng.IntN(n+200)-100)
	case 1:
		col, val, other = "ts", r.ts[i], filterBase.Add(time.Duration(rng.IntN(n))*time.Second)
	case 2:
		col, val, other = "name", r.name[i], fmt.Sprintf("n%05d", rng.IntN(n/100+5))
	case 3:
		col, val, other = "score", r.score[i], math.Round(rng.NormFloat64()*1000)/10
	case 4:
		col, val, other = "u", r.u[i], rng.Uint32()
	case 5:
		// frame gives booleans no order, so only equality applies.
		col, val, other = "flag", rng.IntN(2) == 0, true
		op = []CompareOp{OpEq, OpNe, OpIn, OpIsNull}[rng.IntN(4)]
	case 6:
		col, val, other = "day", r.day[i], filterBase.AddDate(0, 0, rng.IntN(n/1000+3)-1)
	}
	c := Condition{Column: col, Op: op, Value: val}
	switch op {
	case OpIn:
		c.Value, c.Values = nil, []any{val, other}
	case OpIsNull, OpIsNotNull:
		c.Value = nil
	}
	return c
}

func writeFilterObject(t testing.TB, c *Client, url string, r *filterRows) {
	t.Helper()
	if err := c.WriteParquet(context.Background(), r.frame(t), url, RowGroupRows(5_000)); err != nil {
		t.Fatal(err)
	}
}

func idsOf(t testing.TB, f *frame.Frame) []int64 {
	t.Helper()
	ids, _, err := frame.Values[int64](f, "id")
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestWhereMatchesBruteForce reads with random conjunctions of conditions
// and compares the rows with a brute-force evaluation over the Go data: a
// row group wrongly skipped, or a row wrongly kept, shows up as a
// difference.
func TestWhereMatchesBruteForce(t *testing.T) {
	_, _, c := startS3(t)
	rows := makeFilterRows(40_000, 7)
	writeFilterObject(t, c, "s3://lake/filter.parquet", rows)
	rng := rand.New(rand.NewPCG(11, 13))
	for trial := range 60 {
		conds := []Condition{rows.randomCondition(rng)}
		if trial%2 == 1 {
			conds = append(conds, rows.randomCondition(rng))
		}
		t.Run(describeConditions(conds), func(t *testing.T) {
			var want []int64
			for i := range rows.id {
				if !slices.ContainsFunc(conds, func(c Condition) bool { return !rows.holds(c, i) }) {
					want = append(want, rows.id[i])
				}
			}
			f, err := c.ReadParquet(context.Background(), "s3://lake/filter.parquet", Where(conds...))
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(t, f); !slices.Equal(got, want) {
				t.Fatalf("got %d rows, want %d (first got %v, first want %v)", len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
			}
		})
	}
}

// TestWhereSkipsRowGroups checks that a selective condition on a sorted
// column fetches only the row groups that can match (localaws counters).
func TestWhereSkipsRowGroups(t *testing.T) {
	st, _, c := startS3(t)
	ctx := context.Background()
	rows := makeFilterRows(40_000, 3) // 8 row groups of 5,000 ids
	writeFilterObject(t, c, "s3://lake/filter.parquet", rows)

	st.ResetCounters()
	all, err := c.ReadParquet(ctx, "s3://lake/filter.parquet", Columns("id", "score"))
	if err != nil {
		t.Fatal(err)
	}
	full := st.BytesServed("s3:GetObject")

	cases := []struct {
		name   string
		conds  []Condition
		groups int // row groups that can match, from the id layout
		want   func(i int) bool
	}{
		{"one group by id", []Condition{Ge("id", 12_000), Lt("id", 14_000)}, 1, func(i int) bool { return i >= 12_000 && i < 14_000 }},
		{"two groups by time", []Condition{Ge("ts", filterBase.Add(9_000*time.Second)), Le("ts", filterBase.Add(10_500*time.Second))}, 2,
			func(i int) bool { return i >= 9_000 && i <= 10_500 }},
		{"by name", []Condition{Eq("name", "n00350")}, 1, func(i int) bool { return i/100 == 350 }},
		{"In over two groups", []Condition{In("id", int64(3), int64(39_999), int64(-5))}, 2, func(i int) bool { return i == 3 || i == 39_999 }},
		{"none", []Condition{Gt("id", 1_000_000)}, 0, func(int) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st.ResetCounters()
			f, err := c.ReadParquet(ctx, "s3://lake/filter.parquet", Columns("id", "score"), Where(tc.conds...))
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for i := range rows.id {
				if tc.want(i) {
					want = append(want, int64(i))
				}
			}
			if got := idsOf(t, f); !slices.Equal(got, want) {
				t.Fatalf("got %d rows, want %d", len(got), len(want))
			}
			served := st.BytesServed("s3:GetObject")
			// Each row group holds about an eighth of the projected bytes;
			// the footer read is the same in both.
			limit := full*int64(tc.groups)/8 + full/8
			t.Logf("%d of 8 row groups can match: fetched %d bytes, %d for all of them", tc.groups, served, full)
			if served > limit {
				t.Fatalf("fetched %d bytes, want at most %d (%d of 8 row groups)", served, limit, tc.groups)
			}
		})
	}
	if all.NumRows() != len(rows.id) {
		t.Fatalf("unfiltered read: %d rows, want %d", all.NumRows(), len(rows.id))
	}
}

func TestWhereColumnOutsideProjection(t *testing.T) {
	_, _, c := startS3(t)
	rows := makeFilterRows(10_000, 5)
	writeFilterObject(t, c, "s3://lake/filter.parquet", rows)
	f, err := c.ReadParquet(context.Background(), "s3://lake/filter.parquet", Columns("name"), Where(Ge("id", 9_990), Eq("flag", true)))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ColumnNames(); !slices.Equal(got, []string{"name"}) {
		t.Fatalf("got columns %v, want [name]", got)
	}
	var want []string
	for i := 9_990; i < 10_000; i++ {
		if i%3 == 0 {
			want = append(want, rows.name[i])
		}
	}
	got, _, err := frame.Values[string](f, "name")
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %v (%v), want %v", got, err, want)
	}

	var batches, n int64
	for batch, err := range c.ScanParquet(context.Background(), "s3://lake/filter.parquet", Columns("name"), Where(Eq("id", int64(42)))) {
		if err != nil {
			t.Fatal(err)
		}
		if batch.NumCols() != 1 {
			t.Fatalf("scan batch has %d columns, want 1", batch.NumCols())
		}
		batches++
		n += batch.NumRows()
	}
	if n != 1 || batches != 1 {
		t.Fatalf("scan: %d rows in %d batches, want 1 row in 1 batch", n, batches)
	}
}

func TestWhereRefusesBadConditions(t *testing.T) {
	_, _, c := startS3(t)
	writeFilterObject(t, c, "s3://lake/filter.parquet", makeFilterRows(100, 1))
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cond Condition
		want error
	}{
		{"nil value", Eq("id", nil), ErrInvalidOption},
		{"nil in list", In("id", 1, nil), ErrInvalidOption},
		{"no column", Gt("", 1), ErrInvalidOption},
		{"unknown operator", Condition{Column: "id", Op: 99, Value: 1}, ErrInvalidOption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.ReadParquet(ctx, "s3://lake/filter.parquet", Where(tc.cond)); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	var se *SchemaError
	if _, err := c.ReadParquet(ctx, "s3://lake/filter.parquet", Where(Eq("nope", 1))); !errors.As(err, &se) || se.Column != "nope" {
		t.Fatalf("condition on a missing column: got %v, want a *SchemaError naming it", err)
	}
	if _, err := c.ReadParquet(ctx, "s3://lake/filter.parquet", Where(Eq("name", 5))); err == nil {
		t.Fatal("comparing a string column with an int: got no error")
	}
}

// TestStatsRuleOutEdges covers what random data rarely produces: NaN
// bounds, all-null chunks, and values between two ticks of the column.
func TestStatsRuleOutEdges(t *testing.T) {
	_, _, c := startS3(t)
	ctx := context.Background()
	nan := math.NaN()
	f, err := frame.New(
		frame.Float64("x", []float64{1, nan, 3, 4}, []bool{true, true, true, true}),
		frame.Int64("allnull", []int64{0, 0, 0, 0}, []bool{false, false, false, false}),
		frame.Timestamp("ts", []time.Time{filterBase, filterBase, filterBase.Add(time.Second), filterBase.Add(time.Second)}, arrow.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteParquet(ctx, f, "s3://lake/edges.parquet", RowGroupRows(2)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cond Condition
		want int
	}{
		{"NaN row group is kept", Eq("x", 1.0), 1},
		{"greater than NaN's neighbour", Gt("x", 2.0), 2},
		{"all null matches no comparison", Eq("allnull", int64(0)), 0},
		{"all null IS NULL", IsNull("allnull"), 4},
		{"between two seconds", Lt("ts", filterBase.Add(500*time.Millisecond)), 2},
		{"no nulls IS NULL", IsNull("ts"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.ReadParquet(ctx, "s3://lake/edges.parquet", Where(tc.cond))
			if err != nil {
				t.Fatal(err)
			}
			if got.NumRows() != tc.want {
				t.Fatalf("got %d rows, want %d", got.NumRows(), tc.want)
			}
		})
	}
}

// TestWhereDatasetPrunesPartitions writes a dataset partitioned by day and
// checks that a condition on the partition column reads only the files of
// the matching partitions, and that conditions on data columns filter
// rows across partitions and formats.
func TestWhereDatasetPrunesPartitions(t *testing.T) {
	ctx := context.Background()
	for _, format := range []FileFormat{Parquet, CSV} {
		t.Run(fmt.Sprint(format), func(t *testing.T) {
			st, _, c := startS3(t)
			rows := makeFilterRows(6_000, 9) // days 0..5, 1,000 rows each
			f, err := frame.New(
				frame.Int64("id", rows.id),
				frame.Float64("score", rows.score, rows.scored),
				frame.Date32("day", rows.day),
			)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.WriteDataset(ctx, f, "s3://lake/ds", PartitionBy("day"), Format(format)); err != nil {
				t.Fatal(err)
			}
			from := filterBase.AddDate(0, 0, 4)
			st.ResetCounters()
			got, err := c.ReadDataset(ctx, "s3://lake/ds", Columns("id"), Where(Ge("day", from), Gt("score", 0.0)))
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for i := range rows.id {
				if !rows.day[i].Before(from) && rows.scored[i] && rows.score[i] > 0 {
					want = append(want, rows.id[i])
				}
			}
			ids := idsOf(t, got)
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Fatalf("got %d rows, want %d", len(ids), len(want))
			}
			if names := got.ColumnNames(); !slices.Equal(names, []string{"id"}) {
				t.Fatalf("got columns %v, want [id]", names)
			}
			// Two of six partitions match, one file each: each is read
			// twice (a Parquet footer or a CSV inference sample, then the
			// data); the other four are never opened.
			if gets := st.Calls("s3:GetObject"); gets > 2*2 {
				t.Fatalf("%d GETs, want at most 4 (two for each of the 2 matching files)", gets)
			}

			var n int
			for b, err := range c.ScanDataset(ctx, "s3://lake/ds", Where(IsNull("score"), Lt("day", filterBase.AddDate(0, 0, 1)))) {
				if err != nil {
					t.Fatal(err)
				}
				n += int(b.NumRows())
			}
			wantNulls := 0
			for i := range 1_000 {
				if !rows.scored[i] {
					wantNulls++
				}
			}
			if n != wantNulls {
				t.Fatalf("scan: %d rows with a null score on day 0, want %d", n, wantNulls)
			}
		})
	}
}

func TestWhereCSV(t *testing.T) {
	ctx := context.Background()
	_, sc, c := startS3(t)
	putObject(t, sc, "lake", "people.csv", []byte("name,age,city\nAda,36,London\nBob,,Paris\nCy,19,\"\"\nDee,52,Paris\n"))
	got, err := c.ReadCSV(ctx, "s3://lake/people.csv", Columns("name"), Where(Eq("city", "Paris")))
	if err != nil {
		t.Fatal(err)
	}
	names, _, err := frame.Values[string](got, "name")
	if err != nil || !slices.Equal(names, []string{"Bob", "Dee"}) || got.NumCols() != 1 {
		t.Fatalf("got %v (%d columns, %v), want [Bob Dee] in one column", names, got.NumCols(), err)
	}
	var scanned []string
	for b, err := range c.ScanCSV(ctx, "s3://lake/people.csv", Where(Ge("age", 20))) {
		if err != nil {
			t.Fatal(err)
		}
		f, _ := frame.FromRecords(b)
		v, _, _ := frame.Values[string](f, "name")
		scanned = append(scanned, v...)
	}
	if !slices.Equal(scanned, []string{"Ada", "Dee"}) {
		t.Fatalf("scan: got %v, want [Ada Dee] (a null age matches nothing)", scanned)
	}
	if _, err := ReadParquetRows[struct{ A int }](ctx, c, "s3://lake/x.parquet", Where(Eq("A", 1))); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("ReadParquetRows with Where: got %v, want ErrInvalidOption", err)
	}
}

// A format's reader given a PartitionFilter reads the URL as a dataset of
// that format, as the package's tour shows for ScanParquet.
func TestFormatReaderWithPartitionFilter(t *testing.T) {
	ctx := context.Background()
	_, _, c := startS3(t)
	rows := makeFilterRows(3_000, 4) // days 0..2
	f, err := frame.New(frame.Int64("id", rows.id), frame.Date32("day", rows.day))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []FileFormat{Parquet, CSV} {
		url := fmt.Sprintf("s3://lake/%v-ds", format)
		if _, err := c.WriteDataset(ctx, f, url, PartitionBy("day"), Format(format)); err != nil {
			t.Fatal(err)
		}
		keep := PartitionFilter(func(p Partition) bool { return p["day"] >= "2026-11-02" })
		scan, read := c.ScanParquet, c.ReadParquet
		if format == CSV {
			scan, read = c.ScanCSV, c.ReadCSV
		}
		var n int64
		for b, err := range scan(ctx, url, keep) {
			if err != nil {
				t.Fatal(err)
			}
			if b.Schema().FieldIndices("day") == nil {
				t.Fatalf("%v: the partition column is missing from %v", format, b.Schema())
			}
			n += b.NumRows()
		}
		got, err := read(ctx, url, keep, Where(Lt("id", int64(1_500))))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2_000 || got.NumRows() != 500 {
			t.Fatalf("%v: scan %d rows, want 2000; read %d, want 500 (ids 1000..1499)", format, n, got.NumRows())
		}
	}
}

func TestWhereJSONLines(t *testing.T) {
	ctx := context.Background()
	_, sc, c := startS3(t)
	putObject(t, sc, "lake", "events.jsonl", []byte(`{"id": 1, "kind": "click", "ms": 12}
{"id": 2, "kind": "view"}
{"id": 3, "kind": "click", "ms": 40}
`))
	got, err := c.ReadJSONLines(ctx, "s3://lake/events.jsonl", Columns("id"), Where(Eq("kind", "click"), Gt("ms", 20)))
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(t, got); !slices.Equal(ids, []int64{3}) || got.NumCols() != 1 {
		t.Fatalf("got ids %v in %d columns, want [3] in one", ids, got.NumCols())
	}
	var n int64
	for b, err := range c.ScanJSONLines(ctx, "s3://lake/events.jsonl", Where(IsNull("ms"))) {
		if err != nil {
			t.Fatal(err)
		}
		n += b.NumRows()
	}
	if n != 1 {
		t.Fatalf("scan: %d rows with no ms, want 1", n)
	}
	type event struct{ ID int64 }
	for _, read := range []func() error{
		func() error {
			_, err := ReadJSONRows[event](ctx, c, "s3://lake/events.jsonl", Where(Eq("ID", 1)))
			return err
		},
		func() error {
			_, err := ReadCSVRows[event](ctx, c, "s3://lake/events.jsonl", Where(Eq("ID", 1)))
			return err
		},
		func() error {
			_, err := ReadJSONRows[event](ctx, c, "s3://lake/", PartitionFilter(func(Partition) bool { return true }))
			return err
		},
	} {
		if err := read(); !errors.Is(err, ErrInvalidOption) {
			t.Fatalf("a typed-row read with Where or a partition filter: got %v, want ErrInvalidOption", err)
		}
	}
}
