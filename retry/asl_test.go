package retry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const slideRetry = `[
  {
    "ErrorEquals": ["Lambda.TooManyRequestsException", "Lambda.ServiceException"],
    "IntervalSeconds": 2,
    "MaxAttempts": 7,
    "BackoffRate": 1.85
  },
  {
    "ErrorEquals": ["States.ALL"]
  }
]`

func TestParseStepFunctionsRetry(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		want  []Policy // Retryable and Name not compared here
		names []string
	}{
		{
			name: "slide retriers",
			doc:  slideRetry,
			want: []Policy{
				{Interval: 2 * time.Second, MaxAttempts: 8, BackoffRate: 1.85},
				{Interval: time.Second, MaxAttempts: 4, BackoffRate: 2},
			},
			names: []string{"Lambda.TooManyRequestsException,Lambda.ServiceException", "States.ALL"},
		},
		{
			name: "task state object",
			doc: `{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
			       "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3, "MaxAttempts": 0}]}`,
			want:  []Policy{{Interval: 3 * time.Second, MaxAttempts: 1, BackoffRate: 2}},
			names: []string{"States.Timeout"},
		},
		{
			name: "max delay and full jitter",
			doc: `[{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 10,
			        "BackoffRate": 2.0, "MaxDelaySeconds": 30, "JitterStrategy": "FULL", "Comment": "ok"}]`,
			want:  []Policy{{Interval: time.Second, MaxAttempts: 11, BackoffRate: 2, MaxDelay: 30 * time.Second, Jitter: JitterFull}},
			names: []string{"States.TaskFailed"},
		},
		{
			name:  "explicit NONE and whole float interval",
			doc:   `[{"ErrorEquals": ["MyError"], "IntervalSeconds": 2.0, "JitterStrategy": "NONE"}]`,
			want:  []Policy{{Interval: 2 * time.Second, MaxAttempts: 4, BackoffRate: 2}},
			names: []string{"MyError"},
		},
		{
			name: "empty array",
			doc:  `[]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStepFunctionsRetry([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d policies, want %d", len(got), len(tt.want))
			}
			for i, p := range got {
				w := tt.want[i]
				if p.Interval != w.Interval || p.MaxAttempts != w.MaxAttempts || p.BackoffRate != w.BackoffRate ||
					p.MaxDelay != w.MaxDelay || p.Jitter != w.Jitter {
					t.Errorf("policy %d: got %+v, want %+v", i, p, w)
				}
				if p.Name != tt.names[i] {
					t.Errorf("policy %d: name %q, want %q", i, p.Name, tt.names[i])
				}
				if err := p.Validate(); err != nil {
					t.Errorf("policy %d does not validate: %v", i, err)
				}
			}
		})
	}
}

func TestParseStepFunctionsRetryRefuses(t *testing.T) {
	tests := []struct {
		name, doc string
		retrier   int    // -1: not a field error
		field     string // PolicyError.Field
		mention   string // text the message must contain
	}{
		{"not JSON", `[{`, -1, "", "JSON array"},
		{"not an array", `"States.ALL"`, -1, "", "JSON array"},
		{"state without Retry", `{"Type": "Task"}`, -1, "", `no "Retry"`},
		{"retrier not an object", `[1]`, 0, "", "Retry[0]"},
		{"missing ErrorEquals", `[{"IntervalSeconds": 1}]`, 0, "ErrorEquals", "required"},
		{"empty ErrorEquals", `[{"ErrorEquals": []}]`, 0, "ErrorEquals", "required"},
		{"empty name", `[{"ErrorEquals": [""]}]`, 0, "ErrorEquals", "empty"},
		{"ALL not last", `[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]`, 0, "ErrorEquals", "last"},
		{"ALL not alone", `[{"ErrorEquals": ["States.ALL", "X"]}]`, 0, "ErrorEquals", "alone"},
		{"unknown States name", `[{"ErrorEquals": ["States.All"]}]`, 0, "ErrorEquals", "States.All"},
		{"bad qualified name", `[{"ErrorEquals": [".Code"]}]`, 0, "ErrorEquals", "Service"},
		{"zero interval", `[{"ErrorEquals": ["X"], "IntervalSeconds": 0}]`, 0, "IntervalSeconds", "whole number"},
		{"fractional interval", `[{"ErrorEquals": ["X"], "IntervalSeconds": 1.5}]`, 0, "IntervalSeconds", "1.5"},
		{"negative interval", `[{"ErrorEquals": ["X"], "IntervalSeconds": -1}]`, 0, "IntervalSeconds", "-1"},
		{"huge interval", `[{"ErrorEquals": ["X"], "IntervalSeconds": 100000000}]`, 0, "IntervalSeconds", "99999999"},
		{"string interval", `[{"ErrorEquals": ["X"], "IntervalSeconds": "2"}]`, 0, "IntervalSeconds", "wrong JSON type"},
		{"ErrorEquals not a list", `[{"ErrorEquals": "States.ALL"}]`, 0, "ErrorEquals", "wrong JSON type"},
		{"negative attempts", `[{"ErrorEquals": ["X"]}, {"ErrorEquals": ["Y"], "MaxAttempts": -1}]`, 1, "MaxAttempts", "whole number"},
		{"fractional attempts", `[{"ErrorEquals": ["X"], "MaxAttempts": 2.5}]`, 0, "MaxAttempts", "2.5"},
		{"rate below one", `[{"ErrorEquals": ["X"], "BackoffRate": 0.5}]`, 0, "BackoffRate", "at least 1.0"},
		{"zero max delay", `[{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]`, 0, "MaxDelaySeconds", "whole number"},
		{"unknown jitter", `[{"ErrorEquals": ["X"], "JitterStrategy": "DECORRELATED"}]`, 0, "JitterStrategy", "FULL"},
		{"unknown field", `[{"ErrorEquals": ["X"], "Interval": 2}]`, 0, "", "Interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStepFunctionsRetry([]byte(tt.doc))
			if err == nil {
				t.Fatalf("got %d policies and no error", len(got))
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			var pe *PolicyError
			if tt.retrier < 0 {
				if errors.As(err, &pe) {
					t.Errorf("got field error %v, want a document error", err)
				}
				return
			}
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *PolicyError", err)
			}
			if pe.Retrier != tt.retrier || pe.Field != tt.field {
				t.Errorf("got Retry[%d].%s, want Retry[%d].%s", pe.Retrier, pe.Field, tt.retrier, tt.field)
			}
		})
	}
}

type codedError string

func (e codedError) Error() string     { return "coded " + string(e) }
func (e codedError) ErrorCode() string { return string(e) }

func TestErrorNameMapping(t *testing.T) {
	perAttemptTimeout := fmt.Errorf("attempt: %w", context.DeadlineExceeded)
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name    string
		matches []error
		misses  []error
	}{
		{"States.ALL",
			[]error{errors.New("anything"), apiError("Glue", "EntityNotFoundException", 400), perAttemptTimeout},
			[]error{context.Canceled, Permanent(errors.New("x")), apiError("Athena", "InvalidRequestException", 400)}},
		{"States.TaskFailed",
			[]error{errors.New("anything"), apiError("S3", "SlowDown", 503)},
			[]error{perAttemptTimeout, &net.OpError{Op: "read", Err: timeoutError{}}, context.Canceled}},
		{"States.Timeout",
			[]error{perAttemptTimeout, &net.OpError{Op: "read", Err: timeoutError{}}},
			[]error{errors.New("anything"), apiError("S3", "SlowDown", 503)}},
		{"States.Permissions",
			[]error{apiError("S3", "AccessDenied", 403), apiError("Glue", "AccessDeniedException", 400), statusError(403)},
			[]error{statusError(404), errors.New("anything")}},
		{"States.Runtime", nil, []error{errors.New("anything"), apiError("Lambda", "ServiceException", 500)}},
		{"Lambda.TooManyRequestsException",
			[]error{apiError("Lambda", "TooManyRequestsException", 429), codedError("TooManyRequestsException")},
			[]error{apiError("Athena", "TooManyRequestsException", 400), apiError("Lambda", "ServiceException", 500)}},
		{"athena.TooManyRequestsException",
			[]error{apiError("Athena", "TooManyRequestsException", 400)},
			[]error{apiError("Lambda", "TooManyRequestsException", 429)}},
		{"Lambda.SdkClientException",
			[]error{dialRefused},
			[]error{apiError("Lambda", "ServiceException", 500), errors.New("anything")}},
		{"Lambda.AWSLambdaException",
			[]error{apiError("Lambda", "ServiceException", 500), apiError("Lambda", "ResourceNotFoundException", 404)},
			[]error{apiError("Glue", "ServiceException", 500), dialRefused}},
		{"MyError",
			[]error{codedError("MyError"), fmt.Errorf("wrapped: %w", codedError("MyError"))},
			[]error{codedError("MyErrors"), errors.New("MyError")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := errorNameMatcher(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tt.matches {
				if !m(e) {
					t.Errorf("%v: got no match, want a match", e)
				}
			}
			for _, e := range tt.misses {
				if m(e) {
					t.Errorf("%v: got a match, want none", e)
				}
			}
		})
	}
}

// Each retrier counts its own retries, as Step Functions does.
func TestRetriersCountSeparately(t *testing.T) {
	rs, err := ParseStepFunctionsRetry([]byte(slideRetry))
	if err != nil {
		t.Fatal(err)
	}
	throttle := apiError("Lambda", "TooManyRequestsException", 429)
	other := errors.New("downstream failed")
	// 7 throttles (all the first retrier allows), then 3 other failures (all
	// States.ALL allows), then success.
	script := slices.Concat(slices.Repeat([]error{throttle}, 7), slices.Repeat([]error{other}, 3), []error{nil})
	calls := 0
	var delays []time.Duration
	err = rs.Do(context.Background(), func(context.Context) error {
		e := script[calls]
		calls++
		return e
	}, fakeSleep(&delays))
	if err != nil {
		t.Fatalf("got %v, want success", err)
	}
	if calls != 11 {
		t.Fatalf("got %d calls, want 11", calls)
	}
	want := append(seconds(2, 3.7, 6.845, 12.66325, 23.4270125, 43.339973125, 80.17894928125), seconds(1, 2, 4)...)
	if !closeEnough(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}

	// An eighth throttle exhausts the first retrier; States.ALL does not
	// take over, as in Step Functions.
	calls = 0
	err = rs.Do(context.Background(), func(context.Context) error { calls++; return throttle }, fakeSleep(nil))
	var re *Error
	if !errors.As(err, &re) || re.Attempts != 8 || calls != 8 {
		t.Fatalf("got %v after %d calls, want *Error after 8 attempts", err, calls)
	}
	if re.Policy != "Lambda.TooManyRequestsException,Lambda.ServiceException" {
		t.Fatalf("got policy %q", re.Policy)
	}
}

func FuzzParseStepFunctionsRetry(f *testing.F) {
	f.Add([]byte(slideRetry))
	f.Add([]byte(`{"Retry": [{"ErrorEquals": ["States.ALL"], "MaxDelaySeconds": 5, "JitterStrategy": "FULL"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		rs, err := ParseStepFunctionsRetry(doc)
		if err != nil {
			return
		}
		for i, p := range rs {
			if err := p.Validate(); err != nil {
				t.Fatalf("retrier %d parsed but does not validate: %v", i, err)
			}
			n := 0
			for d := range p.Delays(nil) {
				if d < 0 || d > maxDelay {
					t.Fatalf("retrier %d: delay %v out of range", i, d)
				}
				if n++; n > 50 {
					break
				}
			}
			p.Retryable(errors.New("x"))
		}
	})
}
