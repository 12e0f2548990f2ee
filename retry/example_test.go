package retry_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gowrangler/wrangler/retry"
)

func ExampleDo() {
	ctx := context.Background()
	policy := retry.Policy{Interval: 10 * time.Millisecond, MaxAttempts: 5}
	calls := 0
	err := retry.Do(ctx, policy, func(ctx context.Context) error {
		calls++
		if calls < 3 {
			// What the Glue client returns when the API rate is exceeded.
			return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return nil
	}, func(o *retry.Options) {
		o.OnRetry = func(attempt int, delay time.Duration, err error) {
			fmt.Printf("attempt %d failed (%v); retrying in %v\n", attempt, err, delay)
		}
	})
	fmt.Println("calls:", calls, "error:", err)
	// Output:
	// attempt 1 failed (api error ThrottlingException: Rate exceeded); retrying in 10ms
	// attempt 2 failed (api error ThrottlingException: Rate exceeded); retrying in 20ms
	// calls: 3 error: <nil>
}

func ExampleParseStepFunctionsRetry() {
	// The Retry field of a Task state, moved into code unchanged.
	rs, err := retry.ParseStepFunctionsRetry([]byte(`[
	  {"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "MaxAttempts": 7, "BackoffRate": 1.85},
	  {"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range rs {
		fmt.Printf("%s: %d retries:", p.Name, p.Retries())
		for d := range p.Delays(nil) {
			fmt.Printf(" %.4gs", d.Seconds())
		}
		fmt.Println()
	}

	_, err = retry.ParseStepFunctionsRetry([]byte(`[{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}]`))
	fmt.Println(err)
	// Output:
	// Lambda.TooManyRequestsException: 7 retries: 2s 3.7s 6.845s 12.66s 23.43s 43.34s 80.18s
	// States.ALL: 2 retries: 1s 2s
	// retry: Retry[0].BackoffRate = 0.5 must be a number of at least 1.0
}

func ExampleNewSDKRetryer() {
	// A stand-in for S3 that is busy twice, then answers.
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
			return
		}
		io.WriteString(w, "hello")
	}))
	defer srv.Close()

	retryer, err := retry.NewSDKRetryer(retry.Policy{Interval: 5 * time.Millisecond, MaxAttempts: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")),
		config.WithRetryer(func() aws.Retryer { return retryer }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Body.Close()
	body, _ := io.ReadAll(out.Body)
	fmt.Printf("%s after %d requests\n", body, requests.Load())
	// Output:
	// hello after 3 requests
}

func ExampleAIMD() {
	// At most 20 queries at once; fewer while Athena says
	// TooManyRequestsException, growing back as queries succeed.
	limiter := retry.NewAIMD(20)
	throttled := &smithy.GenericAPIError{Code: "TooManyRequestsException"}
	permit, _ := limiter.Acquire(context.Background())
	permit.Release(throttled)
	fmt.Println("limit after throttling:", limiter.Limit())

	for range 10 {
		_ = limiter.Do(context.Background(), func(ctx context.Context) error { return nil })
	}
	fmt.Println("limit after ten successes:", limiter.Limit())
	// Output:
	// limit after throttling: 10
	// limit after ten successes: 10
}
