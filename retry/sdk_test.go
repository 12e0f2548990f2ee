package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const slowDownBody = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>`

// s3Server answers the first failures requests with 503 SlowDown and the
// rest with an object body, counting requests.
func s3Server(t *testing.T, failures int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= failures {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, slowDownBody)
			return
		}
		io.WriteString(w, "hello")
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func s3Client(url string, r aws.Retryer) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      r,
	})
}

func getObject(ctx context.Context, c *s3.Client) (string, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("key")})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func TestSDKRetryerWithS3(t *testing.T) {
	fast := Policy{Interval: time.Millisecond, MaxAttempts: 4}

	t.Run("503 SlowDown twice then 200", func(t *testing.T) {
		srv, requests := s3Server(t, 2)
		r, err := NewSDKRetryer(fast)
		if err != nil {
			t.Fatal(err)
		}
		body, err := getObject(context.Background(), s3Client(srv.URL, r))
		if err != nil || body != "hello" {
			t.Fatalf("got %q, %v; want hello", body, err)
		}
		if n := requests.Load(); n != 3 {
			t.Fatalf("got %d requests, want 3", n)
		}
	})

	t.Run("always throttled stops after MaxAttempts", func(t *testing.T) {
		srv, requests := s3Server(t, 1<<40)
		var retries []int
		r, _ := NewSDKRetryer(fast, func(o *SDKOptions) {
			o.OnRetry = func(attempt int, _ time.Duration, _ error) { retries = append(retries, attempt) }
		})
		_, err := getObject(context.Background(), s3Client(srv.URL, r))
		if !IsThrottle(err) {
			t.Fatalf("got %v, want the SlowDown error", err)
		}
		if n := requests.Load(); n != 4 {
			t.Fatalf("got %d requests, want MaxAttempts 4", n)
		}
		if len(retries) != 3 || retries[0] != 1 || retries[2] != 3 {
			t.Fatalf("OnRetry saw attempts %v, want [1 2 3]", retries)
		}
	})

	t.Run("an empty retry quota stops retries", func(t *testing.T) {
		srv, requests := s3Server(t, 1<<40)
		// A throttling retry costs 5 tokens: 12 tokens pay for two.
		r, _ := NewSDKRetryer(Policy{Interval: time.Millisecond, MaxAttempts: 10}, func(o *SDKOptions) {
			o.RetryQuota = ratelimit.NewTokenRateLimit(12)
		})
		_, err := getObject(context.Background(), s3Client(srv.URL, r))
		if err == nil {
			t.Fatal("got success from a server that always throttles")
		}
		if n := requests.Load(); n != 3 {
			t.Fatalf("got %d requests, want 3 (one plus two paid retries)", n)
		}
	})

	t.Run("not retryable", func(t *testing.T) {
		var requests atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<Error><Code>NoSuchKey</Code><Message>no</Message></Error>`)
		}))
		defer srv.Close()
		r, _ := NewSDKRetryer(fast)
		_, err := getObject(context.Background(), s3Client(srv.URL, r))
		if err == nil || requests.Load() != 1 {
			t.Fatalf("got %v after %d requests, want an error after 1", err, requests.Load())
		}
	})
}

func TestSDKRetryerDelays(t *testing.T) {
	throttle := apiError("Athena", "ThrottlingException", 400)
	r, err := NewSDKRetryer(Policy{Interval: 2 * time.Second, BackoffRate: 1.85, MaxAttempts: 8})
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxAttempts() != 8 {
		t.Fatalf("MaxAttempts %d, want 8", r.MaxAttempts())
	}
	var got []time.Duration
	for attempt := 1; attempt <= 7; attempt++ {
		d, err := r.RetryDelay(attempt, throttle)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d)
	}
	if want := seconds(2, 3.7, 6.845, 12.66325, 23.4270125, 43.339973125, 80.17894928125); !closeEnough(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}

	base, ceiling := 50*time.Millisecond, 10*time.Second
	rng := rand.New(rand.NewPCG(5, 6))
	dec, _ := NewSDKRetryer(Policy{Interval: base, MaxAttempts: 20, MaxDelay: ceiling, Jitter: JitterDecorrelated},
		func(o *SDKOptions) { o.Random = rng.Float64 })
	for attempt := 1; attempt < 20; attempt++ {
		upper := base
		for range attempt {
			upper = min(3*upper, ceiling)
		}
		for range 50 {
			d, _ := dec.RetryDelay(attempt, throttle)
			if d < base || d > upper {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, base, upper)
			}
		}
	}
	if !dec.IsErrorRetryable(throttle) || dec.IsErrorRetryable(context.Canceled) {
		t.Fatal("IsErrorRetryable disagrees with the policy")
	}
	if _, err := NewSDKRetryer(Policy{Interval: -1}); err == nil {
		t.Fatal("an invalid policy was accepted")
	}
}

func TestSDKRetryerQuotaAccounting(t *testing.T) {
	quota := ratelimit.NewTokenRateLimit(100)
	r, _ := NewSDKRetryer(Policy{}, func(o *SDKOptions) { o.RetryQuota = quota })
	ctx := context.Background()

	release, err := r.GetRetryToken(ctx, apiError("S3", "SlowDown", 503))
	if err != nil || quota.Remaining() != 100-DefaultThrottlingRetryCost {
		t.Fatalf("throttling retry: err %v, remaining %d", err, quota.Remaining())
	}
	release(nil) // the retry succeeded: refund
	if quota.Remaining() != 100 {
		t.Fatalf("remaining %d after refund, want 100", quota.Remaining())
	}
	release, _ = r.GetRetryToken(ctx, statusError(500))
	release(errors.New("failed again")) // no refund
	if want := 100 - DefaultRetryCost; quota.Remaining() != want {
		t.Fatalf("remaining %d, want %d", quota.Remaining(), want)
	}
	attempt, _ := r.GetAttemptToken(ctx)
	attempt(nil)
	if want := 100 - DefaultRetryCost + DefaultNoRetryIncrement; quota.Remaining() != want {
		t.Fatalf("remaining %d after a successful attempt, want %d", quota.Remaining(), want)
	}
}
