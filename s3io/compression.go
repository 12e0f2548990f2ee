package s3io

import (
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Compression is the compression of a CSV or JSON lines object, or of a
// Parquet file's pages when writing.
type Compression int

const (
	// CompressionAuto chooses by the key's suffix when reading (.gz, .zst or
	// .zstd, .bz2; anything else is uncompressed) and means the format's
	// default when writing (uncompressed text, snappy Parquet pages).
	CompressionAuto Compression = iota
	// CompressionNone reads or writes the bytes as they are.
	CompressionNone
	// Gzip is RFC 1952 gzip; concatenated members are read as one stream.
	Gzip
	// Zstd is Zstandard.
	Zstd
	// Bzip2 is bzip2, for reading only (the standard library has no encoder).
	Bzip2
	// Snappy is for Parquet pages only.
	Snappy
)

// String names the compression.
func (c Compression) String() string {
	switch c {
	case CompressionAuto:
		return "auto"
	case CompressionNone:
		return "none"
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case Bzip2:
		return "bzip2"
	case Snappy:
		return "snappy"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// compressionOf resolves CompressionAuto from a key's suffix.
func compressionOf(key string, c Compression) Compression {
	if c != CompressionAuto {
		return c
	}
	switch {
	case strings.HasSuffix(key, ".gz"), strings.HasSuffix(key, ".gzip"):
		return Gzip
	case strings.HasSuffix(key, ".zst"), strings.HasSuffix(key, ".zstd"):
		return Zstd
	case strings.HasSuffix(key, ".bz2"):
		return Bzip2
	}
	return CompressionNone
}

// decompress wraps r in the decoder for c. Closing the result closes the
// decoder, not r.
func decompress(r io.Reader, c Compression) (io.ReadCloser, error) {
	switch c {
	case CompressionNone, CompressionAuto:
		return io.NopCloser(r), nil
	case Gzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w: %w", ErrCorrupt, err)
		}
		return zr, nil
	case Zstd:
		// One decoding goroutine per stream: the scan already decodes
		// objects in parallel.
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), nil
	case Bzip2:
		return io.NopCloser(bzip2.NewReader(r)), nil
	}
	return nil, fmt.Errorf("%s compression for text formats: %w", c, ErrInvalidOption)
}

// compressWriter wraps w in the encoder for c; closing it flushes the
// encoder but does not close w.
func compressWriter(w io.Writer, c Compression) (io.WriteCloser, error) {
	switch c {
	case CompressionNone, CompressionAuto:
		return nopWriteCloser{w}, nil
	case Gzip:
		return gzip.NewWriter(w), nil
	case Zstd:
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	}
	return nil, fmt.Errorf("%s compression for writing text: %w", c, ErrInvalidOption)
}

type nopWriteCloser struct{ io.Writer }

// Close does nothing: the underlying writer is closed by its owner.
func (nopWriteCloser) Close() error { return nil }
