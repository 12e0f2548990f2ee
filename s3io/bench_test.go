package s3io

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/localaws"
)

// benchMB is the uncompressed size of the generated CSV object; set
// S3IO_BENCH_MB=1024 for the 1 GB run quoted in the report.
func benchMB() int {
	if n, err := strconv.Atoi(os.Getenv("S3IO_BENCH_MB")); err == nil && n > 0 {
		return n
	}
	return 64
}

// uploadGeneratedCSV streams a generated CSV of about mb megabytes into
// the object at url (gzip-compressed when gz) and returns its uncompressed
// size. Generation streams too, so the benchmark's own memory stays small.
func uploadGeneratedCSV(b *testing.B, c *Client, url string, mb int, gz bool) int64 {
	b.Helper()
	w, err := c.NewWriter(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	var out io.Writer = w
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
		out = zw
	}
	cw := &countWriter{w: out}
	fmt.Fprintln(cw, "id,amount,city,day,flag")
	buf := make([]byte, 0, 1<<16)
	for i := 0; cw.n < int64(mb)<<20; i++ {
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, float64(i%10000)/7, 'f', 3, 64)
		buf = append(buf, ",\"City, "...)
		buf = strconv.AppendInt(buf, int64(i%97), 10)
		buf = append(buf, "\",2026-11-"...)
		buf = strconv.AppendInt(buf, int64(10+i%18), 10)
		buf = append(buf, ",true\n"...)
		if len(buf) > 60<<10 {
			cw.Write(buf)
			buf = buf[:0]
		}
	}
	cw.Write(buf)
	if zw != nil {
		zw.Close()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return cw.n
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// peakHeap samples the heap every few milliseconds until stop and returns
// the peak of the heap in use (live objects and garbage not yet swept)
// and the peak of the live heap as measured by the last GC.
func peakHeap() (stop func() (heap, live uint64)) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	var peak, peakLive uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			peakLive = max(peakLive, sample[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) { close(done); wg.Wait(); return peak, peakLive }
}

// BenchmarkScanCSV reports MB/s of uncompressed CSV decoded into Arrow
// batches from localaws, and the peak live heap during the scan.
func BenchmarkScanCSV(b *testing.B) {
	for _, gz := range []bool{false, true} {
		name := "plain"
		key := "bench.csv"
		if gz {
			name, key = "gzip", "bench.csv.gz"
		}
		b.Run(name, func(b *testing.B) {
			_, _, c := startS3(b)
			size := uploadGeneratedCSV(b, c, "s3://lake/"+key, benchMB(), gz)
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			stop := peakHeap()
			for range b.N {
				rows := int64(0)
				for batch, err := range c.ScanCSV(context.Background(), "s3://lake/"+key) {
					if err != nil {
						b.Fatal(err)
					}
					rows += batch.NumRows()
				}
				if rows == 0 {
					b.Fatal("no rows")
				}
			}
			b.StopTimer()
			heap, live := stop()
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(live)/(1<<20), "peak-live-MB")
		})
	}
}

// BenchmarkParquetRead compares reading a Parquet object through
// ScanParquet with a plain download of the same bytes.
func BenchmarkParquetRead(b *testing.B) {
	_, _, c := startS3(b)
	src := wideFrame(b, 500_000, 10)
	if err := c.WriteParquet(context.Background(), src, "s3://lake/bench.parquet", RowGroupRows(100_000)); err != nil {
		b.Fatal(err)
	}
	size, _ := c.Size(context.Background(), "s3://lake/bench.parquet")
	b.Run("download", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			if _, err := c.Download(context.Background(), "s3://lake/bench.parquet", io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	// decode-local is the floor for scan on loopback: the same bytes
	// decoded from memory by pqarrow with the same batch size and column
	// parallelism, no S3 at all.
	var local bytes.Buffer
	if _, err := c.Download(context.Background(), "s3://lake/bench.parquet", &local); err != nil {
		b.Fatal(err)
	}
	b.Run("decode-local", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			pf, err := file.NewParquetReader(bytes.NewReader(local.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchSize, Parallel: true}, memory.DefaultAllocator)
			if err != nil {
				b.Fatal(err)
			}
			rr, err := fr.GetRecordReader(context.Background(), nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			for rr.Next() {
			}
			if err := rr.Err(); err != nil {
				b.Fatal(err)
			}
			rr.Release()
			pf.Close()
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			for _, err := range c.ScanParquet(context.Background(), "s3://lake/bench.parquet") {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkParquetReadS3Profile is BenchmarkParquetRead against a localaws
// that shapes S3 traffic like S3 (localaws.S3NetworkProfile: 30 ms to the
// first byte, 100 MiB/s per request), where a single GetObject is bound by
// one connection's rate and the scan by the larger of its parallel
// download and its decoding (decode-local in BenchmarkParquetRead).
func BenchmarkParquetReadS3Profile(b *testing.B) {
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) {
		o.Buckets = []string{"lake"}
		o.Network = localaws.S3NetworkProfile
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	c := New(s3.NewFromConfig(st.Config(), localaws.PathStyle))
	ctx := context.Background()
	src := wideFrame(b, 500_000, 10)
	if err := c.WriteParquet(ctx, src, "s3://lake/bench.parquet", RowGroupRows(100_000)); err != nil {
		b.Fatal(err)
	}
	size, _ := c.Size(ctx, "s3://lake/bench.parquet")
	b.Run("download", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			if _, err := c.Download(ctx, "s3://lake/bench.parquet", io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("download-parallel", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			rr, err := c.NewRangeReader(ctx, "s3://lake/bench.parquet")
			if err != nil {
				b.Fatal(err)
			}
			if err := rr.Prefetch([][2]int64{{0, rr.Size()}}); err != nil {
				b.Fatal(err)
			}
			rr.Release()
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			var rows int64
			for batch, err := range c.ScanParquet(ctx, "s3://lake/bench.parquet") {
				if err != nil {
					b.Fatal(err)
				}
				rows += batch.NumRows()
			}
			if rows != 500_000 {
				b.Fatalf("scanned %d rows, want 500000", rows)
			}
		}
	})
}
