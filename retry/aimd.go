package retry

import (
	"context"
	"math"
	"sync"
)

// DefaultDecreaseFactor is the share of its concurrency an AIMD limiter keeps
// after throttling.
const DefaultDecreaseFactor = 0.5

// AIMDOptions tune an AIMD limiter. The zero value means the defaults.
type AIMDOptions struct {
	// Min is the lowest concurrency the limiter cuts to; 0 means 1.
	Min int
	// Initial is the starting concurrency; 0 means the maximum.
	Initial int
	// DecreaseFactor multiplies the concurrency on throttling; 0 means
	// DefaultDecreaseFactor. It must be in (0, 1); other values mean the
	// default.
	DecreaseFactor float64
	// IsThrottle says whether an outcome is throttling; nil means IsThrottle.
	IsThrottle func(error) bool
}

// AIMD is a concurrency limiter that adapts to a service's capacity the way
// TCP congestion control does: additive increase, multiplicative decrease.
// Each success adds 1/limit to the limit, so it grows by one per full window
// of successes; a throttling outcome multiplies it by DecreaseFactor, at most
// once per window (outcomes of work admitted before the last cut do not cut
// again, so one burst of throttles is one signal, not many). The limit stays
// within [Min, max]. Other errors leave it alone.
//
// It is safe for concurrent use.
type AIMD struct {
	sem        *Semaphore
	min, max   float64
	factor     float64
	isThrottle func(error) bool

	mu     sync.Mutex
	window float64 // the limit, fractional so increases accumulate
	epoch  uint64  // incremented by each cut
}

// Permit is the right to run one unit of work, returned by AIMD.Acquire.
// Release it exactly once with the work's outcome.
type Permit struct {
	aimd  *AIMD
	epoch uint64
}

// NewAIMD returns a limiter that never admits more than maxConcurrency at
// once (a value below 1 is raised to 1).
func NewAIMD(maxConcurrency int, optFns ...func(*AIMDOptions)) *AIMD {
	var o AIMDOptions
	for _, f := range optFns {
		f(&o)
	}
	hi := float64(max(maxConcurrency, 1))
	lo := math.Min(float64(max(o.Min, 1)), hi)
	start := hi
	if o.Initial > 0 {
		start = math.Max(lo, math.Min(float64(o.Initial), hi))
	}
	factor := o.DecreaseFactor
	if !(factor > 0 && factor < 1) {
		factor = DefaultDecreaseFactor
	}
	isThrottle := o.IsThrottle
	if isThrottle == nil {
		isThrottle = IsThrottle
	}
	return &AIMD{
		sem:        NewSemaphore(int64(start)),
		min:        lo,
		max:        hi,
		factor:     factor,
		isThrottle: isThrottle,
		window:     start,
	}
}

// Acquire waits for room under the current limit or for ctx to be done.
func (a *AIMD) Acquire(ctx context.Context) (Permit, error) {
	if err := a.sem.Acquire(ctx, 1); err != nil {
		return Permit{}, err
	}
	a.mu.Lock()
	epoch := a.epoch
	a.mu.Unlock()
	return Permit{aimd: a, epoch: epoch}, nil
}

// TryAcquire takes a permit if there is room now.
func (a *AIMD) TryAcquire() (Permit, bool) {
	if !a.sem.TryAcquire(1) {
		return Permit{}, false
	}
	a.mu.Lock()
	epoch := a.epoch
	a.mu.Unlock()
	return Permit{aimd: a, epoch: epoch}, true
}

// Release frees the permit and feeds the outcome of the work to the limiter:
// nil grows the limit, a throttling error cuts it. Releasing the zero Permit
// does nothing.
func (p Permit) Release(outcome error) {
	a := p.aimd
	if a == nil {
		return
	}
	a.mu.Lock()
	switch {
	case outcome == nil:
		a.window = math.Min(a.max, a.window+1/a.window)
	case a.isThrottle(outcome) && p.epoch == a.epoch:
		a.window = math.Max(a.min, math.Floor(a.window*a.factor))
		a.epoch++
	}
	a.sem.SetLimit(int64(a.window))
	a.mu.Unlock()
	a.sem.Release(1)
}

// Do runs fn under a permit and releases it with fn's error.
func (a *AIMD) Do(ctx context.Context, fn func(context.Context) error) error {
	p, err := a.Acquire(ctx)
	if err != nil {
		return err
	}
	err = fn(ctx)
	p.Release(err)
	return err
}

// Limit returns the current concurrency limit.
func (a *AIMD) Limit() int { return int(a.sem.Limit()) }

// InFlight returns the number of permits held.
func (a *AIMD) InFlight() int { return int(a.sem.InFlight()) }
