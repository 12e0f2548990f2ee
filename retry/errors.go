package retry

import (
	"errors"
	"fmt"
	"time"
)

// ErrWeightExceedsLimit is returned by Semaphore.Acquire for a weight that
// can never fit under the semaphore's limit.
var ErrWeightExceedsLimit = errors.New("retry: semaphore weight exceeds limit")

// PolicyError reports a Policy or Step Functions retrier field that makes no
// sense.
type PolicyError struct {
	// Retrier is the index of the retrier in a Step Functions Retry array, or
	// -1 for a Policy built in code.
	Retrier int
	Field   string
	Value   string
	Reason  string
}

// Error names the retrier and field that are invalid.
func (e *PolicyError) Error() string {
	if e.Retrier >= 0 && e.Field == "" {
		return fmt.Sprintf("retry: Retry[%d]: %s", e.Retrier, e.Reason)
	}
	if e.Retrier >= 0 && e.Value == "" {
		return fmt.Sprintf("retry: Retry[%d].%s %s", e.Retrier, e.Field, e.Reason)
	}
	if e.Retrier >= 0 {
		return fmt.Sprintf("retry: Retry[%d].%s = %s %s", e.Retrier, e.Field, e.Value, e.Reason)
	}
	return fmt.Sprintf("retry: Policy.%s = %s %s", e.Field, e.Value, e.Reason)
}

// Error is returned by Do when it gives up on a retryable error: the attempts
// ran out, or the context ended while waiting to retry. It unwraps to the
// last attempt's error and, when the context ended, to the context's error,
// so errors.Is(err, context.Canceled) and errors.As(err, &apiErr) both work.
//
// An error the policy does not retry is returned by Do unchanged, not as an
// Error.
type Error struct {
	// Attempts is the number of attempts made.
	Attempts int
	// Last is the error of the last attempt.
	Last error
	// Context is the context's error when the context ended the retries, else
	// nil.
	Context error
	// Delay is the wait that the context interrupted, or 0.
	Delay time.Duration
	// Policy is the Name of the policy that retried the error, if it has one.
	Policy string
}

// Error says how many attempts were made and what the last one returned.
func (e *Error) Error() string {
	name := ""
	if e.Policy != "" {
		name = " (policy " + e.Policy + ")"
	}
	if e.Context != nil {
		return fmt.Sprintf("retry: %v while waiting %v to retry after %d attempts%s: %v",
			e.Context, e.Delay, e.Attempts, name, e.Last)
	}
	return fmt.Sprintf("retry: gave up after %d attempts%s: %v", e.Attempts, name, e.Last)
}

// Unwrap returns the last attempt's error and the context's error, if any.
func (e *Error) Unwrap() []error {
	if e.Context != nil {
		return []error{e.Last, e.Context}
	}
	return []error{e.Last}
}

// permanentError marks an error that must not be retried.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that no policy retries it, whatever its code or
// status. IsThrottle still reports a wrapped throttle, so limiters keep
// learning from it. It returns nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}
