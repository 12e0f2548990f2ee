package athena

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// TestPollerNextRound checks the round schedule of the poller's doc
// comment, worked out by hand for PollMin 100 ms, PollMax 5 s: backoff
// rounds PollMin apart while queries are young and a tenth of the youngest
// age later on; rounds at the median and the 90th percentile of the recent
// durations after a query's start, plus a 10 ms window, when they come
// first and no round has covered them yet.
func TestPollerNextRound(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name      string
		started   []time.Time // of the waiting queries
		lastRound time.Time
		durations []time.Duration
		now       time.Time
		want      time.Time
	}{
		{name: "a new query is first asked about PollMin after its start",
			started: []time.Time{t0}, now: ms(30), want: ms(100)},
		{name: "rounds are PollMin apart while queries are young",
			started: []time.Time{t0}, lastRound: ms(400), now: ms(420), want: ms(500)},
		{name: "an old query is asked about a tenth of its age apart",
			started: []time.Time{t0}, lastRound: ms(3000), now: ms(3000), want: ms(3300)},
		{name: "the interval stops at PollMax",
			started: []time.Time{t0}, lastRound: ms(100_000), now: ms(100_000), want: ms(105_000)},
		{name: "the youngest query sets the pace",
			started: []time.Time{t0, ms(2950)}, lastRound: ms(3000), now: ms(3000), want: ms(3100)},
		{name: "a round at the predicted completion",
			started: []time.Time{t0}, lastRound: ms(950), durations: []time.Duration{time.Second, time.Second, 2 * time.Second},
			now: ms(960), want: ms(1010)},
		{name: "a prediction already covered by a round adds nothing",
			started: []time.Time{t0}, lastRound: ms(1020), durations: []time.Duration{time.Second},
			// The backoff round: a tenth of the age of 1,030 ms after the
			// last round.
			now: ms(1030), want: ms(1123)},
		{name: "queries predicted within the window share one round",
			started: []time.Time{t0, ms(5), ms(8)}, lastRound: ms(960), durations: []time.Duration{time.Second},
			now: ms(970), want: ms(1010)},
		{name: "a prediction later than the backoff round waits for it",
			started: []time.Time{t0}, lastRound: ms(500), durations: []time.Duration{time.Second},
			now: ms(510), want: ms(600)},
		{name: "a second round at the 90th percentile",
			// Sorted, five of 1 s and five of 1.2 s: median 1 s, 90th
			// percentile 1.2 s; a round after the first mark has covered it.
			started: []time.Time{t0}, lastRound: ms(1150),
			durations: []time.Duration{time.Second, 1200 * time.Millisecond, time.Second, 1200 * time.Millisecond, time.Second,
				1200 * time.Millisecond, time.Second, 1200 * time.Millisecond, time.Second, 1200 * time.Millisecond},
			now: ms(1160), want: ms(1210)},
		{name: "the median of the recent durations",
			started: []time.Time{t0}, lastRound: ms(1900), durations: []time.Duration{3 * time.Second, 2 * time.Second, 500 * time.Millisecond, 2 * time.Second},
			// Sorted 0.5, 2, 2, 3 s: the lower middle is 2 s.
			now: ms(1950), want: ms(2010)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &poller{c: &Client{options: Options{PollMin: 100 * time.Millisecond, PollMax: 5 * time.Second}},
				waiting: map[string]*pollWaiter{}, lastRound: tc.lastRound, durations: tc.durations}
			for i, s := range tc.started {
				id := string(rune('a' + i))
				p.waiting[id] = &pollWaiter{e: &Execution{id: id, started: s}}
			}
			if got := p.nextRound(tc.now); !got.Equal(tc.want) {
				t.Fatalf("next round at +%v, want +%v", got.Sub(t0), tc.want.Sub(t0))
			}
		})
	}
}

func TestPollerKeepsRecentDurations(t *testing.T) {
	p := &poller{c: &Client{options: Options{PollMin: 100 * time.Millisecond}}}
	succeeded := func(ms int64) *types.QueryExecution {
		return &types.QueryExecution{Status: &types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded},
			Statistics: &types.QueryExecutionStatistics{TotalExecutionTimeInMillis: aws.Int64(ms)}}
	}
	// 40 queries of 1..40 ms: the last 32 (9..40 ms) are kept; sorted,
	// the median (the 16th) is 24 ms and the 90th percentile (the 28th)
	// 36 ms, more than the 10 ms window apart.
	for i := range int64(40) {
		p.observe(succeeded(i + 1))
	}
	want := []time.Duration{24 * time.Millisecond, 36 * time.Millisecond}
	if got := p.predictions(); !slices.Equal(got, want) {
		t.Fatalf("predictions %v, want %v", got, want)
	}
	// What says nothing about the next query's duration is left out: a
	// failed query, a reused result.
	failed := succeeded(1)
	failed.Status.State = types.QueryExecutionStateFailed
	reused := succeeded(1)
	reused.Statistics.ResultReuseInformation = &types.ResultReuseInformation{ReusedPreviousResult: true}
	for range 40 {
		p.observe(failed)
		p.observe(reused)
	}
	if got := p.predictions(); !slices.Equal(got, want) {
		t.Fatalf("predictions %v after failed and reused queries, want %v still", got, want)
	}
	// Marks closer than the window are one.
	p.durations = []time.Duration{time.Second, time.Second + 5*time.Millisecond}
	if got := p.predictions(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Fatalf("predictions %v, want one mark at 1s", got)
	}
	// Without statistics, the status timestamps give the duration.
	sub := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	qe := &types.QueryExecution{Status: &types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded,
		SubmissionDateTime: aws.Time(sub), CompletionDateTime: aws.Time(sub.Add(1500 * time.Millisecond))}}
	if d, ok := executionTime(qe); !ok || d != 1500*time.Millisecond {
		t.Fatalf("duration from timestamps %v %v, want 1.5s", d, ok)
	}
}
