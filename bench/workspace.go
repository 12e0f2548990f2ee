package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

// bucket is the bucket of the localaws stacks.
const bucket = "bench"

// bench holds what the sections share: the configuration, the directory of
// generated files, the files themselves once generated, and a localaws
// stack started on first use.
type bench struct {
	cfg     config
	log     io.Writer
	dir     string
	tempDir bool
	start   time.Time

	// local reads the generated files through s3io without a network:
	// s3://local/<name> is <dir>/<name> (localfs.go).
	local *s3io.Client

	stack *localaws.Stack
	sdk   *s3.Client   // SDK client of stack
	s3c   *s3io.Client // wrangler over sdk

	parquetFile *generatedFile
	csvFile     *generatedFile
}

// generatedFile is a file in the work directory with the digest of the
// data written into it.
type generatedFile struct {
	name   string // relative to the work directory, also its key in S3
	path   string
	size   int64
	digest digest
}

func newBench(cfg config, log io.Writer) (*bench, error) {
	b := &bench{cfg: cfg, log: log, dir: cfg.dir, start: time.Now()}
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "wrangler-bench-")
		if err != nil {
			return nil, err
		}
		b.dir, b.tempDir = dir, true
	} else if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return nil, err
	}
	b.local = s3io.New(localFS{root: b.dir})
	return b, nil
}

func (b *bench) close() {
	if b.stack != nil {
		if err := b.stack.Close(); err != nil {
			b.logf("%v", err)
		}
	}
	if b.tempDir {
		os.RemoveAll(b.dir)
	}
}

// logf writes a progress line to stderr.
func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "bench %6.1fs: %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

// localURL is the s3io URL of a generated file read through localFS.
func localURL(f *generatedFile) string { return "s3://" + localBucket + "/" + f.name }

// s3URL is the URL of a generated file uploaded to a localaws stack.
func s3URL(f *generatedFile) string { return "s3://" + bucket + "/" + f.name }

// startStack starts a localaws stack with the bench bucket and returns it
// with an SDK client whose own retries are off (s3io's policy decides) and
// a wrangler client over that.
func startStack(ctx context.Context, optFns ...func(*localaws.Options)) (*localaws.Stack, *s3.Client, *s3io.Client, error) {
	opts := append([]func(*localaws.Options){func(o *localaws.Options) { o.Buckets = []string{bucket} }}, optFns...)
	st, err := localaws.Start(ctx, opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	sdk := s3.NewFromConfig(st.Config(), localaws.PathStyle, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	return st, sdk, s3io.New(sdk), nil
}

// s3 starts the shared stack (no network profile) on first use.
func (b *bench) s3(ctx context.Context) (*s3.Client, *s3io.Client, error) {
	if b.stack == nil {
		st, sdk, s3c, err := startStack(ctx)
		if err != nil {
			return nil, nil, err
		}
		b.stack, b.sdk, b.s3c = st, sdk, s3c
	}
	return b.sdk, b.s3c, nil
}

// upload puts a generated file into a stack's bucket with one PutObject.
func upload(ctx context.Context, sdk *s3.Client, f *generatedFile) error {
	in, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = sdk.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(f.name), Body: in, ContentLength: aws.Int64(f.size),
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", f.name, err)
	}
	return nil
}

// parquet generates the Parquet file on first use.
func (b *bench) parquet() (*generatedFile, error) {
	if b.parquetFile != nil {
		return b.parquetFile, nil
	}
	name := fmt.Sprintf("rows-%d-rg-%d.parquet", b.cfg.parquetRows, b.cfg.rowGroupRows)
	f := &generatedFile{name: name, path: filepath.Join(b.dir, name)}
	b.logf("generating %s", name)
	var err error
	if f.digest, err = writeParquetFile(f.path, b.cfg.parquetRows, b.cfg.rowGroupRows); err != nil {
		return nil, fmt.Errorf("generate %s: %w", name, err)
	}
	if f.size, err = fileSize(f.path); err != nil {
		return nil, err
	}
	b.parquetFile = f
	return f, nil
}

// csv generates the CSV file on first use.
func (b *bench) csv() (*generatedFile, error) {
	if b.csvFile != nil {
		return b.csvFile, nil
	}
	name := fmt.Sprintf("mb-%d.csv", b.cfg.csvMB)
	f := &generatedFile{name: name, path: filepath.Join(b.dir, name)}
	b.logf("generating %s", name)
	out, err := os.Create(f.path)
	if err != nil {
		return nil, err
	}
	f.digest, f.size, err = writeCSV(out, int64(b.cfg.csvMB)<<20)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", name, err)
	}
	b.csvFile = f
	return f, nil
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if st.Size() == 0 {
		return 0, errors.New(path + " is empty")
	}
	return st.Size(), nil
}
