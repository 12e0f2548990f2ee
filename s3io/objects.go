package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ObjectInfo is what HeadObject says about an object.
type ObjectInfo struct {
	Object
	ContentType     string
	ContentEncoding string
	// Metadata is the user metadata (x-amz-meta-*), keys lowercased by S3.
	Metadata map[string]string
	// VersionID is set on versioned buckets.
	VersionID string
	// ServerSideEncryption is "AES256", "aws:kms" or "".
	ServerSideEncryption string
	KMSKeyID             string
}

// Describe returns an object's metadata (HeadObject). A missing object is
// an error wrapping ErrNotFound.
func (c *Client) Describe(ctx context.Context, rawURL string, optFns ...func(*Options)) (ObjectInfo, error) {
	u, err := parseObjectURL(rawURL)
	if err != nil {
		return ObjectInfo{}, err
	}
	o := c.resolve(optFns)
	info, err := c.head(ctx, o, u)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("s3io: describe %s: %w", u, err)
	}
	return info, nil
}

func (c *Client) head(ctx context.Context, o Options, u URL) (ObjectInfo, error) {
	var out *s3.HeadObjectOutput
	err := c.call(ctx, o, "HeadObject", u, func(ctx context.Context) error {
		var err error
		out, err = c.api.HeadObject(ctx, &s3.HeadObjectInput{
			Bucket: aws.String(u.Bucket), Key: aws.String(u.Key), ExpectedBucketOwner: o.owner(),
		})
		return err
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{
		Object: Object{
			Bucket: u.Bucket, Key: u.Key,
			Size:         aws.ToInt64(out.ContentLength),
			LastModified: aws.ToTime(out.LastModified),
			ETag:         aws.ToString(out.ETag),
			StorageClass: string(out.StorageClass),
		},
		ContentType:          aws.ToString(out.ContentType),
		ContentEncoding:      aws.ToString(out.ContentEncoding),
		Metadata:             out.Metadata,
		VersionID:            aws.ToString(out.VersionId),
		ServerSideEncryption: string(out.ServerSideEncryption),
		KMSKeyID:             aws.ToString(out.SSEKMSKeyId),
	}, nil
}

// Exists reports whether an object exists. Only a definite "not found"
// gives false with a nil error; any other failure is returned.
func (c *Client) Exists(ctx context.Context, rawURL string, optFns ...func(*Options)) (bool, error) {
	_, err := c.Describe(ctx, rawURL, optFns...)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// Size returns an object's size in bytes.
func (c *Client) Size(ctx context.Context, rawURL string, optFns ...func(*Options)) (int64, error) {
	info, err := c.Describe(ctx, rawURL, optFns...)
	return info.Size, err
}

// parseObjectURL parses a URL that must name one object.
func parseObjectURL(rawURL string) (URL, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return URL{}, err
	}
	if u.IsGlob() || u.IsPrefix() {
		return URL{}, fmt.Errorf("s3io: %s names a prefix or pattern, not one object: %w", rawURL, ErrInvalidURL)
	}
	return u, nil
}

// Delete deletes objects. Each URL is one object, or a prefix (ending in
// "/") or glob whose listed objects are all deleted. Keys go to
// DeleteObjects in batches of at most MaxDeleteKeys per bucket
// (AWS-FACTS.md 3.3), up to Options.Concurrency batches at a time. It
// returns how many keys S3 confirmed deleted and, joined, every failure: a
// failed request and each per-key error S3 reports inside a successful
// response (as a *DeleteError). A missing key counts as deleted, as S3
// reports it.
func (c *Client) Delete(ctx context.Context, urls []string, optFns ...func(*Options)) (int, error) {
	o := c.resolve(optFns)
	type batch struct {
		bucket string
		keys   []string
	}
	var batches []batch
	open := map[string]int{} // bucket -> index of its batch being filled
	add := func(u URL) {
		i, ok := open[u.Bucket]
		if !ok || len(batches[i].keys) == MaxDeleteKeys {
			batches = append(batches, batch{bucket: u.Bucket})
			i = len(batches) - 1
			open[u.Bucket] = i
		}
		batches[i].keys = append(batches[i].keys, u.Key)
	}
	for _, raw := range urls {
		u, err := ParseURL(raw)
		if err != nil {
			return 0, err
		}
		if !u.IsGlob() && !u.IsPrefix() {
			add(u)
			continue
		}
		for obj, err := range c.List(ctx, raw, func(lo *ListOptions) { lo.Options = o; lo.IncludeDirectoryMarkers = true }) {
			if err != nil {
				return 0, fmt.Errorf("s3io: delete: %w", err)
			}
			add(u.WithKey(obj.Key))
		}
	}
	var (
		mu      sync.Mutex
		errs    []error
		deleted int
		wg      sync.WaitGroup
	)
	sem := make(chan struct{}, o.Concurrency)
	for _, b := range batches {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return deleted, errors.Join(append(errs, fmt.Errorf("s3io: delete: %w", ctx.Err()))...)
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, berrs := c.deleteBatch(ctx, o, b.bucket, b.keys)
			mu.Lock()
			defer mu.Unlock()
			deleted += n
			errs = append(errs, berrs...)
			o.report(Progress{Op: "delete", Objects: deleted})
		}()
	}
	wg.Wait()
	return deleted, errors.Join(errs...)
}

// deleteBatch deletes up to MaxDeleteKeys keys of one bucket and returns
// how many were deleted and the failures, one per failed key.
func (c *Client) deleteBatch(ctx context.Context, o Options, bucket string, keys []string) (int, []error) {
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	u := URL{Bucket: bucket, Key: keys[0]}
	var out *s3.DeleteObjectsOutput
	err := c.call(ctx, o, "DeleteObjects", u, func(ctx context.Context) error {
		var err error
		out, err = c.api.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket:              aws.String(bucket),
			Delete:              &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
			ExpectedBucketOwner: o.owner(),
		})
		return err
	})
	if err != nil {
		return 0, []error{fmt.Errorf("s3io: delete %d keys in s3://%s from %q: %w", len(keys), bucket, keys[0], err)}
	}
	// Quiet mode lists only the failures; everything else was deleted.
	var errs []error
	for _, e := range out.Errors {
		errs = append(errs, fmt.Errorf("s3io: %w", &DeleteError{
			URL:     u.WithKey(aws.ToString(e.Key)).String(),
			Code:    aws.ToString(e.Code),
			Message: aws.ToString(e.Message),
		}))
	}
	return len(keys) - len(out.Errors), errs
}

// Wait polling: the first check is immediate, then the delay doubles from
// waitFirstDelay up to waitMaxDelay until the context ends.
const (
	waitFirstDelay = 50 * time.Millisecond
	waitMaxDelay   = 5 * time.Second
)

// WaitUntilExists polls HeadObject until the object exists, backing off
// from 50 ms to 5 s between checks, until ctx ends (bound it with a
// timeout). An error other than "not found" ends the wait.
func (c *Client) WaitUntilExists(ctx context.Context, rawURL string, optFns ...func(*Options)) error {
	return c.waitFor(ctx, rawURL, true, optFns)
}

// WaitUntilNotExists polls HeadObject until the object is gone, as
// WaitUntilExists does.
func (c *Client) WaitUntilNotExists(ctx context.Context, rawURL string, optFns ...func(*Options)) error {
	return c.waitFor(ctx, rawURL, false, optFns)
}

func (c *Client) waitFor(ctx context.Context, rawURL string, exists bool, optFns []func(*Options)) error {
	delay := waitFirstDelay
	for {
		ok, err := c.Exists(ctx, rawURL, optFns...)
		if err != nil {
			return fmt.Errorf("s3io: wait for %s: %w", rawURL, err)
		}
		if ok == exists {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("s3io: wait for %s (exists=%t): %w", rawURL, exists, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, waitMaxDelay)
	}
}

// Open returns a reader of an object's bytes, streamed as they arrive. A
// connection that fails mid-body is resumed with a ranged GET from the last
// byte read, pinned to the object's ETag so that a concurrent overwrite is
// an error rather than a mix of two versions; resumes count against the
// retry policy. Close the reader to release the connection.
func (c *Client) Open(ctx context.Context, rawURL string, optFns ...func(*Options)) (io.ReadCloser, error) {
	u, err := parseObjectURL(rawURL)
	if err != nil {
		return nil, err
	}
	o := c.resolve(optFns)
	r := &objectReader{ctx: ctx, c: c, o: o, u: u}
	if err := r.open(); err != nil {
		return nil, fmt.Errorf("s3io: open %s: %w", u, err)
	}
	return r, nil
}

// Download copies an object into w and returns the bytes written.
func (c *Client) Download(ctx context.Context, rawURL string, w io.Writer, optFns ...func(*Options)) (int64, error) {
	r, err := c.Open(ctx, rawURL, optFns...)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n, err := io.Copy(w, r)
	if err != nil {
		return n, fmt.Errorf("s3io: download %s after %d bytes: %w", rawURL, n, err)
	}
	return n, nil
}

// objectReader streams an object's body, resuming after a dropped
// connection.
type objectReader struct {
	ctx     context.Context
	c       *Client
	o       Options
	u       URL
	body    io.ReadCloser
	off     int64
	size    int64
	etag    string
	resumes int
}

// open issues a GET from r.off.
func (r *objectReader) open() error {
	in := &s3.GetObjectInput{Bucket: aws.String(r.u.Bucket), Key: aws.String(r.u.Key), ExpectedBucketOwner: r.o.owner()}
	if r.off > 0 {
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", r.off))
		if r.etag != "" {
			in.IfMatch = aws.String(r.etag)
		}
	}
	var out *s3.GetObjectOutput
	err := r.c.call(r.ctx, r.o, "GetObject", r.u, func(ctx context.Context) error {
		var err error
		out, err = r.c.api.GetObject(ctx, in)
		return err
	})
	if err != nil {
		return err
	}
	r.body = out.Body
	if r.etag == "" {
		r.etag = aws.ToString(out.ETag)
		r.size = aws.ToInt64(out.ContentLength)
	}
	return nil
}

// Read reads from the body, reopening it from the current offset when a
// read fails with a retryable error.
func (r *objectReader) Read(p []byte) (int, error) {
	for {
		if r.body == nil {
			if err := r.open(); err != nil {
				return 0, fmt.Errorf("resume at byte %d: %w", r.off, err)
			}
		}
		n, err := r.body.Read(p)
		r.off += int64(n)
		if err == nil || err == io.EOF {
			if err == io.EOF && r.size > 0 && r.off < r.size {
				err = io.ErrUnexpectedEOF
			} else {
				return n, err
			}
		}
		if ctxErr := r.ctx.Err(); ctxErr != nil {
			return n, ctxErr
		}
		r.body.Close()
		r.body = nil
		r.resumes++
		if !retryable(r.o, err) || r.resumes >= maxAttempts(r.o) {
			return n, fmt.Errorf("read at byte %d: %w", r.off, err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close releases the connection.
func (r *objectReader) Close() error {
	if r.body == nil {
		return nil
	}
	err := r.body.Close()
	r.body = nil
	return err
}
