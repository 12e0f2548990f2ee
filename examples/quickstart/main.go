// Command quickstart runs wrangler's whole pipeline on generated sensor
// readings:
//
//	go run ./examples/quickstart
//
// raw gzip CSV landing files -> per-file cleanup -> a partitioned Parquet
// dataset -> Glue sync -> Athena aggregates under the concurrency limit ->
// a frame printed.
//
// On a machine with no AWS configuration it starts localaws (S3, Glue and
// Athena on DuckDB) in-process. With -bucket (and normal AWS configuration)
// it runs the same pipeline against AWS, in -database and -workgroup.
package main

import (
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
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

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

type settings struct {
	hours, sensors, baseRate    int
	bucket, database, workgroup string
	local                       bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	flags.IntVar(&s.hours, "hours", 72, "hours of readings, one landing file per hour")
	flags.IntVar(&s.sensors, "sensors", 50, "sensors reporting")
	flags.IntVar(&s.baseRate, "readings", 40, "readings per sensor in a quiet hour (busy hours have up to 10x)")
	flags.StringVar(&s.bucket, "bucket", "", "S3 bucket to use on AWS (default: run on localaws)")
	flags.StringVar(&s.database, "database", "quickstart", "Glue database")
	flags.StringVar(&s.workgroup, "workgroup", "", "Athena workgroup (default: primary)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	cfg, stop, err := setup(ctx, &s, out)
	if err != nil {
		return err
	}
	defer stop()

	s3c := s3io.New(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = s.local }))
	cat := glue.New(sdkglue.NewFromConfig(cfg))
	q := athena.New(sdkathena.NewFromConfig(cfg), s3c, athena.MaxConcurrent(20), athena.Workgroup(s.workgroup),
		athena.Database(s.database), athena.OutputLocation("s3://"+s.bucket+"/athena-results/"))

	// 1. Land raw gzip CSV files, one per hour; some hours are much busier.
	landed, bytes, err := land(ctx, s3c, s)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "1. landed %d gzip CSV files, %d readings, %d bytes\n", s.hours, landed, bytes)

	// 2. Clean each file (drop broken readings, derive the day) and append
	// it to the partitioned Parquet dataset.
	var kept, written int64
	var last *s3io.DatasetResult
	partitions := map[string]s3io.DatasetPartition{}
	for h := range s.hours {
		raw, err := s3c.ReadCSV(ctx, landingURL(s, h))
		if err != nil {
			return err
		}
		clean, err := raw.DropNulls("value")
		if err != nil {
			return err
		}
		clean, err = clean.Filter(frame.Col("value").Ge(-50).And(frame.Col("value").Le(150)))
		if err != nil {
			return err
		}
		clean, err = clean.WithColumn("dt", frame.Col("ts").Cast(arrow.FixedWidthTypes.Date32))
		if err != nil {
			return err
		}
		res, err := s3c.WriteDataset(ctx, clean, "s3://"+s.bucket+"/lake/readings/", s3io.PartitionBy("dt"),
			s3io.Mode(s3io.Append))
		if err != nil {
			return fmt.Errorf("hour %d: %w", h, err)
		}
		kept += int64(clean.NumRows())
		for _, f := range res.Files {
			written += f.Bytes
		}
		last = res
		for _, p := range res.Partitions {
			partitions[p.URL] = p
		}
		if (h+1)%8 == 0 || h+1 == s.hours {
			fmt.Fprintf(out, "   cleaned %d/%d files, %d readings kept\n", h+1, s.hours, kept)
		}
	}
	fmt.Fprintf(out, "2. wrote a Parquet dataset partitioned by day: %d readings, %d bytes\n", kept, written)

	// 3. Register the dataset and every day partition any write touched in
	// Glue (the last write's result carries the schema and format).
	last.Partitions = last.Partitions[:0]
	for _, p := range partitions {
		last.Partitions = append(last.Partitions, p)
	}
	report, err := cat.SyncDataset(ctx, s.database, "readings", last)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "3. Glue table %s.readings: created %v, %d day partitions\n", s.database, report.Created, len(last.Partitions))

	// 4. Aggregate with Athena: one query per sensor group, all submitted
	// at once; the client keeps at most 20 in flight.
	var queries []string
	for g := range 5 {
		queries = append(queries, fmt.Sprintf(`SELECT dt, '%d' AS sensor_group, count(*) AS readings,
			round(avg(value), 2) AS mean, round(max(value), 2) AS peak
			FROM readings WHERE CAST(substr(sensor, 2) AS integer) %% 5 = %d GROUP BY dt`, g, g))
	}
	results := q.QueryAll(ctx, queries, nil)
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
	summary, err := all.GroupBy("dt").Sorted().Agg(frame.Sum("readings").As("readings"), frame.Max("peak").As("peak"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "4. ran %d Athena queries under a limit of 20 in flight\n", len(queries))
	fmt.Fprintln(out, summary)
	fmt.Fprintf(out, "done: %d files, %d readings landed, %d kept, %d Parquet bytes, %d queries, %v\n",
		s.hours, landed, kept, written, len(queries), time.Since(start).Round(time.Millisecond))
	return nil
}

func setup(ctx context.Context, s *settings, out io.Writer) (aws.Config, func(), error) {
	if s.bucket != "" {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
			r, _ := retry.NewSDKRetryer(retry.Policy{Interval: 200 * time.Millisecond, MaxAttempts: 6, Jitter: retry.JitterFull})
			return r
		}))
		return cfg, func() {}, err
	}
	s.bucket, s.local = "lake", true
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{s.bucket} })
	if err != nil {
		return aws.Config{}, nil, err
	}
	fmt.Fprintf(out, "running on localaws at %s (no AWS account needed)\n", st.URL())
	return st.Config(), func() { st.Close() }, nil
}

func landingURL(s settings, hour int) string {
	return fmt.Sprintf("s3://%s/landing/2026/11/%02d/%02d.csv.gz", s.bucket, 24+hour/24, hour%24)
}

// land writes one gzip CSV per hour; readings have millisecond timestamps,
// busy hours have up to ten times the quiet rate, and a few readings are
// broken (no value, or an impossible one).
func land(ctx context.Context, s3c *s3io.Client, s settings) (rows, size int64, err error) {
	day0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for h := range s.hours {
		rng := rand.New(rand.NewPCG(uint64(h), 11))
		busy := 1 + 9*math.Max(0, math.Sin(float64(h%24-6)*math.Pi/12))
		var b strings.Builder
		zw := gzip.NewWriter(&b)
		fmt.Fprintln(zw, "ts,sensor,value")
		n := int(float64(s.sensors*s.baseRate) * busy)
		for i := range n {
			ts := day0.Add(time.Duration(h)*time.Hour + time.Duration(rng.Int64N(int64(time.Hour))))
			ts = ts.Truncate(time.Millisecond)
			sensor := fmt.Sprintf("s%03d", rng.IntN(s.sensors))
			switch {
			case i%211 == 0:
				fmt.Fprintf(zw, "%s,%s,\n", ts.Format("2006-01-02 15:04:05.000"), sensor)
			case i%307 == 0:
				fmt.Fprintf(zw, "%s,%s,9999\n", ts.Format("2006-01-02 15:04:05.000"), sensor)
			default:
				fmt.Fprintf(zw, "%s,%s,%.2f\n", ts.Format("2006-01-02 15:04:05.000"), sensor, 20+8*math.Sin(float64(h)/4)+rng.NormFloat64()*3)
			}
		}
		if err := zw.Close(); err != nil {
			return 0, 0, err
		}
		if _, err := s3c.Upload(ctx, landingURL(s, h), strings.NewReader(b.String())); err != nil {
			return 0, 0, err
		}
		rows += int64(n)
		size += int64(b.Len())
	}
	return rows, size, nil
}
