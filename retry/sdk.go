package retry

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	sdkretry "github.com/aws/aws-sdk-go-v2/aws/retry"
)

// The retry quota the SDK's standard retryer uses in aws-sdk-go-v2 v1.48
// (aws/retry/standard.go): a bucket of 500 tokens, 14 taken by a retry after
// a transient error, 5 by a retry after throttling, given back when the retry
// succeeds, and 1 added by every successful attempt.
const (
	DefaultRetryQuota          uint = sdkretry.DefaultRetryRateTokens
	DefaultRetryCost           uint = 14
	DefaultThrottlingRetryCost uint = sdkretry.DefaultThrottlingRetryCost
	DefaultNoRetryIncrement    uint = sdkretry.DefaultNoRetryIncrement
)

// SDKOptions configure an SDKRetryer. The zero value means the defaults.
type SDKOptions struct {
	// RetryQuota is the client-side retry budget shared by every request made
	// through the retryer. When it is empty a retryable error is returned
	// instead of retried, which stops retry storms while a service is down.
	// Nil means a new bucket of DefaultRetryQuota tokens; ratelimit.None turns
	// the budget off so that only the Policy decides.
	RetryQuota sdkretry.RateLimiter
	// RetryCost and ThrottlingRetryCost are the tokens one retry takes; 0
	// means DefaultRetryCost and DefaultThrottlingRetryCost.
	RetryCost           uint
	ThrottlingRetryCost uint
	// Random returns numbers in [0, 1) for jitter and must be safe for
	// concurrent use; nil means math/rand/v2.Float64.
	Random func() float64
	// OnRetry, when set, is called with the number of the failed attempt, the
	// delay before the next and the error, from the goroutine of the request.
	OnRetry func(attempt int, delay time.Duration, err error)
}

// SDKRetryer applies a Policy to every request of AWS SDK clients: it is an
// aws.RetryerV2 for config.WithRetryer or a client's Options.Retryer. It
// retries what the policy's Retryable accepts (IsRetryable by default), makes
// at most MaxAttempts attempts per request (the SDK also counts the first),
// and waits the policy's delays. The SDK's own retry loop does the waiting,
// honouring the request's context.
//
// Like the SDK's standard retryer it draws each retry from a retry quota
// (SDKOptions.RetryQuota), so a service that is failing for everyone gets
// fewer retries, not more; the Policy's MaxAttempts still bounds each request.
// Decorrelated jitter needs the previous delay, which the SDK does not pass,
// so here it draws from [Interval, min(MaxDelay, Interval×3^n)), the range
// the decorrelated sequence can reach by retry n.
//
// An SDKRetryer is safe for concurrent use by many clients.
type SDKRetryer struct {
	policy  Policy
	options SDKOptions
}

var _ aws.RetryerV2 = (*SDKRetryer)(nil)

// NewSDKRetryer returns a retryer following p, or a *PolicyError if p is
// invalid.
func NewSDKRetryer(p Policy, optFns ...func(*SDKOptions)) (*SDKRetryer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var o SDKOptions
	for _, f := range optFns {
		f(&o)
	}
	if o.RetryQuota == nil {
		o.RetryQuota = ratelimit.NewTokenRateLimit(DefaultRetryQuota)
	}
	if o.RetryCost == 0 {
		o.RetryCost = DefaultRetryCost
	}
	if o.ThrottlingRetryCost == 0 {
		o.ThrottlingRetryCost = DefaultThrottlingRetryCost
	}
	if o.Random == nil {
		o.Random = rand.Float64
	}
	return &SDKRetryer{policy: p, options: o}, nil
}

// IsErrorRetryable reports whether the policy retries err.
func (r *SDKRetryer) IsErrorRetryable(err error) bool { return r.policy.matches(err) }

// MaxAttempts returns the policy's MaxAttempts, which counts the first
// attempt as the SDK expects.
func (r *SDKRetryer) MaxAttempts() int { return r.policy.attempts() }

// RetryDelay returns the wait after failed attempt number attempt (1-based).
func (r *SDKRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	n := max(attempt, 1)
	var prev time.Duration
	if r.policy.Jitter == JitterDecorrelated && n > 1 {
		// The largest delay the decorrelated sequence can reach by retry n-1.
		base := float64(min(r.policy.interval(), r.policy.ceiling()))
		prev = time.Duration(min(base*math.Pow(3, float64(n-1)), float64(r.policy.ceiling())))
	}
	d := r.policy.delay(n, prev, r.options.Random)
	if r.options.OnRetry != nil {
		r.options.OnRetry(attempt, d, err)
	}
	return d, nil
}

// GetRetryToken takes a retry's cost from the retry quota; it fails when the
// quota is empty, and the SDK then returns the error without retrying.
func (r *SDKRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	cost := r.options.RetryCost
	if IsThrottle(opErr) {
		cost = r.options.ThrottlingRetryCost
	}
	refund, err := r.options.RetryQuota.GetToken(ctx, cost)
	if err != nil {
		return nil, err
	}
	return func(err error) error {
		if err != nil {
			return nil
		}
		return refund()
	}, nil
}

// GetInitialToken returns a release function that adds DefaultNoRetryIncrement
// tokens to the quota when the attempt succeeds.
func (r *SDKRetryer) GetInitialToken() func(error) error {
	return func(err error) error {
		if err != nil {
			return nil
		}
		return r.options.RetryQuota.AddTokens(DefaultNoRetryIncrement)
	}
}

// GetAttemptToken is called before every attempt; a successful attempt adds
// DefaultNoRetryIncrement tokens to the quota. (The SDK's own retryer adds
// them for first attempts only; it can tell them apart through metadata
// internal to the SDK.)
func (r *SDKRetryer) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.GetInitialToken(), nil
}
