package main

import (
	"bufio"
	"context"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	arrowcsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/s3io"
)

// scanWrangler streams a CSV object through ScanCSV and digests each batch.
func scanWrangler(ctx context.Context, c *s3io.Client, url string, optFns ...func(*s3io.ReadOptions)) (digest, error) {
	var d digest
	for batch, err := range c.ScanCSV(ctx, url, optFns...) {
		if err != nil {
			return d, err
		}
		if err := d.addBatch(batch); err != nil {
			return d, err
		}
	}
	return d, nil
}

// scanArrowCSV streams CSV from r through arrow-go's reader with the
// generated data's schema (arrowCSVSchema), 64K rows a batch (as s3io), ""
// read as null in the numeric columns and never in city.
func scanArrowCSV(r io.Reader) (digest, error) {
	rdr := arrowcsv.NewReader(r, arrowCSVSchema, arrowcsv.WithHeader(true), arrowcsv.WithChunk(s3io.DefaultBatchSize),
		arrowcsv.WithNullReader(false, ""))
	defer rdr.Release()
	var d digest
	for rdr.Next() {
		if err := d.addBatch(rdr.RecordBatch()); err != nil {
			return d, err
		}
	}
	return d, rdr.Err()
}

// scanEncodingCSV streams CSV from r through encoding/csv: untyped records,
// one reused []string per row. Only id is parsed (strconv.ParseInt), for the
// check; nothing else is typed.
func scanEncodingCSV(r io.Reader) (digest, error) {
	cr := stdcsv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 5
	var d digest
	if _, err := cr.Read(); err != nil { // header
		return d, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return d, nil
		}
		if err != nil {
			return d, err
		}
		id, err := strconv.ParseInt(rec[0], 10, 64)
		if err != nil {
			return d, fmt.Errorf("row %d: id: %w", d.rows+1, err)
		}
		d.rows++
		d.idSum += id
		d.cityBytes += int64(len(rec[2]))
	}
}

// withFile opens a file buffered for a scan.
func withFile(path string, scan func(io.Reader) (digest, error)) (digest, error) {
	in, err := os.Open(path)
	if err != nil {
		return digest{}, err
	}
	defer in.Close()
	return scan(bufio.NewReaderSize(in, 1<<20))
}

// withObject streams an object's body from one GetObject into scan.
func withObject(ctx context.Context, sdk *s3.Client, key string, scan func(io.Reader) (digest, error)) (digest, error) {
	out, err := sdk.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return digest{}, err
	}
	defer out.Body.Close()
	return scan(bufio.NewReaderSize(out.Body, 1<<20))
}

// duckCSVColumns is the generated CSV's schema for read_csv.
const duckCSVColumns = "{'id': 'BIGINT', 'v': 'DOUBLE', 'city': 'VARCHAR', 'ts': 'TIMESTAMP', 'qty': 'BIGINT'}"

// csvSection scans the generated CSV file with each reader.
func (b *bench) csvSection(ctx context.Context) (string, error) {
	f, err := b.csv()
	if err != nil {
		return "", err
	}
	sdk, s3c, err := b.s3(ctx)
	if err != nil {
		return "", err
	}
	b.logf("uploading %s", f.name)
	if err := upload(ctx, sdk, f); err != nil {
		return "", err
	}
	db, threads, err := openDuckDB(ctx)
	if err != nil {
		return "", err
	}
	defer db.Close()
	want := f.digest
	schema := s3io.WithSchema(csvSchema)

	type reader struct {
		name string
		read func(sw *stopwatch) (digest, error)
	}
	local := []reader{
		{"wrangler `ScanCSV` (s3io over the local file, no HTTP)", func(*stopwatch) (digest, error) {
			return scanWrangler(ctx, b.local, localURL(f), schema)
		}},
		{"wrangler `ScanCSV`, types inferred from 1,000 rows", func(*stopwatch) (digest, error) {
			return scanWrangler(ctx, b.local, localURL(f))
		}},
		{"arrow-go `csv.NewReader`", func(*stopwatch) (digest, error) { return withFile(f.path, scanArrowCSV) }},
		{"`encoding/csv`, untyped `[]string` records", func(*stopwatch) (digest, error) { return withFile(f.path, scanEncodingCSV) }},
		{"DuckDB `read_csv` → temp table", func(sw *stopwatch) (digest, error) {
			_, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE c AS SELECT * FROM read_csv("+sqlString(f.path)+
				", header = true, columns = "+duckCSVColumns+")")
			if err != nil {
				return digest{}, err
			}
			sw.stop()
			return duckDigest(ctx, db, "c")
		}},
	}
	remote := []reader{
		{"wrangler `ScanCSV`", func(*stopwatch) (digest, error) { return scanWrangler(ctx, s3c, s3URL(f), schema) }},
		{"arrow-go `csv.NewReader` on one `GetObject` body", func(*stopwatch) (digest, error) {
			return withObject(ctx, sdk, f.name, scanArrowCSV)
		}},
		{"`encoding/csv` on one `GetObject` body", func(*stopwatch) (digest, error) {
			return withObject(ctx, sdk, f.name, scanEncodingCSV)
		}},
	}

	t := &table{
		title:  "CSV scan",
		header: []string{fmt.Sprintf("reader (%s, %d rows)", mb(f.size), want.rows), "time", "MB/s", "wrangler / this"},
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
	t.note("Columns: id int64, v float64, city string (half the values quoted, with a comma), ts `YYYY-MM-DD HH:MM:SS` read as timestamp (UTC), qty int64, empty (null) in 10%% of the rows.")
	t.note("Every typed reader gets the same explicit schema (wrangler `WithSchema`, arrow-go's schema argument, DuckDB `columns = {...}`) except the row marked inferred; ts is timestamp[us, UTC] for wrangler, timestamp[us] for arrow-go (which refuses zone-less text for a zoned type) and TIMESTAMP for DuckDB. wrangler and arrow-go stream batches of %d rows, digested as they come; DuckDB (%d threads, parallel CSV reader) materialises a temp table, checked after the timer stops.", s3io.DefaultBatchSize, threads)
	t.note("`encoding/csv` yields untyped strings (`ReuseRecord`); only id is parsed, for the check (row count, sum of id, total length of city). It is the floor of what parsing CSV costs in Go, not a typed reader.")
	t.note("The local wrangler rows run s3io's streaming reader on the file through a local implementation of `s3io.API` (bench/localfs.go), without HTTP. Through localaws each reader streams one GET; localaws runs in the same process, so its CPU time counts against every row of that group.")
	return t.markdown(), nil
}
