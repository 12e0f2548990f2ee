package retry

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// Semaphore bounds the total weight of work in flight, such as Athena
// queries running at once. Waiters are served first come, first served, so a
// heavy request is not starved by a stream of light ones. Unlike
// golang.org/x/sync/semaphore its limit can change while in use (the AIMD
// limiter relies on that) and it reports what is in flight.
//
// A Semaphore is safe for concurrent use. Its zero value is not usable; call
// NewSemaphore.
type Semaphore struct {
	mu      sync.Mutex
	limit   int64
	held    int64
	waiters list.List // of *semWaiter, oldest first
}

type semWaiter struct {
	n     int64
	err   error         // set before ready is closed when the wait failed
	ready chan struct{} // closed when the weight is granted or refused
}

// NewSemaphore returns a semaphore admitting a total weight of limit; a
// limit below 1 is raised to 1.
func NewSemaphore(limit int64) *Semaphore {
	return &Semaphore{limit: max(limit, 1)}
}

// Acquire waits until weight n fits under the limit, or ctx is done, in
// which case it returns ctx.Err() and holds nothing. A weight larger than the
// limit returns ErrWeightExceedsLimit at once (or, if the limit shrinks below
// it while waiting, then). A weight of 0 returns at once.
func (s *Semaphore) Acquire(ctx context.Context, n int64) error {
	if n < 0 {
		return fmt.Errorf("retry: semaphore weight %d is negative", n)
	}
	if n == 0 {
		return nil
	}
	s.mu.Lock()
	if n > s.limit {
		limit := s.limit
		s.mu.Unlock()
		return fmt.Errorf("%w: weight %d, limit %d", ErrWeightExceedsLimit, n, limit)
	}
	if s.waiters.Len() == 0 && s.held+n <= s.limit {
		s.held += n
		s.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return err
	}
	w := &semWaiter{n: n, ready: make(chan struct{})}
	elem := s.waiters.PushBack(w)
	s.mu.Unlock()

	select {
	case <-w.ready:
		return w.err
	case <-ctx.Done():
		s.mu.Lock()
		select {
		case <-w.ready:
			// Granted while the context ended: give the weight back rather
			// than report success the caller will not act on.
			if w.err == nil {
				s.held -= n
				s.grant()
			}
		default:
			front := s.waiters.Front() == elem
			s.waiters.Remove(elem)
			if front {
				// A heavy waiter at the front may have been holding back
				// lighter ones that now fit.
				s.grant()
			}
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// TryAcquire takes weight n if it fits now and nobody is waiting, and
// reports whether it did.
func (s *Semaphore) TryAcquire(n int64) bool {
	if n < 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiters.Len() == 0 && s.held+n <= s.limit {
		s.held += n
		return true
	}
	return false
}

// Release returns weight n. Releasing more than is held is a caller bug; the
// count stops at zero rather than going negative.
func (s *Semaphore) Release(n int64) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	s.held = max(s.held-n, 0)
	s.grant()
	s.mu.Unlock()
}

// SetLimit changes the limit (a value below 1 is raised to 1). Work already
// in flight is not interrupted: after a cut, new work waits until enough has
// finished. Waiters heavier than the new limit fail with
// ErrWeightExceedsLimit.
func (s *Semaphore) SetLimit(limit int64) {
	s.mu.Lock()
	s.limit = max(limit, 1)
	s.grant()
	s.mu.Unlock()
}

// Limit returns the current limit.
func (s *Semaphore) Limit() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit
}

// InFlight returns the weight currently held.
func (s *Semaphore) InFlight() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// Waiting returns the number of Acquire calls blocked.
func (s *Semaphore) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiters.Len()
}

// grant admits waiters in order while they fit. s.mu must be held.
func (s *Semaphore) grant() {
	for {
		front := s.waiters.Front()
		if front == nil {
			return
		}
		w := front.Value.(*semWaiter)
		switch {
		case w.n > s.limit:
			w.err = fmt.Errorf("%w: weight %d, limit lowered to %d", ErrWeightExceedsLimit, w.n, s.limit)
		case s.held+w.n > s.limit:
			return
		default:
			s.held += w.n
		}
		s.waiters.Remove(front)
		close(w.ready)
	}
}
