package main

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

// Ranged download of the raw-bytes baseline: s3io's own piece size for
// Parquet prefetch (8 MiB, in the 8-16 MB range AWS advises, AWS-FACTS.md
// 3.5) and its default concurrency.
const (
	rangedPartSize    = 8 << 20
	rangedConcurrency = s3io.DefaultConcurrency
)

// describeProfile says what a network profile does.
func describeProfile(p localaws.NetworkProfile) string {
	if p.FirstByteLatency == 0 && p.BytesPerSecond == 0 {
		return "no network profile (loopback)"
	}
	bw := "unlimited bandwidth"
	if p.BytesPerSecond > 0 {
		bw = fmt.Sprintf("%.0f MB/s per request", float64(p.BytesPerSecond)/(1<<20))
	}
	return fmt.Sprintf("%v to first byte, %s", p.FirstByteLatency, bw)
}

// objectBytes is a download and the checksum to compare with the file's.
type objectBytes struct {
	n   int64
	crc uint32
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(data []byte) objectBytes {
	return objectBytes{n: int64(len(data)), crc: crc32.Checksum(data, castagnoli)}
}

// fileChecksum is the checksum of a file's bytes.
func fileChecksum(path string) (objectBytes, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return objectBytes{}, err
	}
	return checksum(data), nil
}

// rangedGet downloads an object with parallel ranged GETs: a HEAD for the
// size, then parts of rangedPartSize, rangedConcurrency at a time, each
// into its place in one buffer. It is what a transfer manager's download
// does (the SDK's feature/s3/manager is not a dependency of this module).
func rangedGet(ctx context.Context, sdk *s3.Client, key string) ([]byte, error) {
	head, err := sdk.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	size := aws.ToInt64(head.ContentLength)
	buf := make([]byte, size)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(rangedConcurrency)
	for off := int64(0); off < size; off += rangedPartSize {
		part := buf[off:min(off+rangedPartSize, size)]
		g.Go(func() error {
			out, err := sdk.GetObject(gctx, &s3.GetObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: head.ETag,
				Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+int64(len(part))-1)),
			})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			_, err = io.ReadFull(out.Body, part)
			return err
		})
	}
	return buf, g.Wait()
}

// s3Section reads the Parquet file through a localaws stack with a network
// profile: wrangler's scan against the raw download, serial and parallel,
// and against decoding alone.
func (b *bench) s3Section(ctx context.Context) (string, error) {
	p := localaws.NetworkProfile{FirstByteLatency: b.cfg.netLatency, BytesPerSecond: int64(b.cfg.netMBps * (1 << 20))}
	t := &table{title: "S3 read under a network profile"}
	f, err := b.parquet()
	if err != nil {
		return "", err
	}
	wantBytes, err := fileChecksum(f.path)
	if err != nil {
		return "", err
	}
	st, sdk, s3c, err := startStack(ctx, func(o *localaws.Options) { o.Network = p })
	if err != nil {
		return "", err
	}
	defer st.Close()
	b.logf("uploading %s under %s", f.name, describeProfile(p))
	if err := upload(ctx, sdk, f); err != nil {
		return "", err
	}
	checkBytes := func(got objectBytes) error {
		if got != wantBytes {
			return fmt.Errorf("downloaded %d bytes with CRC-32C %08x; the file has %d bytes, %08x", got.n, got.crc, wantBytes.n, wantBytes.crc)
		}
		return nil
	}
	scan := func(c *s3io.Client, url string) func(*stopwatch) (digest, error) {
		return func(*stopwatch) (digest, error) {
			var d digest
			for batch, err := range c.ScanParquet(ctx, url) {
				if err != nil {
					return d, err
				}
				if err := d.addBatch(batch); err != nil {
					return d, err
				}
			}
			return d, nil
		}
	}

	scanT, err := b.measureRead("ScanParquet through localaws", f.digest, scan(s3c, s3URL(f)))
	if err != nil {
		return "", err
	}
	oneT, err := measure(b, "one GetObject", func(sw *stopwatch) (objectBytes, error) {
		data, err := getObject(ctx, sdk, f.name)
		sw.stop()
		return checksum(data), err
	}, checkBytes)
	if err != nil {
		return "", err
	}
	rangedT, err := measure(b, "parallel ranged GETs", func(sw *stopwatch) (objectBytes, error) {
		data, err := rangedGet(ctx, sdk, f.name)
		sw.stop()
		return checksum(data), err
	}, checkBytes)
	if err != nil {
		return "", err
	}
	decodeT, err := b.measureRead("ScanParquet on the local file", f.digest, scan(b.local, localURL(f)))
	if err != nil {
		return "", err
	}

	t.header = []string{fmt.Sprintf("read of the Parquet file (%s, %d row groups) under %v", mb(f.size),
		(int(f.digest.rows)+b.cfg.rowGroupRows-1)/b.cfg.rowGroupRows, describeProfile(p)), "time", "MB/s"}
	t.add("wrangler `ScanParquet` through localaws (download and decode)", scanT.String(), throughput(f.size, scanT))
	t.add("one `GetObject` of the whole file (raw bytes)", oneT.String(), throughput(f.size, oneT))
	t.add(fmt.Sprintf("parallel ranged GETs: HEAD, then %d MiB parts, %d at a time (raw bytes)", rangedPartSize>>20, rangedConcurrency),
		rangedT.String(), throughput(f.size, rangedT))
	t.add("wrangler `ScanParquet` on the local file (decode only, no network)", decodeT.String(), throughput(f.size, decodeT))
	bound := max(rangedT.median(), decodeT.median())
	verdict := "within"
	if float64(scanT.median()) > 1.2*float64(bound) {
		verdict = "outside"
	}
	t.note("**scan / max(parallel download, decode) = %s** (goal: at most 1.2x; %s it). For reference, scan / (parallel download + decode) = %s, scan / one GetObject = %s.",
		ratio(scanT.median(), bound), verdict, ratio(scanT.median(), rangedT.median()+decodeT.median()), ratio(scanT.median(), oneT.median()))
	t.note("All columns and row groups are read; the scan's batches are digested as they come and checked against the generated data, the downloads against the file's CRC-32C.")
	t.note("The profile is localaws's `NetworkProfile` (defaults: `localaws.S3NetworkProfile`; flags -net-latency, -net-mbps): every request waits the first-byte latency, then each body is paced to the bandwidth on its own, so parallel requests add bandwidth as parallel connections to S3 do. localaws runs in this process and shares its CPUs.")
	t.note("The SDK's transfer manager (feature/s3/manager) is not a dependency of this module; the ranged row does what its download does.")
	return t.markdown(), nil
}
