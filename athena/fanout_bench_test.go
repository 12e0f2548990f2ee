package athena_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/localaws"
)

// BenchmarkFanOut200 runs 200 queries at once against localaws with an
// active-query limit of 20, Athena's API rate buckets, and 1 s per query,
// and reports the wall time against the ideal ceil(200/20) x 1 s.
//
// It splits the time on top of the ideal by where it goes, from
// localaws's timestamps (millisecond precision) and the client's:
// server_ms is a query's mean time in localaws from submission to
// completion (1,000 ms plus the emulator's own work), notice_ms the mean
// time from a query's completion to Run returning (status polling: the
// library's), handoff_ms the mean time from a query's Run returning to the
// submission of the query that took its slot (the k-th slot given back
// against the (20+k)-th submission: slot handoff, API pacing and the
// StartQueryExecution call).
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
	raw := sdkathenaClient(st)
	ideal := time.Duration((queries+limit-1)/limit) * latency
	for b.Loop() {
		c := athena.New(raw, nil, athena.OutputLocation("s3://results/q/"), athena.MaxConcurrent(limit))
		ids := make([]string, queries)
		returned := make([]time.Time, queries)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				qe, err := c.Run(context.Background(), fmt.Sprintf("SELECT %d", i))
				returned[i] = time.Now()
				if err != nil {
					b.Error(err)
					return
				}
				ids[i] = aws.ToString(qe.QueryExecutionId)
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(time.Since(start))/float64(ideal), "x_ideal")
		b.StopTimer()
		server, notice, handoff := fanOutBreakdown(b, raw, ids, returned, limit)
		b.ReportMetric(server, "server_ms")
		b.ReportMetric(notice, "notice_ms")
		b.ReportMetric(handoff, "handoff_ms")
		b.StartTimer()
	}
}

// fanOutBreakdown computes the means of BenchmarkFanOut200's doc comment,
// in milliseconds.
func fanOutBreakdown(b *testing.B, raw *sdkathena.Client, ids []string, returned []time.Time, limit int) (server, notice, handoff float64) {
	var submitted []time.Time
	var serverSum, noticeSum time.Duration
	at := map[string]int{}
	for i, id := range ids {
		at[id] = i
	}
	for start := 0; start < len(ids); start += 50 {
		out, err := raw.BatchGetQueryExecution(context.Background(), &sdkathena.BatchGetQueryExecutionInput{QueryExecutionIds: ids[start:min(start+50, len(ids))]})
		if err != nil {
			b.Fatal(err)
		}
		for _, qe := range out.QueryExecutions {
			s, c := aws.ToTime(qe.Status.SubmissionDateTime), aws.ToTime(qe.Status.CompletionDateTime)
			submitted = append(submitted, s)
			serverSum += c.Sub(s)
			noticeSum += returned[at[aws.ToString(qe.QueryExecutionId)]].Sub(c)
		}
	}
	rel := slices.Clone(returned)
	slices.SortFunc(rel, func(x, y time.Time) int { return x.Compare(y) })
	slices.SortFunc(submitted, func(x, y time.Time) int { return x.Compare(y) })
	var handoffSum time.Duration
	n := 0
	for k := 0; k+limit < len(submitted); k++ {
		handoffSum += submitted[k+limit].Sub(rel[k])
		n++
	}
	perQuery := func(d time.Duration, n int) float64 { return float64(d) / float64(n) / 1e6 }
	return perQuery(serverSum, len(ids)), perQuery(noticeSum, len(ids)), perQuery(handoffSum, max(n, 1))
}
