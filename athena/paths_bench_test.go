package athena_test

import (
	"context"
	"fmt"
	"testing"

	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/localaws"
)

// millionRows is 10^6 rows of two columns, from digits cross-joined: SQL
// that Athena and the emulator both run.
const millionRows = `WITH d AS (SELECT n FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(n))
SELECT a.n * 100000 + b.n * 10000 + c.n * 1000 + e.n * 100 + f.n * 10 + g.n AS id,
       CAST(a.n * 1.5 AS double) AS amount
FROM d a, d b, d c, d e, d f, d g`

// BenchmarkResultPaths reads a 1M-row result through each path against
// localaws and reports rows/s; compare the paths within one run.
func BenchmarkResultPaths(b *testing.B) {
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) { o.Buckets = []string{"results"} })
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := athena.New(sdkathena.NewFromConfig(st.Config()), s3ioClient(st), athena.OutputLocation("s3://results/q/"))
	for _, p := range []struct {
		name string
		path athena.ResultPath
	}{{"api", athena.ResultsAPI}, {"csv", athena.ResultsCSV}, {"unload", athena.ResultsUnload}} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				f, err := c.Query(context.Background(), millionRows, func(o *athena.Options) { o.Results = p.path })
				if err != nil {
					b.Fatal(err)
				}
				if f.NumRows() != 1_000_000 {
					b.Fatalf("%d rows", f.NumRows())
				}
			}
			b.ReportMetric(1e6*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkResultPathsBySize reads results of 10^3 to 10^5 rows through
// the CSV and UNLOAD against localaws and reports the time per query, to
// place ResultsAuto's threshold (DefaultLargeResultRows): compare the two
// paths at each size within one run.
func BenchmarkResultPathsBySize(b *testing.B) {
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) { o.Buckets = []string{"results"} })
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := athena.New(sdkathena.NewFromConfig(st.Config()), s3ioClient(st), athena.OutputLocation("s3://results/q/"))
	for _, rows := range []int{1_000, 10_000, 100_000} {
		sql := fmt.Sprintf("SELECT id, amount FROM (%s) WHERE id < %d", millionRows, rows)
		for _, p := range []athena.ResultPath{athena.ResultsCSV, athena.ResultsUnload} {
			b.Run(fmt.Sprintf("rows=%d/%v", rows, p), func(b *testing.B) {
				for b.Loop() {
					f, err := c.Query(context.Background(), sql, athena.ReadResults(p))
					if err != nil {
						b.Fatal(err)
					}
					if f.NumRows() != rows {
						b.Fatalf("%d rows, want %d", f.NumRows(), rows)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
			})
		}
	}
}
