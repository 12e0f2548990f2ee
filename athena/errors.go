package athena

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped with context; test for them with errors.Is.
var (
	// ErrInvalidType reports a malformed or unknown Athena type name.
	ErrInvalidType = errors.New("invalid Athena type")
	// ErrParameter reports a client-side query parameter that cannot be
	// written as a literal, or a placeholder without a value.
	ErrParameter = errors.New("bad query parameter")
	// ErrResultFormat reports a result file or page that does not have the
	// shape Athena writes.
	ErrResultFormat = errors.New("malformed query result")
)

// QueryError is a query that ended FAILED or CANCELLED, with what Athena
// said about it (AWS-FACTS.md 1.3).
type QueryError struct {
	QueryID string
	// State is FAILED or CANCELLED.
	State string
	// Category is Athena's ErrorCategory: 1 system, 2 user, 3 other.
	Category int32
	// Type is Athena's ErrorType code, 0 when absent.
	Type int32
	// Retryable is Athena's own judgement of whether running the query
	// again may succeed.
	Retryable bool
	// Message is the StateChangeReason or AthenaError message.
	Message string
}

func (e *QueryError) Error() string {
	kind := map[int32]string{1: "system", 2: "user", 3: "other"}[e.Category]
	if kind == "" {
		kind = "unknown"
	}
	msg := fmt.Sprintf("athena: query %s %s (%s error", e.QueryID, e.State, kind)
	if e.Type != 0 {
		msg += fmt.Sprintf(", type %d", e.Type)
	}
	if e.Retryable {
		msg += ", retryable"
	}
	return msg + "): " + e.Message
}

// RetryableError lets the retry package classify the error as Athena does.
func (e *QueryError) RetryableError() bool { return e.Retryable }
