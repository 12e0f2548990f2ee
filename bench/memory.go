package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/s3io"
)

// heapPeak is the largest heap seen while a sampler ran, above the heap
// when it started.
type heapPeak struct {
	inUse uint64 // heap objects, live and not yet swept
	live  uint64 // live heap as marked by the latest GC
}

// sampleHeap starts sampling the heap every 2 ms (after a GC, which sets
// the baseline) and returns the function that stops it and gives the peaks
// above the baseline.
func sampleHeap() (stop func() heapPeak) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(samples)
	base := heapPeak{inUse: samples[0].Value.Uint64(), live: samples[1].Value.Uint64()}
	var peak heapPeak
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			peak.inUse = max(peak.inUse, samples[0].Value.Uint64())
			peak.live = max(peak.live, samples[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() heapPeak {
		close(done)
		wg.Wait()
		return heapPeak{inUse: sub(peak.inUse, base.inUse), live: sub(peak.live, base.live)}
	}
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// memorySection measures the Go heap while a large gzip CSV object
// streams through ScanCSV and through arrow-go's csv reader.
func (b *bench) memorySection(ctx context.Context) (string, error) {
	sdk, s3c, err := b.s3(ctx)
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("mb-%d.csv.gz", b.cfg.gzipMB)
	url := "s3://" + bucket + "/" + key
	b.logf("generating and uploading %s", key)
	// Generated straight into a streaming upload, so nothing holds the
	// object in memory.
	w, err := s3c.NewWriter(ctx, url)
	if err != nil {
		return "", err
	}
	compressed := &countingWriter{w: w}
	zw, err := gzip.NewWriterLevel(compressed, gzip.BestSpeed)
	if err != nil {
		return "", err
	}
	want, plainSize, err := writeCSV(zw, int64(b.cfg.gzipMB)<<20)
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		w.Abort()
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}

	type reader struct {
		name string
		read func() (digest, error)
	}
	readers := []reader{
		{"wrangler `ScanCSV` (types inferred, defaults)", func() (digest, error) { return scanWrangler(ctx, s3c, url) }},
		{"arrow-go `csv.NewReader` over `gzip.NewReader` over one `GetObject` body", func() (digest, error) {
			out, err := sdk.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return digest{}, err
			}
			defer out.Body.Close()
			zr, err := gzip.NewReader(bufio.NewReaderSize(out.Body, 1<<20))
			if err != nil {
				return digest{}, err
			}
			defer zr.Close()
			return scanArrowCSV(zr)
		}},
	}
	t := &table{
		title: "Peak memory of a streaming gzip CSV scan",
		header: []string{fmt.Sprintf("reader (%s of CSV, %s gzip object, %d rows, through localaws)", mb(plainSize), mb(compressed.n), want.rows),
			"time", "peak heap in use", "peak live heap"},
	}
	for _, r := range readers {
		var peak heapPeak
		tm, err := b.measureRead(r.name, want, func(*stopwatch) (digest, error) {
			stop := sampleHeap()
			d, err := r.read()
			p := stop()
			peak.inUse, peak.live = max(peak.inUse, p.inUse), max(peak.live, p.live)
			return d, err
		})
		if err != nil {
			return "", err
		}
		t.add(r.name, tm.String(), mb(int64(peak.inUse)), mb(int64(peak.live)))
	}
	t.note("Peaks over all runs, above the heap after a GC before each run, sampled every 2 ms from runtime/metrics: heap in use is `/memory/classes/heap/objects:bytes` (live objects and garbage not yet swept, so it depends on GOGC, here %s); live heap is `/gc/heap/live:bytes`, what the latest GC found reachable.", gogc())
	t.note("Both read batches of %d rows and digest each as it comes (nothing retained). localaws serves the object from the same process, so its buffers count too.", s3io.DefaultBatchSize)
	t.note("Object size: `-gzip-mb` is the CSV before compression; the 1 GB figure is `go run ./bench -only memory -gzip-mb 1024`.")
	return t.markdown(), nil
}

// gogc is the GOGC setting in effect.
func gogc() string {
	samples := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(samples)
	if samples[0].Value.Kind() != metrics.KindUint64 {
		return "unknown"
	}
	return fmt.Sprint(samples[0].Value.Uint64())
}
