package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	pq "github.com/parquet-go/parquet-go"

	"github.com/gowrangler/wrangler/s3io"
)

// pqRow is a generated row as parquet-go reads it into Go values.
type pqRow struct {
	ID   int64     `parquet:"id"`
	V    float64   `parquet:"v"`
	City string    `parquet:"city"`
	TS   time.Time `parquet:"ts,timestamp(microsecond)"`
	Qty  *int64    `parquet:"qty,optional"`
}

func pqRowsDigest(rows []pqRow) digest {
	d := digest{typed: true, rows: int64(len(rows))}
	for i := range rows {
		r := &rows[i]
		d.idSum += r.ID
		d.vSum += r.V
		d.cityBytes += int64(len(r.City))
		d.tsSum += r.TS.UnixMicro()
		if r.Qty != nil {
			d.qtyValid++
			d.qtySum += *r.Qty
		}
	}
	return d
}

// pqarrowProps are arrow-go's read properties for the pqarrow rows: the
// batch size and column parallelism s3io uses too.
var pqarrowProps = pqarrow.ArrowReadProperties{BatchSize: s3io.DefaultBatchSize, Parallel: true}

// readPqarrow reads a whole Parquet file into an Arrow table with pqarrow.
func readPqarrow(ctx context.Context, r parquet.ReaderAtSeeker, sw *stopwatch) (digest, error) {
	tbl, err := pqarrow.ReadTable(ctx, r, nil, pqarrowProps, memory.DefaultAllocator)
	if err != nil {
		return digest{}, err
	}
	defer tbl.Release()
	sw.stop()
	return tableDigest(tbl)
}

// getObject reads a whole object into memory with one GetObject.
func getObject(ctx context.Context, sdk *s3.Client, key string) ([]byte, error) {
	out, err := sdk.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	buf := bytes.NewBuffer(make([]byte, 0, aws.ToInt64(out.ContentLength)+bytes.MinRead))
	if _, err := buf.ReadFrom(out.Body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parquetSection reads the generated Parquet file into memory with each
// reader, from a local file and through localaws.
func (b *bench) parquetSection(ctx context.Context) (string, error) {
	f, err := b.parquet()
	if err != nil {
		return "", err
	}
	sdk, s3c, err := b.s3(ctx)
	if err != nil {
		return "", err
	}
	if err := upload(ctx, sdk, f); err != nil {
		return "", err
	}
	db, threads, err := openDuckDB(ctx)
	if err != nil {
		return "", err
	}
	defer db.Close()
	want := f.digest

	readWrangler := func(c *s3io.Client, url string) func(sw *stopwatch) (digest, error) {
		return func(sw *stopwatch) (digest, error) {
			fr, err := c.ReadParquet(ctx, url)
			if err != nil {
				return digest{}, err
			}
			sw.stop()
			return tableDigest(fr.Table())
		}
	}
	type reader struct {
		name string
		read func(sw *stopwatch) (digest, error)
	}
	local := []reader{
		{"wrangler `ReadParquet` → frame (s3io over the local file, no HTTP)", readWrangler(b.local, localURL(f))},
		{"arrow-go `pqarrow.ReadTable` on the file → Arrow table", func(sw *stopwatch) (digest, error) {
			in, err := os.Open(f.path)
			if err != nil {
				return digest{}, err
			}
			defer in.Close()
			return readPqarrow(ctx, in, sw)
		}},
		{"parquet-go `Read[T]` on the file → `[]T` (Go structs)", func(sw *stopwatch) (digest, error) {
			in, err := os.Open(f.path)
			if err != nil {
				return digest{}, err
			}
			defer in.Close()
			rows, err := pq.Read[pqRow](in, f.size)
			if err != nil {
				return digest{}, err
			}
			sw.stop()
			return pqRowsDigest(rows), nil
		}},
		{"DuckDB `read_parquet` on the file → temp table", func(sw *stopwatch) (digest, error) {
			_, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE pq AS SELECT * FROM read_parquet("+sqlString(f.path)+")")
			if err != nil {
				return digest{}, err
			}
			sw.stop()
			return duckDigest(ctx, db, "pq")
		}},
	}
	remote := []reader{
		{"wrangler `ReadParquet` → frame (ranged GETs of the footer and the column chunks)", readWrangler(s3c, s3URL(f))},
		{"arrow-go: one `GetObject` into memory, then `pqarrow.ReadTable`", func(sw *stopwatch) (digest, error) {
			data, err := getObject(ctx, sdk, f.name)
			if err != nil {
				return digest{}, err
			}
			return readPqarrow(ctx, bytes.NewReader(data), sw)
		}},
		{"parquet-go: one `GetObject` into memory, then `Read[T]`", func(sw *stopwatch) (digest, error) {
			data, err := getObject(ctx, sdk, f.name)
			if err != nil {
				return digest{}, err
			}
			rows, err := pq.Read[pqRow](bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return digest{}, err
			}
			sw.stop()
			return pqRowsDigest(rows), nil
		}},
	}

	t := &table{
		title: "Parquet read into memory",
		header: []string{fmt.Sprintf("reader (%d rows in %d row groups, %s, snappy)", want.rows, (int(want.rows)+b.cfg.rowGroupRows-1)/b.cfg.rowGroupRows, mb(f.size)),
			"time", "file MB/s", "wrangler / this"},
	}
	for _, group := range []struct {
		label   string
		readers []reader
	}{{"local file", local}, {"through localaws (in-process S3 on loopback)", remote}} {
		t.add("**"+group.label+"**", "", "", "")
		var base time.Duration
		for i, r := range group.readers {
			tm, err := b.measureRead(r.name, want, r.read)
			if err != nil {
				return "", err
			}
			cell := "(baseline)"
			if i == 0 {
				base = tm.median()
			} else {
				cell = ratio(base, tm.median())
			}
			t.add(r.name, tm.String(), throughput(f.size, tm), cell)
		}
	}
	t.note("Columns: id int64, v float64, city string (48 values, dictionary-encoded), ts timestamp[us, UTC], qty int64 with 10%% nulls; written by arrow-go with its default encodings.")
	t.note("Every reader materialises the whole file (a frame, an Arrow table, a `[]T`, a DuckDB temp table); the timer stops before the check of the result.")
	t.note("wrangler and pqarrow decode columns in parallel (pqarrow `Parallel: true`, batch size %d); parquet-go decodes rows on one goroutine into `time.Time` and `*int64`; DuckDB uses %d threads.", s3io.DefaultBatchSize, threads)
	t.note("The local wrangler row runs s3io's reader on the file through a local implementation of `s3io.API` (bench/localfs.go): the same ranged reads and prefetch as on S3, without HTTP. DuckDB reads the local file only (its S3 access needs the httpfs extension and a download).")
	t.note("Through localaws the peers do what a user without wrangler would: one GetObject of the whole object into memory, then decode. localaws runs in the same process, so its CPU time counts against every row of that group.")
	return t.markdown(), nil
}
