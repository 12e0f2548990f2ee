package retry

import (
	"context"
	"log/slog"
	"time"
)

// Options tune one Do call. The zero value is ready to use.
type Options struct {
	// OnRetry, when set, is called after a failed attempt that will be
	// retried, before the wait: attempt is the number of the attempt that
	// failed (1 for the first), delay the wait before the next one, err its
	// error. Use it for metrics; it runs on the calling goroutine.
	OnRetry func(attempt int, delay time.Duration, err error)
	// Logger, when set, logs each retry at Info level with the attempt, the
	// delay, the policy name and the error. Nil logs nothing.
	Logger *slog.Logger
	// Sleep waits for d or until ctx is done, returning ctx.Err() in the
	// latter case; nil means a timer. Tests inject a fake clock here.
	Sleep func(ctx context.Context, d time.Duration) error
	// Random returns numbers in [0, 1) for jitter; nil means
	// math/rand/v2.Float64. It is called from the calling goroutine only.
	Random func() float64
}

// Do calls fn until it succeeds, returns an error p does not retry, or runs
// out of attempts, waiting between attempts as p says. ctx is passed to fn
// and bounds the whole call: once ctx is done no further attempt starts and
// a wait in progress ends at once.
//
// Do returns nil on success; fn's error unchanged when the policy does not
// retry it; and an *Error, wrapping the last attempt's error (and ctx's error
// when ctx ended the retries), when it gives up on a retryable error. An
// invalid policy is reported as a *PolicyError before fn is called.
//
// Do is safe for concurrent use; each call keeps its own schedule.
func Do(ctx context.Context, p Policy, fn func(context.Context) error, optFns ...func(*Options)) error {
	// An array, not a slice literal, so the common single-policy call does
	// not allocate.
	ps := [1]Policy{p}
	return run(ctx, ps[:], fn, optFns)
}

// DoValue is Do for functions that return a value. It returns the value of
// the last attempt along with Do's error.
func DoValue[T any](ctx context.Context, p Policy, fn func(context.Context) (T, error), optFns ...func(*Options)) (T, error) {
	var v T
	err := Do(ctx, p, func(ctx context.Context) error {
		var err error
		v, err = fn(ctx)
		return err
	}, optFns...)
	return v, err
}

// Do runs fn under the retriers as Step Functions would: after each failure
// the first policy that accepts the error decides, counting its own retries.
// Results and errors are as for the package-level Do.
func (r Retriers) Do(ctx context.Context, fn func(context.Context) error, optFns ...func(*Options)) error {
	return run(ctx, r, fn, optFns)
}

func run(ctx context.Context, ps []Policy, fn func(context.Context) error, optFns []func(*Options)) error {
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	// Options and schedules are made on the first failure only, so that a
	// call that succeeds at once allocates nothing.
	var o *Options
	var backoffs []Backoff // one per policy
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		i := matchingPolicy(ps, err)
		if i < 0 {
			return err
		}
		if backoffs == nil {
			o = new(Options)
			for _, f := range optFns {
				f(o)
			}
			backoffs = make([]Backoff, len(ps))
			for j := range ps {
				backoffs[j].reset(ps[j], o.Random)
			}
		}
		delay, ok := backoffs[i].Next()
		if !ok {
			return &Error{Attempts: attempt, Last: err, Policy: ps[i].Name}
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return &Error{Attempts: attempt, Last: err, Context: ctxErr, Policy: ps[i].Name}
		}
		if o.OnRetry != nil {
			o.OnRetry(attempt, delay, err)
		}
		if o.Logger != nil {
			o.Logger.LogAttrs(ctx, slog.LevelInfo, "retrying",
				slog.Int("attempt", attempt), slog.Duration("delay", delay),
				slog.String("policy", ps[i].Name), slog.String("error", err.Error()))
		}
		sleep := o.Sleep
		if sleep == nil {
			sleep = sleepTimer
		}
		if sleepErr := sleep(ctx, delay); sleepErr != nil {
			ctxErr := ctx.Err()
			if ctxErr == nil {
				ctxErr = sleepErr
			}
			return &Error{Attempts: attempt, Last: err, Context: ctxErr, Delay: delay, Policy: ps[i].Name}
		}
	}
}

func matchingPolicy(ps []Policy, err error) int {
	for i := range ps {
		if ps[i].matches(err) {
			return i
		}
	}
	return -1
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
