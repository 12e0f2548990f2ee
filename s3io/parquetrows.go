package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/parquet-go/parquet-go"
)

// rowsChunk is how many typed rows are decoded at a time.
const rowsChunk = 1024

// ScanParquetRows streams the rows of one Parquet object as values of T,
// decoded by parquet-go's generic reader (columns are matched to T's
// fields by name or `parquet:"name"` tags; columns T lacks are skipped and
// are not fetched beyond their row group's range). The object is read
// through a RangeReader, one row group at a time: its column chunks are
// prefetched together and dropped when the row group is done. ReadOptions
// RowGroups selects row groups; Where is refused (ErrInvalidOption: filter
// the rows in Go, or read a frame); other read options do not apply. An error,
// including a panic of the decoder on corrupt input (recovered), ends the
// sequence.
func ScanParquetRows[T any](ctx context.Context, c *Client, url string, optFns ...func(*ReadOptions)) iter.Seq2[T, error] {
	ro := c.readOptions(optFns)
	return func(yield func(T, error) bool) {
		var zero T
		if err := ro.refuseWhere("ScanParquetRows"); err != nil {
			yield(zero, err)
			return
		}
		u, err := parseObjectURL(url)
		if err != nil {
			yield(zero, err)
			return
		}
		rr, err := c.NewRangeReader(ctx, url, func(o *Options) { *o = ro.Options })
		if err != nil {
			yield(zero, err)
			return
		}
		defer rr.Release()
		var f *parquet.File
		err = protectGo(func() error {
			var err error
			f, err = parquet.OpenFile(rr, rr.Size(), parquet.SkipBloomFilters(true))
			return err
		})
		if err != nil {
			yield(zero, fmt.Errorf("s3io: read %s footer: %w: %w", u, ErrCorrupt, err))
			return
		}
		groups := f.RowGroups()
		selected := ro.RowGroups
		if selected == nil {
			for i := range groups {
				selected = append(selected, i)
			}
		}
		buf := make([]T, rowsChunk)
		for _, g := range selected {
			if g < 0 || g >= len(groups) {
				yield(zero, fmt.Errorf("s3io: read %s: row group %d of %d: %w", u, g, len(groups), ErrInvalidOption))
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			var ranges [][2]int64
			for _, col := range f.Metadata().RowGroups[g].Columns {
				md := col.MetaData
				start := md.DataPageOffset
				if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
					start = md.DictionaryPageOffset
				}
				ranges = append(ranges, [2]int64{start, md.TotalCompressedSize})
			}
			if err := rr.Prefetch(ranges); err != nil {
				yield(zero, err)
				return
			}
			var rd *parquet.GenericReader[T]
			if err := protectGo(func() error { rd = parquet.NewGenericRowGroupReader[T](groups[g]); return nil }); err != nil {
				yield(zero, fmt.Errorf("s3io: read %s row group %d: %w", u, g, err))
				return
			}
			for {
				var n int
				err := protectGo(func() error {
					var err error
					n, err = rd.Read(buf)
					return err
				})
				for _, row := range buf[:n] {
					if !yield(row, nil) {
						rd.Close()
						return
					}
				}
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					rd.Close()
					yield(zero, fmt.Errorf("s3io: read %s row group %d: %w: %w", u, g, ErrCorrupt, err))
					return
				}
			}
			rd.Close()
			rr.Release()
		}
	}
}

// ReadParquetRows reads one Parquet object into a slice of T; see
// ScanParquetRows.
func ReadParquetRows[T any](ctx context.Context, c *Client, url string, optFns ...func(*ReadOptions)) ([]T, error) {
	var rows []T
	for row, err := range ScanParquetRows[T](ctx, c, url, optFns...) {
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteParquetRows writes rows as one Parquet object with parquet-go's
// generic writer (schema from T's fields and `parquet` tags), streaming
// through a Writer: nothing is left behind on error. Compression and
// RowGroupRows apply as for WriteParquet.
func WriteParquetRows[T any](ctx context.Context, c *Client, rows []T, url string, optFns ...func(*WriteOptions)) error {
	wo := c.writeOptions(optFns)
	var codec parquet.WriterOption
	switch wo.Compression {
	case CompressionAuto, Snappy:
		codec = parquet.Compression(&parquet.Snappy)
	case Zstd:
		codec = parquet.Compression(&parquet.Zstd)
	case Gzip:
		codec = parquet.Compression(&parquet.Gzip)
	case CompressionNone:
		codec = parquet.Compression(&parquet.Uncompressed)
	default:
		return fmt.Errorf("s3io: write %s: %s compression for Parquet: %w", url, wo.Compression, ErrInvalidOption)
	}
	return c.writeStream(ctx, url, wo, func(w io.Writer) error {
		return protectGo(func() error {
			pw := parquet.NewGenericWriter[T](w, codec, parquet.MaxRowsPerRowGroup(wo.RowGroupRows))
			for start := 0; start < len(rows); start += rowsChunk {
				if err := ctx.Err(); err != nil {
					return err
				}
				if _, err := pw.Write(rows[start:min(start+rowsChunk, len(rows))]); err != nil {
					return err
				}
			}
			return pw.Close()
		})
	})
}

// protectGo runs fn, turning a panic of parquet-go into an error.
func protectGo(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the parquet-go decoder panicked (recovered): %v: %w", r, ErrCorrupt)
		}
	}()
	return fn()
}
