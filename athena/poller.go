package athena

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// maxBatchGet is the most query ids one BatchGetQueryExecution takes.
const maxBatchGet = 50

// poller watches every query the Client waits for with
// BatchGetQueryExecution, up to 50 ids a call, instead of one
// GetQueryExecution per query: 20 queries in flight cost one call per
// round, not twenty, which keeps a fan-out far below Athena's API quotas
// and lets each round be short, so a finished query is noticed soon. The
// round interval follows the youngest query: PollMin while a query is new,
// growing to a tenth of its age, at most PollMax.
type poller struct {
	c       *Client
	mu      sync.Mutex
	waiting map[string]*pollWaiter
	running bool
}

type pollWaiter struct {
	e     *Execution
	done  chan struct{}
	qe    *types.QueryExecution
	err   error
	state string
}

// wait blocks until e's query reaches a final state, the poller fails to
// learn its state, or ctx ends.
func (p *poller) wait(ctx context.Context, e *Execution) (*types.QueryExecution, error) {
	w := &pollWaiter{e: e, done: make(chan struct{})}
	p.mu.Lock()
	if p.waiting == nil {
		p.waiting = map[string]*pollWaiter{}
	}
	p.waiting[e.id] = w
	if !p.running {
		p.running = true
		go p.loop()
	}
	p.mu.Unlock()
	select {
	case <-w.done:
		return w.qe, w.err
	case <-ctx.Done():
		p.mu.Lock()
		delete(p.waiting, e.id)
		p.mu.Unlock()
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
		ids := make([]string, 0, len(p.waiting))
		youngest := time.Duration(1<<63 - 1)
		o := p.c.options
		for id, w := range p.waiting {
			ids = append(ids, id)
			youngest = min(youngest, time.Since(w.e.started))
		}
		p.mu.Unlock()

		interval := min(max(o.PollMin, youngest/10), o.PollMax)
		time.Sleep(interval)
		for start := 0; start < len(ids); start += maxBatchGet {
			p.round(ids[start:min(start+maxBatchGet, len(ids))])
		}
	}
}

// round asks for one batch of ids and hands out what it learns.
func (p *poller) round(ids []string) {
	o := p.c.options
	out, err := call(context.Background(), p.c, o, "BatchGetQueryExecution", func(ctx context.Context) (*athena.BatchGetQueryExecutionOutput, error) {
		return p.c.api.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: ids})
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	finish := func(id string, qe *types.QueryExecution, err error) {
		if w := p.waiting[id]; w != nil {
			w.qe, w.err = qe, err
			delete(p.waiting, id)
			close(w.done)
		}
	}
	if err != nil {
		// The call was retried already; the waiters hear about it.
		for _, id := range ids {
			finish(id, nil, fmt.Errorf("athena: status of query %s: %w", id, err))
		}
		return
	}
	for i := range out.QueryExecutions {
		qe := &out.QueryExecutions[i]
		id := aws.ToString(qe.QueryExecutionId)
		w := p.waiting[id]
		if w == nil || qe.Status == nil {
			continue
		}
		state := string(qe.Status.State)
		if state != w.state {
			w.state = state
			if w.e.options.Progress != nil {
				w.e.options.Progress(QueryProgress{QueryID: id, State: state, Elapsed: time.Since(w.e.started)})
			}
		}
		switch qe.Status.State {
		case types.QueryExecutionStateSucceeded, types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			finish(id, qe, nil)
		}
	}
	for _, u := range out.UnprocessedQueryExecutionIds {
		id := aws.ToString(u.QueryExecutionId)
		// Athena could not answer for this id now; an unknown id will not
		// get better, anything else is tried again next round.
		if aws.ToString(u.ErrorCode) == "InvalidRequestException" {
			finish(id, nil, fmt.Errorf("athena: status of query %s: %s: %s: %w", id,
				aws.ToString(u.ErrorCode), aws.ToString(u.ErrorMessage), ErrResultFormat))
		}
	}
}
