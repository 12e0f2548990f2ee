package athena

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// maxBatchGet is the most query ids one BatchGetQueryExecution takes.
const maxBatchGet = 50

// durationSamples is how many recent query durations the poller keeps to
// predict when a waiting query will finish.
const durationSamples = 32

// poller watches every query the Client waits for with
// BatchGetQueryExecution, up to 50 ids a call, instead of one
// GetQueryExecution per query: 20 queries in flight cost one call per
// round, not twenty, which keeps a fan-out far below Athena's API quotas
// and lets each round be short, so a finished query is noticed soon.
//
// Rounds come at two kinds of moments. The backoff cadence: PollMin after
// the previous round (or after a query's start, for a query that joined
// since), growing to a tenth of the youngest query's age, at most PollMax.
// And predicted completions: the poller keeps the durations of the
// Client's last 32 successful queries (Athena's TotalExecutionTimeInMillis)
// and adds a round when a waiting query reaches their median, and another
// at their 90th percentile, each plus a short window (a tenth of PollMin)
// that lets queries started together share the round. A fan-out of
// similar queries is then noticed a few milliseconds after it finishes
// instead of half a backoff interval (50 ms at the default PollMin) later
// on average; a query that does not match the prediction costs at most two
// extra calls and is still caught by the backoff cadence.
//
// The round that sees a query finish releases its slot at once, so the
// next query of a fan-out starts without waiting for the waiting goroutine
// to be scheduled.
type poller struct {
	c       *Client
	mu      sync.Mutex
	waiting map[string]*pollWaiter
	running bool
	// wake tells a sleeping loop that a waiter joined and the next round
	// may be due sooner.
	wake      chan struct{}
	lastRound time.Time
	durations []time.Duration // ring of recent durations, at most durationSamples
	next      int             // ring position of the next sample
}

type pollWaiter struct {
	e     *Execution
	done  chan struct{}
	qe    *types.QueryExecution
	err   error
	state string
	// unprocessed counts the rounds in a row Athena left this id
	// unprocessed.
	unprocessed int
}

// maxUnprocessedRounds is how many rounds in a row an id may come back
// unprocessed, whatever the error code, before its wait fails: the codes
// are not documented (localaws says INVALID_INPUT), and an unknown id must
// not be polled until the context ends.
const maxUnprocessedRounds = 10

// wait blocks until e's query reaches a final state, the poller fails to
// learn its state (an error without the package prefix), or ctx ends. When it returns a final QueryExecution the
// poller has already finished e (e.final set, slot released).
func (p *poller) wait(ctx context.Context, e *Execution) (*types.QueryExecution, error) {
	w := &pollWaiter{e: e, done: make(chan struct{})}
	p.mu.Lock()
	if p.waiting == nil {
		p.waiting = map[string]*pollWaiter{}
		p.wake = make(chan struct{}, 1)
	}
	p.waiting[e.id] = w
	if !p.running {
		p.running = true
		go p.loop()
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	select {
	case <-w.done:
		return w.qe, w.err
	case <-ctx.Done():
		p.mu.Lock()
		_, still := p.waiting[e.id]
		delete(p.waiting, e.id)
		p.mu.Unlock()
		if !still {
			// A round has taken the answer already and is handing it out:
			// take it, so the query is finished exactly once.
			<-w.done
			return w.qe, w.err
		}
		return nil, ctx.Err()
	}
}

func (p *poller) loop() {
	for {
		p.mu.Lock()
		if len(p.waiting) == 0 {
			p.running = false
			p.mu.Unlock()
			return
		}
		now := time.Now()
		due := p.nextRound(now)
		p.mu.Unlock()

		if wait := due.Sub(now); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-p.wake:
				// A new waiter: work out the next round again.
				t.Stop()
				continue
			}
		}
		p.mu.Lock()
		ids := make([]string, 0, len(p.waiting))
		for id := range p.waiting {
			ids = append(ids, id)
		}
		p.lastRound = time.Now()
		p.mu.Unlock()
		for start := 0; start < len(ids); start += maxBatchGet {
			p.round(ids[start:min(start+maxBatchGet, len(ids))])
		}
	}
}

// nextRound is when the next status round is due; the caller holds p.mu
// and there is at least one waiter.
func (p *poller) nextRound(now time.Time) time.Time {
	o := p.c.options
	var due, predicted time.Time
	marks := p.predictions()
	for _, w := range p.waiting {
		age := now.Sub(w.e.started)
		base := w.e.started
		if p.lastRound.After(base) {
			base = p.lastRound
		}
		backoff := base.Add(min(max(o.PollMin, age/10), o.PollMax))
		if due.IsZero() || backoff.Before(due) {
			due = backoff
		}
		// The first predicted completion not yet covered by a round.
		for _, d := range marks {
			if at := w.e.started.Add(d); at.After(p.lastRound) {
				if predicted.IsZero() || at.Before(predicted) {
					predicted = at
				}
				break
			}
		}
	}
	if !predicted.IsZero() {
		// The window lets the queries predicted just after the first share
		// its round: rounds for predictions stay a window apart.
		if at := predicted.Add(predictionWindow(o.PollMin)); at.Before(due) {
			due = at
		}
	}
	return due
}

// predictionWindow is how long a predicted round waits after the earliest
// prediction for others to join it: a tenth of PollMin, at least 1 ms.
func predictionWindow(pollMin time.Duration) time.Duration {
	return max(pollMin/10, time.Millisecond)
}

// predictions are the durations after its start at which a query is
// predicted to have finished: the median and the 90th percentile of the
// Client's recent successful queries (one mark when they are within
// predictionWindow of each other), none before a query has finished. The
// caller holds p.mu.
func (p *poller) predictions() []time.Duration {
	if len(p.durations) == 0 {
		return nil
	}
	s := slices.Clone(p.durations)
	slices.Sort(s)
	median, p90 := s[(len(s)-1)/2], s[(len(s)-1)*9/10]
	if p90-median < predictionWindow(p.c.options.PollMin) {
		return []time.Duration{median}
	}
	return []time.Duration{median, p90}
}

// observe records the duration of a query that succeeded; the caller
// holds p.mu. Results reused from an earlier query took no time and say
// nothing about the next one, so they are left out.
func (p *poller) observe(qe *types.QueryExecution) {
	d, ok := executionTime(qe)
	if !ok {
		return
	}
	if len(p.durations) < durationSamples {
		p.durations = append(p.durations, d)
		return
	}
	p.durations[p.next] = d
	p.next = (p.next + 1) % durationSamples
}

// executionTime is a succeeded query's time from submission to completion
// as Athena reports it: TotalExecutionTimeInMillis, or the difference of
// the status timestamps.
func executionTime(qe *types.QueryExecution) (time.Duration, bool) {
	if qe.Status == nil || qe.Status.State != types.QueryExecutionStateSucceeded {
		return 0, false
	}
	if st := qe.Statistics; st != nil {
		if st.ResultReuseInformation != nil && st.ResultReuseInformation.ReusedPreviousResult {
			return 0, false
		}
		if ms := aws.ToInt64(st.TotalExecutionTimeInMillis); ms > 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	if s, c := qe.Status.SubmissionDateTime, qe.Status.CompletionDateTime; s != nil && c != nil && c.After(*s) {
		return c.Sub(*s), true
	}
	return 0, false
}

// round asks for one batch of ids and hands out what it learns.
func (p *poller) round(ids []string) {
	o := p.c.options
	out, err := call(context.Background(), p.c, o, "BatchGetQueryExecution", func(ctx context.Context) (*athena.BatchGetQueryExecutionOutput, error) {
		return p.c.api.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: ids})
	})
	var done []*pollWaiter
	p.mu.Lock()
	take := func(id string, qe *types.QueryExecution, err error) {
		if w := p.waiting[id]; w != nil {
			w.qe, w.err = qe, err
			delete(p.waiting, id)
			done = append(done, w)
		}
	}
	if err != nil {
		// The call was retried already; the waiters hear about it.
		for _, id := range ids {
			take(id, nil, fmt.Errorf("status unknown: %w", err))
		}
	} else {
		for i := range out.QueryExecutions {
			qe := &out.QueryExecutions[i]
			id := aws.ToString(qe.QueryExecutionId)
			w := p.waiting[id]
			if w == nil || qe.Status == nil {
				continue
			}
			w.unprocessed = 0
			state := string(qe.Status.State)
			if state != w.state {
				w.state = state
				if w.e.options.Progress != nil {
					w.e.options.Progress(QueryProgress{QueryID: id, State: state, Elapsed: time.Since(w.e.started)})
				}
			}
			switch qe.Status.State {
			case types.QueryExecutionStateSucceeded, types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
				p.observe(qe)
				take(id, qe, nil)
			}
		}
		for _, u := range out.UnprocessedQueryExecutionIds {
			id := aws.ToString(u.QueryExecutionId)
			w := p.waiting[id]
			if w == nil {
				continue
			}
			// Athena could not answer for this id now; an unknown id will
			// not get better, anything else is tried again next round, up
			// to maxUnprocessedRounds.
			w.unprocessed++
			code := aws.ToString(u.ErrorCode)
			if code == "InvalidRequestException" || code == "INVALID_INPUT" || w.unprocessed >= maxUnprocessedRounds {
				take(id, nil, fmt.Errorf("status unknown after %d rounds: %s: %s: %w",
					w.unprocessed, code, aws.ToString(u.ErrorMessage), ErrResultFormat))
			}
		}
	}
	p.mu.Unlock()
	// Finish (and so release the slot of) each finished query here rather
	// than in its waiting goroutine: the next query of a fan-out can start
	// now.
	for _, w := range done {
		if w.qe != nil {
			w.e.finish(w.qe)
		}
		close(w.done)
	}
}
