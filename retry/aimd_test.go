package retry

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// simulate runs clients against a service that throttles any request
// arriving while capacity requests are in progress. Time is a tick counter
// and everything runs on one goroutine, so the outcome is deterministic.
type simResult struct {
	minInFlight, maxInFlight int     // service in-flight after warm-up
	meanInFlight             float64 // after warm-up
	completed, throttled     int
	perClient                []int
	longestIdle              int // most consecutive ticks after warm-up with no start
	minLimit                 int
}

func simulate(t *testing.T, a *AIMD, capacity, duration, clients, ticks, warmup int) simResult {
	t.Helper()
	throttle := apiError("Athena", "TooManyRequestsException", 400)
	type request struct {
		permit Permit
		client int
	}
	ending := make(map[int][]request) // tick -> requests finishing then
	res := simResult{minInFlight: capacity + 1, perClient: make([]int, clients), minLimit: a.Limit()}
	inService, next, idle, sum := 0, 0, 0, 0
	for tick := 0; tick < ticks; tick++ {
		for _, r := range ending[tick] {
			inService--
			res.completed++
			res.perClient[r.client]++
			r.permit.Release(nil)
		}
		delete(ending, tick)
		started := false
		for guard := 0; ; guard++ {
			if guard > 10*capacity+1000 {
				t.Fatalf("tick %d: admission loop does not settle", tick)
			}
			p, ok := a.TryAcquire()
			if !ok {
				break
			}
			if inService >= capacity {
				res.throttled++
				p.Release(throttle)
				continue
			}
			inService++
			started = true
			ending[tick+duration] = append(ending[tick+duration], request{p, next % clients})
			next++
		}
		res.minLimit = min(res.minLimit, a.Limit())
		if tick < warmup {
			continue
		}
		if started {
			idle = 0
		} else {
			idle++
			res.longestIdle = max(res.longestIdle, idle)
		}
		res.minInFlight = min(res.minInFlight, inService)
		res.maxInFlight = max(res.maxInFlight, inService)
		sum += inService
	}
	res.meanInFlight = float64(sum) / float64(ticks-warmup)
	return res
}

func TestAIMDSettlesBetweenHalfAndFullCapacity(t *testing.T) {
	const duration, clients, ticks, warmup = 5, 20, 3000, 400
	for _, tc := range []struct {
		capacity, max, initial int
	}{
		{16, 64, 0},  // starts far above capacity
		{16, 64, 1},  // starts at one and grows
		{20, 200, 0}, // the Athena shape: 200 callers' worth against 20
		{7, 50, 3},   // odd capacity
	} {
		t.Run(fmt.Sprintf("capacity %d max %d initial %d", tc.capacity, tc.max, tc.initial), func(t *testing.T) {
			a := NewAIMD(tc.max, func(o *AIMDOptions) { o.Initial = tc.initial })
			r := simulate(t, a, tc.capacity, duration, clients, ticks, warmup)
			t.Logf("in flight %d..%d mean %.1f, %d completed, %d throttled, min limit %d", r.minInFlight, r.maxInFlight, r.meanInFlight, r.completed, r.throttled, r.minLimit)
			half := tc.capacity / 2
			if r.minInFlight < half || r.maxInFlight > tc.capacity {
				t.Errorf("in flight ranged %d..%d, want within %d..%d", r.minInFlight, r.maxInFlight, half, tc.capacity)
			}
			if r.meanInFlight < 0.6*float64(tc.capacity) {
				t.Errorf("mean in flight %.1f, want at least 60%% of capacity %d", r.meanInFlight, tc.capacity)
			}
			if r.throttled*10 > r.completed {
				t.Errorf("%d throttled against %d completed: more than 10%%", r.throttled, r.completed)
			}
			if r.longestIdle > duration {
				t.Errorf("no request started for %d ticks in a row", r.longestIdle)
			}
			for c, n := range r.perClient {
				if n < r.completed/clients-1 {
					t.Errorf("client %d completed %d of %d requests: starved", c, n, r.completed)
				}
			}
			if r.minLimit < 1 {
				t.Errorf("limit fell to %d", r.minLimit)
			}
		})
	}
}

func TestAIMDCutsOncePerWindow(t *testing.T) {
	throttle := apiError("Glue", "ThrottlingException", 400)
	a := NewAIMD(10)
	permits := make([]Permit, 10)
	for i := range permits {
		p, ok := a.TryAcquire()
		if !ok {
			t.Fatalf("permit %d of 10 refused", i)
		}
		permits[i] = p
	}
	if _, ok := a.TryAcquire(); ok {
		t.Fatal("an eleventh permit under a limit of 10")
	}
	for _, p := range permits {
		p.Release(throttle)
	}
	if got := a.Limit(); got != 5 {
		t.Fatalf("after one window of throttles the limit is %d, want 5", got)
	}
	p, _ := a.Acquire(context.Background())
	p.Release(throttle)
	if got := a.Limit(); got != 2 {
		t.Fatalf("after a second cut the limit is %d, want 2", got)
	}
	p, _ = a.Acquire(context.Background())
	p.Release(errors.New("not a throttle"))
	if got := a.Limit(); got != 2 {
		t.Fatalf("a plain error moved the limit to %d", got)
	}
	for range 5 {
		p, _ = a.Acquire(context.Background())
		p.Release(throttle)
	}
	if got := a.Limit(); got != 1 {
		t.Fatalf("repeated cuts left the limit at %d, want the minimum 1", got)
	}
	Permit{}.Release(throttle) // the zero Permit is inert
	if a.InFlight() != 0 {
		t.Fatalf("InFlight %d after all released", a.InFlight())
	}
}

func TestAIMDGrowsOnePerWindow(t *testing.T) {
	a := NewAIMD(100, func(o *AIMDOptions) { o.Initial = 10; o.Min = 4 })
	release := func(n int) {
		for range n {
			p, ok := a.TryAcquire()
			if !ok {
				t.Fatal("permit refused")
			}
			p.Release(nil)
		}
	}
	release(10)
	if got := a.Limit(); got > 11 {
		t.Fatalf("one window of 10 successes grew the limit to %d, want at most 11", got)
	}
	release(22)
	if got := a.Limit(); got < 11 || got > 13 {
		t.Fatalf("about two more windows grew the limit to %d, want 11..13", got)
	}
	release(100_000)
	if got := a.Limit(); got != 100 {
		t.Fatalf("limit %d after long success, want the maximum 100", got)
	}
	throttle := apiError("S3", "SlowDown", 503)
	for range 20 {
		p, _ := a.TryAcquire()
		p.Release(throttle)
	}
	if got := a.Limit(); got != 4 {
		t.Fatalf("limit %d after many cuts, want Min 4", got)
	}
}

func TestAIMDDo(t *testing.T) {
	a := NewAIMD(2)
	want := errors.New("work failed")
	if err := a.Do(context.Background(), func(context.Context) error { return want }); err != want {
		t.Fatalf("got %v, want the work's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.TryAcquire()
	a.TryAcquire()
	if err := a.Do(ctx, func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled with no room", err)
	}
}
