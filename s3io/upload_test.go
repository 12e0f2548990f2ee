package s3io

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/localaws"
)

// randomBytes returns n reproducible pseudo-random bytes. ChaCha8 fills
// the slice in one call: a byte-at-a-time generator takes seconds per
// 10 MiB under the race detector.
func randomBytes(n int, seed uint64) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

// writeInChunks writes body in chunks of irregular sizes.
func writeInChunks(t *testing.T, w *Writer, body []byte) error {
	t.Helper()
	sizes := []int{1, 4093, 1 << 20, 77, 3 << 20}
	for i := 0; len(body) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(body))
		if _, err := w.Write(body[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	return nil
}

// openUploads counts the incomplete multipart uploads in the bucket.
func openUploads(t *testing.T, sc *s3.Client) int {
	t.Helper()
	out, err := sc.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("lake")})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

func TestWriterRoundTrip(t *testing.T) {
	tests := []struct {
		name          string
		size          int
		puts, parts   int
		concurrency   int
		wantMultipart bool
	}{
		{name: "empty", size: 0, puts: 1},
		{name: "small", size: 1000, puts: 1},
		{name: "exactly one part", size: MinPartSize, puts: 0, parts: 1, wantMultipart: true},
		{name: "three parts", size: 2*MinPartSize + 12345, parts: 3, concurrency: 2, wantMultipart: true},
		{name: "many parts serial", size: 4*MinPartSize + 1, parts: 5, concurrency: 1, wantMultipart: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = tt.concurrency })
			body := randomBytes(tt.size, uint64(tt.size))
			var reports []Progress
			w, err := c.NewWriter(context.Background(), "s3://lake/out/obj.bin", func(o *Options) {
				o.Progress = func(p Progress) { reports = append(reports, p) }
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := writeInChunks(t, w, body); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if limit := w.o.Concurrency + 1; w.buffers > limit {
				t.Errorf("got %d part buffers, want at most Concurrency+1 = %d", w.buffers, limit)
			}
			got, err := getObject(t, sc, "lake", "out/obj.bin")
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("got %d bytes, %v; want the %d written", len(got), err, len(body))
			}
			if n := st.Calls("s3:PutObject"); n != tt.puts {
				t.Errorf("got %d PutObject calls, want %d", n, tt.puts)
			}
			if n := st.Calls("s3:UploadPart"); n != tt.parts {
				t.Errorf("got %d UploadPart calls, want %d", n, tt.parts)
			}
			if n := st.Calls("s3:CompleteMultipartUpload"); (n == 1) != tt.wantMultipart {
				t.Errorf("got %d CompleteMultipartUpload calls, want multipart %t", n, tt.wantMultipart)
			}
			if last := reports[len(reports)-1]; !last.Done || last.Bytes != int64(tt.size) {
				t.Errorf("got last progress %+v, want Done with %d bytes", last, tt.size)
			}
			if err := w.Close(); err != nil {
				t.Errorf("second Close: got %v, want nil", err)
			}
			if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after Close: got %v, want ErrClosed", err)
			}
		})
	}
}

func TestWriterFaultsLeaveNothingBehind(t *testing.T) {
	tests := []struct {
		name  string
		fault localaws.Fault
	}{
		{name: "UploadPart fails", fault: localaws.Fault{Op: "s3:UploadPart", Kind: localaws.InternalError}},
		{name: "UploadPart unavailable", fault: localaws.Fault{Op: "s3:UploadPart", Kind: localaws.Unavailable}},
		{name: "CompleteMultipartUpload fails", fault: localaws.Fault{Op: "s3:CompleteMultipartUpload", Kind: localaws.InternalError}},
		{name: "UploadPart throttled", fault: localaws.Fault{Op: "s3:UploadPart", Kind: localaws.Throttle}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
			st.Inject(tt.fault)
			w, err := c.NewWriter(context.Background(), "s3://lake/big.parquet")
			if err != nil {
				t.Fatal(err)
			}
			werr := writeInChunks(t, w, randomBytes(4*MinPartSize+10, 1))
			cerr := w.Close()
			if werr == nil && cerr == nil {
				t.Fatal("got no error from Write or Close, want the injected failure")
			}
			if werr != nil && cerr == nil {
				t.Fatalf("Write failed (%v) but Close returned nil", werr)
			}
			if _, err := getObject(t, sc, "lake", "big.parquet"); err == nil {
				t.Fatal("an object appeared after a failed upload")
			}
			if n := openUploads(t, sc); n != 0 {
				t.Fatalf("got %d incomplete multipart uploads, want 0", n)
			}
			if st.Calls("s3:AbortMultipartUpload") == 0 {
				t.Fatal("AbortMultipartUpload was never called")
			}
		})
	}
}

func TestWriterRetriesTransientPartFailures(t *testing.T) {
	st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize })
	st.Inject(localaws.Fault{Op: "s3:UploadPart", Kind: localaws.Throttle, Times: 2})
	body := randomBytes(2*MinPartSize+1, 3)
	w, _ := c.NewWriter(context.Background(), "s3://lake/k")
	if err := writeInChunks(t, w, body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := getObject(t, sc, "lake", "k")
	if !bytes.Equal(got, body) {
		t.Fatalf("got %d bytes, want %d", len(got), len(body))
	}
}

func TestWriterCancelMidUpload(t *testing.T) {
	st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 2 })
	// Slow parts so that the cancel lands while parts are in flight.
	st.Inject(localaws.Fault{Op: "s3:UploadPart", Kind: localaws.Latency, Latency: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	w, err := c.NewWriter(ctx, "s3://lake/cancelled")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(2*MinPartSize+5, 2)); err != nil {
		t.Fatal(err)
	}
	cancel() // the caller never calls Close: the writer must clean up alone
	deadline := time.Now().Add(5 * time.Second)
	for openUploads(t, sc) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the multipart upload is still open 5 s after the context was cancelled")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := w.Close(); !errors.Is(err, context.Canceled) || !errors.Is(err, ErrAborted) {
		t.Fatalf("Close after cancel: got %v, want ErrAborted and context.Canceled", err)
	}
	if _, err := getObject(t, sc, "lake", "cancelled"); err == nil {
		t.Fatal("an object appeared after a cancelled upload")
	}
}

func TestWriterAbort(t *testing.T) {
	_, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize })
	w, _ := c.NewWriter(context.Background(), "s3://lake/aborted")
	if _, err := w.Write(randomBytes(MinPartSize+1, 4)); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d open uploads after Abort, want 0", n)
	}
	if err := w.Close(); !errors.Is(err, ErrAborted) {
		t.Fatalf("Close after Abort: got %v, want ErrAborted", err)
	}
	if _, err := getObject(t, sc, "lake", "aborted"); err == nil {
		t.Fatal("an aborted writer left an object")
	}
}

func TestWriterIfNoneMatch(t *testing.T) {
	_, sc, c := startS3(t)
	putObject(t, sc, "lake", "exists", []byte("old"))
	w, _ := c.NewWriter(context.Background(), "s3://lake/exists", func(o *Options) { o.IfNoneMatch = true })
	w.Write([]byte("new"))
	if err := w.Close(); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("got %v, want ErrPreconditionFailed", err)
	}
	if got, _ := getObject(t, sc, "lake", "exists"); string(got) != "old" {
		t.Fatalf("object is %q, want old", got)
	}
	n, err := c.Upload(context.Background(), "s3://lake/fresh", bytes.NewReader([]byte("new")), func(o *Options) { o.IfNoneMatch = true })
	if err != nil || n != 3 {
		t.Fatalf("upload of a new key: got %d, %v", n, err)
	}
}

func TestWriterFailureAfterSomePartsSucceeded(t *testing.T) {
	st, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize; o.Concurrency = 1 })
	w, _ := c.NewWriter(context.Background(), "s3://lake/half.bin")
	if _, err := w.Write(randomBytes(MinPartSize+1, 5)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for st.Calls("s3:UploadPart") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first part was never uploaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	st.Inject(localaws.Fault{Op: "s3:UploadPart", Kind: localaws.InternalError})
	werr := writeInChunks(t, w, randomBytes(2*MinPartSize, 6))
	if cerr := w.Close(); cerr == nil {
		t.Fatalf("Close returned nil after failed parts (Write: %v)", werr)
	}
	if _, err := getObject(t, sc, "lake", "half.bin"); err == nil {
		t.Fatal("a half-written object became visible")
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d incomplete uploads, want 0", n)
	}
}

func TestPartSizeSchedule(t *testing.T) {
	const (
		mib = int64(1) << 20
		gib = int64(1) << 30
		// S3's object maximum (AWS-FACTS.md 3.4).
		fiveTiB = int64(5) << 40
	)
	tests := []struct {
		base int64
		// reachAt is the part at which the sum first reaches 5 TiB, by hand:
		// for 5 MiB, tiers of 900 parts from 5 MiB to 2.5 GiB hold
		// 900*5*1023 MiB; the rest, 639,380 MiB, takes 125 parts of 5 GiB.
		// For 8 MiB, 9 tiers to 2 GiB hold 900*8*511 MiB; the rest takes
		// 382 parts of 4 GiB.
		reachAt int32
	}{
		{base: MinPartSize, reachAt: 9000 + 125},
		{base: DefaultPartSize, reachAt: 8100 + 382},
		{base: 10*mib + 1},
		{base: 64 * mib},
		{base: gib},
		{base: maxPartSize},
		{base: 8 * gib}, // over the part maximum: lowered to 5 GiB
	}
	for _, tt := range tests {
		var sum int64
		var reached int32
		prev := int64(0)
		for num := int32(1); num <= MaxParts; num++ {
			size := partSizeAt(tt.base, num)
			if size < MinPartSize || size > maxPartSize {
				t.Fatalf("base %d part %d: got %d bytes, want 5 MiB..5 GiB (AWS-FACTS.md 3.4)", tt.base, num, size)
			}
			if size < prev {
				t.Fatalf("base %d part %d: got %d bytes after %d, want parts never to shrink", tt.base, num, size, prev)
			}
			// The memory promise of the Writer's doc: a part is at most the
			// larger of PartSize and 1/450 of the bytes before it.
			if limit := max(min(tt.base, maxPartSize), sum*2/int64(partsPerDoubling)); size > limit {
				t.Fatalf("base %d part %d: got %d bytes after %d written, want at most %d", tt.base, num, size, sum, limit)
			}
			sum += size
			prev = size
			if reached == 0 && sum >= fiveTiB {
				reached = num
			}
		}
		if reached == 0 {
			t.Fatalf("base %d: %d parts hold %d bytes, want at least 5 TiB", tt.base, MaxParts, sum)
		}
		if tt.reachAt != 0 && reached != tt.reachAt {
			t.Errorf("base %d: got 5 TiB at part %d, want %d", tt.base, reached, tt.reachAt)
		}
	}
}

// partSizes records the size of every UploadPart by part number.
type partSizes struct {
	*s3.Client
	mu    sync.Mutex
	sizes map[int32]int64
}

func (p *partSizes) UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	p.mu.Lock()
	p.sizes[aws.ToInt32(in.PartNumber)] = aws.ToInt64(in.ContentLength)
	p.mu.Unlock()
	return p.Client.UploadPart(ctx, in, optFns...)
}

func TestWriterGrowsPartSize(t *testing.T) {
	old := partsPerDoubling
	partsPerDoubling = 2
	t.Cleanup(func() { partsPerDoubling = old })
	_, sc, _ := startS3(t)
	api := &partSizes{Client: sc, sizes: map[int32]int64{}}
	c := New(api, func(o *Options) { o.Retry = testRetry; o.PartSize = MinPartSize; o.Concurrency = 2 })
	// Two parts of 5 MiB, two of 10 MiB, then a last part of 3 MiB + 7
	// from a 20 MiB buffer.
	const m = MinPartSize
	body := randomBytes(2*m+2*2*m+3<<20+7, 31)
	w, err := c.NewWriter(context.Background(), "s3://lake/grown.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := writeInChunks(t, w, body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for num := int32(1); num <= int32(len(api.sizes)); num++ {
		got = append(got, api.sizes[num])
	}
	if want := []int64{m, m, 2 * m, 2 * m, 3<<20 + 7}; !slices.Equal(got, want) {
		t.Fatalf("got part sizes %v, want %v", got, want)
	}
	if limit := w.o.Concurrency + 1; w.buffers > limit {
		t.Errorf("got %d part buffers, want at most Concurrency+1 = %d", w.buffers, limit)
	}
	if b, err := getObject(t, sc, "lake", "grown.bin"); err != nil || !bytes.Equal(b, body) {
		t.Fatalf("got %d bytes, %v; want the %d written", len(b), err, len(body))
	}
}

func TestWriterRefusesMoreThanTheObjectMaximum(t *testing.T) {
	old := maxObjectSize
	maxObjectSize = 3 * MinPartSize
	t.Cleanup(func() { maxObjectSize = old })
	_, sc, c := startS3(t, func(o *Options) { o.PartSize = MinPartSize })
	w, err := c.NewWriter(context.Background(), "s3://lake/huge")
	if err != nil {
		t.Fatal(err)
	}
	werr := writeInChunks(t, w, randomBytes(3*MinPartSize+1, 32))
	if !errors.Is(werr, ErrTooLarge) {
		t.Fatalf("Write: got %v, want ErrTooLarge", werr)
	}
	if err := w.Close(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Close: got %v, want ErrTooLarge", err)
	}
	if _, err := getObject(t, sc, "lake", "huge"); err == nil {
		t.Fatal("an object appeared after a refused write")
	}
	if n := openUploads(t, sc); n != 0 {
		t.Fatalf("got %d incomplete uploads, want 0", n)
	}
}
