package s3io

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/gowrangler/wrangler/frame"
	"golang.org/x/sync/errgroup"
)

// The S3 conformance suite: the same test functions run against every S3
// backend, localaws in-process always and a real MinIO server when
// WRANGLER_S3_ENDPOINT names one (make test starts it; see .ci/minio.sh),
// so that a difference between the emulator and a real server is a failing
// test. Expected behaviour comes from AWS-FACTS.md section 3; where MinIO
// itself departs from S3 the test says so next to a narrow exception.

// backend is one S3 server the suite runs against, with a fresh, empty
// bucket for the test at hand.
type backend struct {
	// name is "localaws" or "minio".
	name string
	// sc is an SDK client with its own retries off (the Client's policy
	// decides, as in the rest of this package's tests).
	sc *s3.Client
	// bucket exists and is empty when the test starts.
	bucket string
}

// client returns a Client over api (normally b.sc) with the tests' fast
// retry policy and optFns.
func (b backend) client(api API, optFns ...func(*Options)) *Client {
	return New(api, append([]func(*Options){func(o *Options) { o.Retry = testRetry }}, optFns...)...)
}

// url returns the s3:// URL of key in the test's bucket.
func (b backend) url(key string) string { return "s3://" + b.bucket + "/" + key }

// put stores body under key through the SDK.
func (b backend) put(t testing.TB, key string, body []byte) {
	t.Helper()
	_, err := b.sc.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(key), Body: bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("%s: put %s: %v", b.name, key, err)
	}
}

// putMany stores keys (each with its own key as the body) 16 at a time.
func (b backend) putMany(t testing.TB, keys []string) {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(16)
	for _, k := range keys {
		g.Go(func() error {
			_, err := b.sc.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String(b.bucket), Key: aws.String(k), Body: strings.NewReader(k),
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("%s: put %d keys: %v", b.name, len(keys), err)
	}
}

// get reads key through the SDK.
func (b backend) get(key string) ([]byte, error) {
	out, err := b.sc.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// openUploads lists the bucket's incomplete multipart uploads.
func (b backend) openUploads(t testing.TB) []string {
	t.Helper()
	out, err := b.sc.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b.bucket)})
	if err != nil {
		t.Fatalf("%s: ListMultipartUploads: %v", b.name, err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

// conformanceTests is the suite. Each function gets a backend with a fresh
// bucket and must not assume anything else about the server.
var conformanceTests = []struct {
	name string
	fn   func(t *testing.T, b backend)
}{
	{"PutGet", testConformancePutGet},
	{"RangedGet", testConformanceRangedGet},
	{"ListPaging", testConformanceListPaging},
	{"DeleteBatches", testConformanceDeleteBatches},
	{"CopySpecialKeys", testConformanceCopySpecialKeys},
	{"MultipartWriter", testConformanceMultipartWriter},
	{"MultipartAbortOnFailure", testConformanceMultipartAbortOnFailure},
	{"MultipartPartTooSmall", testConformanceMultipartPartTooSmall},
	{"MultipartCopy", testConformanceMultipartCopy},
	{"MultipartCopyAbort", testConformanceMultipartCopyAbort},
	{"IfNoneMatchPut", testConformanceIfNoneMatchPut},
	{"IfNoneMatchMultipart", testConformanceIfNoneMatchMultipart},
	{"TextRoundTrips", testConformanceTextRoundTrips},
	{"ParquetRoundTrip", testConformanceParquetRoundTrip},
}

// TestConformanceLocalaws runs the suite against localaws, each test on a
// stack of its own.
func TestConformanceLocalaws(t *testing.T) {
	for _, tt := range conformanceTests {
		t.Run(tt.name, func(t *testing.T) {
			_, sc, _ := startS3(t)
			tt.fn(t, newBackendBucket(t, "localaws", sc))
		})
	}
}

// TestConformanceMinIO runs the suite against the S3 server at
// WRANGLER_S3_ENDPOINT (make test starts MinIO and sets it, with
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Each test gets a bucket of
// its own, emptied and removed afterwards.
func TestConformanceMinIO(t *testing.T) {
	endpoint := os.Getenv("WRANGLER_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("WRANGLER_S3_ENDPOINT is not set: no MinIO to run the S3 conformance suite against " +
			"(make integration starts one; or .ci/minio.sh start and export what it prints)")
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	cfg := aws.Config{
		Region: region,
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
	}
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		// A custom endpoint needs path-style addressing (AWS-FACTS.md 3.10).
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
	})
	if _, err := sc.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("S3 server at %s does not answer: %v", endpoint, err)
	}
	for _, tt := range conformanceTests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newBackendBucket(t, "minio", sc))
		})
	}
}

// newBackendBucket creates a bucket with a random name for one test and
// removes it, with whatever the test left in it, when the test ends.
func newBackendBucket(t *testing.T, name string, sc *s3.Client) backend {
	t.Helper()
	var suffix [6]byte
	rand.Read(suffix[:])
	bucket := "conf-" + strings.ToLower(strings.ReplaceAll(t.Name()[strings.LastIndexByte(t.Name(), '/')+1:], "_", "-"))
	bucket = fmt.Sprintf("%.40s-%s", bucket, hex.EncodeToString(suffix[:]))
	ctx := context.Background()
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("%s: create bucket %s: %v", name, bucket, err)
	}
	t.Cleanup(func() { removeBucket(t, sc, bucket) })
	return backend{name: name, sc: sc, bucket: bucket}
}

// removeBucket aborts the bucket's uploads, deletes its objects and the
// bucket itself.
func removeBucket(t *testing.T, sc *s3.Client, bucket string) {
	ctx := context.Background()
	if ups, err := sc.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}); err == nil {
		for _, u := range ups.Uploads {
			sc.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
		}
	}
	p := s3.NewListObjectsV2Paginator(sc, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Logf("cleanup: list %s: %v", bucket, err)
			return
		}
		if len(page.Contents) == 0 {
			break
		}
		ids := make([]types.ObjectIdentifier, len(page.Contents))
		for i, o := range page.Contents {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		if _, err := sc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}}); err != nil {
			t.Logf("cleanup: empty %s: %v", bucket, err)
			return
		}
	}
	if _, err := sc.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Logf("cleanup: delete bucket %s: %v", bucket, err)
	}
}

// errorCode is the S3 error code in err's chain, or "".
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// httpStatusOf is the HTTP status in err's chain, or 0.
func httpStatusOf(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// interceptAPI wraps an API to count DeleteObjects calls, to fail one
// UploadPart or UploadPartCopy and to act just before an UploadPartCopy,
// the same way on every backend.
type interceptAPI struct {
	API
	deleteObjects atomic.Int32
	// failPart, when not zero, is the part number whose UploadPart fails
	// with errInjected before reaching the server.
	failPart int32
	// failPartCopy is the same for UploadPartCopy.
	failPartCopy int32
	// beforePartCopy, when set, runs before each UploadPartCopy is sent,
	// from the copying goroutines.
	beforePartCopy func(part int32)
}

var errInjected = errors.New("injected client-side failure")

func (a *interceptAPI) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	a.deleteObjects.Add(1)
	return a.API.DeleteObjects(ctx, in, optFns...)
}

func (a *interceptAPI) UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	if a.failPart != 0 && aws.ToInt32(in.PartNumber) == a.failPart {
		return nil, errInjected
	}
	return a.API.UploadPart(ctx, in, optFns...)
}

func (a *interceptAPI) UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, optFns ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error) {
	if a.beforePartCopy != nil {
		a.beforePartCopy(aws.ToInt32(in.PartNumber))
	}
	if a.failPartCopy != 0 && aws.ToInt32(in.PartNumber) == a.failPartCopy {
		return nil, errInjected
	}
	return a.API.(partCopyAPI).UploadPartCopy(ctx, in, optFns...)
}

func testConformancePutGet(t *testing.T, b backend) {
	ctx := context.Background()
	c := b.client(b.sc)
	for _, tt := range []struct{ name, key, body string }{
		{"plain", "dir/hello.txt", "hello, s3"},
		{"empty", "dir/empty", ""},
		{"unicode key", "dir/é ü+€.csv", "a,b\n1,2\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := c.Upload(ctx, b.url(tt.key), strings.NewReader(tt.body))
			if err != nil || n != int64(len(tt.body)) {
				t.Fatalf("Upload: got %d, %v; want %d", n, err, len(tt.body))
			}
			var buf bytes.Buffer
			if _, err := c.Download(ctx, b.url(tt.key), &buf); err != nil || buf.String() != tt.body {
				t.Fatalf("Download: got %q, %v; want %q", buf.String(), err, tt.body)
			}
			info, err := c.Describe(ctx, b.url(tt.key))
			if err != nil || info.Size != int64(len(tt.body)) || info.ETag == "" {
				t.Fatalf("Describe: got %+v, %v; want size %d and an ETag", info, err, len(tt.body))
			}
			if ok, err := c.Exists(ctx, b.url(tt.key)); !ok || err != nil {
				t.Fatalf("Exists: got %t, %v; want true", ok, err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		if ok, err := c.Exists(ctx, b.url("missing")); ok || err != nil {
			t.Fatalf("Exists: got %t, %v; want false, nil", ok, err)
		}
		if _, err := c.Describe(ctx, b.url("missing")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Describe: got %v, want ErrNotFound", err)
		}
		if _, err := c.Download(ctx, b.url("missing"), io.Discard); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Download: got %v, want ErrNotFound", err)
		}
		_, err := b.get("missing")
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Fatalf("GetObject: got %v, want NoSuchKey", err)
		}
	})
}

func testConformanceRangedGet(t *testing.T, b backend) {
	ctx := context.Background()
	b.put(t, "ten", []byte("0123456789"))
	for _, tt := range []struct{ rng, want, contentRange string }{
		{"bytes=0-3", "0123", "bytes 0-3/10"},
		{"bytes=7-", "789", "bytes 7-9/10"},
		{"bytes=-4", "6789", "bytes 6-9/10"},
		{"bytes=5-100", "56789", "bytes 5-9/10"},
		{"bytes=9-9", "9", "bytes 9-9/10"},
		// A suffix longer than the object is the whole object, still 206
		// with Content-Range (RFC 9110 14.1.1; AWS-FACTS.md 3.5).
		{"bytes=-65536", "0123456789", "bytes 0-9/10"},
		{"bytes=-10", "0123456789", "bytes 0-9/10"},
	} {
		t.Run(tt.rng, func(t *testing.T) {
			out, err := b.sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String("ten"), Range: aws.String(tt.rng)})
			if err != nil {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			defer out.Body.Close()
			got, err := io.ReadAll(out.Body)
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if cr := aws.ToString(out.ContentRange); cr != tt.contentRange {
				t.Fatalf("got Content-Range %q, want %q", cr, tt.contentRange)
			}
		})
	}
	for _, rng := range []string{"bytes=10-", "bytes=100-200"} {
		t.Run(rng, func(t *testing.T) {
			_, err := b.sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String("ten"), Range: aws.String(rng)})
			if code, status := errorCode(err), httpStatusOf(err); code != "InvalidRange" || status != http.StatusRequestedRangeNotSatisfiable {
				t.Fatalf("got %v (code %q, status %d), want 416 InvalidRange (AWS-FACTS.md 3.5)", err, code, status)
			}
		})
	}
	t.Run("RangeReader", func(t *testing.T) {
		c := b.client(b.sc)
		big := randomBytes(300<<10, 7) // larger than the 64 KiB footer fetch
		b.put(t, "big", big)
		for _, tt := range []struct {
			key  string
			body []byte
		}{{"ten", []byte("0123456789")}, {"big", big}} {
			rr, err := c.NewRangeReader(ctx, b.url(tt.key))
			if err != nil {
				t.Fatalf("%s: %v", tt.key, err)
			}
			if rr.Size() != int64(len(tt.body)) {
				t.Fatalf("%s: got size %d, want %d", tt.key, rr.Size(), len(tt.body))
			}
			for _, off := range []int64{0, 3, int64(len(tt.body)) / 2, int64(len(tt.body)) - 4} {
				p := make([]byte, 4)
				if n, err := rr.ReadAt(p, off); n != 4 || err != nil || !bytes.Equal(p, tt.body[off:off+4]) {
					t.Fatalf("%s: ReadAt(4, %d): got %q, %d, %v; want %q", tt.key, off, p, n, err, tt.body[off:off+4])
				}
			}
			rr.Release()
		}
	})
}

func testConformanceListPaging(t *testing.T, b backend) {
	ctx := context.Background()
	var data []string
	for i := range 1203 {
		data = append(data, fmt.Sprintf("data/%04d.csv", i))
	}
	b.putMany(t, append(slices.Clone(data), "data/sub/x.json", "other/y", "top", "order/B", "order/a", "order/z", "order/é"))
	data = append(data, "data/sub/x.json")

	t.Run("pages of at most 1000", func(t *testing.T) {
		var got []string
		var pages []int
		p := s3.NewListObjectsV2Paginator(b.sc, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String("data/")})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, len(page.Contents))
			for _, o := range page.Contents {
				got = append(got, aws.ToString(o.Key))
			}
		}
		if !slices.Equal(got, data) {
			t.Fatalf("got %d keys %s, want %d %s in order", len(got), firstKeys(got), len(data), firstKeys(data))
		}
		if !slices.Equal(pages, []int{1000, 204}) {
			t.Fatalf("got page sizes %v, want [1000 204] (AWS-FACTS.md 3.2)", pages)
		}
	})
	t.Run("MaxKeys and StartAfter", func(t *testing.T) {
		out, err := b.sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String("data/"), MaxKeys: aws.Int32(7)})
		if err != nil || len(out.Contents) != 7 || !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			t.Fatalf("MaxKeys 7: got %d keys, truncated %t, %v", len(out.Contents), aws.ToBool(out.IsTruncated), err)
		}
		out, err = b.sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String("data/"), StartAfter: aws.String("data/1200.csv")})
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if err != nil || !slices.Equal(keys, []string{"data/1201.csv", "data/1202.csv", "data/sub/x.json"}) {
			t.Fatalf("StartAfter: got %q, %v", keys, err)
		}
	})
	t.Run("delimiter", func(t *testing.T) {
		out, err := b.sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		var prefixes, keys []string
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if !slices.Equal(prefixes, []string{"data/", "order/", "other/"}) || !slices.Equal(keys, []string{"top"}) {
			t.Fatalf("got prefixes %q and keys %q, want [data/ order/ other/] and [top]", prefixes, keys)
		}
	})
	t.Run("UTF-8 binary order", func(t *testing.T) {
		objs, err := b.client(b.sc).ListAll(ctx, b.url("order/"))
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
		// Bytes, not letters: 'B' (0x42) < 'a' < 'z' < 'é' (0xC3 0xA9).
		if !slices.Equal(keys, []string{"order/B", "order/a", "order/z", "order/é"}) {
			t.Fatalf("got %q, want UTF-8 binary order (AWS-FACTS.md 3.2)", keys)
		}
	})
	t.Run("s3io List and globs", func(t *testing.T) {
		c := b.client(b.sc)
		objs, err := c.ListAll(ctx, b.url("data/"))
		if err != nil || len(objs) != len(data) {
			t.Fatalf("ListAll: got %d, %v; want %d", len(objs), err, len(data))
		}
		for i, o := range objs {
			if o.Key != data[i] || o.Size != int64(len(data[i])) {
				t.Fatalf("object %d: got %s (%d bytes), want %s (%d bytes)", i, o.Key, o.Size, data[i], len(data[i]))
			}
		}
		objs, err = c.ListAll(ctx, b.url("data/00[0-1]?.csv"))
		if err != nil || len(objs) != 20 {
			t.Fatalf("glob: got %d, %v; want 20", len(objs), err)
		}
	})
	// The parallel walk (list.go) leans on the server's answers to a
	// delimiter with StartAfter and on its common prefixes: the same
	// listing at Concurrency 8 and 1, with small pages so that a tree of a
	// few hundred keys is wide, must give the uploaded keys in byte order.
	t.Run("parallel across prefixes", func(t *testing.T) {
		var wide []string
		for p := range 12 {
			for k := range 30 {
				wide = append(wide, fmt.Sprintf("wide/p%02d/k%03d", p, k))
			}
		}
		wide = append(wide, "wide/p03/deeper/x", "wide/top")
		b.putMany(t, wide)
		slices.Sort(wide)
		small := func(o *ListOptions) { o.PageSize = 20 }
		for _, tc := range []struct {
			url  string
			want func(key string) bool
		}{
			{"wide/", func(k string) bool { return strings.HasPrefix(k, "wide/") }},
			{"wide/p0", func(k string) bool { return strings.HasPrefix(k, "wide/p0") }},
			{"wide/p0[3-5]/*", func(k string) bool { // one segment after the directory
				dir, rest, _ := strings.Cut(strings.TrimPrefix(k, "wide/"), "/")
				return (dir == "p03" || dir == "p04" || dir == "p05") && !strings.Contains(rest, "/")
			}},
		} {
			var want []string
			for _, k := range wide {
				if tc.want(k) {
					want = append(want, k)
				}
			}
			for _, conc := range []int{8, 1} {
				objs, err := b.client(b.sc, func(o *Options) { o.Concurrency = conc }).ListAll(ctx, b.url(tc.url), small)
				if err != nil {
					t.Fatalf("%s at Concurrency %d: %v", tc.url, conc, err)
				}
				var got []string
				for _, o := range objs {
					got = append(got, o.Key)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s at Concurrency %d: got %d keys %s, want %d %s", tc.url, conc, len(got), firstKeys(got), len(want), firstKeys(want))
				}
			}
		}
	})
}

func testConformanceDeleteBatches(t *testing.T, b backend) {
	ctx := context.Background()
	var keys, urls []string
	for i := range 2001 {
		k := fmt.Sprintf("d/%04d", i)
		keys = append(keys, k)
		urls = append(urls, b.url(k))
	}
	b.putMany(t, append(slices.Clone(keys), "keep"))
	api := &interceptAPI{API: b.sc}
	c := b.client(api)
	// A key that does not exist is reported as deleted (AWS-FACTS.md 3.3).
	n, err := c.Delete(ctx, append(urls, b.url("never-existed")))
	if err != nil || n != len(urls)+1 {
		t.Fatalf("got %d deleted, %v; want %d", n, err, len(urls)+1)
	}
	if got := api.deleteObjects.Load(); got != 3 {
		t.Fatalf("got %d DeleteObjects calls, want 3 (1,000 keys each at most)", got)
	}
	left, err := c.ListAll(ctx, b.url(""))
	if err != nil || len(left) != 1 || left[0].Key != "keep" {
		t.Fatalf("left %v, %v; want only keep", left, err)
	}

	t.Run("1001 keys in one request", func(t *testing.T) {
		ids := make([]types.ObjectIdentifier, 1001)
		for i := range ids {
			ids[i] = types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("x%d", i))}
		}
		_, err := b.sc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b.bucket), Delete: &types.Delete{Objects: ids}})
		if code := errorCode(err); code != "MalformedXML" {
			t.Fatalf("got %v (code %q), want MalformedXML (AWS-FACTS.md 3.3)", err, code)
		}
	})
}

func testConformanceCopySpecialKeys(t *testing.T, b backend) {
	ctx := context.Background()
	// Four keys that differ only in '+' and ' ': a server that decodes the
	// copy source as a query string ('+' -> ' ') copies the wrong one.
	sources := map[string]string{
		"src/a b+c.csv": "space plus",
		"src/a+b c.csv": "plus space",
		"src/a b c.csv": "space space",
		"src/a+b+c.csv": "plus plus",
	}
	for k, v := range sources {
		b.put(t, k, []byte(v))
	}
	c := b.client(b.sc)
	i := 0
	for _, src := range slices.Sorted(mapKeys(sources)) {
		dst := fmt.Sprintf("dst/%d x+y z.csv", i)
		i++
		t.Run("s3io "+src, func(t *testing.T) {
			if err := c.Copy(ctx, b.url(src), b.url(dst)); err != nil {
				t.Fatal(err)
			}
			got, err := b.get(dst)
			if err != nil || string(got) != sources[src] {
				t.Fatalf("got %q, %v; want %q", got, err, sources[src])
			}
		})
	}
	// x-amz-copy-source is a URL path: a bare '+' is a plus, not a space.
	for _, tt := range []struct{ source, want string }{
		{"a+b%20c.csv", "plus space"},
		{"a%2Bb%20c.csv", "plus space"},
		{"a%20b+c.csv", "space plus"},
		{"a%20b%20c.csv", "space space"},
		{"a+b+c.csv", "plus plus"},
	} {
		t.Run("raw "+tt.source, func(t *testing.T) {
			_, err := b.sc.CopyObject(ctx, &s3.CopyObjectInput{
				Bucket: aws.String(b.bucket), Key: aws.String("raw-dst"),
				CopySource: aws.String(b.bucket + "/src/" + tt.source),
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.get("raw-dst")
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("missing source", func(t *testing.T) {
		if err := c.Copy(ctx, b.url("src/missing"), b.url("dst/never")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func testConformanceMultipartWriter(t *testing.T, b backend) {
	ctx := context.Background()
	c := b.client(b.sc, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
	for _, tt := range []struct {
		name string
		size int
	}{
		{"one put", 1000},
		{"exactly one part", MinPartSize},
		{"three parts", 2*MinPartSize + 12345},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := randomBytes(tt.size, uint64(tt.size))
			key := "mp/" + strings.ReplaceAll(tt.name, " ", "-")
			w, err := c.NewWriter(ctx, b.url(key))
			if err != nil {
				t.Fatal(err)
			}
			if err := writeInChunks(t, w, body); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := b.get(key)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("got %d bytes, %v; want the %d written", len(got), err, len(body))
			}
			if ups := b.openUploads(t); len(ups) != 0 {
				t.Fatalf("got incomplete uploads %q after Close, want none", ups)
			}
		})
	}
}

func testConformanceMultipartAbortOnFailure(t *testing.T, b backend) {
	ctx := context.Background()
	body := randomBytes(3*MinPartSize+1, 11)
	t.Run("a part fails", func(t *testing.T) {
		api := &interceptAPI{API: b.sc, failPart: 2}
		c := b.client(api, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
		w, err := c.NewWriter(ctx, b.url("failed.bin"))
		if err != nil {
			t.Fatal(err)
		}
		werr := writeInChunks(t, w, body)
		if cerr := w.Close(); cerr == nil {
			t.Fatalf("Close returned nil after a failed part (Write: %v)", werr)
		}
		if _, err := b.get("failed.bin"); errorCode(err) != "NoSuchKey" {
			t.Fatalf("GetObject after a failed upload: got %v, want NoSuchKey", err)
		}
		if ups := b.openUploads(t); len(ups) != 0 {
			t.Fatalf("got incomplete uploads %q, want none: the writer must abort", ups)
		}
	})
	t.Run("Abort", func(t *testing.T) {
		c := b.client(b.sc, func(o *Options) { o.PartSize = MinPartSize })
		w, err := c.NewWriter(ctx, b.url("aborted.bin"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body[:2*MinPartSize+1]); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); !errors.Is(err, ErrAborted) {
			t.Fatalf("Close after Abort: got %v, want ErrAborted", err)
		}
		if _, err := b.get("aborted.bin"); errorCode(err) != "NoSuchKey" {
			t.Fatalf("GetObject after Abort: got %v, want NoSuchKey", err)
		}
		if ups := b.openUploads(t); len(ups) != 0 {
			t.Fatalf("got incomplete uploads %q after Abort, want none", ups)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		c := b.client(b.sc, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 1 })
		cctx, cancel := context.WithCancel(ctx)
		w, err := c.NewWriter(cctx, b.url("cancelled.bin"))
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		if _, err := w.Write(body[:2*MinPartSize+1]); err != nil {
			cancel()
			t.Fatal(err)
		}
		cancel()
		// Close right after the cancel fails with the context's error;
		// whether ErrAborted is in the chain too depends on which of Close
		// and the writer's own watcher sees the cancellation first.
		if err := w.Close(); !errors.Is(err, context.Canceled) {
			t.Fatalf("Close after cancel: got %v, want context.Canceled", err)
		}
		if _, err := b.get("cancelled.bin"); errorCode(err) != "NoSuchKey" {
			t.Fatalf("GetObject after cancel: got %v, want NoSuchKey", err)
		}
		if ups := b.openUploads(t); len(ups) != 0 {
			t.Fatalf("got incomplete uploads %q after cancel, want none", ups)
		}
	})
}

// testConformanceMultipartPartTooSmall checks the 5 MiB minimum for every
// part but the last (AWS-FACTS.md 3.4): the library's writer relies on the
// server to refuse what S3 refuses.
func testConformanceMultipartPartTooSmall(t *testing.T, b backend) {
	ctx := context.Background()
	created, err := b.sc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b.bucket), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, body := range []string{"first part, far below 5 MiB", "last"} {
		up, err := b.sc.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(b.bucket), Key: aws.String("small"), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(body),
		})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	_, err = b.sc.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(b.bucket), Key: aws.String("small"), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if code, status := errorCode(err), httpStatusOf(err); code != "EntityTooSmall" || status != http.StatusBadRequest {
		t.Fatalf("got %v (code %q, status %d), want 400 EntityTooSmall (AWS-FACTS.md 3.4)", err, code, status)
	}
	if _, err := b.get("small"); errorCode(err) != "NoSuchKey" {
		t.Fatalf("GetObject after a refused completion: got %v, want NoSuchKey", err)
	}
	// A single small part is the last part: no minimum.
	_, err = b.sc.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(b.bucket), Key: aws.String("small"), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts[1:]},
	})
	if err != nil {
		t.Fatalf("completing with only the small last part: %v", err)
	}
	if got, err := b.get("small"); err != nil || string(got) != "last" {
		t.Fatalf("got %q, %v; want last", got, err)
	}
}

// testConformanceMultipartCopy copies a 12 MiB object as 5 MiB
// UploadPartCopy ranges (every part but the last at the 5 MiB minimum,
// which MinIO enforces as S3 does), with the 5 GiB CopyObject threshold
// lowered so the multipart path runs, and checks the range forms
// x-amz-copy-source-range accepts.
func testConformanceMultipartCopy(t *testing.T, b backend) {
	ctx := context.Background()
	lowerCopyThreshold(t, MinPartSize)
	body := randomBytes(12<<20, 41)
	meta := map[string]string{"origin": "conformance"}
	if _, err := b.sc.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String("src/big+one.bin"), Body: bytes.NewReader(body),
		ContentType: aws.String("application/x-test"), Metadata: meta,
	}); err != nil {
		t.Fatal(err)
	}
	c := b.client(b.sc, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
	if err := c.Copy(ctx, b.url("src/big+one.bin"), b.url("dst/copy one.bin")); err != nil {
		t.Fatal(err)
	}
	got, err := b.get("dst/copy one.bin")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("got %d bytes, %v; want the %d source bytes", len(got), err, len(body))
	}
	head, err := b.sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String("dst/copy one.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if ct := aws.ToString(head.ContentType); ct != "application/x-test" || head.Metadata["origin"] != "conformance" {
		t.Fatalf("got Content-Type %q and metadata %v, want the source's application/x-test and %v", ct, head.Metadata, meta)
	}
	if ups := b.openUploads(t); len(ups) != 0 {
		t.Fatalf("got incomplete uploads %q after a copy, want none", ups)
	}

	t.Run("multipart source", func(t *testing.T) {
		// A source that is itself a multipart upload has an ETag of
		// another form; the parts are pinned to it all the same.
		if _, err := c.Upload(ctx, b.url("src/uploaded"), bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		if err := c.Copy(ctx, b.url("src/uploaded"), b.url("dst/uploaded")); err != nil {
			t.Fatal(err)
		}
		if got, err := b.get("dst/uploaded"); err != nil || !bytes.Equal(got, body) {
			t.Fatalf("got %d bytes, %v; want the %d source bytes", len(got), err, len(body))
		}
	})
	t.Run("copy source range and if-match", func(t *testing.T) {
		src, err := b.sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String("src/big+one.bin")})
		if err != nil {
			t.Fatal(err)
		}
		created, err := b.sc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b.bucket), Key: aws.String("ranges")})
		if err != nil {
			t.Fatal(err)
		}
		size := len(body)
		for _, tt := range []struct {
			name, rng, ifMatch string
			code               string // "" for success
			status             int
		}{
			{name: "first bytes, same ETag", rng: "bytes=0-9", ifMatch: aws.ToString(src.ETag)},
			{name: "last bytes", rng: fmt.Sprintf("bytes=%d-%d", size-10, size-1)},
			// Only bytes=first-last inside the source: no open-ended or
			// suffix form, no clamping of a last byte past the end.
			{name: "open-ended", rng: "bytes=0-", code: "InvalidArgument", status: http.StatusBadRequest},
			{name: "suffix", rng: "bytes=-10", code: "InvalidArgument", status: http.StatusBadRequest},
			{name: "past the end", rng: fmt.Sprintf("bytes=%d-%d", size-10, size), code: "InvalidArgument", status: http.StatusBadRequest},
			{name: "other ETag", rng: "bytes=0-9", ifMatch: `"0123456789abcdef0123456789abcdef"`, code: "PreconditionFailed", status: http.StatusPreconditionFailed},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := &s3.UploadPartCopyInput{
					Bucket: aws.String(b.bucket), Key: aws.String("ranges"), UploadId: created.UploadId, PartNumber: aws.Int32(1),
					CopySource: aws.String(b.bucket + "/" + escapeKey("src/big+one.bin")), CopySourceRange: aws.String(tt.rng),
				}
				if tt.ifMatch != "" {
					in.CopySourceIfMatch = aws.String(tt.ifMatch)
				}
				_, err := b.sc.UploadPartCopy(ctx, in)
				if tt.code == "" && err != nil {
					t.Fatalf("got %v, want the part copied", err)
				}
				if code, status := errorCode(err), httpStatusOf(err); tt.code != "" && (code != tt.code || status != tt.status) {
					t.Fatalf("got %v (code %q, status %d), want %d %s", err, code, status, tt.status, tt.code)
				}
			})
		}
		if _, err := b.sc.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b.bucket), Key: aws.String("ranges"), UploadId: created.UploadId}); err != nil {
			t.Fatal(err)
		}
	})
}

// testConformanceMultipartCopyAbort checks that a multipart copy that
// fails part way, whatever the reason, leaves neither an object nor an
// incomplete upload.
func testConformanceMultipartCopyAbort(t *testing.T, b backend) {
	ctx := context.Background()
	lowerCopyThreshold(t, MinPartSize)
	body := randomBytes(12<<20, 42)
	check := func(t *testing.T, key string) {
		t.Helper()
		if _, err := b.get(key); errorCode(err) != "NoSuchKey" {
			t.Fatalf("GetObject after a failed copy: got %v, want NoSuchKey", err)
		}
		if ups := b.openUploads(t); len(ups) != 0 {
			t.Fatalf("got incomplete uploads %q, want none: the copy must abort", ups)
		}
	}
	t.Run("a part fails", func(t *testing.T) {
		b.put(t, "src-a", body)
		api := &interceptAPI{API: b.sc, failPartCopy: 2}
		c := b.client(api, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
		if err := c.Copy(ctx, b.url("src-a"), b.url("dst-a")); !errors.Is(err, errInjected) {
			t.Fatalf("got %v, want the injected failure", err)
		}
		check(t, "dst-a")
	})
	t.Run("source replaced", func(t *testing.T) {
		b.put(t, "src-r", body)
		api := &interceptAPI{API: b.sc, beforePartCopy: func(part int32) {
			if part == 2 {
				b.put(t, "src-r", []byte("replaced during the copy"))
			}
		}}
		c := b.client(api, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 1 })
		if err := c.Copy(ctx, b.url("src-r"), b.url("dst-r")); !errors.Is(err, ErrPreconditionFailed) {
			t.Fatalf("got %v, want ErrPreconditionFailed: the parts are pinned to the source's ETag", err)
		}
		check(t, "dst-r")
	})
	t.Run("context cancelled", func(t *testing.T) {
		b.put(t, "src-c", body)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		api := &interceptAPI{API: b.sc, beforePartCopy: func(part int32) {
			if part == 2 {
				cancel()
			}
		}}
		c := b.client(api, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 1 })
		if err := c.Copy(cctx, b.url("src-c"), b.url("dst-c")); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		check(t, "dst-c")
	})
}

func testConformanceIfNoneMatchPut(t *testing.T, b backend) {
	ctx := context.Background()
	c := b.client(b.sc, func(o *Options) { o.IfNoneMatch = true })
	if _, err := c.Upload(ctx, b.url("lock"), strings.NewReader("first")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Upload(ctx, b.url("lock"), strings.NewReader("second"))
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("second Upload: got %v, want ErrPreconditionFailed", err)
	}
	if code, status := errorCode(err), httpStatusOf(err); code != "PreconditionFailed" || status != http.StatusPreconditionFailed {
		t.Fatalf("got code %q status %d, want 412 PreconditionFailed (AWS-FACTS.md 3.6)", code, status)
	}
	if got, _ := b.get("lock"); string(got) != "first" {
		t.Fatalf("object is %q after a refused put, want first", got)
	}
	if err := c.Copy(ctx, b.url("lock"), b.url("lock-copy")); err != nil {
		t.Fatalf("conditional copy to a new key: %v", err)
	}
	err = c.Copy(ctx, b.url("lock-copy"), b.url("lock"))
	if b.name == "minio" && err == nil {
		// MinIO deviation: it ignores If-None-Match on CopyObject and
		// replaces the destination, where S3 answers 412 (AWS-FACTS.md 3.6;
		// localaws follows S3). Only this outcome is excused.
		t.Log("MinIO replaced an existing key on a CopyObject with If-None-Match: * (known MinIO deviation)")
		return
	}
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("conditional copy onto an existing key: got %v, want ErrPreconditionFailed", err)
	}
}

func testConformanceIfNoneMatchMultipart(t *testing.T, b backend) {
	ctx := context.Background()
	b.put(t, "taken", []byte("old"))
	body := randomBytes(2*MinPartSize+1, 13)
	c := b.client(b.sc, func(o *Options) { o.PartSize = MinPartSize; o.IfNoneMatch = true })

	t.Run("writer onto an existing key", func(t *testing.T) {
		w, err := c.NewWriter(ctx, b.url("taken"))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeInChunks(t, w, body); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); !errors.Is(err, ErrPreconditionFailed) {
			t.Fatalf("got %v, want ErrPreconditionFailed", err)
		}
		if got, _ := b.get("taken"); string(got) != "old" {
			t.Fatalf("object is %d bytes after a refused completion, want old", len(got))
		}
		if ups := b.openUploads(t); len(ups) != 0 {
			t.Fatalf("got incomplete uploads %q, want the writer to abort its refused upload", ups)
		}
	})
	t.Run("writer onto a new key", func(t *testing.T) {
		w, err := c.NewWriter(ctx, b.url("fresh"))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeInChunks(t, w, body); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.get("fresh"); !bytes.Equal(got, body) {
			t.Fatalf("got %d bytes, want %d", len(got), len(body))
		}
	})
	t.Run("refused completion keeps the upload", func(t *testing.T) {
		created, err := b.sc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b.bucket), Key: aws.String("taken")})
		if err != nil {
			t.Fatal(err)
		}
		up, err := b.sc.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(b.bucket), Key: aws.String("taken"), UploadId: created.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("new"),
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.sc.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(b.bucket), Key: aws.String("taken"), UploadId: created.UploadId, IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}},
		})
		if code, status := errorCode(err), httpStatusOf(err); code != "PreconditionFailed" || status != http.StatusPreconditionFailed {
			t.Fatalf("got %v (code %q, status %d), want 412 PreconditionFailed (AWS-FACTS.md 3.6)", err, code, status)
		}
		if ups := b.openUploads(t); !slices.Equal(ups, []string{"taken"}) {
			t.Fatalf("got uploads %q after a refused completion, want [taken] still open", ups)
		}
		if _, err := b.sc.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b.bucket), Key: aws.String("taken"), UploadId: created.UploadId}); err != nil {
			t.Fatalf("abort: %v", err)
		}
		if got, _ := b.get("taken"); string(got) != "old" {
			t.Fatalf("object is %q, want old", got)
		}
	})
}

// conformanceFrame has the values text formats get wrong: delimiters,
// quotes, newlines, nulls, non-ASCII.
func conformanceFrame(t *testing.T) *frame.Frame {
	t.Helper()
	f, err := frame.New(
		frame.Int64("id", []int64{1, 2, 3, 4}),
		frame.String("s", []string{"a,b", "say \"hi\"", "two\nlines", "é€"}, []bool{true, true, true, false}),
		frame.Float64("x", []float64{1.5, 2, -3, 1e-9}),
		frame.Bool("ok", []bool{true, false, true, false}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func testConformanceTextRoundTrips(t *testing.T, b backend) {
	ctx := context.Background()
	c := b.client(b.sc)
	src := conformanceFrame(t)
	want := fmt.Sprint(frameStrings(t, src))
	for _, tt := range []struct {
		key   string
		write func(context.Context, *frame.Frame, string, ...func(*WriteOptions)) error
		read  func(context.Context, string, ...func(*ReadOptions)) (*frame.Frame, error)
		scan  func(context.Context, string, ...func(*ReadOptions)) iter.Seq2[arrow.RecordBatch, error]
	}{
		{"t/out.csv", c.WriteCSV, c.ReadCSV, c.ScanCSV},
		{"t/out.csv.gz", c.WriteCSV, c.ReadCSV, c.ScanCSV},
		{"t/out.jsonl", c.WriteJSONLines, c.ReadJSONLines, c.ScanJSONLines},
		{"t/out.jsonl.zst", c.WriteJSONLines, c.ReadJSONLines, c.ScanJSONLines},
	} {
		t.Run(tt.key, func(t *testing.T) {
			if err := tt.write(ctx, src, b.url(tt.key)); err != nil {
				t.Fatal(err)
			}
			got, err := tt.read(ctx, b.url(tt.key))
			if err != nil {
				t.Fatal(err)
			}
			if g := fmt.Sprint(frameStrings(t, got)); g != want {
				t.Fatalf("got %s, want %s", g, want)
			}
			var rows int64
			for batch, err := range tt.scan(ctx, b.url(tt.key), BatchSize(3)) {
				if err != nil {
					t.Fatal(err)
				}
				rows += batch.NumRows()
			}
			if rows != int64(src.NumRows()) {
				t.Fatalf("scan: got %d rows, want %d", rows, src.NumRows())
			}
		})
	}
}

func testConformanceParquetRoundTrip(t *testing.T, b backend) {
	ctx := context.Background()
	c := b.client(b.sc, func(o *Options) { o.PartSize = MinPartSize })
	t.Run("small", func(t *testing.T) {
		src := conformanceFrame(t)
		if err := c.WriteParquet(ctx, src, b.url("p/small.parquet")); err != nil {
			t.Fatal(err)
		}
		got, err := c.ReadParquet(ctx, b.url("p/small.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if g, w := fmt.Sprint(frameStrings(t, got)), fmt.Sprint(frameStrings(t, src)); g != w {
			t.Fatalf("got %s, want %s", g, w)
		}
	})
	t.Run("multipart, projected scan", func(t *testing.T) {
		const rows = 200_000
		src := wideFrame(t, rows, 10) // about 16 MB uncompressed: a multipart upload
		if err := c.WriteParquet(ctx, src, b.url("p/wide.parquet"), RowGroupRows(50_000), Compress(CompressionNone)); err != nil {
			t.Fatal(err)
		}
		var n int64
		for batch, err := range c.ScanParquet(ctx, b.url("p/wide.parquet"), Columns("c7"), BatchSize(8192)) {
			if err != nil {
				t.Fatal(err)
			}
			col := batch.Column(0).(*array.Float64)
			for i := range col.Len() {
				if want := float64((n+int64(i))*100 + 7); col.Value(i) != want {
					t.Fatalf("row %d: got %v, want %v", n+int64(i), col.Value(i), want)
				}
			}
			n += batch.NumRows()
		}
		if n != rows {
			t.Fatalf("got %d rows, want %d", n, rows)
		}
	})
}
