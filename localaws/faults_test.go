package localaws

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestInjectThrottleCountsAndSDKRetries(t *testing.T) {
	st, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	put(t, c, "bkt", "k", []byte("hello"))
	st.ResetCounters()

	st.Inject(Fault{Op: "s3:GetObject", Kind: Throttle, Times: 2})
	for i := range 2 {
		_, err := get(ctx, c, "bkt", "k", "")
		var re interface{ HTTPStatusCode() int }
		if apiCode(err) != "SlowDown" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
			t.Fatalf("call %d: got %v, want 503 SlowDown", i+1, err)
		}
	}
	if got, err := get(ctx, c, "bkt", "k", ""); err != nil || string(got) != "hello" {
		t.Fatalf("after the fault is used up: %q, %v", got, err)
	}
	if n := st.Calls("s3:GetObject"); n != 3 {
		t.Fatalf("Calls(s3:GetObject) = %d, want 3", n)
	}

	// With the SDK's default retryer, two throttles are absorbed: three
	// requests, one success.
	st.ResetCounters()
	st.Inject(Fault{Op: "s3:*", Kind: Throttle, Times: 2})
	retrying := s3.NewFromConfig(st.Config(), PathStyle)
	if got, err := get(ctx, retrying, "bkt", "k", ""); err != nil || string(got) != "hello" {
		t.Fatalf("default retryer: %q, %v", got, err)
	}
	if n := st.Calls("s3:*"); n != 3 {
		t.Fatalf("Calls(s3:*) = %d, want 3", n)
	}
}

func TestInjectServerErrorsAndRemove(t *testing.T) {
	st, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	remove := st.Inject(Fault{Op: "*", Kind: InternalError})
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")})
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("got %v, want HTTP 500", err)
	}
	remove()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatalf("after remove: %v", err)
	}
	st.Inject(Fault{Op: "s3:HeadBucket", Kind: Unavailable, Times: 1})
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")})
	if !errors.As(err, &re) || re.HTTPStatusCode() != 503 {
		t.Fatalf("got %v, want HTTP 503", err)
	}
}

func TestInjectGlueThrottle(t *testing.T) {
	st, _ := startStack(t)
	gc := glue.NewFromConfig(st.Config(), func(o *glue.Options) { o.RetryMaxAttempts = 1 })
	st.Inject(Fault{Op: "glue:GetDatabases", Kind: Throttle, Times: 1})
	_, err := gc.GetDatabases(context.Background(), &glue.GetDatabasesInput{})
	if apiCode(err) != "ThrottlingException" {
		t.Fatalf("got %v, want ThrottlingException", err)
	}
	if n := st.Calls("glue:GetDatabases"); n != 1 {
		t.Fatalf("Calls = %d, want 1", n)
	}
}

func TestInjectDropConnectionMidBody(t *testing.T) {
	st, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	body := strings.Repeat("0123456789", 1000)
	put(t, c, "bkt", "k", []byte(body))
	st.ResetCounters()
	st.Inject(Fault{Op: "s3:GetObject", Kind: DropConnection, Times: 1})
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err == nil {
		_, err = io.ReadAll(out.Body)
		out.Body.Close()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF from a cut body", err)
	}
	if n := st.BytesServed("s3:GetObject"); n != int64(len(body)/2) {
		t.Fatalf("BytesServed = %d, want half the body, %d", n, len(body)/2)
	}
	if got, err := get(ctx, c, "bkt", "k", ""); err != nil || string(got) != body {
		t.Fatalf("next GetObject: %d bytes, %v", len(got), err)
	}
}

func TestInjectLatencyAndFraction(t *testing.T) {
	st, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	st.Inject(Fault{Op: "s3:HeadBucket", Kind: Latency, Latency: 50 * time.Millisecond, Times: 1})
	start := time.Now()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("request took %v, want at least the injected 50ms", d)
	}

	hits := func() int {
		remove := st.Inject(Fault{Op: "s3:HeadBucket", Kind: Throttle, Fraction: 0.3, Seed: 7})
		defer remove()
		n := 0
		for range 200 {
			if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")}); err != nil {
				n++
			}
		}
		return n
	}
	first, second := hits(), hits()
	if first != second {
		t.Fatalf("the same seed hit %d then %d requests", first, second)
	}
	if first < 30 || first > 90 {
		t.Fatalf("fraction 0.3 hit %d of 200", first)
	}
}

func TestUnknownTarget(t *testing.T) {
	st, _ := startStack(t)
	req, _ := http.NewRequest(http.MethodPost, st.URL(), strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

func TestInjectAccessDenied(t *testing.T) {
	st, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	put(t, c, "bkt", "k", []byte("hello"))
	st.Inject(Fault{Op: "s3:GetObject", Kind: AccessDenied, Times: 1})
	_, err := get(ctx, c, "bkt", "k", "")
	var re interface{ HTTPStatusCode() int }
	if apiCode(err) != "AccessDenied" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("got %v, want 403 AccessDenied", err)
	}
	if got, err := get(ctx, c, "bkt", "k", ""); err != nil || string(got) != "hello" {
		t.Fatalf("after the fault is used up: %q, %v", got, err)
	}

	st.Inject(Fault{Op: "glue:GetDatabases", Kind: AccessDenied, Times: 1})
	gc := glue.NewFromConfig(st.Config(), func(o *glue.Options) { o.RetryMaxAttempts = 1 })
	if _, err := gc.GetDatabases(ctx, &glue.GetDatabasesInput{}); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("Glue: got %v, want AccessDeniedException", err)
	}
}
