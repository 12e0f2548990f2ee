package s3io

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// maxCopyObjectSize is the largest source one CopyObject copies: 5 GiB, the
// single-operation copy limit; larger sources are copied part by part.
const maxCopyObjectSize = 5 << 30

// multipartCopyThreshold is the source size above which Copy switches from
// CopyObject to a multipart copy. It is maxCopyObjectSize; tests lower it
// to exercise the multipart path with small objects.
var multipartCopyThreshold int64 = maxCopyObjectSize

// partCopyAPI is the UploadPartCopy call of a multipart copy. *s3.Client
// has it; the API interface does not list it, so an API without it can
// still copy objects up to 5 GiB.
type partCopyAPI interface {
	UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, optFns ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error)
}

// Copy copies an object server-side: the bytes never pass through the
// caller. It reads the source's size first (HeadObject). A source up to
// 5 GiB is copied with one CopyObject, which keeps its metadata and tags. A
// larger one, up to S3's 5 TiB, is copied as a multipart upload of
// UploadPartCopy ranges, Options.PartSize each (grown so that the copy fits
// in MaxParts parts, at most 5 GiB; AWS-FACTS.md 3.4), up to
// Options.Concurrency at a time. The multipart copy keeps the source's
// Content-Type, Content-Encoding, Content-Disposition, Content-Language,
// Cache-Control, Expires and user metadata, but not its tags (S3 copies
// tags only with CopyObject). Every part is pinned to the source's ETag, so
// a source replaced during the copy makes it fail with an error wrapping
// ErrPreconditionFailed instead of producing a mix of two versions; on that
// or any other failure, the caller's context ending included, the upload is
// aborted and neither an object nor an incomplete upload is left behind.
//
// The copy gets the options' encryption and, with IfNoneMatch, does not
// replace an existing destination.
func (c *Client) Copy(ctx context.Context, src, dst string, optFns ...func(*Options)) error {
	su, err := parseObjectURL(src)
	if err != nil {
		return err
	}
	du, err := parseObjectURL(dst)
	if err != nil {
		return err
	}
	o := c.resolve(optFns)
	var head *s3.HeadObjectOutput
	err = c.call(ctx, o, "HeadObject", su, func(ctx context.Context) error {
		var err error
		head, err = c.api.HeadObject(ctx, &s3.HeadObjectInput{
			Bucket: aws.String(su.Bucket), Key: aws.String(su.Key), ExpectedBucketOwner: o.owner(),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("s3io: copy %s to %s: %w", su, du, err)
	}
	size := aws.ToInt64(head.ContentLength)
	if size > multipartCopyThreshold {
		if err := c.copyMultipart(ctx, o, su, du, head); err != nil {
			return fmt.Errorf("s3io: copy %s to %s (%d bytes): %w", su, du, size, err)
		}
	} else if err := c.copyObject(ctx, o, su, du); err != nil {
		return fmt.Errorf("s3io: copy %s to %s: %w", su, du, err)
	}
	o.report(Progress{Op: "copy", URL: du.String(), Bytes: size, Objects: 1, Done: true})
	return nil
}

// copySource is the x-amz-copy-source of an object.
func copySource(u URL) *string { return aws.String(u.Bucket + "/" + escapeKey(u.Key)) }

// copyObject copies su to du with one CopyObject.
func (c *Client) copyObject(ctx context.Context, o Options, su, du URL) error {
	sse, kms := o.sse()
	in := &s3.CopyObjectInput{
		Bucket:                    aws.String(du.Bucket),
		Key:                       aws.String(du.Key),
		CopySource:                copySource(su),
		ExpectedBucketOwner:       o.owner(),
		ExpectedSourceBucketOwner: o.owner(),
		ServerSideEncryption:      sse,
		SSEKMSKeyId:               kms,
	}
	if o.IfNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	return c.call(ctx, o, "CopyObject", du, func(ctx context.Context) error {
		_, err := c.api.CopyObject(ctx, in)
		return err
	})
}

// copyPartSize is the part size of a multipart copy of size bytes: partSize
// (Options.PartSize), raised to what fits size in MaxParts parts and kept
// within 5 MiB..5 GiB (AWS-FACTS.md 3.4). A source over S3's 5 TiB object
// maximum is ErrTooLarge.
func copyPartSize(size, partSize int64) (int64, error) {
	if size > maxObjectSize {
		return 0, fmt.Errorf("%d bytes is more than S3's %d-byte object maximum: %w", size, int64(maxObjectSize), ErrTooLarge)
	}
	p := max(partSize, MinPartSize, (size+MaxParts-1)/MaxParts)
	return min(p, maxPartSize), nil
}

// copyMultipart copies su (described by head) to du as a multipart upload
// of UploadPartCopy ranges, aborting the upload on any failure.
func (c *Client) copyMultipart(ctx context.Context, o Options, su, du URL, head *s3.HeadObjectOutput) error {
	pc, ok := c.api.(partCopyAPI)
	if !ok {
		return fmt.Errorf("a source over %d bytes needs UploadPartCopy, which the client's API (%T) lacks: %w",
			int64(maxCopyObjectSize), c.api, errors.ErrUnsupported)
	}
	size := aws.ToInt64(head.ContentLength)
	partSize, err := copyPartSize(size, o.PartSize)
	if err != nil {
		return err
	}
	sse, kms := o.sse()
	create := &s3.CreateMultipartUploadInput{
		Bucket: aws.String(du.Bucket), Key: aws.String(du.Key),
		ExpectedBucketOwner: o.owner(), ServerSideEncryption: sse, SSEKMSKeyId: kms,
		// What CopyObject's default MetadataDirective=COPY would keep.
		ContentType:             head.ContentType,
		ContentEncoding:         head.ContentEncoding,
		ContentDisposition:      head.ContentDisposition,
		ContentLanguage:         head.ContentLanguage,
		CacheControl:            head.CacheControl,
		WebsiteRedirectLocation: head.WebsiteRedirectLocation,
		Metadata:                head.Metadata,
	}
	if t, err := http.ParseTime(aws.ToString(head.ExpiresString)); err == nil {
		create.Expires = aws.Time(t)
	}
	var created *s3.CreateMultipartUploadOutput
	err = c.call(ctx, o, "CreateMultipartUpload", du, func(ctx context.Context) error {
		var err error
		created, err = c.api.CreateMultipartUpload(ctx, create)
		return err
	})
	if err != nil {
		return fmt.Errorf("create multipart upload: %w", err)
	}
	mc := &multipartCopy{
		c: c, o: o, pc: pc, src: su, dst: du, uploadID: aws.ToString(created.UploadId),
		etag: aws.ToString(head.ETag), size: size, partSize: partSize,
	}
	err = mc.copyParts(ctx)
	if err == nil {
		err = mc.complete(ctx)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w: %w", err, ctx.Err())
	}
	if aerr := mc.abort(ctx); aerr != nil {
		err = errors.Join(err, fmt.Errorf("abort multipart upload of %s: %w", du, aerr))
	}
	if o.Logger != nil {
		o.Logger.LogAttrs(context.Background(), slog.LevelWarn, "s3io copy failed",
			slog.String("source", su.String()), slog.String("url", du.String()),
			slog.Int64("bytes", size), slog.String("error", err.Error()))
	}
	return err
}

// multipartCopy is one multipart copy in progress.
type multipartCopy struct {
	c        *Client
	o        Options
	pc       partCopyAPI
	src, dst URL
	uploadID string
	// etag is the source's ETag every part is pinned to.
	etag     string
	size     int64
	partSize int64
	parts    []types.CompletedPart // by part number - 1
}

// copyParts copies every range of the source, Concurrency at a time. The
// first failure stops the others and is returned.
func (m *multipartCopy) copyParts(ctx context.Context) error {
	n := int((m.size + m.partSize - 1) / m.partSize)
	m.parts = make([]types.CompletedPart, n)
	var (
		mu     sync.Mutex
		copied int64
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(m.o.Concurrency)
	for i := range n {
		if gctx.Err() != nil {
			break // a part failed or the caller gave up: start no more
		}
		g.Go(func() error {
			first := int64(i) * m.partSize
			last := min(first+m.partSize, m.size) - 1
			etag, err := m.copyPart(gctx, int32(i+1), first, last)
			if err != nil {
				return err
			}
			m.parts[i] = types.CompletedPart{ETag: aws.String(etag), PartNumber: aws.Int32(int32(i + 1))}
			mu.Lock()
			defer mu.Unlock()
			copied += last - first + 1
			m.o.report(Progress{Op: "copy", URL: m.dst.String(), Bytes: copied})
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// The loop stops early only when gctx ended, which without a part
	// error means the caller's context did.
	return ctx.Err()
}

// copyPart copies bytes first..last of the source as part num and returns
// the part's ETag.
func (m *multipartCopy) copyPart(ctx context.Context, num int32, first, last int64) (string, error) {
	in := &s3.UploadPartCopyInput{
		Bucket: aws.String(m.dst.Bucket), Key: aws.String(m.dst.Key),
		UploadId: aws.String(m.uploadID), PartNumber: aws.Int32(num),
		CopySource:                copySource(m.src),
		CopySourceRange:           aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
		ExpectedBucketOwner:       m.o.owner(),
		ExpectedSourceBucketOwner: m.o.owner(),
	}
	if m.etag != "" {
		// Every range must come from the version whose size cut the
		// ranges: a source replaced mid-copy fails the part with 412.
		in.CopySourceIfMatch = aws.String(m.etag)
	}
	var out *s3.UploadPartCopyOutput
	err := m.c.call(ctx, m.o, "UploadPartCopy", m.dst, func(ctx context.Context) error {
		var err error
		out, err = m.pc.UploadPartCopy(ctx, in)
		return err
	})
	if errors.Is(err, ErrPreconditionFailed) {
		return "", fmt.Errorf("copy part %d (bytes %d-%d): source changed during the copy (its ETag is no longer %s): %w",
			num, first, last, m.etag, err)
	}
	if err != nil {
		return "", fmt.Errorf("copy part %d (bytes %d-%d): %w", num, first, last, err)
	}
	if out.CopyPartResult == nil || aws.ToString(out.CopyPartResult.ETag) == "" {
		return "", fmt.Errorf("copy part %d: response has no ETag", num)
	}
	return aws.ToString(out.CopyPartResult.ETag), nil
}

// complete completes the upload, the parts in ascending order.
func (m *multipartCopy) complete(ctx context.Context) error {
	in := &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(m.dst.Bucket), Key: aws.String(m.dst.Key), UploadId: aws.String(m.uploadID),
		MultipartUpload:     &types.CompletedMultipartUpload{Parts: m.parts},
		ExpectedBucketOwner: m.o.owner(),
	}
	if m.o.IfNoneMatch {
		// Conditional writes apply to CompleteMultipartUpload too
		// (AWS-FACTS.md 3.6).
		in.IfNoneMatch = aws.String("*")
	}
	err := m.c.call(ctx, m.o, "CompleteMultipartUpload", m.dst, func(ctx context.Context) error {
		_, err := m.c.api.CompleteMultipartUpload(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload of %d parts: %w", len(m.parts), err)
	}
	return nil
}

// abort aborts the upload on a context detached from ctx, which may be the
// reason to abort.
func (m *multipartCopy) abort(ctx context.Context) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	return m.c.call(actx, m.o, "AbortMultipartUpload", m.dst, func(ctx context.Context) error {
		_, err := m.c.api.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(m.dst.Bucket), Key: aws.String(m.dst.Key), UploadId: aws.String(m.uploadID),
			ExpectedBucketOwner: m.o.owner(),
		})
		var nsu *types.NoSuchUpload
		if errors.As(err, &nsu) {
			return nil // already gone
		}
		return err
	})
}

// escapeKey URL-encodes a key for x-amz-copy-source segment by segment,
// keeping the slashes. "+" is encoded too (%2B), as botocore does, because
// servers that query-unescape the header would read a bare "+" as a space.
func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	}
	return strings.Join(segs, "/")
}
