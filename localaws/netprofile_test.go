package localaws

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"
)

// The profile is a lower bound on time by construction (the pacer sleeps
// until each byte is due), so these tests assert only lower bounds, which
// a slow machine cannot break.
func TestNetworkProfileShapesS3(t *testing.T) {
	const rate = 8 << 20 // bytes a second
	const latency = 40 * time.Millisecond
	_, c := startStack(t, func(o *Options) {
		o.Network = NetworkProfile{FirstByteLatency: latency, BytesPerSecond: rate}
	})
	mustBucket(t, c, "bkt")
	body := make([]byte, 2<<20)
	rand.Read(body)

	start := time.Now()
	put(t, c, "bkt", "k", body)
	// The upload is paced too: its body cannot arrive faster than the rate.
	if got, want := time.Since(start), latency+time.Duration(len(body))*time.Second/rate; got < want {
		t.Errorf("PutObject of %d bytes took %v, want at least %v", len(body), got, want)
	}

	start = time.Now()
	got, err := get(context.Background(), c, "bkt", "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject returned %d bytes that differ from the %d put", len(got), len(body))
	}
	if got, want := time.Since(start), latency+time.Duration(len(body))*time.Second/rate; got < want {
		t.Errorf("GetObject of %d bytes took %v, want at least %v", len(body), got, want)
	}

	start = time.Now()
	part, err := get(context.Background(), c, "bkt", "k", "bytes=100-199")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(part, body[100:200]) {
		t.Fatalf("ranged GetObject returned the wrong bytes")
	}
	if got := time.Since(start); got < latency {
		t.Errorf("ranged GetObject took %v, want at least the %v first-byte latency", got, latency)
	}
}

func TestNetworkProfileStopsWithTheClient(t *testing.T) {
	// The object is written by an unshaped stack over the same directory,
	// since a shaped upload would take as long as the download.
	dir := t.TempDir()
	_, plain := startStack(t, func(o *Options) { o.Dir = dir })
	mustBucket(t, plain, "bkt")
	put(t, plain, "bkt", "k", make([]byte, 8<<20)) // 8 s at the rate below
	_, c := startStack(t, func(o *Options) {
		o.Dir = dir
		o.Network = NetworkProfile{BytesPerSecond: 1 << 20}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := get(ctx, c, "bkt", "k", "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the GET ran %v after its deadline of 300ms", d)
	}
}
