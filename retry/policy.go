package retry

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"time"
)

// Defaults of a Policy, taken from the Step Functions retrier (AWS-FACTS.md
// section 5): interval 1 s, 3 retries, backoff rate 2.0, no delay cap, no
// jitter.
const (
	DefaultInterval = time.Second
	// DefaultMaxAttempts counts the first attempt, so it is Step Functions'
	// default of 3 retries plus one.
	DefaultMaxAttempts = 4
	DefaultBackoffRate = 2.0
)

// maxDelay bounds every computed delay when a policy sets no MaxDelay, so
// that a long exponential schedule saturates instead of overflowing
// time.Duration. It is Step Functions' documented upper bound for
// MaxDelaySeconds (about a year).
const maxDelay = 31_622_401 * time.Second

// Jitter says how a computed delay is randomised.
type Jitter int

const (
	// JitterNone uses the computed delay as it is (Step Functions "NONE").
	JitterNone Jitter = iota
	// JitterFull draws the delay uniformly from [0, computed delay), as Step
	// Functions "FULL" does.
	JitterFull
	// JitterDecorrelated draws each delay uniformly from
	// [Interval, 3 × previous delay], capped by MaxDelay: the "decorrelated
	// jitter" of the AWS Architecture Blog's backoff study. It ignores
	// BackoffRate; the growth factor of 3 is part of the method.
	JitterDecorrelated
)

// String returns the name used in Step Functions where there is one.
func (j Jitter) String() string {
	switch j {
	case JitterNone:
		return "NONE"
	case JitterFull:
		return "FULL"
	case JitterDecorrelated:
		return "DECORRELATED"
	}
	return fmt.Sprintf("Jitter(%d)", int(j))
}

// Policy says how often and how long to wait before retrying an operation,
// with the fields of a Step Functions retrier.
//
// The zero value of each field means its documented default, so Policy{} is
// the Step Functions default retrier.
//
// MaxAttempts counts attempts including the first one, as the AWS SDK does:
// MaxAttempts 1 never retries, MaxAttempts 4 retries up to three times. Step
// Functions' own MaxAttempts counts retries only; ParseStepFunctionsRetry adds
// the first attempt when it converts, so an ASL retrier with MaxAttempts 3
// becomes a Policy with MaxAttempts 4 and behaves the same.
//
// A Policy is a value: copy it freely. It is safe for concurrent use when its
// Retryable function is.
type Policy struct {
	// Interval is the delay before the first retry; 0 means DefaultInterval.
	Interval time.Duration
	// MaxAttempts is the number of attempts including the first; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// BackoffRate multiplies the delay after each retry; 0 means
	// DefaultBackoffRate. It must be at least 1.
	BackoffRate float64
	// MaxDelay caps each delay after backoff; 0 means no cap (delays still
	// saturate at about a year rather than overflow).
	MaxDelay time.Duration
	// Jitter randomises the delays; the zero value is JitterNone.
	Jitter Jitter
	// Retryable reports whether an error should be retried; nil means
	// IsRetryable. Whatever it says, context.Canceled is never retried, and
	// nothing is retried once the context of the call is done.
	Retryable func(error) bool
	// Name labels the policy in logs and errors, such as the ErrorEquals list
	// of the Step Functions retrier it came from. Optional.
	Name string
}

// interval, attempts and rate resolve the zero-means-default fields.
func (p Policy) interval() time.Duration {
	if p.Interval == 0 {
		return DefaultInterval
	}
	return p.Interval
}

func (p Policy) attempts() int {
	if p.MaxAttempts == 0 {
		return DefaultMaxAttempts
	}
	return p.MaxAttempts
}

func (p Policy) rate() float64 {
	if p.BackoffRate == 0 {
		return DefaultBackoffRate
	}
	return p.BackoffRate
}

func (p Policy) ceiling() time.Duration {
	if p.MaxDelay == 0 || p.MaxDelay > maxDelay {
		return maxDelay
	}
	return p.MaxDelay
}

// Retries returns how many retries the policy allows after the first attempt.
func (p Policy) Retries() int { return p.attempts() - 1 }

// matches reports whether the policy retries err, before any limit on
// attempts.
func (p Policy) matches(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if p.Retryable == nil {
		return IsRetryable(err)
	}
	return p.Retryable(err)
}

// Validate reports the first field that makes no sense, naming it. Zero
// fields are valid: they mean the defaults.
func (p Policy) Validate() error {
	switch {
	case p.Interval < 0:
		return &PolicyError{Retrier: -1, Field: "Interval", Value: p.Interval.String(), Reason: "must not be negative"}
	case p.MaxAttempts < 0:
		return &PolicyError{Retrier: -1, Field: "MaxAttempts", Value: fmt.Sprint(p.MaxAttempts),
			Reason: "must be at least 1 (the first attempt counts; 0 means DefaultMaxAttempts)"}
	case math.IsNaN(p.BackoffRate) || math.IsInf(p.BackoffRate, 0):
		return &PolicyError{Retrier: -1, Field: "BackoffRate", Value: fmt.Sprint(p.BackoffRate), Reason: "must be a finite number"}
	case p.BackoffRate != 0 && p.BackoffRate < 1:
		return &PolicyError{Retrier: -1, Field: "BackoffRate", Value: fmt.Sprint(p.BackoffRate),
			Reason: "must be at least 1.0 (0 means DefaultBackoffRate)"}
	case p.MaxDelay < 0:
		return &PolicyError{Retrier: -1, Field: "MaxDelay", Value: p.MaxDelay.String(), Reason: "must not be negative"}
	case p.Jitter < JitterNone || p.Jitter > JitterDecorrelated:
		return &PolicyError{Retrier: -1, Field: "Jitter", Value: p.Jitter.String(), Reason: "is not one of JitterNone, JitterFull, JitterDecorrelated"}
	}
	return nil
}

// Backoff computes successive retry delays of one operation under a policy.
// It is not safe for concurrent use; make one per operation.
type Backoff struct {
	policy Policy
	random func() float64
	retry  int           // retries already scheduled
	prev   time.Duration // the previous delay, for decorrelated jitter
}

// NewBackoff returns the delay schedule of p for one operation. random must
// return numbers in [0, 1); nil means math/rand/v2.Float64. Tests pass a
// seeded source to make jittered schedules repeatable.
func (p Policy) NewBackoff(random func() float64) *Backoff {
	b := &Backoff{}
	b.reset(p, random)
	return b
}

func (b *Backoff) reset(p Policy, random func() float64) {
	if random == nil {
		random = rand.Float64
	}
	*b = Backoff{policy: p, random: random}
}

// Next returns the delay before the next retry, and false once the policy
// allows no more retries.
func (b *Backoff) Next() (time.Duration, bool) {
	if b.retry >= b.policy.Retries() {
		return 0, false
	}
	b.retry++
	b.prev = b.policy.delay(b.retry, b.prev, b.random)
	return b.prev, true
}

// delay computes the delay before retry n (1-based); prev is the previous
// delay, used by decorrelated jitter only.
func (p Policy) delay(n int, prev time.Duration, random func() float64) time.Duration {
	ceiling := p.ceiling()
	switch p.Jitter {
	case JitterFull:
		return time.Duration(random() * float64(exponential(p, n, ceiling)))
	case JitterDecorrelated:
		base := min(p.interval(), ceiling)
		prev = max(prev, base)
		upper := min(3*float64(prev), float64(ceiling))
		return base + time.Duration(random()*(upper-float64(base)))
	default:
		return exponential(p, n, ceiling)
	}
}

// exponential is Interval × BackoffRate^(n-1), capped at ceiling.
func exponential(p Policy, n int, ceiling time.Duration) time.Duration {
	d := float64(p.interval()) * math.Pow(p.rate(), float64(n-1))
	if d >= float64(ceiling) || math.IsInf(d, 0) || math.IsNaN(d) {
		return ceiling
	}
	return time.Duration(d)
}

// Delays yields the delay before each retry the policy allows, in order,
// without sleeping. random is as for NewBackoff. With Interval 2 s,
// BackoffRate 1.85, no jitter and 7 retries it yields 2 s, 3.7 s, 6.845 s and
// so on.
func (p Policy) Delays(random func() float64) iter.Seq[time.Duration] {
	return func(yield func(time.Duration) bool) {
		b := p.NewBackoff(random)
		for d, ok := b.Next(); ok; d, ok = b.Next() {
			if !yield(d) {
				return
			}
		}
	}
}
