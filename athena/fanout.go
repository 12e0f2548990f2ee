package athena

import (
	"context"
	"sync"
	"time"

	"github.com/gowrangler/wrangler/frame"
)

// Result is the outcome of one query of QueryAll.
type Result struct {
	// Index is the query's position in the input.
	Index int
	SQL   string
	// Frame is the result on success; Err the failure (a *QueryError when
	// Athena failed the query).
	Frame   *frame.Frame
	Err     error
	Elapsed time.Duration
}

// FanOutProgress counts the queries of a QueryAll call: Waiting for a slot
// under MaxConcurrent, Running in Athena (holding a slot), Reading their
// results (the slot already given back), then Succeeded or Failed.
type FanOutProgress struct {
	Total, Waiting, Running, Reading, Succeeded, Failed int
}

// QueryAll runs many queries at once within the Client's bounds and returns
// one Result per query, in input order. One query failing does not stop
// the others; cancelling ctx stops them all (each Result then holds the
// context's error or the query's own). progress, when not nil, is called
// from one goroutine at a time whenever a count changes; a query leaving
// Running is reported from the Client's status poller, as its slot is
// given back, so progress must return quickly and must not wait for the
// Client's queries.
func (c *Client) QueryAll(ctx context.Context, queries []string, progress func(FanOutProgress), optFns ...func(*Options)) []Result {
	results := make([]Result, len(queries))
	var mu sync.Mutex
	p := FanOutProgress{Total: len(queries), Waiting: len(queries)}
	report := func(change func(*FanOutProgress)) {
		mu.Lock()
		defer mu.Unlock()
		change(&p)
		if progress != nil {
			progress(p)
		}
	}
	var wg sync.WaitGroup
	for i, sql := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			r := Result{Index: i, SQL: sql}
			defer func() {
				r.Elapsed = time.Since(start)
				results[i] = r
			}()
			if c.parquetPath(sql, c.resolve(optFns)) != ResultsAuto {
				// UNLOAD and CTAS run queries of their own; report them as
				// one step.
				report(func(p *FanOutProgress) { p.Waiting--; p.Running++ })
				r.Frame, r.Err = c.Query(ctx, sql, optFns...)
				report(func(p *FanOutProgress) {
					p.Running--
					if r.Err != nil {
						p.Failed++
					} else {
						p.Succeeded++
					}
				})
				return
			}
			e, err := c.Start(ctx, sql, optFns...)
			if err != nil {
				r.Err = err
				report(func(p *FanOutProgress) { p.Waiting--; p.Failed++ })
				return
			}
			report(func(p *FanOutProgress) { p.Waiting--; p.Running++ })
			// The query leaves Running as its slot is given back, before
			// the next query can take the slot, so Running never exceeds
			// the bound.
			e.onRelease = func(succeeded bool) {
				report(func(p *FanOutProgress) {
					p.Running--
					if succeeded {
						p.Reading++
					} else {
						p.Failed++
					}
				})
			}
			if _, err := e.Wait(ctx); err != nil {
				r.Err = err
				return
			}
			// Wait keeps the final state, so the read does not poll again.
			r.Frame, r.Err = c.readResult(ctx, e, sql, optFns)
			report(func(p *FanOutProgress) {
				p.Reading--
				if r.Err != nil {
					p.Failed++
				} else {
					p.Succeeded++
				}
			})
		}()
	}
	wg.Wait()
	return results
}
