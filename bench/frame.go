package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/gowrangler/wrangler/frame"
)

// frameData is the in-memory data of the frame section.
type frameData struct {
	rows   int
	small  []int64   // 1,000 distinct keys
	large  []int64   // about as many distinct keys as rows
	joinK  []int64   // keys into the 100,000-row dimension
	value  []float64 // uniform in [0, 100)
	names  []string  // 1,000 distinct strings
	dimID  []int64
	dimTag []string
}

func generateFrameData(rows int) *frameData {
	rng := rand.New(rand.NewPCG(42, 7))
	d := &frameData{rows: rows}
	words := make([]string, 1000)
	for i := range words {
		words[i] = fmt.Sprintf("customer-%04d", i)
	}
	for range rows {
		d.small = append(d.small, rng.Int64N(1000))
		d.large = append(d.large, rng.Int64N(int64(rows)))
		d.joinK = append(d.joinK, rng.Int64N(100_000))
		d.value = append(d.value, rng.Float64()*100)
		d.names = append(d.names, words[rng.IntN(len(words))])
	}
	for i := range 100_000 {
		d.dimID = append(d.dimID, int64(i))
		d.dimTag = append(d.dimTag, fmt.Sprintf("tag-%d", i%977))
	}
	return d
}

// resultCheck is what an operation's result must have: its row count and
// the sum of one float64 column, computed by brute force from the data.
type resultCheck struct {
	rows   int64
	column string
	sum    float64
}

func (want resultCheck) check(got resultCheck) error {
	if got.rows != want.rows || math.Abs(got.sum-want.sum) > 1e-9*math.Abs(want.sum) {
		return fmt.Errorf("result has %d rows, sum(%s) %v; want %d rows, sum %v", got.rows, want.column, got.sum, want.rows, want.sum)
	}
	return nil
}

// frameResult is a frame's row count and the sum of a column.
func frameResult(f *frame.Frame, column string) (resultCheck, error) {
	vs, valid, err := frame.Values[float64](f, column)
	if err != nil {
		return resultCheck{}, err
	}
	r := resultCheck{rows: int64(f.NumRows()), column: column}
	for i, v := range vs {
		if valid == nil || valid[i] {
			r.sum += v
		}
	}
	return r, nil
}

type frameOperation struct {
	name    string
	frameOp func() (*frame.Frame, error)
	sql     string // its result's columns are named as the frame's
	want    resultCheck
}

// frameSection compares frame operations with DuckDB on the same data.
func (b *bench) frameSection(ctx context.Context) (string, error) {
	d := generateFrameData(b.cfg.frameRows)
	facts, err := frame.New(frame.Int64("small", d.small), frame.Int64("large", d.large), frame.Int64("k", d.joinK),
		frame.Float64("v", d.value), frame.String("name", d.names))
	if err != nil {
		return "", err
	}
	dim, err := frame.New(frame.Int64("k", d.dimID), frame.String("tag", d.dimTag))
	if err != nil {
		return "", err
	}
	db, err := loadFrameDuckDB(ctx, d)
	if err != nil {
		return "", err
	}
	defer db.Close()

	// The expected results, by brute force over the generated slices.
	var total, over50 float64
	var nOver50 int64
	for _, v := range d.value {
		total += v
		if v > 50 {
			over50 += v
			nOver50++
		}
	}
	distinct := func(keys []int64) int64 {
		seen := make(map[int64]struct{}, len(keys))
		for _, k := range keys {
			seen[k] = struct{}{}
		}
		return int64(len(seen))
	}
	distinctNames := make(map[string]struct{})
	for _, n := range d.names {
		distinctNames[n] = struct{}{}
	}
	all := int64(d.rows)

	ops := []frameOperation{
		{"filter v > 50 (all columns)", func() (*frame.Frame, error) { return facts.Filter(frame.Col("v").Gt(50)) },
			"SELECT * FROM facts WHERE v > 50", resultCheck{nOver50, "v", over50}},
		{"group-by int64, 1k groups: sum, mean, count", func() (*frame.Frame, error) {
			return facts.GroupBy("small").Agg(frame.Sum("v").As("sv"), frame.Mean("v").As("mv"), frame.CountRows().As("n"))
		}, "SELECT small, sum(v) AS sv, avg(v) AS mv, count(*) AS n FROM facts GROUP BY small", resultCheck{distinct(d.small), "sv", total}},
		{"group-by int64, ~1M groups: sum, mean, count", func() (*frame.Frame, error) {
			return facts.GroupBy("large").Agg(frame.Sum("v").As("sv"), frame.Mean("v").As("mv"), frame.CountRows().As("n"))
		}, "SELECT large, sum(v) AS sv, avg(v) AS mv, count(*) AS n FROM facts GROUP BY large", resultCheck{distinct(d.large), "sv", total}},
		{"group-by string, 1k groups: sum, max", func() (*frame.Frame, error) {
			return facts.GroupBy("name").Agg(frame.Sum("v").As("sv"), frame.Max("v").As("xv"))
		}, "SELECT name, sum(v) AS sv, max(v) AS xv FROM facts GROUP BY name", resultCheck{int64(len(distinctNames)), "sv", total}},
		// Every fact's key is in the dimension, so the join keeps every row.
		{"inner join 1M x 100k on int64", func() (*frame.Frame, error) { return facts.Join(dim, frame.InnerJoin, frame.On("k")) },
			"SELECT * FROM facts JOIN dim USING (k)", resultCheck{all, "v", total}},
		{"sort by float64 (all columns)", func() (*frame.Frame, error) { return facts.Sort(frame.Asc("v")) },
			"SELECT * FROM facts ORDER BY v", resultCheck{all, "v", total}},
	}

	t := &table{
		title:  "frame vs DuckDB",
		header: []string{fmt.Sprintf("operation (%d rows)", d.rows), "wrangler frame", "DuckDB", "wrangler / DuckDB"},
	}
	for _, op := range ops {
		ft, err := measure(b, op.name+" (frame)", func(*stopwatch) (*frame.Frame, error) { return op.frameOp() },
			func(f *frame.Frame) error {
				got, err := frameResult(f, op.want.column)
				if err != nil {
					return err
				}
				return op.want.check(got)
			})
		if err != nil {
			return "", err
		}
		dt, err := measure(b, op.name+" (DuckDB)", func(sw *stopwatch) (resultCheck, error) {
			if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE result AS "+op.sql); err != nil {
				return resultCheck{}, err
			}
			sw.stop()
			r := resultCheck{column: op.want.column}
			err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*), coalesce(sum(%s), 0) FROM result", op.want.column)).Scan(&r.rows, &r.sum)
			return r, err
		}, op.want.check)
		if err != nil {
			return "", err
		}
		t.add(op.name, ft.String(), dt.String(), ratio(ft.median(), dt.median()))
	}
	var threads int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		return "", err
	}
	t.note("Data in memory on both sides (DuckDB loaded through its appender, untimed). DuckDB materialises every result with CREATE TEMP TABLE ... AS, as a frame operation builds a frame.")
	t.note("DuckDB with %d threads; frame gathers result columns in parallel, the rest runs on one goroutine.", threads)
	t.note("Checked: each result's row count and the sum of one column against a brute-force computation over the generated data.")
	return t.markdown(), nil
}

// loadFrameDuckDB puts the frame section's data into an in-memory DuckDB
// through its appender (not timed).
func loadFrameDuckDB(ctx context.Context, d *frameData) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	for _, ddl := range []string{
		"CREATE TABLE facts (small BIGINT, large BIGINT, k BIGINT, v DOUBLE, name VARCHAR)",
		"CREATE TABLE dim (k BIGINT, tag VARCHAR)",
	} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			db.Close()
			return nil, err
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	defer conn.Close()
	err = conn.Raw(func(raw any) error {
		dc, ok := raw.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected DuckDB connection %T", raw)
		}
		app, err := duckdb.NewAppenderFromConn(dc, "", "facts")
		if err != nil {
			return err
		}
		for i := range d.rows {
			if err := app.AppendRow(d.small[i], d.large[i], d.joinK[i], d.value[i], d.names[i]); err != nil {
				app.Close()
				return err
			}
		}
		if err := app.Close(); err != nil {
			return err
		}
		dimApp, err := duckdb.NewAppenderFromConn(dc, "", "dim")
		if err != nil {
			return err
		}
		for i := range d.dimID {
			if err := dimApp.AppendRow(d.dimID[i], d.dimTag[i]); err != nil {
				dimApp.Close()
				return err
			}
		}
		return dimApp.Close()
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
