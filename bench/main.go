// Command bench compares wrangler with its peers on the same data in one
// run, checks that every side read the same thing, and prints ratio tables
// in Markdown, which the README quotes:
//
//	go run ./bench -out bench/RESULTS.md
//
// Sections, each of which can run alone (-only frame,parquet,csv,s3,memory):
//
//   - frame: frame operations (filter, group-by, join, sort) against DuckDB
//     on the same in-memory data; DuckDB materialises every result with
//     CREATE TEMP TABLE ... AS, as a frame operation does.
//   - parquet: reading one generated Parquet file (snappy; int64, float64,
//     low-cardinality string, timestamp, nullable int64) into memory, from a
//     local file and through localaws: wrangler's ReadParquet, arrow-go's
//     pqarrow, parquet-go's Read[T] into Go structs, and DuckDB's
//     read_parquet into a temp table (local file only).
//   - csv: scanning one generated CSV file (-csv-mb) with the same explicit
//     schema everywhere: wrangler's ScanCSV (through localaws and from the
//     local file, and once with inferred types), arrow-go's csv reader,
//     encoding/csv (untyped records) and DuckDB's read_csv into a temp
//     table.
//   - s3: the Parquet file through localaws shaped by a
//     localaws.NetworkProfile (localaws.S3NetworkProfile unless -net-latency
//     and -net-mbps say otherwise): wrangler's ScanParquet against one
//     GetObject of the whole file, parallel ranged GETs, and decoding alone,
//     with the ratio the issue sets a goal for: scan time over the larger
//     of parallel download and decoding, at most 1.2.
//   - memory: the peak Go heap while streaming a gzip CSV object
//     (-gzip-mb of CSV before compression) through ScanCSV and through
//     arrow-go's csv reader.
//
// Every timed run is checked against a digest of the data computed when it
// was generated (row count, sums of the numeric columns, null count, total
// string length), so a fast reader that reads wrong cannot win: a mismatch
// stops the program with an error. Times are the median of -repeat runs,
// with the fastest and slowest shown beside it. Ratios are wrangler's time
// divided by the peer's: above 1 wrangler is slower.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/gowrangler/wrangler/localaws"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// sectionNames lists the sections in the order they run.
var sectionNames = []string{"frame", "parquet", "csv", "s3", "memory"}

// config is the command line.
type config struct {
	only         []string
	repeat       int
	out          string
	dir          string
	frameRows    int
	parquetRows  int
	rowGroupRows int
	csvMB        int
	gzipMB       int
	netLatency   time.Duration
	netMBps      float64
	cpuProfile   string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	only := flags.String("only", strings.Join(sectionNames, ","), "comma-separated sections to run: "+strings.Join(sectionNames, ", "))
	flags.IntVar(&c.repeat, "repeat", 3, "timed runs per measurement; the median is reported")
	flags.StringVar(&c.out, "out", "", "also write the Markdown report to this file")
	flags.StringVar(&c.dir, "dir", "", "directory for generated files; \"\" means a temporary one, removed at exit")
	flags.IntVar(&c.frameRows, "rows", 1_000_000, "frame: rows in the fact table")
	flags.IntVar(&c.parquetRows, "parquet-rows", 1_000_000, "parquet, s3: rows in the generated Parquet file")
	flags.IntVar(&c.rowGroupRows, "row-group-rows", 128*1024, "parquet, s3: rows per Parquet row group")
	flags.IntVar(&c.csvMB, "csv-mb", 200, "csv: size of the generated CSV file in MB")
	flags.IntVar(&c.gzipMB, "gzip-mb", 128, "memory: size of the generated CSV in MB before gzip (1024 for the 1 GB figure)")
	flags.DurationVar(&c.netLatency, "net-latency", localaws.S3NetworkProfile.FirstByteLatency, "s3: first-byte latency of every S3 request (localaws.NetworkProfile)")
	flags.Float64Var(&c.netMBps, "net-mbps", float64(localaws.S3NetworkProfile.BytesPerSecond)/(1<<20),
		"s3: bandwidth of each S3 request's body in MB/s, 1 MB = 2^20 bytes; 0 means no cap")
	flags.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := flags.Parse(args); err != nil {
		return c, err
	}
	if flags.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	for s := range strings.SplitSeq(*only, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(sectionNames, s) {
			return c, fmt.Errorf("-only: unknown section %q (have %s)", s, strings.Join(sectionNames, ", "))
		}
		if !slices.Contains(c.only, s) {
			c.only = append(c.only, s)
		}
	}
	switch {
	case len(c.only) == 0:
		return c, errors.New("-only: no section selected")
	case c.repeat < 1:
		return c, fmt.Errorf("-repeat %d: must be at least 1", c.repeat)
	case c.frameRows < 1 || c.parquetRows < 1 || c.rowGroupRows < 1:
		return c, errors.New("-rows, -parquet-rows and -row-group-rows must be positive")
	case c.csvMB < 1 || c.gzipMB < 1:
		return c, errors.New("-csv-mb and -gzip-mb must be positive")
	case c.netLatency < 0 || c.netMBps < 0:
		return c, errors.New("-net-latency and -net-mbps must not be negative")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	b, err := newBench(cfg, stderr)
	if err != nil {
		return err
	}
	defer b.close()
	if cfg.cpuProfile != "" {
		pf, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	var report strings.Builder
	fmt.Fprintf(&report, "# wrangler benchmarks\n\n`go run ./bench %s`\n\n%s\n", strings.Join(args, " "), machine())
	sections := map[string]func(context.Context) (string, error){
		"frame":   b.frameSection,
		"parquet": b.parquetSection,
		"csv":     b.csvSection,
		"s3":      b.s3Section,
		"memory":  b.memorySection,
	}
	for _, name := range cfg.only {
		b.logf("section %s", name)
		start := time.Now()
		md, err := sections[name](ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		b.logf("section %s done in %v", name, time.Since(start).Round(time.Millisecond))
		report.WriteString("\n" + md)
	}
	fmt.Fprint(stdout, report.String())
	if cfg.out != "" {
		return os.WriteFile(cfg.out, []byte(report.String()), 0o644)
	}
	return nil
}

// machine describes where the figures were taken.
func machine() string {
	return fmt.Sprintf("%s, %s/%s, %d CPUs, GOMAXPROCS %d. Each time is the median of the runs, (fastest–slowest) beside it; "+
		"every run is checked against a digest of the generated data (rows, column sums, nulls, string lengths) and a mismatch stops the program.",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))
}
