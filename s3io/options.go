package s3io

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/gowrangler/wrangler/retry"
)

// Defaults used when the matching Options field is zero.
const (
	// DefaultConcurrency bounds the requests one call has in flight.
	DefaultConcurrency = 8
	// DefaultPartSize is the multipart part size, and the size up to which an
	// upload is a single PutObject.
	DefaultPartSize = 8 << 20
	// MinPartSize is the smallest part S3 accepts for any part but the last
	// (AWS-FACTS.md 3.4); a smaller PartSize is raised to it.
	MinPartSize = 5 << 20
	// MaxParts is the most parts a multipart upload can have (AWS-FACTS.md
	// 3.4); a Writer grows its part size so that a stream up to 5 TiB fits.
	MaxParts = 10000
	// MaxDeleteKeys is the most keys one DeleteObjects request takes
	// (AWS-FACTS.md 3.3).
	MaxDeleteKeys = 1000
)

// DefaultRetry is the retry policy used when Options.Retry is the zero
// Policy: four attempts, 100 ms doubling to at most 5 s, full jitter. It
// retries what retry.IsRetryable accepts (throttling, 5xx, dropped
// connections). The SDK client's own retryer runs inside each attempt; give
// the client aws.Config.Retryer = retry.NewSDKRetryer(...) or
// RetryMaxAttempts = 1 to let one policy decide alone.
var DefaultRetry = retry.Policy{
	Interval:    100 * time.Millisecond,
	MaxAttempts: 4,
	BackoffRate: 2,
	MaxDelay:    5 * time.Second,
	Jitter:      retry.JitterFull,
	Name:        "s3io",
}

// SSE selects server-side encryption for objects the package writes.
type SSE int

const (
	// SSEDefault sends no encryption header: the bucket's default applies.
	SSEDefault SSE = iota
	// SSES3 asks for SSE-S3 (AES256, keys managed by S3).
	SSES3
	// SSEKMS asks for SSE-KMS with Options.KMSKeyID, or the account's AWS
	// managed key when KMSKeyID is empty.
	SSEKMS
)

// String names the encryption as S3 does.
func (s SSE) String() string {
	switch s {
	case SSES3:
		return string(types.ServerSideEncryptionAes256)
	case SSEKMS:
		return string(types.ServerSideEncryptionAwsKms)
	}
	return "default"
}

// Progress reports long work: an upload, a scan of many objects, a delete
// of many keys. Fields that do not apply to the operation are zero.
type Progress struct {
	// Op names the operation: "upload", "scan", "delete", "copy".
	Op string
	// URL is the object or pattern the operation works on.
	URL string
	// Bytes is how many bytes have been transferred (uploaded or read) so far.
	Bytes int64
	// Objects is how many objects are done so far.
	Objects int
	// Rows is how many rows have been decoded so far.
	Rows int64
	// Done is true in the last report of an operation that succeeded.
	Done bool
}

// Options configure a Client and, through the per-call functions, one call.
// The zero value of each field means its documented default.
type Options struct {
	// Concurrency bounds the requests one call has in flight (parts of an
	// upload, objects of a scan, ranges of a Parquet read, delete batches);
	// 0 means DefaultConcurrency.
	Concurrency int
	// PartSize is the multipart part size in bytes; 0 means DefaultPartSize
	// and values below MinPartSize are raised to it. It is the first part
	// size of a Writer (which doubles it every 900 parts, up to 5 GiB, so
	// that 5 TiB fits in 10,000 parts) and the part size of a multipart
	// copy. A Writer holds at most Concurrency+1 buffers of its current part
	// size.
	PartSize int64
	// Retry is the policy for each request; the zero Policy means
	// DefaultRetry. Set MaxAttempts to 1 to disable retries.
	Retry retry.Policy
	// SSE and KMSKeyID choose server-side encryption for written objects.
	SSE      SSE
	KMSKeyID string
	// ExpectedBucketOwner, when set, is sent with every request so that a
	// request to a bucket owned by another account fails (403) instead of
	// reading or writing someone else's data.
	ExpectedBucketOwner string
	// IfNoneMatch makes writers refuse to replace an existing object
	// (If-None-Match: *, AWS-FACTS.md 3.6): the write fails with
	// ErrPreconditionFailed and the old object stays.
	IfNoneMatch bool
	// Progress, when set, receives reports of long work. It is called from one
	// goroutine at a time per call and must not block for long.
	Progress func(Progress)
	// Logger, when set, logs requests at Debug and retries and aborts at Info
	// or Warn. Nil logs nothing. Credentials and signed URLs are never logged.
	Logger *slog.Logger
}

// Client reads and writes S3 objects through an SDK client. It is safe for
// concurrent use; it holds no state besides its options.
type Client struct {
	api     API
	options Options
}

// New returns a Client over an SDK S3 client (normally *s3.Client) with the
// given options applied over the zero Options.
func New(client API, optFns ...func(*Options)) *Client {
	c := &Client{api: client}
	for _, fn := range optFns {
		if fn != nil {
			fn(&c.options)
		}
	}
	return c
}

// Options returns a copy of the client's options.
func (c *Client) Options() Options { return c.options }

// resolve returns the client's options with a call's functions applied and
// the defaults filled in.
func (c *Client) resolve(optFns []func(*Options)) Options {
	o := c.options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	return o.withDefaults()
}

// withDefaults fills zero fields with their defaults.
func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PartSize <= 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize {
		o.PartSize = MinPartSize
	}
	if isZeroPolicy(o.Retry) {
		o.Retry = DefaultRetry
	}
	return o
}

func isZeroPolicy(p retry.Policy) bool {
	return p.Interval == 0 && p.MaxAttempts == 0 && p.BackoffRate == 0 && p.MaxDelay == 0 &&
		p.Jitter == retry.JitterNone && p.Retryable == nil && p.Name == ""
}

// owner returns ExpectedBucketOwner as the SDK wants it.
func (o Options) owner() *string {
	if o.ExpectedBucketOwner == "" {
		return nil
	}
	return aws.String(o.ExpectedBucketOwner)
}

// sse returns the encryption headers for a write.
func (o Options) sse() (types.ServerSideEncryption, *string) {
	switch o.SSE {
	case SSES3:
		return types.ServerSideEncryptionAes256, nil
	case SSEKMS:
		if o.KMSKeyID != "" {
			return types.ServerSideEncryptionAwsKms, aws.String(o.KMSKeyID)
		}
		return types.ServerSideEncryptionAwsKms, nil
	}
	return "", nil
}

// report calls the progress callback if there is one.
func (o Options) report(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}

// retryOptions passes the logger to retry.Do.
func (o Options) retryOptions() func(*retry.Options) {
	return func(ro *retry.Options) { ro.Logger = o.Logger }
}

// retryDo runs fn under the options' retry policy.
func retryDo(ctx context.Context, o Options, fn func(context.Context) error) error {
	return retry.Do(ctx, o.Retry, fn, o.retryOptions())
}

// retryable reports whether the options' policy retries err.
func retryable(o Options, err error) bool {
	if o.Retry.Retryable != nil {
		return o.Retry.Retryable(err)
	}
	return retry.IsRetryable(err)
}

// maxAttempts is the policy's attempt count.
func maxAttempts(o Options) int { return o.Retry.Retries() + 1 }
