package localaws

import (
	"context"
	"io"
	"net/http"
	"time"
)

// NetworkProfile shapes S3 traffic so that benchmarks on loopback see
// something like a network: on loopback a single GetObject runs at
// gigabytes per second, and a benchmark of a reader then measures only its
// decoding. The zero value shapes nothing.
type NetworkProfile struct {
	// FirstByteLatency delays every S3 request before it is served, as the
	// time to first byte of a GET from S3 does (tens of milliseconds).
	FirstByteLatency time.Duration
	// BytesPerSecond caps each request's body and each response's body,
	// the way a single S3 connection tops out around 100 MB/s; requests in
	// parallel each get the full rate, as parallel connections do. 0 means
	// no cap.
	BytesPerSecond int64
}

// S3NetworkProfile is a profile close to what one connection from an EC2
// instance to S3 in the same Region sees: about 30 ms to the first byte
// and about 100 MB/s.
var S3NetworkProfile = NetworkProfile{FirstByteLatency: 30 * time.Millisecond, BytesPerSecond: 100 << 20}

func (p NetworkProfile) enabled() bool { return p.FirstByteLatency > 0 || p.BytesPerSecond > 0 }

// shape applies the profile to one request: it waits out the latency and
// returns the writer and request to serve it with. It reports false when
// the client went away during the wait.
func (p NetworkProfile) shape(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, bool) {
	if p.FirstByteLatency > 0 {
		if !sleepCtx(r.Context(), p.FirstByteLatency) {
			return w, r, false
		}
	}
	if p.BytesPerSecond <= 0 {
		return w, r, true
	}
	if r.Body != nil && r.Body != http.NoBody {
		r2 := r.Clone(r.Context())
		r2.Body = &pacedBody{ReadCloser: r.Body, pace: pacer{ctx: r.Context(), rate: p.BytesPerSecond}}
		r = r2
	}
	return &pacedWriter{ResponseWriter: w, pace: pacer{ctx: r.Context(), rate: p.BytesPerSecond}}, r, true
}

// pacer holds a stream to rate bytes a second, measured from its first
// byte: after each chunk it sleeps until the bytes so far are due.
type pacer struct {
	ctx   context.Context
	rate  int64
	start time.Time
	sent  int64
}

// pacingChunk is the most a paced stream moves between two sleeps; small
// enough that the rate holds over short bodies.
const pacingChunk = 64 << 10

func (p *pacer) wait(n int) bool {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	p.sent += int64(n)
	due := p.start.Add(time.Duration(float64(p.sent) / float64(p.rate) * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		return sleepCtx(p.ctx, d)
	}
	return p.ctx.Err() == nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

type pacedWriter struct {
	http.ResponseWriter
	pace    pacer
	stopped bool
}

// WriteHeader is dropped once the client has gone: the handler then tries
// to report the failed write as an error, on a response already started.
func (w *pacedWriter) WriteHeader(code int) {
	if !w.stopped {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *pacedWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), pacingChunk)]
		n, err := w.ResponseWriter.Write(chunk)
		written += n
		if err != nil {
			return written, err
		}
		if fl, ok := w.ResponseWriter.(http.Flusher); ok {
			fl.Flush()
		}
		if !w.pace.wait(n) {
			w.stopped = true
			return written, w.pace.ctx.Err()
		}
		p = p[n:]
	}
	return written, nil
}

// Flush passes flushes through, for streaming responses.
func (w *pacedWriter) Flush() {
	if fl, ok := w.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

type pacedBody struct {
	io.ReadCloser
	pace pacer
}

func (b *pacedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p[:min(len(p), pacingChunk)])
	if n > 0 && !b.pace.wait(n) {
		return n, b.pace.ctx.Err()
	}
	return n, err
}
