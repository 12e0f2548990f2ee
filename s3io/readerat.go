package s3io

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Range fetching for the ReaderAt behind Parquet reads.
const (
	// footerFetch is how many trailing bytes the first request reads: the
	// footer and, for most files, the whole metadata, in one GET.
	footerFetch = 64 << 10
	// coalesceGap merges two wanted ranges whose gap is at most this: one
	// request costs more than reading a few hundred unwanted kilobytes.
	coalesceGap = 256 << 10
	// maxFetch splits larger ranges into pieces fetched in parallel (8-16 MB
	// range GETs, AWS-FACTS.md 3.5).
	maxFetch = 8 << 20
	// minFetch is the smallest piece a prefetch is split into to use its
	// Concurrency: a row group of a few megabytes in one GET would run on
	// one connection (about 100 MB/s on S3) while the others sit idle.
	minFetch = 1 << 20
)

// RangeReader is an io.ReaderAt over one S3 object, made of ranged GETs
// pinned to the object's ETag, so that an object replaced during a read is
// an error rather than a mix of versions. It reads the object's tail once
// when opened (the Parquet footer), serves reads inside fetched blocks from
// memory, and can prefetch many ranges at once, coalescing the close ones
// and fetching up to Concurrency in parallel.
//
// It is safe for concurrent use; its ranged GETs in flight, across
// concurrent Prefetch calls, are at most Concurrency. Its memory is what
// Prefetch holds until Release and the tail block.
type RangeReader struct {
	ctx  context.Context
	c    *Client
	o    Options
	u    URL
	size int64
	etag string

	mu     sync.Mutex
	tail   block
	blocks []block // sorted by off

	fetched atomic.Int64
	pos     int64 // for Seek
	// requests bounds the reader's ranged GETs in flight to Concurrency,
	// across Prefetch calls running at once; the tickets make prefetches
	// start their requests in the order they were asked for.
	requests            chan struct{}
	turnMu              sync.Mutex
	turn                *sync.Cond
	nextTicket, serving uint64
}

type block struct {
	off  int64
	data []byte
}

func (b block) covers(off, n int64) bool {
	return b.data != nil && off >= b.off && off+n <= b.off+int64(len(b.data))
}

// NewRangeReader opens the object at url with one ranged GET of its last
// 64 KiB, which also gives its size and ETag. ctx bounds every later read.
func (c *Client) NewRangeReader(ctx context.Context, url string, optFns ...func(*Options)) (*RangeReader, error) {
	u, err := parseObjectURL(url)
	if err != nil {
		return nil, err
	}
	r := &RangeReader{ctx: ctx, c: c, o: c.resolve(optFns), u: u}
	r.requests = make(chan struct{}, max(r.o.Concurrency, 1))
	r.turn = sync.NewCond(&r.turnMu)
	if err := r.openTail(); err != nil {
		return nil, fmt.Errorf("s3io: open %s: %w", u, err)
	}
	return r, nil
}

func (r *RangeReader) openTail() error {
	var out *s3.GetObjectOutput
	var data []byte
	err := r.c.call(r.ctx, r.o, "GetObject", r.u, func(ctx context.Context) error {
		var err error
		out, err = r.c.api.GetObject(ctx, &s3.GetObjectInput{
			Bucket: aws.String(r.u.Bucket), Key: aws.String(r.u.Key),
			Range: aws.String(fmt.Sprintf("bytes=-%d", footerFetch)), ExpectedBucketOwner: r.o.owner(),
		})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		data, err = io.ReadAll(out.Body)
		return err
	})
	if err != nil {
		var api interface{ ErrorCode() string }
		if !errors.As(err, &api) || api.ErrorCode() != "InvalidRange" {
			return err
		}
		// S3 answers a suffix range longer than the object with the whole
		// object (RFC 9110 14.1.1); some servers (gofakes3, so localaws)
		// answer InvalidRange instead, and an empty object has no range at
		// all. Ask the size and read what there is.
		info, herr := r.c.head(r.ctx, r.o, r.u)
		if herr != nil {
			return herr
		}
		r.size, r.etag = info.Size, info.ETag
		if r.size == 0 {
			return nil
		}
		data, ferr := r.fetch(0, r.size)
		if ferr != nil {
			return ferr
		}
		r.tail = block{off: 0, data: data}
		return nil
	}
	r.fetched.Add(int64(len(data)))
	r.etag = aws.ToString(out.ETag)
	r.size = int64(len(data))
	if cr := aws.ToString(out.ContentRange); cr != "" {
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				r.size = n
			}
		}
	}
	r.tail = block{off: r.size - int64(len(data)), data: data}
	return nil
}

// Size is the object's size in bytes.
func (r *RangeReader) Size() int64 { return r.size }

// BytesFetched is how many bytes the reader has downloaded so far.
func (r *RangeReader) BytesFetched() int64 { return r.fetched.Load() }

// ReadAt reads len(p) bytes at off, from a fetched block when one covers
// them and with one ranged GET otherwise.
func (r *RangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("s3io: read %s at negative offset %d", r.u, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	n := int64(len(p))
	short := false
	if off+n > r.size {
		n, short = r.size-off, true
	}
	r.mu.Lock()
	var hit []byte
	if r.tail.covers(off, n) {
		hit = r.tail.data[off-r.tail.off : off-r.tail.off+n]
	} else {
		i, _ := slices.BinarySearchFunc(r.blocks, off, func(b block, off int64) int {
			switch {
			case b.off+int64(len(b.data)) <= off:
				return -1
			case b.off > off:
				return 1
			}
			return 0
		})
		if i < len(r.blocks) && r.blocks[i].covers(off, n) {
			b := r.blocks[i]
			hit = b.data[off-b.off : off-b.off+n]
		}
	}
	r.mu.Unlock()
	if hit == nil {
		data, err := r.fetch(off, n)
		if err != nil {
			return 0, fmt.Errorf("s3io: read %s bytes %d-%d: %w", r.u, off, off+n-1, err)
		}
		hit = data
	}
	copy(p, hit)
	if short {
		return int(n), io.EOF
	}
	return int(n), nil
}

// fetch GETs bytes [off, off+n).
func (r *RangeReader) fetch(off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	if err := r.fetchInto(r.ctx, buf, off); err != nil {
		return nil, err
	}
	return buf, nil
}

// fetchInto GETs len(buf) bytes at off into buf.
func (r *RangeReader) fetchInto(ctx context.Context, buf []byte, off int64) error {
	n := int64(len(buf))
	err := r.c.call(ctx, r.o, "GetObject", r.u, func(ctx context.Context) error {
		in := &s3.GetObjectInput{
			Bucket: aws.String(r.u.Bucket), Key: aws.String(r.u.Key),
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1)), ExpectedBucketOwner: r.o.owner(),
		}
		if r.etag != "" {
			in.IfMatch = aws.String(r.etag)
		}
		out, err := r.c.api.GetObject(ctx, in)
		if err != nil {
			return err
		}
		defer out.Body.Close()
		_, err = io.ReadFull(out.Body, buf)
		return err
	})
	if err != nil {
		return err
	}
	r.fetched.Add(n)
	return nil
}

// Prefetch downloads the given [off, off+len) ranges ahead of the reads
// that will need them: ranges closer than 256 KiB are merged, and the
// merged ranges split into pieces of 1 to 8 MiB, so that all of
// Concurrency is used, fetched up to Concurrency at a time. The data stays
// in memory until Release.
func (r *RangeReader) Prefetch(ranges [][2]int64) error {
	_, err := r.startPrefetch(r.ctx, ranges)()
	return err
}

// startPrefetch starts fetching ranges, bounded by ctx as well as the
// reader's context, and returns the function that waits for them and
// gives the blocks it added (for drop). Prefetches start their requests
// in the order of their startPrefetch calls, so that a read fetching
// several row groups ahead gets the first one first rather than in
// goroutine scheduling order.
func (r *RangeReader) startPrefetch(ctx context.Context, ranges [][2]int64) (wait func() ([]block, error)) {
	rs := slices.Clone(ranges)
	slices.SortFunc(rs, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	var merged [][2]int64 // off, end
	for _, rg := range rs {
		off, end := max(rg[0], 0), min(rg[0]+rg[1], r.size)
		if end <= off || r.tail.covers(off, end-off) {
			continue
		}
		if k := len(merged) - 1; k >= 0 && off <= merged[k][1]+coalesceGap {
			merged[k][1] = max(merged[k][1], end)
			continue
		}
		merged = append(merged, [2]int64{off, end})
	}
	// One buffer per merged range; its pieces are fetched into it in
	// parallel, so nothing is copied after the download.
	blocks := make([]block, len(merged))
	type piece struct {
		buf []byte
		off int64
	}
	var total int64
	for _, m := range merged {
		total += m[1] - m[0]
	}
	pieceSize := min(max((total+int64(r.o.Concurrency)-1)/int64(r.o.Concurrency), minFetch), maxFetch)
	var pieces []piece
	for i, m := range merged {
		blocks[i] = block{off: m[0], data: make([]byte, m[1]-m[0])}
		for off := m[0]; off < m[1]; off += pieceSize {
			end := min(off+pieceSize, m[1])
			pieces = append(pieces, piece{buf: blocks[i].data[off-m[0] : end-m[0]], off: off})
		}
	}
	ctx, stop := joinContexts(ctx, r.ctx)
	r.turnMu.Lock()
	ticket := r.nextTicket
	r.nextTicket++
	r.turnMu.Unlock()
	errs := make([]error, len(pieces))
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.turnMu.Lock()
		for r.serving != ticket {
			r.turn.Wait()
		}
		r.turnMu.Unlock()
		var wg sync.WaitGroup
		for i, p := range pieces {
			select {
			case r.requests <- struct{}{}:
			case <-ctx.Done():
				errs[i] = context.Cause(ctx)
				continue
			}
			wg.Add(1)
			go func() {
				defer func() { <-r.requests; wg.Done() }()
				errs[i] = r.fetchInto(ctx, p.buf, p.off)
			}()
		}
		r.turnMu.Lock()
		r.serving++
		r.turn.Broadcast()
		r.turnMu.Unlock()
		wg.Wait()
	}()
	return func() ([]block, error) {
		<-done
		stop()
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("s3io: prefetch %s: %w", r.u, err)
		}
		r.mu.Lock()
		r.blocks = append(r.blocks, blocks...)
		slices.SortFunc(r.blocks, func(a, b block) int { return cmp.Compare(a.off, b.off) })
		r.mu.Unlock()
		return blocks, nil
	}
}

// drop removes blocks that prefetch added, leaving any others.
func (r *RangeReader) drop(blocks []block) {
	if len(blocks) == 0 {
		return
	}
	r.mu.Lock()
	r.blocks = slices.DeleteFunc(r.blocks, func(b block) bool {
		return slices.ContainsFunc(blocks, func(d block) bool {
			return d.off == b.off && len(d.data) == len(b.data) && len(d.data) > 0 && &d.data[0] == &b.data[0]
		})
	})
	r.mu.Unlock()
}

// joinContexts returns a context cancelled when either a or b is.
func joinContexts(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(a)
	stop := context.AfterFunc(b, func() { cancel(context.Cause(b)) })
	return ctx, func() { stop(); cancel(nil) }
}

// Release drops the prefetched blocks (the tail stays).
func (r *RangeReader) Release() {
	r.mu.Lock()
	r.blocks = nil
	r.mu.Unlock()
}

// Seek sets the offset for Read, as io.Seeker says.
func (r *RangeReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, fmt.Errorf("s3io: seek %s: bad whence %d", r.u, whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("s3io: seek %s to negative offset %d", r.u, offset)
	}
	r.pos = offset
	return offset, nil
}

// Read reads from the Seek offset.
func (r *RangeReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	pos := r.pos
	r.mu.Unlock()
	n, err := r.ReadAt(p, pos)
	r.mu.Lock()
	r.pos += int64(n)
	r.mu.Unlock()
	return n, err
}
