package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowcsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/gowrangler/wrangler/frame"
)

// DefaultRowGroupRows is the most rows in a written Parquet row group. The
// Parquet writer holds one row group's encoded pages in memory.
const DefaultRowGroupRows = 1 << 20

// WriteOptions configure WriteParquet, WriteCSV and WriteJSONLines. The
// embedded Options override the client's for the call.
type WriteOptions struct {
	Options
	// Compression: for Parquet pages CompressionAuto means Snappy (also
	// Zstd, Gzip, CompressionNone); for CSV and JSON lines it chooses by
	// the key's suffix (.gz, .zst), otherwise none.
	Compression Compression
	// RowGroupRows bounds a Parquet row group; 0 means DefaultRowGroupRows.
	RowGroupRows int64
	// BatchSize is how many rows of a frame are encoded at a time; 0 means
	// DefaultBatchSize.
	BatchSize int
	// Delimiter separates CSV fields; 0 means ','.
	Delimiter rune
	// NoHeader omits the CSV header row.
	NoHeader bool
	// NullValue is written for CSV nulls; the default is the empty string.
	NullValue string
}

// RowGroupRows returns a WriteOptions function that sets the row group size.
func RowGroupRows(n int64) func(*WriteOptions) {
	return func(o *WriteOptions) { o.RowGroupRows = n }
}

// Compress returns a WriteOptions function that sets the compression.
func Compress(c Compression) func(*WriteOptions) {
	return func(o *WriteOptions) { o.Compression = c }
}

func (c *Client) writeOptions(optFns []func(*WriteOptions)) WriteOptions {
	wo := WriteOptions{Options: c.options}
	for _, fn := range optFns {
		if fn != nil {
			fn(&wo)
		}
	}
	wo.Options = wo.Options.withDefaults()
	if wo.RowGroupRows <= 0 {
		wo.RowGroupRows = DefaultRowGroupRows
	}
	if wo.BatchSize <= 0 {
		wo.BatchSize = DefaultBatchSize
	}
	if wo.Delimiter == 0 {
		wo.Delimiter = ','
	}
	return wo
}

// writeStream opens a Writer, runs encode into it and closes it, aborting
// on any error so that nothing is left behind.
func (c *Client) writeStream(ctx context.Context, url string, wo WriteOptions, encode func(io.Writer) error) error {
	w, err := c.NewWriter(ctx, url, func(o *Options) { *o = wo.Options })
	if err != nil {
		return err
	}
	if err := encode(w); err != nil {
		return errors.Join(fmt.Errorf("s3io: write %s: %w", url, err), w.Abort())
	}
	return w.Close()
}

// WriteParquet writes a frame as one Parquet object.
func (c *Client) WriteParquet(ctx context.Context, f *frame.Frame, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	rdr := f.Records(wo.BatchSize)
	defer rdr.Release()
	return c.WriteParquetStream(ctx, rdr, url, optFns...)
}

// WriteParquetStream writes a stream of record batches as one Parquet
// object through a Writer: pages are encoded as batches arrive and row
// groups uploaded as parts fill, so memory is about one row group plus the
// Writer's parts. On any error nothing is left behind.
func (c *Client) WriteParquetStream(ctx context.Context, rdr array.RecordReader, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	codec := compress.Codecs.Snappy
	switch wo.Compression {
	case CompressionAuto, Snappy:
	case CompressionNone:
		codec = compress.Codecs.Uncompressed
	case Zstd:
		codec = compress.Codecs.Zstd
	case Gzip:
		codec = compress.Codecs.Gzip
	default:
		return fmt.Errorf("s3io: write %s: %s compression for Parquet: %w", url, wo.Compression, ErrInvalidOption)
	}
	props := parquet.NewWriterProperties(
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(wo.RowGroupRows),
		parquet.WithStats(true),
	)
	return c.writeStream(ctx, url, wo, func(w io.Writer) error {
		return protect(func() error {
			fw, err := pqarrow.NewFileWriter(rdr.Schema(), w, props, pqarrow.DefaultWriterProps())
			if err != nil {
				return err
			}
			for rdr.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := fw.WriteBuffered(rdr.RecordBatch()); err != nil {
					fw.Close()
					return err
				}
			}
			if err := rdr.Err(); err != nil {
				fw.Close()
				return err
			}
			return fw.Close()
		})
	})
}

// WriteCSV writes a frame as one CSV object (compressed by suffix or
// option).
func (c *Client) WriteCSV(ctx context.Context, f *frame.Frame, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	rdr := f.Records(wo.BatchSize)
	defer rdr.Release()
	return c.WriteCSVStream(ctx, rdr, url, optFns...)
}

// WriteCSVStream writes a stream of record batches as one CSV object.
// Quoting follows RFC 4180; nulls are WriteOptions.NullValue.
func (c *Client) WriteCSVStream(ctx context.Context, rdr array.RecordReader, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	u, err := parseObjectURL(url)
	if err != nil {
		return err
	}
	return c.writeStream(ctx, url, wo, func(w io.Writer) error {
		zw, err := compressWriter(w, compressionOf(u.Key, wo.Compression))
		if err != nil {
			return err
		}
		cw := arrowcsv.NewWriter(zw, rdr.Schema(), arrowcsv.WithComma(wo.Delimiter),
			arrowcsv.WithHeader(!wo.NoHeader), arrowcsv.WithNullWriter(wo.NullValue))
		if err := writeBatches(ctx, rdr, cw.Write); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	})
}

// WriteJSONLines writes a frame as one JSON lines object.
func (c *Client) WriteJSONLines(ctx context.Context, f *frame.Frame, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	rdr := f.Records(wo.BatchSize)
	defer rdr.Release()
	return c.WriteJSONLinesStream(ctx, rdr, url, optFns...)
}

// WriteJSONLinesStream writes a stream of record batches as JSON lines, one
// object per row; nulls are omitted keys.
func (c *Client) WriteJSONLinesStream(ctx context.Context, rdr array.RecordReader, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	u, err := parseObjectURL(url)
	if err != nil {
		return err
	}
	return c.writeStream(ctx, url, wo, func(w io.Writer) error {
		zw, err := compressWriter(w, compressionOf(u.Key, wo.Compression))
		if err != nil {
			return err
		}
		if err := writeBatches(ctx, rdr, func(rec arrow.RecordBatch) error { return array.RecordToJSON(rec, zw) }); err != nil {
			return err
		}
		return zw.Close()
	})
}

func writeBatches(ctx context.Context, rdr array.RecordReader, write func(arrow.RecordBatch) error) error {
	batch := 0
	for rdr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := write(rdr.RecordBatch()); err != nil {
			return fmt.Errorf("batch %d: %w", batch, err)
		}
		batch++
	}
	return rdr.Err()
}
