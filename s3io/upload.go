package s3io

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// abortTimeout bounds the AbortMultipartUpload sent after a failure. It
// runs on a context detached from the caller's, because the caller's
// context ending is one of the reasons to abort.
const abortTimeout = 30 * time.Second

// maxPartSize is the largest part S3 accepts (AWS-FACTS.md 3.4); a larger
// PartSize is lowered to it.
const maxPartSize = 5 << 30

// maxObjectSize is the largest object S3 stores, 5 TiB (AWS-FACTS.md 3.4).
// A variable so that tests can lower it.
var maxObjectSize int64 = 5 << 40

// partsPerDoubling is how many parts a Writer uploads at one part size
// before doubling it. 1,000 would leave a 5 MiB PartSize short of 5 TiB
// (10 tiers of 1,000 parts from 5 MiB to 2.5 GiB hold 4.88 TiB); with 900,
// 5 MiB parts reach 5 TiB at part 9,125 and 8 MiB parts at part 8,482. A
// variable so that tests can trigger the growth with small uploads.
var partsPerDoubling int32 = 900

// partSizeAt is the size of part num (1-based) of a Writer whose first part
// is base bytes: base doubled once per partsPerDoubling parts before it,
// capped at maxPartSize.
func partSizeAt(base int64, num int32) int64 {
	size := min(base, maxPartSize)
	for k := (num - 1) / partsPerDoubling; k > 0 && size < maxPartSize; k-- {
		size *= 2
	}
	return min(size, maxPartSize)
}

// Writer streams bytes into one S3 object. Output up to PartSize bytes
// becomes a single PutObject at Close; beyond that the Writer starts a
// multipart upload and uploads each part as it fills, up to Concurrency
// parts in parallel, so it holds at most Concurrency+1 part buffers.
//
// The length need not be known in advance: parts start at PartSize and the
// part size doubles after every 900 parts, up to S3's 5 GiB part maximum,
// so that a stream up to S3's 5 TiB object maximum fits in the 10,000 parts
// S3 allows whatever PartSize is (AWS-FACTS.md 3.4). Memory follows the
// stream: at most (Concurrency+1) x the current part size, and a part is
// never larger than the larger of PartSize and 1/450 of the bytes written
// before it. With the defaults (8 MiB, Concurrency 8) that is 72 MiB for
// the first 7 GiB, 144 MiB up to 21 GiB, 288 MiB up to 49 GiB, and so on;
// a stream known to be large uses fewer, larger parts from the start with a
// larger PartSize. Past 5 TiB, Write fails with ErrTooLarge.
//
// Nothing half-written is ever visible: the object appears only when Close
// succeeds. On any failure (a part that fails after its retries, Abort, or
// the context passed to NewWriter ending, even while no method is running)
// the multipart upload is aborted, so neither an object nor an incomplete
// upload is left behind.
//
// Write and Close must be called from one goroutine at a time; Abort may be
// called from any goroutine.
type Writer struct {
	c   *Client
	o   Options
	u   URL
	ctx context.Context
	// cancel ends ctx, stopping parts in flight when the writer fails.
	cancel context.CancelFunc
	// stop detaches the abort-on-cancel hook of the caller's context.
	stop func() bool

	// mu serialises Write, Close and Abort, so that an abort triggered by the
	// caller's context never races with a Write that is creating the upload.
	mu       sync.Mutex
	buf      []byte
	base     int64       // the first part's size: PartSize, at most maxPartSize
	free     chan []byte // part buffers not in use
	buffers  int         // part buffers in use or in free
	uploadID string
	nextPart int32
	written  int64
	state    writerState
	err      error // the failure that ended the writer

	inflight sync.WaitGroup
	pmu      sync.Mutex // guards parts, partErr and uploaded
	parts    []types.CompletedPart
	partErr  error
	uploaded int64
}

type writerState int

const (
	writerOpen writerState = iota
	writerDone
	writerFailed
)

// NewWriter returns a Writer of the object at url. No request is made
// until the first part fills or Close. ctx bounds the whole upload: when it
// ends, the upload is aborted.
func (c *Client) NewWriter(ctx context.Context, url string, optFns ...func(*Options)) (*Writer, error) {
	u, err := parseObjectURL(url)
	if err != nil {
		return nil, err
	}
	o := c.resolve(optFns)
	wctx, cancel := context.WithCancel(ctx)
	w := &Writer{
		c: c, o: o, u: u, ctx: wctx, cancel: cancel,
		base:     min(o.PartSize, maxPartSize),
		free:     make(chan []byte, o.Concurrency+1),
		nextPart: 1,
	}
	w.stop = context.AfterFunc(ctx, func() {
		w.Abort()
	})
	return w, nil
}

// Write buffers p, uploading each part as it fills. It returns the first
// error of the upload, after which the writer is aborted.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return 0, err
	}
	if w.written+int64(len(p)) > maxObjectSize {
		return 0, w.failLocked(fmt.Errorf("%d bytes would exceed S3's %d-byte object maximum: %w",
			w.written+int64(len(p)), maxObjectSize, ErrTooLarge))
	}
	n := 0
	for len(p) > 0 {
		if w.buf == nil {
			buf, err := w.buffer()
			if err != nil {
				return n, w.failLocked(err)
			}
			w.buf = buf
		}
		k := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		n += k
		w.written += int64(k)
		if len(w.buf) == cap(w.buf) {
			if err := w.flushPart(); err != nil {
				return n, w.failLocked(err)
			}
		}
	}
	return n, nil
}

// ReadFrom copies r into the writer; io.Copy uses it.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	chunk := make([]byte, 256<<10)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			if _, werr := w.Write(chunk[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// usable returns the reason the writer cannot take more bytes, if any.
func (w *Writer) usable() error {
	switch w.state {
	case writerDone:
		return fmt.Errorf("s3io: write %s: %w", w.u, ErrClosed)
	case writerFailed:
		return w.err
	}
	if err := w.partError(); err != nil {
		return w.failLocked(err)
	}
	return nil
}

// buffer returns an empty buffer for the next part, its capacity the
// part's size, waiting for one to come back from an upload in flight when
// Concurrency+1 exist already. A returned buffer smaller than the part
// size has now grown to is dropped and replaced, so the count, not only
// the sizes, stays bounded.
func (w *Writer) buffer() ([]byte, error) {
	size := partSizeAt(w.base, w.nextPart)
	fit := func(b []byte) []byte {
		if int64(cap(b)) >= size {
			return b[:0:size]
		}
		return make([]byte, 0, size)
	}
	select {
	case b := <-w.free:
		return fit(b), nil
	default:
	}
	if w.buffers < cap(w.free) {
		w.buffers++
		return make([]byte, 0, size), nil
	}
	select {
	case b := <-w.free:
		return fit(b), nil
	case <-w.ctx.Done():
		// A failed part cancels the context too: report the failure, not
		// the cancellation it caused.
		if err := w.partError(); err != nil {
			return nil, err
		}
		return nil, context.Cause(w.ctx)
	}
}

// flushPart starts the upload of the full buffer as the next part,
// creating the multipart upload first if needed.
func (w *Writer) flushPart() error {
	if w.nextPart > MaxParts {
		// Unreachable below maxObjectSize with the growth schedule; kept so
		// that a change to it cannot send part 10,001.
		return fmt.Errorf("%d bytes written with PartSize %d need more than %d parts: %w", w.written, w.base, MaxParts, ErrTooLarge)
	}
	if w.uploadID == "" {
		if err := w.create(); err != nil {
			return err
		}
	}
	if err := w.partError(); err != nil {
		return err
	}
	buf, num := w.buf, w.nextPart
	w.buf = nil
	w.nextPart++
	w.inflight.Add(1)
	go w.uploadPart(num, buf)
	return nil
}

func (w *Writer) create() error {
	sse, kms := w.o.sse()
	var out *s3.CreateMultipartUploadOutput
	err := w.c.call(w.ctx, w.o, "CreateMultipartUpload", w.u, func(ctx context.Context) error {
		var err error
		out, err = w.c.api.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
			Bucket: aws.String(w.u.Bucket), Key: aws.String(w.u.Key),
			ExpectedBucketOwner: w.o.owner(), ServerSideEncryption: sse, SSEKMSKeyId: kms,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("create multipart upload: %w", err)
	}
	w.uploadID = aws.ToString(out.UploadId)
	return nil
}

// uploadPart uploads one part on its own goroutine and returns the buffer.
func (w *Writer) uploadPart(num int32, buf []byte) {
	defer w.inflight.Done()
	defer func() { w.free <- buf }()
	var out *s3.UploadPartOutput
	err := w.c.call(w.ctx, w.o, "UploadPart", w.u, func(ctx context.Context) error {
		var err error
		out, err = w.c.api.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(w.u.Bucket), Key: aws.String(w.u.Key),
			UploadId: aws.String(w.uploadID), PartNumber: aws.Int32(num),
			Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(len(buf))),
			ExpectedBucketOwner: w.o.owner(),
		})
		return err
	})
	w.pmu.Lock()
	defer w.pmu.Unlock()
	if err != nil {
		if w.partErr == nil {
			w.partErr = fmt.Errorf("upload part %d: %w", num, err)
			w.cancel() // stop the other parts: the upload is lost anyway
		}
		return
	}
	w.parts = append(w.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
	w.uploaded += int64(len(buf))
	w.o.report(Progress{Op: "upload", URL: w.u.String(), Bytes: w.uploaded})
}

func (w *Writer) partError() error {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	return w.partErr
}

// Close uploads what remains and completes the object: a PutObject when
// the output fit in one part, otherwise the last part and
// CompleteMultipartUpload. On failure the upload is aborted and the error
// returned; nothing is left behind. Close after Close returns nil; Close
// after a failure returns the failure.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.state {
	case writerDone:
		return nil
	case writerFailed:
		return w.err
	}
	if err := w.partError(); err != nil {
		return w.failLocked(err)
	}
	if w.uploadID == "" {
		if err := w.putObject(); err != nil {
			return w.failLocked(err)
		}
		return w.finishLocked()
	}
	if len(w.buf) > 0 {
		if err := w.flushPart(); err != nil {
			return w.failLocked(err)
		}
	}
	w.inflight.Wait()
	if err := w.partError(); err != nil {
		return w.failLocked(err)
	}
	if err := w.complete(); err != nil {
		return w.failLocked(err)
	}
	return w.finishLocked()
}

func (w *Writer) finishLocked() error {
	w.state = writerDone
	w.stop()
	w.cancel()
	w.buf = nil
	w.o.report(Progress{Op: "upload", URL: w.u.String(), Bytes: w.written, Objects: 1, Done: true})
	return nil
}

func (w *Writer) putObject() error {
	sse, kms := w.o.sse()
	body := w.buf
	in := &s3.PutObjectInput{
		Bucket: aws.String(w.u.Bucket), Key: aws.String(w.u.Key),
		ContentLength:       aws.Int64(int64(len(body))),
		ExpectedBucketOwner: w.o.owner(), ServerSideEncryption: sse, SSEKMSKeyId: kms,
	}
	if w.o.IfNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	return w.c.call(w.ctx, w.o, "PutObject", w.u, func(ctx context.Context) error {
		in.Body = bytes.NewReader(body)
		_, err := w.c.api.PutObject(ctx, in)
		return err
	})
}

func (w *Writer) complete() error {
	w.pmu.Lock()
	parts := slices.Clone(w.parts)
	w.pmu.Unlock()
	// Parts must be listed in ascending order (InvalidPartOrder,
	// AWS-FACTS.md 3.4); they finish in any order.
	slices.SortFunc(parts, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	in := &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(w.u.Bucket), Key: aws.String(w.u.Key), UploadId: aws.String(w.uploadID),
		MultipartUpload:     &types.CompletedMultipartUpload{Parts: parts},
		ExpectedBucketOwner: w.o.owner(),
	}
	if w.o.IfNoneMatch {
		// Conditional writes apply to CompleteMultipartUpload too
		// (AWS-FACTS.md 3.6).
		in.IfNoneMatch = aws.String("*")
	}
	err := w.c.call(w.ctx, w.o, "CompleteMultipartUpload", w.u, func(ctx context.Context) error {
		_, err := w.c.api.CompleteMultipartUpload(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload of %d parts: %w", len(parts), err)
	}
	return nil
}

// Abort abandons the upload: parts in flight are stopped and the multipart
// upload, if one was started, is aborted. It returns nil if there was
// nothing to abort or the abort succeeded. After Abort, Write and Close
// return an error wrapping ErrAborted. Abort after a successful Close does
// nothing: the object stays.
func (w *Writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != writerOpen {
		return nil
	}
	cause := ErrAborted
	if err := context.Cause(w.ctx); err != nil {
		cause = fmt.Errorf("%w: %w", ErrAborted, err)
	}
	err := w.failLocked(cause)
	var abortErr *abortError
	if errors.As(err, &abortErr) {
		return abortErr.err
	}
	return nil
}

// abortError marks a failure of AbortMultipartUpload itself inside the
// error a failed writer returns.
type abortError struct{ err error }

// Error and Unwrap present the failed abort.
func (e *abortError) Error() string { return e.err.Error() }
func (e *abortError) Unwrap() error { return e.err }

// failLocked ends the writer with err: it stops parts in flight, waits for
// them, aborts the multipart upload, and records and returns the error.
func (w *Writer) failLocked(cause error) error {
	if w.state == writerFailed {
		return w.err
	}
	w.state = writerFailed
	if w.ctx.Err() != nil && !errors.Is(cause, ErrAborted) {
		// The context ended the upload (ErrAborted's doc promises it in
		// the chain, whichever call notices first).
		cause = fmt.Errorf("%w: %w", ErrAborted, cause)
	}
	w.stop()
	w.cancel()
	w.inflight.Wait()
	w.buf = nil
	err := fmt.Errorf("s3io: write %s: %w", w.u, cause)
	if w.uploadID != "" {
		if aerr := w.abortUpload(); aerr != nil {
			err = errors.Join(err, &abortError{fmt.Errorf("s3io: abort multipart upload of %s: %w", w.u, aerr)})
		}
	}
	if w.o.Logger != nil {
		w.o.Logger.LogAttrs(context.Background(), slog.LevelWarn, "s3io upload failed",
			slog.String("url", w.u.String()), slog.Int64("bytes", w.written), slog.String("error", cause.Error()))
	}
	w.err = err
	return err
}

// abortUpload sends AbortMultipartUpload on a detached context: the
// writer's own context is already cancelled at this point.
func (w *Writer) abortUpload() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), abortTimeout)
	defer cancel()
	return w.c.call(ctx, w.o, "AbortMultipartUpload", w.u, func(ctx context.Context) error {
		_, err := w.c.api.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(w.u.Bucket), Key: aws.String(w.u.Key), UploadId: aws.String(w.uploadID),
			ExpectedBucketOwner: w.o.owner(),
		})
		var nsu *types.NoSuchUpload
		if errors.As(err, &nsu) {
			return nil // already gone
		}
		return err
	})
}

// Upload streams r into the object at url through a Writer and returns the
// bytes written. On error nothing is left behind.
func (c *Client) Upload(ctx context.Context, url string, r io.Reader, optFns ...func(*Options)) (int64, error) {
	w, err := c.NewWriter(ctx, url, optFns...)
	if err != nil {
		return 0, err
	}
	n, err := w.ReadFrom(r)
	if err != nil {
		return n, errors.Join(err, w.Abort())
	}
	return n, w.Close()
}
