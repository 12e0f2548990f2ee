package retry

import (
	"context"
	"fmt"
	"math"

	"golang.org/x/time/rate"
)

// RateLimiter paces calls with a token bucket, the model AWS uses for its API
// rate quotas: perSecond tokens are added each second up to burst, and each
// call takes one. Athena's StartQueryExecution quota, for instance, is 20
// calls per second with a burst of 80 (AWS-FACTS.md 1.12):
//
//	start := retry.NewRateLimiter(20, 80)
//
// The timing is golang.org/x/time/rate's; this type fixes the shape the
// library's clients use and the meaning of bad arguments. It is safe for
// concurrent use.
type RateLimiter struct {
	limiter *rate.Limiter
}

// NewRateLimiter returns a limiter allowing perSecond calls per second on
// average and burst calls at once. perSecond <= 0 means no limit; burst
// below 1 is raised to 1.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	limit := rate.Limit(perSecond)
	if perSecond <= 0 {
		limit = rate.Inf
	}
	return &RateLimiter{limiter: rate.NewLimiter(limit, max(burst, 1))}
}

// Wait blocks until a call may proceed or ctx is done. It returns at once
// with an error when ctx's deadline would pass before a token arrives.
func (r *RateLimiter) Wait(ctx context.Context) error {
	if err := r.limiter.Wait(ctx); err != nil {
		return fmt.Errorf("retry: rate limiter: %w", err)
	}
	return nil
}

// Allow takes a token if one is available now and reports whether it did.
func (r *RateLimiter) Allow() bool { return r.limiter.Allow() }

// SetRate changes the sustained rate; perSecond <= 0 means no limit. Use it
// to slow down after throttling.
func (r *RateLimiter) SetRate(perSecond float64) {
	if perSecond <= 0 {
		r.limiter.SetLimit(rate.Inf)
		return
	}
	r.limiter.SetLimit(rate.Limit(perSecond))
}

// Rate returns the sustained rate in calls per second (+Inf for no limit).
func (r *RateLimiter) Rate() float64 {
	if limit := r.limiter.Limit(); limit != rate.Inf {
		return float64(limit)
	}
	return math.Inf(1)
}

// Burst returns the bucket size.
func (r *RateLimiter) Burst() int { return r.limiter.Burst() }
