// Command bench compares wrangler's frame operations with DuckDB on the same
// data in one run and prints a ratio table (Markdown), which the README
// quotes:
//
//	go run ./bench -rows 1000000 -out bench/RESULTS.md
//
// Each operation runs -repeat times on each side and the best time counts,
// so a noisy neighbour costs both sides alike. DuckDB materialises every
// result (CREATE TEMP TABLE ... AS), as a frame operation does. DuckDB uses
// its default thread count; frame gathers result columns in parallel and
// does the rest on one goroutine.
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/gowrangler/wrangler/frame"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type data struct {
	rows   int
	small  []int64   // 1,000 distinct keys
	large  []int64   // about as many distinct keys as rows
	joinK  []int64   // keys into the 100,000-row dimension
	value  []float64 // uniform in [0, 100)
	names  []string  // 1,000 distinct strings
	dimID  []int64
	dimTag []string
}

func generate(rows int) *data {
	rng := rand.New(rand.NewPCG(42, 7))
	d := &data{rows: rows}
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

type operation struct {
	name    string
	frameOp func() error
	sql     string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	rows := flags.Int("rows", 1_000_000, "rows in the fact table")
	repeat := flags.Int("repeat", 3, "runs per operation; the best counts")
	outFile := flags.String("out", "", "also write the Markdown table to this file")
	if err := flags.Parse(args); err != nil {
		return err
	}
	d := generate(*rows)
	facts, err := frame.New(frame.Int64("small", d.small), frame.Int64("large", d.large), frame.Int64("k", d.joinK),
		frame.Float64("v", d.value), frame.String("name", d.names))
	if err != nil {
		return err
	}
	dim, err := frame.New(frame.Int64("k", d.dimID), frame.String("tag", d.dimTag))
	if err != nil {
		return err
	}
	db, err := loadDuckDB(ctx, d)
	if err != nil {
		return err
	}
	defer db.Close()

	ops := []operation{
		{"filter v > 50 (all columns)", func() error { _, err := facts.Filter(frame.Col("v").Gt(50)); return err },
			"SELECT * FROM facts WHERE v > 50"},
		{"group-by int64, 1k groups: sum, mean, count", func() error {
			_, err := facts.GroupBy("small").Agg(frame.Sum("v"), frame.Mean("v"), frame.CountRows())
			return err
		}, "SELECT small, sum(v), avg(v), count(*) FROM facts GROUP BY small"},
		{"group-by int64, ~1M groups: sum, mean, count", func() error {
			_, err := facts.GroupBy("large").Agg(frame.Sum("v"), frame.Mean("v"), frame.CountRows())
			return err
		}, "SELECT large, sum(v), avg(v), count(*) FROM facts GROUP BY large"},
		{"group-by string, 1k groups: sum, max", func() error {
			_, err := facts.GroupBy("name").Agg(frame.Sum("v"), frame.Max("v"))
			return err
		}, "SELECT name, sum(v), max(v) FROM facts GROUP BY name"},
		{"inner join 1M x 100k on int64", func() error { _, err := facts.Join(dim, frame.InnerJoin, frame.On("k")); return err },
			"SELECT * FROM facts JOIN dim USING (k)"},
		{"sort by float64 (all columns)", func() error { _, err := facts.Sort(frame.Asc("v")); return err },
			"SELECT * FROM facts ORDER BY v"},
	}

	var b strings.Builder
	fmt.Fprintf(&b, "| operation (%d rows) | wrangler frame | DuckDB | wrangler / DuckDB |\n|---|---|---|---|\n", *rows)
	for _, op := range ops {
		ft, err := best(*repeat, op.frameOp)
		if err != nil {
			return fmt.Errorf("%s (frame): %w", op.name, err)
		}
		dt, err := best(*repeat, func() error {
			_, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE result AS "+op.sql)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s (DuckDB): %w", op.name, err)
		}
		fmt.Fprintf(&b, "| %s | %v | %v | %.1fx |\n", op.name, ft.Round(time.Millisecond), dt.Round(time.Millisecond),
			float64(ft)/float64(dt))
	}
	var threads int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\nBest of %d runs each, one process, %d CPUs (GOMAXPROCS %d); DuckDB with %d threads; frame gathers result columns in parallel, the rest runs on one goroutine.\n",
		*repeat, runtime.NumCPU(), runtime.GOMAXPROCS(0), threads)
	fmt.Fprint(out, b.String())
	if *outFile != "" {
		return os.WriteFile(*outFile, []byte(b.String()), 0o644)
	}
	return nil
}

func best(n int, fn func() error) (time.Duration, error) {
	bestTime := time.Duration(1<<63 - 1)
	for range max(n, 1) {
		runtime.GC()
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		bestTime = min(bestTime, time.Since(start))
	}
	return bestTime, nil
}

// loadDuckDB puts the same data into an in-memory DuckDB through its
// appender (not timed).
func loadDuckDB(ctx context.Context, d *data) (*sql.DB, error) {
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
