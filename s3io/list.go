package s3io

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
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
	// PageSize is the MaxKeys of each ListObjectsV2 request; 0 means S3's
	// maximum, DefaultListPageSize. Smaller pages only cost more requests.
	PageSize int
}

// DefaultListPageSize is the most keys S3 returns in one ListObjectsV2
// page (AWS-FACTS.md 3.2).
const DefaultListPageSize = 1000

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
// order, AWS-FACTS.md 3.2), one ListObjectsV2 page (PageSize keys, 1,000
// by default) at a time, following continuation tokens until the listing
// ends or the loop breaks. A plain URL is a prefix: s3://b/logs lists
// logs, logs/1 and logs-old. A glob lists its literal prefix and yields
// the keys that match.
//
// Wide trees are listed in parallel, with the same result. The first page
// is always one plain request, so a listing that fits in a page costs one
// request. When there is more, List looks at how the first page's keys
// fall into the entries of a "/"-delimited listing of the prefix (common
// prefixes such as dt=2026-11-25/, and keys directly under the prefix). If
// they span fewer than Concurrency entries, the entries hold on average
// more than PageSize/Concurrency keys each (125 by default), and one
// request per common prefix, Concurrency at a time, ends sooner than one
// request per page one after another. List then walks the rest of the
// prefix with the delimiter and lists each common prefix it finds as a
// paged listing of its own, up to Concurrency requests at once; while
// everything left lies under one common prefix it first descends into it
// (up to 8 levels), so that a tree whose width starts deeper still fans
// out. Each common prefix's keys are one contiguous run of S3's order, so
// the runs are yielded in turn, in the order of a sequential listing.
// Otherwise (many small prefixes, where a request per prefix would cost
// more than it saves, or Concurrency 1) the listing stays sequential. A
// glob's common prefixes that no matching key can start with are never
// listed. Parallel listing reads ahead by at most Concurrency runs of one
// buffered page each; breaking out of the loop stops every request before
// List returns.
//
// The yielded Object is a value the caller owns. An error ends the
// sequence: it is yielded once, with a zero Object.
func (c *Client) List(ctx context.Context, url string, optFns ...func(*ListOptions)) iter.Seq2[Object, error] {
	lo := ListOptions{Options: c.options}
	for _, fn := range optFns {
		if fn != nil {
			fn(&lo)
		}
	}
	lo = lo.withDefaults()
	return func(yield func(Object, error) bool) {
		u, err := ParseURL(url)
		if err != nil {
			yield(Object{}, err)
			return
		}
		c.list(ctx, u, lo, yield)
	}
}

// withDefaults fills zero fields with their defaults.
func (lo ListOptions) withDefaults() ListOptions {
	lo.Options = lo.Options.withDefaults()
	if lo.PageSize <= 0 || lo.PageSize > DefaultListPageSize {
		lo.PageSize = DefaultListPageSize
	}
	return lo
}

// maxKeys is the MaxKeys to send: none for S3's default page.
func (lo ListOptions) maxKeys() *int32 {
	if lo.PageSize <= 0 || lo.PageSize >= DefaultListPageSize {
		return nil
	}
	return aws.Int32(int32(lo.PageSize))
}

// maxListDescent bounds how many levels of single common prefixes a
// parallel List descends through before it fans out; each level costs one
// delimited request.
const maxListDescent = 8

// listDelimiter is the delimiter of parallel listing: the "/" of
// folder-like keys and Hive partitions.
const listDelimiter = "/"

// list lists u's prefix: the first page plainly, then the rest either
// sequentially or in parallel across common prefixes (see List).
func (c *Client) list(ctx context.Context, u URL, lo ListOptions, yield func(Object, error) bool) {
	prefix := u.Prefix()
	in := &s3.ListObjectsV2Input{
		Bucket:              aws.String(u.Bucket),
		ExpectedBucketOwner: lo.owner(),
		MaxKeys:             lo.maxKeys(),
	}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	pages := 0
	for {
		out, err := c.listObjects(ctx, lo.Options, u, in)
		if err != nil {
			yield(Object{}, fmt.Errorf("s3io: list %s page %d: %w", u, pages+1, err))
			return
		}
		pages++
		for _, o := range out.Contents {
			obj := objectOf(u.Bucket, o)
			if !lo.keep(u, obj) {
				continue
			}
			if !yield(obj, nil) {
				return
			}
		}
		if !truncated(out) {
			return
		}
		// Decided once the first page is consumed, so that a loop that
		// breaks early costs no more requests than a sequential listing.
		if pages == 1 && lo.Concurrency > 1 && len(out.Contents) > 0 &&
			delimitedEntries(prefix, out.Contents, lo.Concurrency) < lo.Concurrency {
			c.listParallel(ctx, u, lo, prefix, aws.ToString(out.Contents[len(out.Contents)-1].Key), yield)
			return
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// truncated reports whether a listing continues after this page.
func truncated(out *s3.ListObjectsV2Output) bool {
	return aws.ToBool(out.IsTruncated) && aws.ToString(out.NextContinuationToken) != ""
}

// listObjects sends one ListObjectsV2 request under the retry policy.
func (c *Client) listObjects(ctx context.Context, o Options, u URL, in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
	var out *s3.ListObjectsV2Output
	err := c.call(ctx, o, "ListObjectsV2", u, func(ctx context.Context) error {
		var err error
		out, err = c.api.ListObjectsV2(ctx, in)
		return err
	})
	return out, err
}

// objectOf converts a listed SDK object.
func objectOf(bucket string, o types.Object) Object {
	return Object{
		Bucket:       bucket,
		Key:          aws.ToString(o.Key),
		Size:         aws.ToInt64(o.Size),
		LastModified: aws.ToTime(o.LastModified),
		ETag:         aws.ToString(o.ETag),
		StorageClass: string(o.StorageClass),
	}
}

// delimitedEntries counts, up to limit, the entries of a delimited listing
// of prefix that the keys (in key order) fall into: one per common prefix,
// one per key with no delimiter after the prefix.
func delimitedEntries(prefix string, objs []types.Object, limit int) int {
	n, last := 0, ""
	for _, o := range objs {
		e := entryOf(prefix, aws.ToString(o.Key))
		if n == 0 || e != last {
			n, last = n+1, e
			if n >= limit {
				return n
			}
		}
	}
	return n
}

// entryOf is the entry of a delimited listing of prefix that holds key:
// its common prefix, or the key itself when no delimiter follows the
// prefix.
func entryOf(prefix, key string) string {
	if !strings.HasPrefix(key, prefix) {
		return key
	}
	if i := strings.Index(key[len(prefix):], listDelimiter); i >= 0 {
		return key[:len(prefix)+i+len(listDelimiter)]
	}
	return key
}

// listRun is one contiguous run of the key order in a parallel listing:
// kept objects a delimited page already returned, or (task) a common
// prefix still to list, keys after after only, or an error.
type listRun struct {
	objs   []Object
	task   bool
	prefix string
	after  string
	err    error
}

// listChunk is what a run delivers: a page of kept objects, an error, or
// the end of the run (done).
type listChunk struct {
	objs []Object
	err  error
	done bool
}

// listParallel lists the keys of prefix after last (the first page's last
// key) and yields them in key order. A planner walks the delimited listing
// and queues the runs in order, starting one goroutine per common prefix
// with at most Concurrency requests in flight; the consumer drains each
// run's channel in turn. The queue's capacity bounds how far the planner
// runs ahead, and each run buffers one page besides the one it fetches.
// Every run ends with a done chunk, so a run cut short by the context is
// never taken for a complete one.
func (c *Client) listParallel(ctx context.Context, u URL, lo ListOptions, prefix, last string, yield func(Object, error) bool) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	// sem holds one slot per request in flight. A run holds its slot from
	// start to end; runs are started in key order, so the run the consumer
	// waits for always has its slot and the others wait for the consumer,
	// never the other way round.
	sem := make(chan struct{}, lo.Concurrency)
	queue := make(chan chan listChunk, lo.Concurrency)
	var wg sync.WaitGroup
	start := func(r listRun) bool {
		ch := make(chan listChunk, 1)
		switch {
		case r.err != nil:
			ch <- listChunk{err: r.err}
			close(ch)
		case !r.task:
			ch <- listChunk{objs: r.objs, done: true}
			close(ch)
		default:
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer close(ch)
				c.listPrefixRun(ctx, u, lo, r, ch)
			}()
		}
		select {
		case queue <- ch:
			return r.err == nil
		case <-ctx.Done():
			return false
		}
	}
	planned := false // written before queue is closed, read after
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(queue)
		planned = c.planList(ctx, u, lo, sem, prefix, last, start)
	}()
	defer func() {
		cancel()
		// Drain what the goroutines left so that none outlives the loop.
		for ch := range queue {
			for range ch {
			}
		}
		wg.Wait()
	}()
	complete := true
	for ch := range queue {
		done := false
		for chunk := range ch {
			if chunk.err != nil {
				yield(Object{}, chunk.err)
				return
			}
			for _, o := range chunk.objs {
				if !yield(o, nil) {
					return
				}
			}
			done = chunk.done
		}
		if !done {
			complete = false
			break
		}
	}
	// The planner and the runs stop quietly when the context ends; a
	// listing cut short must not look complete.
	if !complete || !planned {
		err := parent.Err()
		if err == nil {
			err = context.Canceled
		}
		yield(Object{}, fmt.Errorf("s3io: list %s: %w", u, err))
	}
}

// listPrefixRun lists one common prefix after r.after, page by page,
// into ch.
func (c *Client) listPrefixRun(ctx context.Context, u URL, lo ListOptions, r listRun, ch chan<- listChunk) {
	in := &s3.ListObjectsV2Input{
		Bucket:              aws.String(u.Bucket),
		Prefix:              aws.String(r.prefix),
		ExpectedBucketOwner: lo.owner(),
		MaxKeys:             lo.maxKeys(),
	}
	if r.after != "" {
		in.StartAfter = aws.String(r.after)
	}
	send := func(chunk listChunk) bool {
		select {
		case ch <- chunk:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for page := 1; ; page++ {
		out, err := c.listObjects(ctx, lo.Options, u, in)
		if err != nil {
			send(listChunk{err: fmt.Errorf("s3io: list %s prefix %q page %d: %w", u, r.prefix, page, err)})
			return
		}
		var objs []Object
		for _, o := range out.Contents {
			if obj := objectOf(u.Bucket, o); lo.keep(u, obj) {
				objs = append(objs, obj)
			}
		}
		more := truncated(out)
		if !send(listChunk{objs: objs, done: !more}) || !more {
			return
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// planList walks the delimited listing of prefix after last and hands the
// runs that make up the rest of the key order to start, in order, until
// start returns false. The run holding last (its common prefix, keys
// after last) comes first. While nothing else is left it descends into
// that common prefix instead, so that a tree whose width starts a few
// levels down still fans out. Delimited requests take a slot of sem too.
// It reports whether every run was handed over.
//
// A delimited request names the prefix cut back to its last delimiter
// (s3://b/t/p0 lists t/ after the start) and the walk stops at the first
// entry past the prefix. The entries are the same, at the cost of at most
// one page of entries past the prefix, and stores that keep keys as files
// (gofakes3, under localaws) roll up common prefixes correctly only for a
// prefix that ends at a delimiter.
func (c *Client) planList(ctx context.Context, u URL, lo ListOptions, sem chan struct{}, prefix, last string, start func(listRun) bool) bool {
	for depth := 0; ; depth++ {
		// tail is the common prefix holding last, "" when last lies
		// directly under prefix.
		tail, after := entryOf(prefix, last), last
		if tail == last {
			tail = ""
		} else {
			// Every key after last in the delimited listing lies after
			// tail (or under it, which the tail run covers).
			after = tail
		}
		in := &s3.ListObjectsV2Input{
			Bucket:              aws.String(u.Bucket),
			Delimiter:           aws.String(listDelimiter),
			StartAfter:          aws.String(after),
			ExpectedBucketOwner: lo.owner(),
			MaxKeys:             lo.maxKeys(),
		}
		if dir := prefix[:strings.LastIndex(prefix, listDelimiter)+1]; dir != "" {
			in.Prefix = aws.String(dir)
		}
		out, err := c.delimitedPage(ctx, u, lo, sem, in, 1)
		if err != nil {
			start(listRun{err: err})
			return false
		}
		if tail != "" && !lo.mayMatch(u, tail) {
			tail = ""
		}
		runs, more := lo.runsOf(u, out, prefix, after)
		if len(runs) == 0 && !more {
			if tail == "" {
				return true
			}
			if depth < maxListDescent {
				prefix = tail
				continue
			}
		}
		if tail != "" && !start(listRun{task: true, prefix: tail, after: last}) {
			return false
		}
		for page := 1; ; page++ {
			for _, r := range runs {
				if !start(r) {
					return false
				}
			}
			if !more {
				return true
			}
			in.ContinuationToken = out.NextContinuationToken
			if out, err = c.delimitedPage(ctx, u, lo, sem, in, page+1); err != nil {
				start(listRun{err: err})
				return false
			}
			runs, more = lo.runsOf(u, out, prefix, after)
		}
	}
}

// delimitedPage sends one delimited request of the planner, holding a slot
// of sem while it is in flight.
func (c *Client) delimitedPage(ctx context.Context, u URL, lo ListOptions, sem chan struct{}, in *s3.ListObjectsV2Input, page int) (*s3.ListObjectsV2Output, error) {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("s3io: list %s: %w", u, ctx.Err())
	}
	defer func() { <-sem }()
	out, err := c.listObjects(ctx, lo.Options, u, in)
	if err != nil {
		return nil, fmt.Errorf("s3io: list %s delimited under %q page %d: %w", u, aws.ToString(in.Prefix), page, err)
	}
	return out, nil
}

// runsOf turns a delimited page into runs in key order: consecutive keys
// (filtered) as one run, each common prefix a glob can match as a task.
// Entries not after after are dropped: S3 leaves out common prefixes not
// greater than StartAfter (AWS-FACTS.md 3.2), and a store that returned
// the one equal to it anyway would only repeat the tail run. The entries
// of prefix form one run of the key order, so the first entry past it
// ends the walk; more reports whether the walk goes on to the next page.
func (lo ListOptions) runsOf(u URL, out *s3.ListObjectsV2Output, prefix, after string) (runs []listRun, more bool) {
	var objs []Object
	flush := func() {
		if len(objs) > 0 {
			runs = append(runs, listRun{objs: objs})
			objs = nil
		}
	}
	keys, prefixes := out.Contents, out.CommonPrefixes
	for len(keys) > 0 || len(prefixes) > 0 {
		// S3 returns both lists in key order; merge them. No key equals a
		// common prefix: a key with the delimiter after the prefix is rolled
		// up into one.
		var entry string
		var obj *types.Object
		if len(prefixes) == 0 || len(keys) > 0 && aws.ToString(keys[0].Key) < aws.ToString(prefixes[0].Prefix) {
			obj, entry = &keys[0], aws.ToString(keys[0].Key)
			keys = keys[1:]
		} else {
			entry = aws.ToString(prefixes[0].Prefix)
			prefixes = prefixes[1:]
		}
		switch {
		case entry <= after:
			continue
		case !strings.HasPrefix(entry, prefix):
			flush()
			return runs, false
		case obj != nil:
			if o := objectOf(u.Bucket, *obj); lo.keep(u, o) {
				objs = append(objs, o)
			}
		case lo.mayMatch(u, entry):
			flush()
			runs = append(runs, listRun{task: true, prefix: entry})
		}
	}
	flush()
	return runs, truncated(out)
}

// mayMatch reports whether some key starting with prefix can be listed:
// always for a prefix URL, and for a glob when the pattern can still match
// after reading prefix.
func (lo ListOptions) mayMatch(u URL, prefix string) bool {
	if !u.IsGlob() {
		return true
	}
	return globMayMatch(u.glob, prefix)
}

// globMayMatch runs the glob's NFA (as matchGlob does) over prefix and
// reports whether any pattern position is still alive: then some key
// starting with prefix may match. A false answer is exact; a true one at
// worst costs a listing that finds nothing.
func globMayMatch(toks []globToken, prefix string) bool {
	n := len(toks)
	cur := make([]bool, n+1)
	next := make([]bool, n+1)
	cur[0] = true
	closure(toks, cur)
	for _, r := range prefix {
		clear(next)
		alive := false
		for i := 0; i < n; i++ {
			if !cur[i] {
				continue
			}
			switch t := toks[i]; t.kind {
			case tokStar:
				if r != '/' {
					next[i], alive = true, true
				}
			case tokDoubleStar:
				next[i], alive = true, true
			case tokDirs:
				next[i], alive = true, true
				if r == '/' {
					next[i+1] = true
				}
			default:
				if t.matchesRune(r) {
					next[i+1], alive = true, true
				}
			}
		}
		if !alive {
			return false
		}
		closure(toks, next)
		cur, next = next, cur
	}
	return slices.Contains(cur, true)
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
