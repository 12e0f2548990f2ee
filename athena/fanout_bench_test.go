package athena_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/localaws"
)

// BenchmarkFanOut200 runs 200 queries at once against localaws with an
// active-query limit of 20, Athena's API rate buckets, and 1 s per query,
// and reports the wall time against the ideal ceil(200/20) x 1 s.
func BenchmarkFanOut200(b *testing.B) {
	const queries, limit = 200, 20
	latency := time.Second
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) {
		o.Buckets = []string{"results"}
		o.AthenaMaxActiveQueries = limit
		o.AthenaQueryLatency = latency
	})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ideal := time.Duration((queries+limit-1)/limit) * latency
	for b.Loop() {
		c := athena.New(sdkathenaClient(st), nil, athena.OutputLocation("s3://results/q/"), athena.MaxConcurrent(limit))
		start := time.Now()
		var wg sync.WaitGroup
		for i := range queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Run(context.Background(), fmt.Sprintf("SELECT %d", i)); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(time.Since(start))/float64(ideal), "x_ideal")
	}
}
