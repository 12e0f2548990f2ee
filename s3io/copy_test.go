package s3io

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/localaws"
)

// lowerCopyThreshold makes Copy take the multipart path for sources over n
// bytes until the test ends, so that it runs with megabytes rather than
// 5 GiB.
func lowerCopyThreshold(t testing.TB, n int64) {
	t.Helper()
	old := multipartCopyThreshold
	multipartCopyThreshold = n
	t.Cleanup(func() { multipartCopyThreshold = old })
}

func TestCopy(t *testing.T) {
	st, sc, c := startS3(t)
	ctx := context.Background()
	putObject(t, sc, "lake", "src/a b+c.parquet", []byte("PAR1 data PAR1"))
	if err := c.Copy(ctx, "s3://lake/src/a b+c.parquet", "s3://other/dst/x.parquet"); err != nil {
		t.Fatal(err)
	}
	got, err := getObject(t, sc, "other", "dst/x.parquet")
	if err != nil || string(got) != "PAR1 data PAR1" {
		t.Fatalf("got %q, %v; want the source bytes", got, err)
	}
	if n := st.Calls("s3:UploadPartCopy"); n != 0 {
		t.Fatalf("got %d UploadPartCopy calls for a small source, want 0 (one CopyObject)", n)
	}
	if err := c.Copy(ctx, "s3://lake/missing", "s3://other/y"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("copy of a missing object: got %v, want ErrNotFound", err)
	}
}

func TestCopyPartSize(t *testing.T) {
	const (
		mib = int64(1) << 20
		gib = int64(1) << 30
		tib = int64(1) << 40
	)
	tests := []struct {
		name           string
		size, partSize int64
		want           int64 // 0: ErrTooLarge
	}{
		{name: "just over 5 GiB keeps PartSize", size: 5*gib + 1, partSize: DefaultPartSize, want: DefaultPartSize},
		{name: "78 GiB still fits 8 MiB parts", size: 10000 * 8 * mib, partSize: DefaultPartSize, want: DefaultPartSize},
		{name: "one byte more grows the part", size: 10000*8*mib + 1, partSize: DefaultPartSize, want: 8*mib + 1},
		// ceil(100 GiB / 10,000) = 10,737,419 bytes.
		{name: "100 GiB", size: 100 * gib, partSize: DefaultPartSize, want: 10737419},
		// ceil(5 TiB / 10,000) = 549,755,814 bytes.
		{name: "5 TiB", size: 5 * tib, partSize: MinPartSize, want: 549755814},
		{name: "large PartSize is kept", size: 6 * gib, partSize: gib, want: gib},
		{name: "PartSize over the part maximum", size: 20 * gib, partSize: 6 * gib, want: 5 * gib},
		{name: "over 5 TiB", size: 5*tib + 1, partSize: DefaultPartSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := copyPartSize(tt.size, tt.partSize)
			if tt.want == 0 {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("got %d, %v; want ErrTooLarge", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
	// Brute force over sizes: every part within 5 MiB..5 GiB, at most
	// 10,000 of them (AWS-FACTS.md 3.4).
	for size := 5*gib + 1; size <= 5*tib; size += 37*gib + 12345 {
		for _, ps := range []int64{MinPartSize, DefaultPartSize, 100 * mib, 5 * gib} {
			p, err := copyPartSize(size, ps)
			if err != nil {
				t.Fatalf("size %d, PartSize %d: %v", size, ps, err)
			}
			if parts := (size + p - 1) / p; p < MinPartSize || p > maxPartSize || parts > MaxParts {
				t.Fatalf("size %d, PartSize %d: got part size %d (%d parts), want 5 MiB..5 GiB and at most %d parts", size, ps, p, parts, MaxParts)
			}
		}
	}
}

func TestCopyMultipart(t *testing.T) {
	lowerCopyThreshold(t, 1<<20)
	st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
	ctx := context.Background()
	body := randomBytes(2*MinPartSize+12345, 21)
	meta := map[string]string{"origin": "test", "n": "3"}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("lake"), Key: aws.String("src/big+file.bin"), Body: bytes.NewReader(body),
		ContentType: aws.String("application/x-test"), Metadata: meta,
	}); err != nil {
		t.Fatal(err)
	}
	var reports []Progress
	err := c.Copy(ctx, "s3://lake/src/big+file.bin", "s3://other/dst/copy.bin", func(o *Options) {
		o.Progress = func(p Progress) { reports = append(reports, p) }
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := getObject(t, sc, "other", "dst/copy.bin")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("got %d bytes, %v; want the %d source bytes", len(got), err, len(body))
	}
	for op, want := range map[string]int{"s3:CopyObject": 0, "s3:UploadPartCopy": 3, "s3:CompleteMultipartUpload": 1, "s3:AbortMultipartUpload": 0} {
		if n := st.Calls(op); n != want {
			t.Errorf("got %d %s calls, want %d", n, op, want)
		}
	}
	head, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("other"), Key: aws.String("dst/copy.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if ct := aws.ToString(head.ContentType); ct != "application/x-test" || !maps.Equal(head.Metadata, meta) {
		t.Errorf("got Content-Type %q and metadata %v, want the source's application/x-test and %v", ct, head.Metadata, meta)
	}
	if last := reports[len(reports)-1]; !last.Done || last.Bytes != int64(len(body)) || last.Op != "copy" {
		t.Errorf("got last progress %+v, want a Done copy of %d bytes", last, len(body))
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d incomplete uploads after a copy, want 0", n)
	}

	t.Run("IfNoneMatch onto an existing key", func(t *testing.T) {
		putObject(t, sc, "lake", "taken", []byte("old"))
		err := c.Copy(ctx, "s3://lake/src/big+file.bin", "s3://lake/taken", func(o *Options) { o.IfNoneMatch = true })
		if !errors.Is(err, ErrPreconditionFailed) {
			t.Fatalf("got %v, want ErrPreconditionFailed", err)
		}
		if got, _ := getObject(t, sc, "lake", "taken"); string(got) != "old" {
			t.Fatalf("object is %d bytes after a refused copy, want old", len(got))
		}
		if n := openUploads(t, sc); n != 0 {
			t.Fatalf("got %d incomplete uploads after a refused completion, want 0", n)
		}
	})
}

func TestCopyMultipartFaultsLeaveNothingBehind(t *testing.T) {
	lowerCopyThreshold(t, 1<<20)
	body := randomBytes(3*MinPartSize+1, 22)
	tests := []struct {
		name  string
		fault localaws.Fault
	}{
		{name: "UploadPartCopy fails", fault: localaws.Fault{Op: "s3:UploadPartCopy", Kind: localaws.InternalError}},
		{name: "one UploadPartCopy throttled past the retries", fault: localaws.Fault{Op: "s3:UploadPartCopy", Kind: localaws.Throttle, Times: 3}},
		{name: "CompleteMultipartUpload fails", fault: localaws.Fault{Op: "s3:CompleteMultipartUpload", Kind: localaws.InternalError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 1 })
			putObject(t, sc, "lake", "src", body)
			st.Inject(tt.fault)
			if err := c.Copy(context.Background(), "s3://lake/src", "s3://lake/dst"); err == nil {
				t.Fatal("got nil, want the injected failure")
			}
			if _, err := getObject(t, sc, "lake", "dst"); err == nil {
				t.Fatal("an object appeared after a failed copy")
			}
			if n := openUploads(t, sc); n != 0 {
				t.Fatalf("got %d incomplete uploads, want 0", n)
			}
			if st.Calls("s3:AbortMultipartUpload") != 1 {
				t.Fatalf("got %d AbortMultipartUpload calls, want 1", st.Calls("s3:AbortMultipartUpload"))
			}
		})
	}
	t.Run("retried part", func(t *testing.T) {
		st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize })
		putObject(t, sc, "lake", "src", body)
		st.Inject(localaws.Fault{Op: "s3:UploadPartCopy", Kind: localaws.Throttle, Times: 2})
		if err := c.Copy(context.Background(), "s3://lake/src", "s3://lake/dst"); err != nil {
			t.Fatal(err)
		}
		if got, _ := getObject(t, sc, "lake", "dst"); !bytes.Equal(got, body) {
			t.Fatalf("got %d bytes, want the %d source bytes", len(got), len(body))
		}
	})
}

func TestCopyMultipartSourceReplaced(t *testing.T) {
	lowerCopyThreshold(t, 1<<20)
	st, sc, _ := startS3(t)
	putObject(t, sc, "lake", "src", randomBytes(3*MinPartSize+1, 23))
	var once sync.Once
	api := &interceptAPI{API: sc, beforePartCopy: func(part int32) {
		if part == 2 {
			once.Do(func() { putObject(t, sc, "lake", "src", []byte("replaced while the copy runs")) })
		}
	}}
	c := New(api, func(o *Options) { o.Retry = testRetry; o.PartSize = MinPartSize; o.Concurrency = 1 })
	err := c.Copy(context.Background(), "s3://lake/src", "s3://lake/dst")
	if !errors.Is(err, ErrPreconditionFailed) || !strings.Contains(err.Error(), "source changed during the copy") {
		t.Fatalf("got %v, want ErrPreconditionFailed saying the source changed", err)
	}
	if _, err := getObject(t, sc, "lake", "dst"); err == nil {
		t.Fatal("an object appeared from a source replaced mid-copy")
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d incomplete uploads, want 0", n)
	}
	if n := st.Calls("s3:UploadPartCopy"); n != 2 {
		t.Fatalf("got %d UploadPartCopy calls, want 2 (part 1, then part 2 refused and not retried)", n)
	}
}

func TestCopyMultipartCancel(t *testing.T) {
	lowerCopyThreshold(t, 1<<20)
	st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
	putObject(t, sc, "lake", "src", randomBytes(4*MinPartSize, 24))
	// Slow parts so that the cancel lands while parts are in flight.
	st.Inject(localaws.Fault{Op: "s3:UploadPartCopy", Kind: localaws.Latency, Latency: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := c.Copy(ctx, "s3://lake/src", "s3://lake/dst")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("Copy took %v after the cancel, want it to stop promptly", elapsed)
	}
	if _, err := getObject(t, sc, "lake", "dst"); err == nil {
		t.Fatal("an object appeared after a cancelled copy")
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d incomplete uploads after a cancelled copy, want 0", n)
	}
	if n := st.Calls("s3:CompleteMultipartUpload"); n != 0 {
		t.Fatalf("got %d CompleteMultipartUpload calls, want 0", n)
	}
}

// plainAPI hides every method of an SDK client but those of API.
type plainAPI struct{ API }

func TestCopyMultipartNeedsUploadPartCopy(t *testing.T) {
	lowerCopyThreshold(t, 1<<20)
	_, sc, _ := startS3(t)
	c := New(plainAPI{sc}, func(o *Options) { o.Retry = testRetry })
	putObject(t, sc, "lake", "big", randomBytes(2<<20, 25))
	putObject(t, sc, "lake", "small", []byte("small"))
	if err := c.Copy(context.Background(), "s3://lake/big", "s3://lake/big-copy"); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("got %v, want errors.ErrUnsupported", err)
	}
	if err := c.Copy(context.Background(), "s3://lake/small", "s3://lake/small-copy"); err != nil {
		t.Fatalf("a small copy through CopyObject: %v", err)
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d incomplete uploads, want 0", n)
	}
}
