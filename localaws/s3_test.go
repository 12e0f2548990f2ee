package localaws

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// startStack starts a stack for one test, with the default SDK options
// except that retries are off so fault tests see every failure.
func startStack(t *testing.T, optFns ...func(*Options)) (*Stack, *s3.Client) {
	t.Helper()
	st, err := Start(context.Background(), optFns...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	client := s3.NewFromConfig(st.Config(), PathStyle, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	return st, client
}

func mustBucket(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

func get(ctx context.Context, c *s3.Client, bucket, key, rng string) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// httpStatus is the HTTP status in err's chain, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestS3ObjectsAreFilesUnderTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	st, c := startStack(t, func(o *Options) { o.Dir = dir; o.Buckets = []string{"lake"} })
	ctx := context.Background()
	put(t, c, "lake", "sales/dt=2026-11-25/part-0.csv", []byte("id,amount\n1,9.5\n"))

	onDisk, err := os.ReadFile(filepath.Join(st.Dir(), "buckets", "lake", "sales", "dt=2026-11-25", "part-0.csv"))
	if err != nil || string(onDisk) != "id,amount\n1,9.5\n" {
		t.Fatalf("file on disk: %q, %v", onDisk, err)
	}
	got, err := get(ctx, c, "lake", "sales/dt=2026-11-25/part-0.csv", "")
	if err != nil || string(got) != string(onDisk) {
		t.Fatalf("GetObject: %q, %v", got, err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String("sales/dt=2026-11-25/part-0.csv")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(onDisk)) {
		t.Fatalf("HeadObject: %+v, %v", head, err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadObject of a missing key: got %v, want NotFound", err)
	}
	_, err = get(ctx, c, "lake", "missing", "")
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("GetObject of a missing key: got %v, want NoSuchKey", err)
	}
}

func TestS3RangedGet(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	body := []byte("0123456789abcdefghij")
	put(t, c, "bkt", "k", body)
	ctx := context.Background()
	for _, tt := range []struct{ rng, want string }{
		{"bytes=0-3", "0123"},
		{"bytes=10-", "abcdefghij"},
		{"bytes=-4", "ghij"},
		{"bytes=15-100", "fghij"},
	} {
		t.Run(tt.rng, func(t *testing.T) {
			got, err := get(ctx, c, "bkt", "k", tt.rng)
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("suffix longer than the object", func(t *testing.T) {
		// RFC 9110 14.1.1: a suffix range longer than the representation
		// selects all of it; S3 answers 206 with Content-Range (AWS-FACTS.md 3.5).
		put(t, c, "bkt", "ten", []byte("0123456789"))
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("ten"), Range: aws.String("bytes=-65536")})
		if err != nil {
			t.Fatalf("got %v, want the whole object", err)
		}
		defer out.Body.Close()
		got, err := io.ReadAll(out.Body)
		if err != nil || string(got) != "0123456789" {
			t.Fatalf("got %q, %v; want 0123456789", got, err)
		}
		if cr := aws.ToString(out.ContentRange); cr != "bytes 0-9/10" {
			t.Fatalf("got Content-Range %q, want bytes 0-9/10", cr)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("ten"), Range: aws.String("bytes=-11")})
		if err != nil || aws.ToInt64(head.ContentLength) != 10 {
			t.Fatalf("HeadObject bytes=-11: got %v, %v; want length 10", head, err)
		}
	})
	t.Run("suffix of zero bytes", func(t *testing.T) {
		_, err := get(ctx, c, "bkt", "k", "bytes=-0")
		if code := apiCode(err); code != "InvalidRange" {
			t.Fatalf("got %v (code %q), want InvalidRange", err, code)
		}
	})
	t.Run("unsatisfiable", func(t *testing.T) {
		_, err := get(ctx, c, "bkt", "k", "bytes=100-200")
		if code := apiCode(err); code != "InvalidRange" {
			t.Fatalf("got %v (code %q), want InvalidRange (AWS-FACTS.md 3.5)", err, code)
		}
	})
}

func TestS3ListObjectsV2Paging(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	var want []string
	for i := range 1203 {
		key := fmt.Sprintf("data/%04d.csv", i)
		want = append(want, key)
		put(t, c, "bkt", key, []byte("x"))
	}
	put(t, c, "bkt", "other/a", []byte("x"))
	put(t, c, "bkt", "top", []byte("x"))

	var got []string
	var pages []int
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("data/")})
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
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d keys, want %d in order", len(got), len(want))
	}
	if !slices.Equal(pages, []int{1000, 203}) {
		t.Fatalf("page sizes %v, want [1000 203] (AWS-FACTS.md 3.2)", pages)
	}

	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, cp := range out.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(cp.Prefix))
	}
	if !slices.Equal(prefixes, []string{"data/", "other/"}) || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "top" {
		t.Fatalf("with delimiter: prefixes %v, contents %d; want [data/ other/] and top", prefixes, len(out.Contents))
	}

	small, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), MaxKeys: aws.Int32(7), Prefix: aws.String("data/")})
	if err != nil || len(small.Contents) != 7 || !aws.ToBool(small.IsTruncated) || small.NextContinuationToken == nil {
		t.Fatalf("MaxKeys 7: %d keys, truncated %v, %v", len(small.Contents), aws.ToBool(small.IsTruncated), err)
	}
}

func TestS3DeleteObjects(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	for i := range 5 {
		put(t, c, "bkt", fmt.Sprintf("k%d", i), []byte("x"))
	}
	ids := []types.ObjectIdentifier{{Key: aws.String("k0")}, {Key: aws.String("k1")}, {Key: aws.String("never-existed")}}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{Objects: ids}})
	if err != nil {
		t.Fatal(err)
	}
	// A missing key is reported as deleted (AWS-FACTS.md 3.3).
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("deleted %d, errors %d; want 3 and 0", len(out.Deleted), len(out.Errors))
	}
	list, _ := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if len(list.Contents) != 3 {
		t.Fatalf("%d objects left, want 3", len(list.Contents))
	}

	tooMany := make([]types.ObjectIdentifier, 1001)
	for i := range tooMany {
		tooMany[i] = types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("x%d", i))}
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{Objects: tooMany}})
	if code := apiCode(err); code != "MalformedXML" {
		t.Fatalf("1,001 keys: got %v (code %q), want MalformedXML", err, code)
	}
}

func TestS3CopyObject(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"src-bkt", "dst-bkt"} })
	ctx := context.Background()
	put(t, c, "src-bkt", "a/b.parquet", []byte("PAR1...PAR1"))
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String("dst-bkt"), Key: aws.String("copy.parquet"), CopySource: aws.String("src-bkt/a/b.parquet"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := get(ctx, c, "dst-bkt", "copy.parquet", "")
	if err != nil || string(got) != "PAR1...PAR1" {
		t.Fatalf("copy: %q, %v", got, err)
	}
}

func TestS3CopySourceIsAPath(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	put(t, c, "bkt", "a+b c.csv", []byte("plus and space"))
	put(t, c, "bkt", "a b c.csv", []byte("two spaces"))
	// x-amz-copy-source is a URL path: '+' is a literal plus, %2B too, and
	// only %20 is a space. gofakes3 alone would read a bare '+' as a space.
	for _, tt := range []struct{ name, source, want string }{
		{"bare plus", "bkt/a+b%20c.csv", "plus and space"},
		{"encoded plus", "bkt/a%2Bb%20c.csv", "plus and space"},
		{"encoded spaces", "bkt/a%20b%20c.csv", "two spaces"},
		{"leading slash", "/bkt/a+b%20c.csv", "plus and space"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{
				Bucket: aws.String("bkt"), Key: aws.String("dst"), CopySource: aws.String(tt.source),
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := get(ctx, c, "bkt", "dst", "")
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestS3CompleteMultipartUploadIfNoneMatch(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	upload := func(key string) (*string, []types.CompletedPart) {
		t.Helper()
		created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String("bkt"), Key: aws.String(key), UploadId: created.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("new"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return created.UploadId, []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}
	}
	complete := func(key string, id *string, parts []types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("bkt"), Key: aws.String(key), UploadId: id, IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		return err
	}

	t.Run("key exists", func(t *testing.T) {
		put(t, c, "bkt", "taken", []byte("old"))
		id, parts := upload("taken")
		err := complete("taken", id, parts)
		var re interface{ HTTPStatusCode() int }
		if code := apiCode(err); code != "PreconditionFailed" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusPreconditionFailed {
			t.Fatalf("got %v, want 412 PreconditionFailed (AWS-FACTS.md 3.6)", err)
		}
		if got, _ := get(ctx, c, "bkt", "taken", ""); string(got) != "old" {
			t.Fatalf("object is %q after a refused completion, want old", got)
		}
		// S3 leaves the upload in place: the caller still has to abort it.
		uploads, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
		if err != nil || len(uploads.Uploads) != 1 {
			t.Fatalf("got %d uploads, %v; want the refused one still listed", len(uploads.Uploads), err)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("taken"), UploadId: id}); err != nil {
			t.Fatalf("abort after a refused completion: %v", err)
		}
	})
	t.Run("key absent", func(t *testing.T) {
		id, parts := upload("fresh")
		if err := complete("fresh", id, parts); err != nil {
			t.Fatal(err)
		}
		if got, _ := get(ctx, c, "bkt", "fresh", ""); string(got) != "new" {
			t.Fatalf("object is %q, want new", got)
		}
	})
}

func TestS3CompleteMultipartUploadPartTooSmall(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 5<<20)
	var parts []types.CompletedPart
	for i, body := range [][]byte{big, []byte("small"), []byte("last")} {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body),
		})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	complete := func(parts ...types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: created.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		return err
	}
	// Part 2 is neither 5 MiB nor the last part (AWS-FACTS.md 3.4).
	err = complete(parts...)
	var re interface{ HTTPStatusCode() int }
	if code := apiCode(err); code != "EntityTooSmall" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("got %v, want 400 EntityTooSmall", err)
	}
	// The refused upload is still there; without part 2 it completes.
	if err := complete(parts[0], parts[2]); err != nil {
		t.Fatal(err)
	}
	got, err := get(ctx, c, "bkt", "k", "")
	if err != nil || len(got) != len(big)+len("last") {
		t.Fatalf("got %d bytes, %v; want %d", len(got), err, len(big)+len("last"))
	}
}

func TestS3ListMultipartUploadsEmptyBucket(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	out, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
	if err != nil || len(out.Uploads) != 0 {
		t.Fatalf("got %v, %v; want an empty listing", out, err)
	}
	_, err = c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("no-such-bucket")})
	if code := apiCode(err); code != "NoSuchBucket" {
		t.Fatalf("missing bucket: got %v, want NoSuchBucket", err)
	}
}

func TestS3ConditionalCopy(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	put(t, c, "bkt", "src", []byte("source"))
	put(t, c, "bkt", "taken", []byte("old"))
	copyIfAbsent := func(dst string) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: aws.String("bkt"), Key: aws.String(dst), CopySource: aws.String("bkt/src"), IfNoneMatch: aws.String("*"),
		})
		return err
	}
	if err := copyIfAbsent("fresh"); err != nil {
		t.Fatal(err)
	}
	if code := apiCode(copyIfAbsent("taken")); code != "PreconditionFailed" {
		t.Fatalf("copy onto an existing key: got code %q, want PreconditionFailed (AWS-FACTS.md 3.6)", code)
	}
	if got, _ := get(ctx, c, "bkt", "taken", ""); string(got) != "old" {
		t.Fatalf("object is %q after a refused copy, want old", got)
	}
}

func TestS3MultipartUpload(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	part1 := make([]byte, 5<<20)
	rand.Read(part1)
	part2 := []byte("the last part may be small")

	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, body := range [][]byte{part1, part2} {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body),
		})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}

	// In progress: listed, and not visible as an object.
	uploads, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
	if err != nil || len(uploads.Uploads) != 1 {
		t.Fatalf("ListMultipartUploads: %d uploads, %v; want 1", len(uploads.Uploads), err)
	}
	if _, err := get(ctx, c, "bkt", "big", ""); err == nil {
		t.Fatal("an incomplete multipart upload is readable")
	}

	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := get(ctx, c, "bkt", "big", "")
	if err != nil || !bytes.Equal(got, append(slices.Clone(part1), part2...)) {
		t.Fatalf("completed object: %d bytes, %v; want %d", len(got), err, len(part1)+len(part2))
	}

	// Abort leaves nothing behind.
	aborted, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("gone")})
	c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("gone"), UploadId: aborted.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x"))})
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("gone"), UploadId: aborted.UploadId}); err != nil {
		t.Fatal(err)
	}
	if _, err := get(ctx, c, "bkt", "gone", ""); err == nil {
		t.Fatal("an aborted upload became an object")
	}
	uploads, _ = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
	if len(uploads.Uploads) != 0 {
		t.Fatalf("%d uploads listed after complete and abort, want 0", len(uploads.Uploads))
	}
}

func TestS3ConditionalPut(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	putIfAbsent := func(body string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("bkt"), Key: aws.String("lock"), Body: strings.NewReader(body), IfNoneMatch: aws.String("*"),
		})
		return err
	}
	if err := putIfAbsent("first"); err != nil {
		t.Fatal(err)
	}
	err := putIfAbsent("second")
	var re interface{ HTTPStatusCode() int }
	if code := apiCode(err); code != "PreconditionFailed" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusPreconditionFailed {
		t.Fatalf("second put: got %v, want 412 PreconditionFailed (AWS-FACTS.md 3.6)", err)
	}
	got, _ := get(ctx, c, "bkt", "lock", "")
	if string(got) != "first" {
		t.Fatalf("object is %q after a refused put, want first", got)
	}
}

func TestS3RefusesKeysThatWouldEscape(t *testing.T) {
	dir := t.TempDir()
	_, c := startStack(t, func(o *Options) { o.Dir = dir; o.Buckets = []string{"bkt"} })
	for _, key := range []string{"../../etc/passwd", "a/../../b", "a/./b", "a//b", "trailing/"} {
		t.Run(key, func(t *testing.T) {
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String("bkt"), Key: aws.String(key), Body: strings.NewReader("x"),
			})
			if code := apiCode(err); code != "InvalidArgument" {
				t.Fatalf("got %v, want InvalidArgument", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "etc")); err == nil {
		t.Fatal("a file appeared outside the data directory")
	}
}

func TestS3ListObjectsV2StartAfterAndEncoding(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	for _, k := range []string{"a", "b c", "é", "z"} {
		put(t, c, "bkt", k, []byte("x"))
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), StartAfter: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	// UTF-8 binary order puts "é" (0xC3 0xA9) after "z".
	if !slices.Equal(keys, []string{"b c", "z", "é"}) {
		t.Fatalf("keys after a: %q", keys)
	}
	enc, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(enc.Contents[1].Key); got != "b%20c" {
		t.Fatalf("url-encoded key %q, want b%%20c", got)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("missing bucket: got %v", err)
	}
}

func TestS3ListEmptyPrefixWithDelimiter(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	put(t, c, "bkt", "other/x", []byte("x"))
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"),
		Prefix: aws.String("nothing/here/"), Delimiter: aws.String("/")})
	if err != nil || len(out.Contents) != 0 || len(out.CommonPrefixes) != 0 {
		t.Fatalf("got %v objects, %v prefixes, %v; want an empty listing as S3 gives", len(out.Contents), len(out.CommonPrefixes), err)
	}
}

func TestS3UploadPartCopy(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"src-bkt", "dst-bkt"} })
	ctx := context.Background()
	source := make([]byte, 2*minPartSize+12345)
	rand.Read(source)
	put(t, c, "src-bkt", "dir/a+b c.bin", source)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src-bkt"), Key: aws.String("dir/a+b c.bin")})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin")})
	if err != nil {
		t.Fatal(err)
	}
	copyPart := func(num int32, rng, ifMatch string) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{
			Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin"), UploadId: created.UploadId,
			PartNumber: aws.Int32(num), CopySource: aws.String("src-bkt/dir/a%2Bb%20c.bin"),
		}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		if ifMatch != "" {
			in.CopySourceIfMatch = aws.String(ifMatch)
		}
		return c.UploadPartCopy(ctx, in)
	}

	// Three ranges pinned to the source's ETag make the object.
	ranges := []string{
		fmt.Sprintf("bytes=0-%d", minPartSize-1),
		fmt.Sprintf("bytes=%d-%d", minPartSize, 2*minPartSize-1),
		fmt.Sprintf("bytes=%d-%d", 2*minPartSize, len(source)-1),
	}
	var parts []types.CompletedPart
	for i, rng := range ranges {
		out, err := copyPart(int32(i+1), rng, aws.ToString(head.ETag))
		if err != nil {
			t.Fatalf("part %d (%s): %v", i+1, rng, err)
		}
		if out.CopyPartResult == nil || aws.ToString(out.CopyPartResult.ETag) == "" || out.CopyPartResult.LastModified == nil {
			t.Fatalf("part %d: got CopyPartResult %+v, want an ETag and LastModified", i+1, out.CopyPartResult)
		}
		parts = append(parts, types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	listed, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin"), UploadId: created.UploadId})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, p := range listed.Parts {
		sizes = append(sizes, aws.ToInt64(p.Size))
	}
	if want := []int64{minPartSize, minPartSize, 12345}; !slices.Equal(sizes, want) {
		t.Fatalf("ListParts: got sizes %v, want %v", sizes, want)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin"), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := get(ctx, c, "dst-bkt", "copy.bin", ""); err != nil || !bytes.Equal(got, source) {
		t.Fatalf("completed copy: got %d bytes, %v; want the %d source bytes", len(got), err, len(source))
	}

	t.Run("whole source without a range", func(t *testing.T) {
		put(t, c, "src-bkt", "small", []byte("small source"))
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("dst-bkt"), Key: aws.String("small")})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: aws.String("dst-bkt"), Key: aws.String("small"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), CopySource: aws.String("/src-bkt/small"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String("dst-bkt"), Key: aws.String("small"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: out.CopyPartResult.ETag, PartNumber: aws.Int32(1)}}},
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := get(ctx, c, "dst-bkt", "small", ""); err != nil || string(got) != "small source" {
			t.Fatalf("got %q, %v; want small source", got, err)
		}
	})

	again, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin")})
	if err != nil {
		t.Fatal(err)
	}
	created = again
	size := len(source)
	for _, tt := range []struct {
		name, rng, ifMatch, source string
		status                     int
		code                       string
	}{
		// x-amz-copy-source-range takes only bytes=first-last inside the
		// source; S3 and MinIO refuse the other Range forms.
		{name: "open-ended range", rng: "bytes=0-", status: 400, code: "InvalidArgument"},
		{name: "suffix range", rng: "bytes=-10", status: 400, code: "InvalidArgument"},
		{name: "reversed range", rng: "bytes=10-5", status: 400, code: "InvalidArgument"},
		{name: "not bytes", rng: "items=0-5", status: 400, code: "InvalidArgument"},
		{name: "last byte past the end", rng: fmt.Sprintf("bytes=0-%d", size), status: 400, code: "InvalidArgument"},
		{name: "first byte past the end", rng: fmt.Sprintf("bytes=%d-%d", size, size+10), status: 400, code: "InvalidArgument"},
		{name: "last byte exactly", rng: fmt.Sprintf("bytes=%d-%d", size-1, size-1), status: 200},
		{name: "ETag changed", rng: "bytes=0-9", ifMatch: `"0123456789abcdef0123456789abcdef"`, status: 412, code: "PreconditionFailed"},
		{name: "ETag unquoted", rng: "bytes=0-9", ifMatch: strings.Trim(aws.ToString(head.ETag), `"`), status: 200},
		{name: "missing source", rng: "bytes=0-9", source: "src-bkt/missing", status: 404, code: "NoSuchKey"},
		{name: "missing source bucket", rng: "bytes=0-9", source: "no-such-bkt/x", status: 404, code: "NoSuchBucket"},
		{name: "no key", source: "src-bkt", status: 400, code: "InvalidArgument"},
		{name: "version", source: "src-bkt/small?versionId=3HL4kqtJlcpXroDTDmJ", status: 400, code: "InvalidArgument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := &s3.UploadPartCopyInput{
				Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin"), UploadId: created.UploadId,
				PartNumber: aws.Int32(1), CopySource: aws.String("src-bkt/dir/a+b%20c.bin"),
			}
			if tt.rng != "" {
				in.CopySourceRange = aws.String(tt.rng)
			}
			if tt.ifMatch != "" {
				in.CopySourceIfMatch = aws.String(tt.ifMatch)
			}
			if tt.source != "" {
				in.CopySource = aws.String(tt.source)
			}
			_, err := c.UploadPartCopy(ctx, in)
			if status := httpStatus(err); tt.status == 200 && err != nil || tt.status != 200 && (status != tt.status || apiCode(err) != tt.code) {
				t.Fatalf("got %v (status %d), want %d %s", err, status, tt.status, tt.code)
			}
		})
	}
	t.Run("unknown upload", func(t *testing.T) {
		_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: aws.String("dst-bkt"), Key: aws.String("copy.bin"), UploadId: aws.String("no-such-upload"),
			PartNumber: aws.Int32(1), CopySource: aws.String("src-bkt/small"),
		})
		if code := apiCode(err); code != "NoSuchUpload" {
			t.Fatalf("got %v, want NoSuchUpload", err)
		}
	})
}

func TestS3CopyObjectSourceConditions(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	put(t, c, "bkt", "src", []byte("source"))
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(head.ETag)
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	for _, tt := range []struct {
		name string
		in   s3.CopyObjectInput
		want int // HTTP status: 200 copied, 412 refused
	}{
		{"if-match same", s3.CopyObjectInput{CopySourceIfMatch: aws.String(etag)}, 200},
		{"if-match star", s3.CopyObjectInput{CopySourceIfMatch: aws.String("*")}, 200},
		{"if-match other", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"ffff"`)}, 412},
		{"if-none-match same", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(etag)}, 412},
		{"if-none-match other", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"ffff"`)}, 200},
		{"unmodified since the past", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(past)}, 412},
		{"unmodified since the future", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(future)}, 200},
		{"modified since the future", s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(future)}, 412},
		{"modified since the past", s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(past)}, 200},
		// If-Match true overrides a failing If-Unmodified-Since, and
		// If-None-Match false fails whatever If-Modified-Since says.
		{"if-match wins over unmodified-since", s3.CopyObjectInput{CopySourceIfMatch: aws.String(etag), CopySourceIfUnmodifiedSince: aws.Time(past)}, 200},
		{"if-none-match fails despite modified-since", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(etag), CopySourceIfModifiedSince: aws.Time(past)}, 412},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket, in.Key, in.CopySource = aws.String("bkt"), aws.String("dst"), aws.String("bkt/src")
			_, err := c.CopyObject(ctx, &in)
			switch {
			case tt.want == 200 && err != nil:
				t.Fatalf("got %v, want the copy made", err)
			case tt.want == 412 && (httpStatus(err) != 412 || apiCode(err) != "PreconditionFailed"):
				t.Fatalf("got %v, want 412 PreconditionFailed", err)
			}
		})
	}
}

// S3 has no directories: once its objects are deleted a bucket is empty,
// whatever "/" its keys held, and DeleteBucket succeeds.
func TestS3DeleteBucketAfterNestedKeys(t *testing.T) {
	st, c := startStack(t)
	mustBucket(t, c, "nested")
	put(t, c, "nested", "a/b/c.txt", []byte("x"))
	put(t, c, "nested", "a/d.txt", []byte("y"))
	if _, err := c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String("nested")}); err == nil {
		t.Fatal("DeleteBucket of a bucket with objects succeeded")
	}
	for _, k := range []string{"a/b/c.txt", "a/d.txt"} {
		if _, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String("nested"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String("nested")}); err != nil {
		t.Fatalf("DeleteBucket of an emptied bucket: %v", err)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), "buckets", "nested")); !os.IsNotExist(err) {
		t.Fatalf("the bucket's directory is still there: %v", err)
	}
}

// A prefix may end inside a path segment; S3 rolls up what follows it to
// the next delimiter (AWS-FACTS.md 3.2), so prefix "t" over "t/a" and
// "tx/y" gives the common prefixes "t/" and "tx/".
func TestS3ListDelimiterAfterPartialPrefix(t *testing.T) {
	_, c := startStack(t, func(o *Options) { o.Buckets = []string{"bkt"} })
	ctx := context.Background()
	for _, k := range []string{"t/a", "t/b/c", "tx/y", "tz", "u/v"} {
		put(t, c, "bkt", k, []byte(k))
	}
	for _, tc := range []struct {
		prefix         string
		prefixes, keys []string
	}{
		{"t", []string{"t/", "tx/"}, []string{"tz"}},
		{"t/", []string{"t/b/"}, []string{"t/a"}},
		{"", []string{"t/", "tx/", "u/"}, []string{"tz"}},
		{"t/b", []string{"t/b/"}, nil},
	} {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String(tc.prefix), Delimiter: aws.String("/")})
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
		if !slices.Equal(prefixes, tc.prefixes) || !slices.Equal(keys, tc.keys) {
			t.Errorf("prefix %q: got prefixes %q and keys %q, want %q and %q", tc.prefix, prefixes, keys, tc.prefixes, tc.keys)
		}
	}
}
