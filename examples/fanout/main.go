// Command fanout is the slide's Step Functions design written as a Go
// program: process many landing files with bounded concurrency and the
// state machine's own retry settings, then run one Athena query per file
// under the account's concurrency quota.
//
//	go run ./examples/fanout -files 40
//
// Without -bucket it starts localaws in-process (S3, Glue and Athena) and
// throttles a share of S3 writes on purpose, so the retries are visible.
// With -bucket, -database and -workgroup it runs against real AWS using the
// normal AWS configuration.
//
// There is no 25,000-event execution history to outgrow: the fan-out is a
// loop with a semaphore.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/glue"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/retry"
	"github.com/gowrangler/wrangler/s3io"
)

// stateMachineRetry is the Retry field of the slide's Task state, moved into
// code unchanged (interval 2 s, backoff 1.85, 7 attempts).
const stateMachineRetry = `[
  {"ErrorEquals": ["S3.SlowDown", "S3.ServiceUnavailable", "States.Timeout"],
   "IntervalSeconds": 2, "BackoffRate": 1.85, "MaxAttempts": 7},
  {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}
]`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		os.Exit(1)
	}
}

type settings struct {
	files, rowsPerFile, workers, maxQueries int
	bucket, database, workgroup, results    string
	throttle                                float64
	stack                                   *localaws.Stack // nil on AWS
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	flags := flag.NewFlagSet("fanout", flag.ContinueOnError)
	flags.IntVar(&s.files, "files", 40, "landing files to process")
	flags.IntVar(&s.rowsPerFile, "rows", 2000, "rows per landing file")
	flags.IntVar(&s.workers, "workers", 8, "files processed at once")
	flags.IntVar(&s.maxQueries, "max-queries", 20, "Athena queries in flight at once")
	flags.StringVar(&s.bucket, "bucket", "", "S3 bucket for landing and lake data (default: run on localaws)")
	flags.StringVar(&s.database, "database", "fanout", "Glue database")
	flags.StringVar(&s.workgroup, "workgroup", "", "Athena workgroup (default: primary)")
	flags.StringVar(&s.results, "results", "", "s3:// prefix for Athena results (default: s3://<bucket>/athena-results/)")
	flags.Float64Var(&s.throttle, "throttle", 0.05, "share of S3 writes localaws throttles (localaws only)")
	if err := flags.Parse(args); err != nil {
		return err
	}

	cfg, cleanup, err := awsConfig(ctx, &s, out)
	if err != nil {
		return err
	}
	defer cleanup()

	retriers, err := retry.ParseStepFunctionsRetry([]byte(stateMachineRetry))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "retry settings from the state machine:\n")
	for _, p := range retriers {
		fmt.Fprintf(out, "  %-55s %d retries after %v\n", p.Name, p.Retries(), firstDelays(p, 4))
	}

	// The state machine's retriers are the one retry layer, as in the
	// Step Functions design: the SDK and s3io make a single attempt each.
	s3c := s3io.New(s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = s.stack != nil
		o.RetryMaxAttempts = 1
	}), func(o *s3io.Options) { o.Retry = retry.Policy{MaxAttempts: 1} })
	cat := glue.New(sdkglue.NewFromConfig(cfg))
	q := athena.New(sdkathena.NewFromConfig(cfg), s3c, athena.MaxConcurrent(s.maxQueries),
		athena.Workgroup(s.workgroup), athena.OutputLocation(s.results), athena.Database(s.database))

	start := time.Now()
	if err := land(ctx, s3c, s); err != nil {
		return err
	}
	fmt.Fprintf(out, "landed %d CSV files of %d rows\n", s.files, s.rowsPerFile)
	if s.stack != nil && s.throttle > 0 {
		s.stack.Inject(localaws.Fault{Op: "s3:PutObject", Kind: localaws.Throttle, Fraction: s.throttle, Seed: 1})
		fmt.Fprintf(out, "localaws now throttles %.0f%% of S3 writes with SlowDown\n", 100*s.throttle)
	}

	// Stage 1: clean each file into the lake, at most s.workers at once,
	// every S3 step under the state machine's retriers.
	var retries atomic.Int64
	onRetry := func(o *retry.Options) {
		o.OnRetry = func(int, time.Duration, error) { retries.Add(1) }
	}
	sem := retry.NewSemaphore(int64(s.workers))
	var wg sync.WaitGroup
	errs := make([]error, s.files)
	partitions := make([]glue.Partition, s.files)
	for i := range s.files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sem.Acquire(ctx, 1); err != nil {
				errs[i] = err
				return
			}
			defer sem.Release(1)
			errs[i] = retriers.Do(ctx, func(ctx context.Context) error {
				return cleanFile(ctx, s3c, s, i)
			}, onRetry)
			partitions[i] = glue.Partition{Values: []string{fileID(i)}, Location: lakeURL(s, i)}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("file %d: %w", i, err)
		}
	}
	fmt.Fprintf(out, "cleaned %d files with %d bounded workers, %d retries absorbed\n", s.files, s.workers, retries.Load())

	schema := arrow.NewSchema([]arrow.Field{{Name: "sensor", Type: arrow.BinaryTypes.String},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64}}, nil)
	if _, err := cat.SyncTable(ctx, s.database, glue.TableSpec{Name: "readings", Location: "s3://" + s.bucket + "/lake/readings/",
		Format: glue.Parquet, Schema: schema, Compression: "snappy",
		PartitionKeys: []arrow.Field{{Name: "file", Type: arrow.BinaryTypes.String}}, Partitions: partitions}); err != nil {
		return err
	}

	// Stage 2: one Athena query per file, all submitted at once; the
	// Client keeps at most s.maxQueries in flight.
	queries := make([]string, s.files)
	for i := range queries {
		queries[i] = fmt.Sprintf("SELECT '%s' AS file, count(*) AS readings, round(avg(value), 3) AS mean FROM readings WHERE file = '%s'",
			fileID(i), fileID(i))
	}
	var peak atomic.Int64
	results := q.QueryAll(ctx, queries, func(p athena.FanOutProgress) {
		if n := int64(p.Running); n > peak.Load() {
			peak.Store(n)
		}
	})
	var frames []*frame.Frame
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("query %d: %w", r.Index, r.Err)
		}
		frames = append(frames, r.Frame)
	}
	all, err := frame.Concat(frames...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ran %d Athena queries, at most %d in flight (limit %d)\n", len(queries), peak.Load(), s.maxQueries)
	fmt.Fprintln(out, all.Head(5))
	fmt.Fprintf(out, "done in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func firstDelays(p retry.Policy, n int) []time.Duration {
	var out []time.Duration
	for d := range p.Delays(func() float64 { return 0.5 }) {
		if len(out) == n {
			break
		}
		out = append(out, d.Round(10*time.Millisecond))
	}
	return out
}

// awsConfig returns the configuration to run with: localaws when no bucket
// is given, else the caller's AWS configuration.
func awsConfig(ctx context.Context, s *settings, out io.Writer) (aws.Config, func(), error) {
	if s.bucket != "" {
		if s.results == "" {
			s.results = "s3://" + s.bucket + "/athena-results/"
		}
		cfg, err := config.LoadDefaultConfig(ctx)
		return cfg, func() {}, err
	}
	s.bucket = "lake"
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{s.bucket} })
	if err != nil {
		return aws.Config{}, nil, err
	}
	s.results = "s3://" + s.bucket + "/athena-results/"
	s.stack = st
	fmt.Fprintf(out, "running on localaws at %s\n", st.URL())
	return st.Config(), func() { st.Close() }, nil
}

func fileID(i int) string { return fmt.Sprintf("f%04d", i) }

func landingURL(s settings, i int) string {
	return fmt.Sprintf("s3://%s/landing/%s.csv", s.bucket, fileID(i))
}

func lakeURL(s settings, i int) string {
	return fmt.Sprintf("s3://%s/lake/readings/file=%s/", s.bucket, fileID(i))
}

// land writes the raw files, with some bad rows to clean out.
func land(ctx context.Context, s3c *s3io.Client, s settings) error {
	for i := range s.files {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		var b strings.Builder
		b.WriteString("sensor,value\n")
		for r := range s.rowsPerFile {
			if r%97 == 0 {
				b.WriteString("broken,\n")
				continue
			}
			fmt.Fprintf(&b, "s%02d,%.3f\n", rng.IntN(20), rng.NormFloat64()*5+20)
		}
		if _, err := s3c.Upload(ctx, landingURL(s, i), strings.NewReader(b.String())); err != nil {
			return err
		}
	}
	return nil
}

// cleanFile reads one landing file, drops rows without a value and writes
// the rest as Parquet into the file's lake partition.
func cleanFile(ctx context.Context, s3c *s3io.Client, s settings, i int) error {
	f, err := s3c.ReadCSV(ctx, landingURL(s, i))
	if err != nil {
		return err
	}
	clean, err := f.DropNulls("value")
	if err != nil {
		return err
	}
	return s3c.WriteParquet(ctx, clean, lakeURL(s, i)+"part-0.snappy.parquet")
}
