package s3io

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Object is one listed S3 object.
type Object struct {
	Bucket       string
	Key          string
	Size         int64
	LastModified time.Time
	// ETag is the entity tag as S3 returns it, quotes included.
	ETag         string
	StorageClass string
}

// URL returns the object's s3://bucket/key.
func (o Object) URL() string { return "s3://" + o.Bucket + "/" + o.Key }

// ListOptions configure List. The embedded Options override the client's
// for the call.
type ListOptions struct {
	Options
	// Suffixes keeps only keys ending in one of them (such as ".csv",
	// ".csv.gz"); empty keeps every key.
	Suffixes []string
	// ModifiedAfter and ModifiedBefore keep only objects last modified at or
	// after, and strictly before, the given times; zero times do not filter.
	ModifiedAfter, ModifiedBefore time.Time
	// IncludeDirectoryMarkers keeps zero-byte keys ending in "/" that tools
	// create to mimic folders; by default they are skipped.
	IncludeDirectoryMarkers bool
}

// Suffix returns a ListOptions function keeping keys with one of the given
// suffixes.
func Suffix(suffixes ...string) func(*ListOptions) {
	return func(o *ListOptions) { o.Suffixes = append(o.Suffixes, suffixes...) }
}

// ModifiedBetween returns a ListOptions function keeping objects modified in
// [after, before); a zero time leaves that side open.
func ModifiedBetween(after, before time.Time) func(*ListOptions) {
	return func(o *ListOptions) { o.ModifiedAfter, o.ModifiedBefore = after, before }
}

// List yields the objects under a URL in S3's key order (UTF-8 binary
// order, AWS-FACTS.md 3.2), one ListObjectsV2 page of up to 1,000 keys at a
// time, following continuation tokens until the listing ends or the loop
// breaks. A plain URL is a prefix: s3://b/logs lists logs, logs/1 and
// logs-old. A glob lists its literal prefix and yields the keys that match.
//
// An error ends the sequence: it is yielded once, with a zero Object.
func (c *Client) List(ctx context.Context, url string, optFns ...func(*ListOptions)) iter.Seq2[Object, error] {
	lo := ListOptions{Options: c.options}
	for _, fn := range optFns {
		if fn != nil {
			fn(&lo)
		}
	}
	lo.Options = lo.Options.withDefaults()
	return func(yield func(Object, error) bool) {
		u, err := ParseURL(url)
		if err != nil {
			yield(Object{}, err)
			return
		}
		c.list(ctx, u, lo, yield)
	}
}

func (c *Client) list(ctx context.Context, u URL, lo ListOptions, yield func(Object, error) bool) {
	in := &s3.ListObjectsV2Input{
		Bucket:              aws.String(u.Bucket),
		ExpectedBucketOwner: lo.owner(),
	}
	if p := u.Prefix(); p != "" {
		in.Prefix = aws.String(p)
	}
	pages := 0
	for {
		var out *s3.ListObjectsV2Output
		err := c.call(ctx, lo.Options, "ListObjectsV2", u, func(ctx context.Context) error {
			var err error
			out, err = c.api.ListObjectsV2(ctx, in)
			return err
		})
		if err != nil {
			yield(Object{}, fmt.Errorf("s3io: list %s page %d: %w", u, pages+1, err))
			return
		}
		pages++
		for _, o := range out.Contents {
			obj := Object{
				Bucket:       u.Bucket,
				Key:          aws.ToString(o.Key),
				Size:         aws.ToInt64(o.Size),
				LastModified: aws.ToTime(o.LastModified),
				ETag:         aws.ToString(o.ETag),
				StorageClass: string(o.StorageClass),
			}
			if !lo.keep(u, obj) {
				continue
			}
			if !yield(obj, nil) {
				return
			}
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			return
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// keep applies the URL's pattern and the filters to a listed object.
func (lo ListOptions) keep(u URL, o Object) bool {
	if u.IsGlob() && !u.Match(o.Key) {
		return false
	}
	if !lo.IncludeDirectoryMarkers && o.Size == 0 && strings.HasSuffix(o.Key, "/") {
		return false
	}
	if len(lo.Suffixes) > 0 {
		ok := false
		for _, s := range lo.Suffixes {
			if strings.HasSuffix(o.Key, s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if !lo.ModifiedAfter.IsZero() && o.LastModified.Before(lo.ModifiedAfter) {
		return false
	}
	if !lo.ModifiedBefore.IsZero() && !o.LastModified.Before(lo.ModifiedBefore) {
		return false
	}
	return true
}

// ListAll collects List into a slice.
func (c *Client) ListAll(ctx context.Context, url string, optFns ...func(*ListOptions)) ([]Object, error) {
	var objs []Object
	for o, err := range c.List(ctx, url, optFns...) {
		if err != nil {
			return objs, err
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// resolveObjects turns the URL of a read into the objects to read: a glob
// or prefix is listed (and must match at least one object), a plain key is
// taken as it is without a request.
func (c *Client) resolveObjects(ctx context.Context, url string, o Options, suffixes []string) ([]URL, error) {
	u, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	if !u.IsGlob() && !u.IsPrefix() {
		return []URL{u}, nil
	}
	var urls []URL
	lo := ListOptions{Options: o, Suffixes: suffixes}
	var lerr error
	c.list(ctx, u, lo, func(obj Object, err error) bool {
		if err != nil {
			lerr = err
			return false
		}
		urls = append(urls, u.WithKey(obj.Key))
		return true
	})
	if lerr != nil {
		return nil, lerr
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("s3io: %s: %w", u, ErrNoObjects)
	}
	return urls, nil
}

// call runs one request under the retry policy, logs it when a logger is
// set, and classifies its error. Only the operation and the s3:// URL are
// logged: never credentials, headers or presigned URLs.
func (c *Client) call(ctx context.Context, o Options, op string, u URL, fn func(context.Context) error) error {
	start := time.Now()
	err := retryDo(ctx, o, fn)
	if o.Logger != nil {
		level := slog.LevelDebug
		if err != nil {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("op", op), slog.String("url", u.String()), slog.Duration("elapsed", time.Since(start))}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		o.Logger.LogAttrs(ctx, level, "s3io request", attrs...)
	}
	return classify(err)
}
