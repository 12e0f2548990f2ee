package retry

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func seconds(fs ...float64) []time.Duration {
	out := make([]time.Duration, len(fs))
	for i, f := range fs {
		out[i] = time.Duration(f * float64(time.Second))
	}
	return out
}

// closeEnough allows for float64 rounding when a delay becomes nanoseconds.
func closeEnough(got, want []time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if d := got[i] - want[i]; d < -time.Microsecond || d > time.Microsecond {
			return false
		}
	}
	return true
}

func TestDelaysWithoutJitter(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		want   []time.Duration
	}{
		{
			// The schedule quoted in the issue for Step Functions settings
			// IntervalSeconds 2, BackoffRate 1.85, MaxAttempts 7 (retries):
			// 2 x 1.85^k for k = 0..6.
			name:   "slide settings",
			policy: Policy{Interval: 2 * time.Second, BackoffRate: 1.85, MaxAttempts: 8},
			want:   seconds(2, 3.7, 6.845, 12.66325, 23.4270125, 43.339973125, 80.17894928125),
		},
		{
			// Step Functions defaults (AWS-FACTS.md section 5): 1 s, rate 2, 3 retries.
			name:   "zero policy is the Step Functions default",
			policy: Policy{},
			want:   seconds(1, 2, 4),
		},
		{
			name:   "max delay caps growth",
			policy: Policy{Interval: time.Second, MaxAttempts: 7, MaxDelay: 5 * time.Second},
			want:   seconds(1, 2, 4, 5, 5, 5),
		},
		{
			name:   "rate 1 is a constant interval",
			policy: Policy{Interval: 300 * time.Millisecond, BackoffRate: 1, MaxAttempts: 4},
			want:   seconds(0.3, 0.3, 0.3),
		},
		{
			name:   "one attempt never retries",
			policy: Policy{MaxAttempts: 1},
			want:   nil,
		},
		{
			name:   "max delay below interval",
			policy: Policy{Interval: 10 * time.Second, MaxAttempts: 3, MaxDelay: 4 * time.Second},
			want:   seconds(4, 4),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Collect(tt.policy.Delays(nil))
			if !closeEnough(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDelaysSaturateInsteadOfOverflowing(t *testing.T) {
	p := Policy{Interval: time.Second, BackoffRate: 10, MaxAttempts: 200}
	var prev time.Duration
	n := 0
	for d := range p.Delays(nil) {
		n++
		if d < prev {
			t.Fatalf("retry %d: delay %v fell below previous %v", n, d, prev)
		}
		if d > maxDelay {
			t.Fatalf("retry %d: delay %v above the ceiling %v", n, d, maxDelay)
		}
		prev = d
	}
	if n != 199 {
		t.Fatalf("got %d delays, want 199", n)
	}
	if prev != maxDelay {
		t.Fatalf("last delay %v, want the ceiling %v", prev, maxDelay)
	}
}

func TestFullJitterStaysUnderTheExponentialDelay(t *testing.T) {
	p := Policy{Interval: 500 * time.Millisecond, BackoffRate: 3, MaxAttempts: 9, MaxDelay: time.Minute, Jitter: JitterFull}
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 200; run++ {
		n := 0
		for d := range p.Delays(rng.Float64) {
			n++
			bound := math.Min(0.5*math.Pow(3, float64(n-1)), 60) * float64(time.Second)
			if d < 0 || float64(d) >= bound {
				t.Fatalf("run %d retry %d: delay %v outside [0, %v)", run, n, d, time.Duration(bound))
			}
		}
	}
	half := slices.Collect(Policy{Interval: 2 * time.Second, MaxAttempts: 3, Jitter: JitterFull}.Delays(func() float64 { return 0.5 }))
	if want := seconds(1, 2); !closeEnough(half, want) {
		t.Fatalf("random 0.5: got %v, want %v", half, want)
	}
}

func TestDecorrelatedJitterBounds(t *testing.T) {
	base, ceiling := 100*time.Millisecond, 3*time.Second
	p := Policy{Interval: base, MaxAttempts: 30, MaxDelay: ceiling, Jitter: JitterDecorrelated}
	rng := rand.New(rand.NewPCG(3, 4))
	sawCeilingRegion := false
	for run := 0; run < 200; run++ {
		prev := base
		for d := range p.Delays(rng.Float64) {
			upper := min(3*prev, ceiling)
			if d < base || d > upper {
				t.Fatalf("run %d: delay %v outside [%v, %v]", run, d, base, upper)
			}
			if d > ceiling/2 {
				sawCeilingRegion = true
			}
			prev = d
		}
	}
	if !sawCeilingRegion {
		t.Fatal("decorrelated delays never grew past half the cap in 200 runs of 29 retries")
	}
	// Extremes of the random source give the ends of each range.
	low := slices.Collect(p.Delays(func() float64 { return 0 }))
	for i, d := range low {
		if d != base {
			t.Fatalf("random 0: retry %d delay %v, want %v", i+1, d, base)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		field  string // "" means valid
	}{
		{"zero", Policy{}, ""},
		{"full", Policy{Interval: time.Second, MaxAttempts: 5, BackoffRate: 1.5, MaxDelay: time.Minute, Jitter: JitterFull}, ""},
		{"negative interval", Policy{Interval: -time.Second}, "Interval"},
		{"negative attempts", Policy{MaxAttempts: -1}, "MaxAttempts"},
		{"rate below one", Policy{BackoffRate: 0.5}, "BackoffRate"},
		{"negative rate", Policy{BackoffRate: -2}, "BackoffRate"},
		{"NaN rate", Policy{BackoffRate: math.NaN()}, "BackoffRate"},
		{"infinite rate", Policy{BackoffRate: math.Inf(1)}, "BackoffRate"},
		{"negative max delay", Policy{MaxDelay: -1}, "MaxDelay"},
		{"unknown jitter", Policy{Jitter: Jitter(7)}, "Jitter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *PolicyError", err)
			}
			if pe.Field != tt.field || !strings.Contains(err.Error(), "Policy."+tt.field) {
				t.Fatalf("got field %q (%v), want %q", pe.Field, err, tt.field)
			}
		})
	}
}

func TestBackoffIsPerOperation(t *testing.T) {
	p := Policy{Interval: time.Second, MaxAttempts: 3}
	a, b := p.NewBackoff(nil), p.NewBackoff(nil)
	d1, _ := a.Next()
	d2, _ := a.Next()
	e1, _ := b.Next()
	if d1 != time.Second || d2 != 2*time.Second || e1 != time.Second {
		t.Fatalf("got %v %v and %v, want 1s 2s and 1s", d1, d2, e1)
	}
	if _, ok := a.Next(); ok {
		t.Fatal("a third delay from a policy of 3 attempts")
	}
}
