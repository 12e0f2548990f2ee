package retry

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fakeSleep records each wait instead of sleeping.
func fakeSleep(record *[]time.Duration) func(*Options) {
	return func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if record != nil {
				*record = append(*record, d)
			}
			return ctx.Err()
		}
	}
}

// failing returns a function that fails with errs in turn, then succeeds.
func failing(calls *int, errs ...error) func(context.Context) error {
	return func(context.Context) error {
		*calls++
		if *calls <= len(errs) {
			return errs[*calls-1]
		}
		return nil
	}
}

func TestDo(t *testing.T) {
	throttle := apiError("Glue", "ThrottlingException", 400)
	notFound := apiError("Glue", "EntityNotFoundException", 400)
	p := Policy{Interval: time.Second, MaxAttempts: 3}
	tests := []struct {
		name       string
		errs       []error
		wantCalls  int
		wantDelays []time.Duration
		check      func(t *testing.T, err error)
	}{
		{"success at once", nil, 1, nil, func(t *testing.T, err error) {
			if err != nil {
				t.Fatalf("got %v, want nil", err)
			}
		}},
		{"throttled then success", []error{throttle, throttle}, 3, seconds(1, 2), func(t *testing.T, err error) {
			if err != nil {
				t.Fatalf("got %v, want nil", err)
			}
		}},
		{"not retryable is returned unchanged", []error{notFound}, 1, nil, func(t *testing.T, err error) {
			if err != notFound {
				t.Fatalf("got %v, want the attempt's own error", err)
			}
		}},
		{"attempts run out", []error{throttle, throttle, throttle, throttle}, 3, seconds(1, 2), func(t *testing.T, err error) {
			var re *Error
			if !errors.As(err, &re) || re.Attempts != 3 || re.Context != nil {
				t.Fatalf("got %#v, want *Error after 3 attempts", err)
			}
			if !errors.Is(err, throttle) || !IsThrottle(err) {
				t.Fatalf("%v does not keep the last attempt's error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var delays []time.Duration
			err := Do(context.Background(), p, failing(&calls, tt.errs...), fakeSleep(&delays))
			tt.check(t, err)
			if calls != tt.wantCalls {
				t.Errorf("got %d calls, want %d", calls, tt.wantCalls)
			}
			if !closeEnough(delays, tt.wantDelays) {
				t.Errorf("delays %v, want %v", delays, tt.wantDelays)
			}
		})
	}
}

func TestDoStopsAtOnceWhenTheContextEnds(t *testing.T) {
	throttle := apiError("Athena", "TooManyRequestsException", 400)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	done := make(chan error, 1)
	go func() {
		// An hour-long wait with the real timer: only cancellation ends it.
		done <- Do(ctx, Policy{Interval: time.Hour}, failing(&calls, throttle), func(o *Options) {
			o.OnRetry = func(int, time.Duration, error) { cancel() }
		})
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("Do still waiting a minute after its context was cancelled")
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, throttle) {
		t.Fatalf("got %v, want both context.Canceled and the last attempt's error", err)
	}
	var re *Error
	if !errors.As(err, &re) || re.Delay != time.Hour || re.Attempts != 1 || calls != 1 {
		t.Fatalf("got %#v after %d calls", err, calls)
	}
}

func TestDoDoesNotStartAnotherAttemptAfterTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Do(ctx, Policy{}, func(context.Context) error {
		calls++
		cancel()
		return apiError("S3", "SlowDown", 503)
	}, fakeSleep(nil))
	if calls != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v after %d calls, want context.Canceled after 1", err, calls)
	}
}

func TestDoPerAttemptTimeoutUnderStatesTimeout(t *testing.T) {
	rs, err := ParseStepFunctionsRetry([]byte(`[{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}]`))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	err = rs.Do(context.Background(), failing(&calls, context.DeadlineExceeded, context.DeadlineExceeded), fakeSleep(nil))
	if err != nil || calls != 3 {
		t.Fatalf("got %v after %d calls, want success after 3", err, calls)
	}
}

func TestDoRefusesAnInvalidPolicy(t *testing.T) {
	calls := 0
	err := Do(context.Background(), Policy{BackoffRate: 0.1}, failing(&calls))
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Field != "BackoffRate" || calls != 0 {
		t.Fatalf("got %v after %d calls, want a BackoffRate error before any call", err, calls)
	}
}

func TestDoHooks(t *testing.T) {
	throttle := apiError("S3", "SlowDown", 503)
	type event struct {
		attempt int
		delay   time.Duration
		err     error
	}
	var events []event
	var logs bytes.Buffer
	calls := 0
	err := Do(context.Background(), Policy{Interval: 10 * time.Millisecond, Name: "s3"}, failing(&calls, throttle, throttle),
		fakeSleep(nil), func(o *Options) {
			o.OnRetry = func(a int, d time.Duration, err error) { events = append(events, event{a, d, err}) }
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
	if err != nil {
		t.Fatal(err)
	}
	want := []event{{1, 10 * time.Millisecond, throttle}, {2, 20 * time.Millisecond, throttle}}
	if len(events) != len(want) {
		t.Fatalf("got %d OnRetry events, want %d", len(events), len(want))
	}
	for i := range want {
		if events[i] != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, events[i], want[i])
		}
	}
	out := logs.String()
	if strings.Count(out, "msg=retrying") != 2 || !strings.Contains(out, "attempt=2") || !strings.Contains(out, "policy=s3") {
		t.Fatalf("log output:\n%s", out)
	}
}

func TestDoValue(t *testing.T) {
	calls := 0
	v, err := DoValue(context.Background(), Policy{}, func(context.Context) (string, error) {
		calls++
		if calls < 3 {
			return "", statusError(500)
		}
		return "done", nil
	}, fakeSleep(nil))
	if err != nil || v != "done" || calls != 3 {
		t.Fatalf("got %q, %v after %d calls, want \"done\" after 3", v, err, calls)
	}
}

func BenchmarkDoSuccess(b *testing.B) {
	ctx := context.Background()
	p := Policy{Interval: time.Millisecond}
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := Do(ctx, p, fn); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDoValueSuccess(b *testing.B) {
	ctx := context.Background()
	p := Policy{Interval: time.Millisecond}
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DoValue(ctx, p, fn); err != nil {
			b.Fatal(err)
		}
	}
}
