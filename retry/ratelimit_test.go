package retry

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestRateLimiterBurstThenEmpty(t *testing.T) {
	// One token per ~17 minutes: nothing refills during the test.
	r := NewRateLimiter(0.001, 3)
	for i := range 3 {
		if !r.Allow() {
			t.Fatalf("call %d of a burst of 3 refused", i+1)
		}
	}
	if r.Allow() {
		t.Fatal("a fourth call allowed from an empty bucket")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.Wait(ctx); err == nil {
		t.Fatal("Wait succeeded although no token can arrive before the deadline")
	}
	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if err := r.Wait(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestRateLimiterArguments(t *testing.T) {
	unlimited := NewRateLimiter(0, 0)
	for i := range 1000 {
		if !unlimited.Allow() {
			t.Fatalf("call %d refused by an unlimited limiter", i)
		}
	}
	if !math.IsInf(unlimited.Rate(), 1) || unlimited.Burst() != 1 {
		t.Fatalf("got rate %v burst %d, want +Inf and 1", unlimited.Rate(), unlimited.Burst())
	}
	r := NewRateLimiter(20, 80)
	if r.Rate() != 20 || r.Burst() != 80 {
		t.Fatalf("got rate %v burst %d, want 20 and 80", r.Rate(), r.Burst())
	}
	r.SetRate(5)
	if r.Rate() != 5 {
		t.Fatalf("SetRate(5): rate %v", r.Rate())
	}
	r.SetRate(-1)
	if !math.IsInf(r.Rate(), 1) {
		t.Fatalf("SetRate(-1): rate %v, want +Inf", r.Rate())
	}
}
