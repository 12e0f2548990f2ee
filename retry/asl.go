package retry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// Step Functions' bounds on retrier fields (AWS-FACTS.md section 5).
const (
	aslMaxInterval    = 99_999_999
	aslMaxAttempts    = 99_999_999
	aslMaxDelaySecond = 31_622_401
)

// Retriers is an ordered list of policies that behaves like a Step Functions
// Retry field: the first policy whose Retryable accepts an error decides
// whether and when to retry it, and each policy counts its own retries. An
// error that no policy accepts, or whose policy has run out of attempts, ends
// the call.
type Retriers []Policy

// aslRetrier is one element of an Amazon States Language Retry array.
// Pointers tell a missing field (the Step Functions default) from a zero.
type aslRetrier struct {
	ErrorEquals     []string   `json:"ErrorEquals"`
	IntervalSeconds *aslNumber `json:"IntervalSeconds"`
	MaxAttempts     *aslNumber `json:"MaxAttempts"`
	BackoffRate     *aslNumber `json:"BackoffRate"`
	MaxDelaySeconds *aslNumber `json:"MaxDelaySeconds"`
	JitterStrategy  *string    `json:"JitterStrategy"`
	Comment         string     `json:"Comment"`
}

// aslNumber is a JSON number that, unlike json.Number, refuses a quoted
// string: Step Functions rejects "IntervalSeconds": "2".
type aslNumber struct{ json.Number }

func (n *aslNumber) UnmarshalJSON(b []byte) error {
	var num json.Number
	if len(b) == 0 || b[0] == '"' {
		// The decoder adds the field name to this error type.
		return &json.UnmarshalTypeError{Value: "string " + string(b), Type: reflect.TypeFor[float64]()}
	}
	if err := json.Unmarshal(b, &num); err != nil {
		return err
	}
	n.Number = num
	return nil
}

// ParseStepFunctionsRetry converts the Retry field of an Amazon States
// Language state into policies that retry the same errors on the same
// schedule. data is either the Retry array itself or a state object holding
// one under "Retry". The document is checked as Step Functions checks it:
// ErrorEquals present and non-empty, States.ALL alone and in the last
// retrier, whole positive IntervalSeconds and MaxDelaySeconds, a whole
// non-negative MaxAttempts, BackoffRate at least 1.0, JitterStrategy FULL or
// NONE, and no unknown fields; the first problem is returned as a
// *PolicyError naming the retrier and field.
//
// Missing fields take Step Functions' defaults (interval 1 s, 3 retries,
// rate 2.0, no cap, no jitter). Step Functions' MaxAttempts counts retries;
// the returned Policy.MaxAttempts counts the first attempt too, so it is one
// more, and an ASL MaxAttempts of 0 (never retry) becomes 1.
//
// Error names map to Go errors as follows:
//   - States.ALL: every error except context.Canceled, errors wrapped by
//     Permanent, and InvalidRequestException (a malformed request never
//     succeeds on a retry).
//   - States.TaskFailed: the same, except timeouts.
//   - States.Timeout: context.DeadlineExceeded from a per-attempt deadline,
//     and network timeouts. (The deadline of the context given to Do ends
//     the retries instead.)
//   - States.Permissions: AccessDenied, AccessDeniedException and HTTP 403.
//   - The other States.* names (HeartbeatTimeout, Runtime, DataLimitExceeded,
//     BranchFailed, NoChoiceMatched, IntrinsicFailure, ParameterPathFailure,
//     ResultPathMatchFailure, ItemReaderFailed, ResultWriterFailed,
//     ExceedToleratedFailureThreshold, QueryEvaluationError) describe the
//     state machine itself; they are accepted and match no Go error. An
//     unknown States.* name is refused, so a typo such as "States.All" is
//     not silently ignored.
//   - "<Service>.<Code>", such as Lambda.TooManyRequestsException or
//     Athena.TooManyRequestsException: an API error with that code, from that
//     service when the error carries a smithy.OperationError (its ServiceID
//     compared without case).
//   - "<Service>.SdkClientException" (the Java SDK's client-side failure):
//     a transient network error, as IsRetryable defines it.
//   - "Lambda.AWSLambdaException" (the Java SDK's base class of Lambda service
//     errors): any API error from Lambda.
//   - Any other name: an error in the chain whose ErrorCode() equals it, so
//     your own error types can take part by having that method.
func ParseStepFunctionsRetry(data []byte) (Retriers, error) {
	raw := bytes.TrimSpace(data)
	if len(raw) > 0 && raw[0] == '{' {
		var state struct {
			Retry json.RawMessage `json:"Retry"`
		}
		if err := json.Unmarshal(raw, &state); err != nil {
			return nil, fmt.Errorf("retry: state object: %w", err)
		}
		if state.Retry == nil {
			return nil, errors.New(`retry: state object has no "Retry" field`)
		}
		raw = state.Retry
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, fmt.Errorf("retry: Retry must be a JSON array of retriers: %w", err)
	}
	out := make(Retriers, 0, len(elems))
	for i, elem := range elems {
		p, err := parseRetrier(i, elem, i == len(elems)-1)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func parseRetrier(i int, elem json.RawMessage, last bool) (Policy, error) {
	fail := func(field, value, reason string) (Policy, error) {
		return Policy{}, &PolicyError{Retrier: i, Field: field, Value: value, Reason: reason}
	}
	var r aslRetrier
	dec := json.NewDecoder(bytes.NewReader(elem))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return fail(typeErr.Field, "", "has the wrong JSON type: got "+typeErr.Value)
		}
		return fail("", "", err.Error())
	}
	if len(r.ErrorEquals) == 0 {
		return fail("ErrorEquals", "", "is required and must name at least one error")
	}
	matchers := make([]func(error) bool, 0, len(r.ErrorEquals))
	for _, name := range r.ErrorEquals {
		if name == "States.ALL" && (len(r.ErrorEquals) > 1 || !last) {
			return fail("ErrorEquals", `"States.ALL"`, "must appear alone and in the last retrier")
		}
		m, err := errorNameMatcher(name)
		if err != nil {
			return fail("ErrorEquals", fmt.Sprintf("%q", name), err.Error())
		}
		matchers = append(matchers, m)
	}
	p := Policy{
		Interval:    DefaultInterval,
		MaxAttempts: 3 + 1,
		BackoffRate: DefaultBackoffRate,
		Name:        strings.Join(r.ErrorEquals, ","),
		Retryable: func(err error) bool {
			for _, m := range matchers {
				if m(err) {
					return true
				}
			}
			return false
		},
	}
	if r.IntervalSeconds != nil {
		n, ok := wholeNumber(r.IntervalSeconds.Number, 1, aslMaxInterval)
		if !ok {
			return fail("IntervalSeconds", r.IntervalSeconds.String(), fmt.Sprintf("must be a whole number from 1 to %d", aslMaxInterval))
		}
		p.Interval = time.Duration(n) * time.Second
	}
	if r.MaxAttempts != nil {
		n, ok := wholeNumber(r.MaxAttempts.Number, 0, aslMaxAttempts)
		if !ok {
			return fail("MaxAttempts", r.MaxAttempts.String(), fmt.Sprintf("must be a whole number from 0 to %d", aslMaxAttempts))
		}
		p.MaxAttempts = int(n) + 1
	}
	if r.BackoffRate != nil {
		f, err := r.BackoffRate.Float64()
		if err != nil || f < 1 || math.IsInf(f, 0) {
			return fail("BackoffRate", r.BackoffRate.String(), "must be a number of at least 1.0")
		}
		p.BackoffRate = f
	}
	if r.MaxDelaySeconds != nil {
		n, ok := wholeNumber(r.MaxDelaySeconds.Number, 1, aslMaxDelaySecond)
		if !ok {
			return fail("MaxDelaySeconds", r.MaxDelaySeconds.String(), fmt.Sprintf("must be a whole number from 1 to %d", aslMaxDelaySecond))
		}
		p.MaxDelay = time.Duration(n) * time.Second
	}
	if r.JitterStrategy != nil {
		switch *r.JitterStrategy {
		case "NONE":
			p.Jitter = JitterNone
		case "FULL":
			p.Jitter = JitterFull
		default:
			return fail("JitterStrategy", fmt.Sprintf("%q", *r.JitterStrategy), `must be "FULL" or "NONE"`)
		}
	}
	return p, nil
}

// wholeNumber parses a JSON number that must be an integer in [lo, hi]; Step
// Functions refuses 1.5 seconds rather than rounding it.
func wholeNumber(n json.Number, lo, hi int64) (int64, bool) {
	v, err := n.Int64()
	if err != nil {
		// Accept 2.0 as Step Functions does, but nothing with a fraction.
		f, ferr := n.Float64()
		if ferr != nil || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
			return 0, false
		}
		v = int64(f)
	}
	return v, v >= lo && v <= hi
}

// stateMachineErrors are States.* names that only the state machine raises;
// they parse, and no Go error matches them.
var stateMachineErrors = map[string]bool{
	"States.HeartbeatTimeout":                true,
	"States.Runtime":                         true,
	"States.DataLimitExceeded":               true,
	"States.BranchFailed":                    true,
	"States.NoChoiceMatched":                 true,
	"States.IntrinsicFailure":                true,
	"States.ParameterPathFailure":            true,
	"States.ResultPathMatchFailure":          true,
	"States.ItemReaderFailed":                true,
	"States.ResultWriterFailed":              true,
	"States.ExceedToleratedFailureThreshold": true,
	"States.QueryEvaluationError":            true,
}

// errorNameMatcher turns one ErrorEquals name into a test on Go errors; the
// mapping is documented on ParseStepFunctionsRetry.
func errorNameMatcher(name string) (func(error) bool, error) {
	switch {
	case name == "":
		return nil, errors.New("must not be empty")
	case name == "States.ALL":
		return retriableByAnyPolicy, nil
	case name == "States.TaskFailed":
		return func(err error) bool { return retriableByAnyPolicy(err) && !isTimeout(err) }, nil
	case name == "States.Timeout":
		return isTimeout, nil
	case name == "States.Permissions":
		return isPermissionDenied, nil
	case stateMachineErrors[name]:
		return func(error) bool { return false }, nil
	case strings.HasPrefix(name, "States."):
		return nil, errors.New("is not a Step Functions error name")
	}
	service, code, qualified := strings.Cut(name, ".")
	if !qualified {
		return func(err error) bool { c, ok := errorCode(err); return ok && c == name }, nil
	}
	if service == "" || code == "" {
		return nil, errors.New(`must be "<Service>.<ErrorCode>" or a plain error name`)
	}
	fromService := func(err error) bool {
		id, ok := serviceID(err)
		return !ok || strings.EqualFold(id, service)
	}
	switch {
	case code == "SdkClientException":
		return func(err error) bool { return isTransientNetworkError(err) && fromService(err) }, nil
	case name == "Lambda.AWSLambdaException":
		return func(err error) bool { _, ok := errorCode(err); return ok && fromService(err) }, nil
	}
	return func(err error) bool {
		c, ok := errorCode(err)
		return ok && c == code && fromService(err)
	}, nil
}

// retriableByAnyPolicy is what even a catch-all retrier should retry.
func retriableByAnyPolicy(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || isPermanent(err) {
		return false
	}
	code, ok := errorCode(err)
	return !ok || !neverRetriedCodes[code]
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func isPermissionDenied(err error) bool {
	if code, ok := errorCode(err); ok && (code == "AccessDenied" || code == "AccessDeniedException") {
		return true
	}
	status, ok := httpStatus(err)
	return ok && status == http.StatusForbidden
}
