package s3io

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/retry"
)

// testRetry retries fast so that fault tests do not sleep.
var testRetry = retry.Policy{Interval: time.Millisecond, MaxAttempts: 3, MaxDelay: 5 * time.Millisecond}

// startS3 starts a localaws stack with the bucket "lake" for one test and
// returns it with an SDK client (its own retries off, so that this
// package's policy decides) and a Client over it.
func startS3(t testing.TB, optFns ...func(*Options)) (*localaws.Stack, *s3.Client, *Client) {
	t.Helper()
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) { o.Buckets = []string{"lake", "other"} })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	sc := s3.NewFromConfig(st.Config(), localaws.PathStyle, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	opts := append([]func(*Options){func(o *Options) { o.Retry = testRetry }}, optFns...)
	return st, sc, New(sc, opts...)
}

// putObject stores body under bucket/key directly through the SDK.
func putObject(t testing.TB, sc *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	_, err := sc.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// getObject reads bucket/key through the SDK.
func getObject(t testing.TB, sc *s3.Client, bucket, key string) ([]byte, error) {
	t.Helper()
	out, err := sc.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(out.Body)
	return b.Bytes(), err
}
