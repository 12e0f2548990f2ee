package retry

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xsemaphore "golang.org/x/sync/semaphore"
)

func TestSemaphoreNeverExceedsItsLimit(t *testing.T) {
	const limit, workers = 20, 200
	sem := NewSemaphore(limit)
	var inFlight, peak atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if err := sem.Acquire(context.Background(), 1); err != nil {
					errs <- err
					return
				}
				n := inFlight.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				if got := sem.InFlight(); got > limit {
					errs <- errors.New("InFlight reported above the limit")
				}
				runtime.Gosched()
				inFlight.Add(-1)
				sem.Release(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if p := peak.Load(); p > limit || p < 1 {
		t.Fatalf("peak in flight %d, want 1..%d", p, limit)
	}
	if got := sem.InFlight(); got != 0 {
		t.Fatalf("InFlight %d after all released, want 0", got)
	}
}

// waitFor polls cond; the tests below use it to know a goroutine is blocked
// in Acquire before acting, not to measure time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSemaphoreServesWaitersInOrder(t *testing.T) {
	sem := NewSemaphore(10)
	if !sem.TryAcquire(5) {
		t.Fatal("TryAcquire(5) on an empty semaphore failed")
	}
	heavy := make(chan error, 1)
	go func() { heavy <- sem.Acquire(context.Background(), 10) }()
	waitFor(t, "the heavy waiter", func() bool { return sem.Waiting() == 1 })

	// A light request that would fit must queue behind the heavy one.
	if sem.TryAcquire(1) {
		t.Fatal("TryAcquire(1) jumped the queue ahead of a waiter")
	}
	sem.Release(5)
	if err := <-heavy; err != nil {
		t.Fatal(err)
	}
	if got := sem.InFlight(); got != 10 {
		t.Fatalf("InFlight %d, want 10", got)
	}
	sem.Release(10)
}

func TestSemaphoreCancelledWaiterHoldsNothing(t *testing.T) {
	sem := NewSemaphore(2)
	sem.TryAcquire(1)
	ctx, cancel := context.WithCancel(context.Background())
	heavy := make(chan error, 1)
	go func() { heavy <- sem.Acquire(ctx, 2) }()
	waitFor(t, "the heavy waiter", func() bool { return sem.Waiting() == 1 })
	light := make(chan error, 1)
	go func() { light <- sem.Acquire(context.Background(), 1) }()
	waitFor(t, "the light waiter", func() bool { return sem.Waiting() == 2 })

	// Cancelling the heavy waiter at the front lets the light one in.
	cancel()
	if err := <-heavy; !errors.Is(err, context.Canceled) {
		t.Fatalf("heavy waiter: got %v, want context.Canceled", err)
	}
	if err := <-light; err != nil {
		t.Fatalf("light waiter: got %v", err)
	}
	if got, w := sem.InFlight(), sem.Waiting(); got != 2 || w != 0 {
		t.Fatalf("InFlight %d Waiting %d, want 2 and 0", got, w)
	}
}

func TestSemaphoreLimits(t *testing.T) {
	sem := NewSemaphore(3)
	if err := sem.Acquire(context.Background(), 4); !errors.Is(err, ErrWeightExceedsLimit) {
		t.Fatalf("weight above limit: got %v, want ErrWeightExceedsLimit", err)
	}
	if err := sem.Acquire(context.Background(), -1); err == nil {
		t.Fatal("negative weight accepted")
	}
	if err := sem.Acquire(context.Background(), 0); err != nil {
		t.Fatalf("zero weight: %v", err)
	}

	sem.TryAcquire(3)
	waiter := make(chan error, 1)
	go func() { waiter <- sem.Acquire(context.Background(), 3) }()
	waitFor(t, "the waiter", func() bool { return sem.Waiting() == 1 })
	sem.SetLimit(2)
	if err := <-waiter; !errors.Is(err, ErrWeightExceedsLimit) {
		t.Fatalf("waiter after the limit shrank below its weight: got %v", err)
	}

	// Growing the limit admits waiters without a Release.
	grown := make(chan error, 1)
	go func() { grown <- sem.Acquire(context.Background(), 2) }()
	waitFor(t, "the waiter", func() bool { return sem.Waiting() == 1 })
	sem.SetLimit(5)
	if err := <-grown; err != nil {
		t.Fatal(err)
	}
	if got := sem.InFlight(); got != 5 {
		t.Fatalf("InFlight %d, want 5", got)
	}
	sem.Release(100)
	if got := sem.InFlight(); got != 0 {
		t.Fatalf("InFlight %d after over-release, want 0", got)
	}
	if got := NewSemaphore(0).Limit(); got != 1 {
		t.Fatalf("NewSemaphore(0).Limit() = %d, want 1", got)
	}
}

func TestSemaphoreAcquireOnDoneContext(t *testing.T) {
	sem := NewSemaphore(1)
	sem.TryAcquire(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sem.Acquire(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if sem.Waiting() != 0 {
		t.Fatal("a done context left a waiter behind")
	}
}

// weighted is what the semaphore benchmarks need of this package's
// Semaphore and of the peer, so both run the very same loop.
type weighted interface {
	Acquire(ctx context.Context, n int64) error
	Release(n int64)
}

func benchAcquireRelease(b *testing.B, sem weighted) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := sem.Acquire(ctx, 1); err != nil {
			b.Fatal(err)
		}
		sem.Release(1)
	}
}

func benchContended(b *testing.B, sem weighted) {
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := sem.Acquire(ctx, 1); err != nil {
				b.Fatal(err)
			}
			sem.Release(1)
		}
	})
}

func BenchmarkSemaphoreAcquireRelease(b *testing.B) { benchAcquireRelease(b, NewSemaphore(20)) }
func BenchmarkSemaphoreContended(b *testing.B)      { benchContended(b, NewSemaphore(4)) }

// The peer: golang.org/x/sync/semaphore, which has a fixed limit and no
// in-flight count.
func BenchmarkPeerXSyncSemaphoreAcquireRelease(b *testing.B) {
	benchAcquireRelease(b, xsemaphore.NewWeighted(20))
}
func BenchmarkPeerXSyncSemaphoreContended(b *testing.B) { benchContended(b, xsemaphore.NewWeighted(4)) }
