package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/s3io"
)

// localBucket is the bucket name localFS answers to.
const localBucket = "local"

// localFS serves GetObject and HeadObject from files under root, so that
// s3io's readers (the very code a user calls: ranged reads, prefetch,
// decoding) run on a local file without HTTP, a server or a network. It is
// how the "local file" rows measure wrangler: s3io has no file entry point,
// and its API interface is the seam it offers for this. Other operations
// fail.
type localFS struct{ root string }

var _ s3io.API = localFS{}

var errLocalFSUnsupported = errors.New("localfs: operation not supported")

func (l localFS) open(bucketName, key *string) (*os.File, os.FileInfo, string, error) {
	if aws.ToString(bucketName) != localBucket {
		return nil, nil, "", fmt.Errorf("localfs: no bucket %q", aws.ToString(bucketName))
	}
	name := filepath.Join(l.root, filepath.FromSlash(aws.ToString(key)))
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, "", fmt.Errorf("localfs: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, "", fmt.Errorf("localfs: %w", err)
	}
	etag := fmt.Sprintf("%q", strconv.FormatInt(st.Size(), 16)+"-"+strconv.FormatInt(st.ModTime().UnixNano(), 16))
	return f, st, etag, nil
}

// GetObject serves the whole file or one range of it: bytes=a-b, bytes=a-
// or bytes=-n, as S3 does (a suffix longer than the file is the file).
func (l localFS) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f, st, etag, err := l.open(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	if m := aws.ToString(in.IfMatch); m != "" && m != etag {
		f.Close()
		return nil, fmt.Errorf("localfs: %s changed (If-Match %s, ETag %s)", aws.ToString(in.Key), m, etag)
	}
	size := st.Size()
	off, end := int64(0), size // [off, end)
	out := &s3.GetObjectOutput{ETag: aws.String(etag), LastModified: aws.Time(st.ModTime())}
	if r := aws.ToString(in.Range); r != "" {
		spec, ok := strings.CutPrefix(r, "bytes=")
		first, last, ok2 := strings.Cut(spec, "-")
		if !ok || !ok2 {
			f.Close()
			return nil, fmt.Errorf("localfs: range %q not supported", r)
		}
		if first == "" {
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil || n <= 0 {
				f.Close()
				return nil, fmt.Errorf("localfs: bad range %q", r)
			}
			off = max(size-n, 0)
		} else {
			a, err := strconv.ParseInt(first, 10, 64)
			if err != nil || a < 0 || a >= size {
				f.Close()
				return nil, fmt.Errorf("localfs: range %q of a %d-byte object", r, size)
			}
			off = a
			if last != "" {
				z, err := strconv.ParseInt(last, 10, 64)
				if err != nil || z < a {
					f.Close()
					return nil, fmt.Errorf("localfs: bad range %q", r)
				}
				end = min(z+1, size)
			}
		}
		out.ContentRange = aws.String(fmt.Sprintf("bytes %d-%d/%d", off, end-1, size))
	}
	out.ContentLength = aws.Int64(end - off)
	out.Body = fileBody{SectionReader: io.NewSectionReader(f, off, end-off), f: f}
	return out, nil
}

// fileBody is a GetObject body: a section of an open file.
type fileBody struct {
	*io.SectionReader
	f *os.File
}

func (b fileBody) Close() error { return b.f.Close() }

// HeadObject gives the file's size and ETag.
func (l localFS) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	f, st, etag, err := l.open(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	f.Close()
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(st.Size()), ETag: aws.String(etag), LastModified: aws.Time(st.ModTime())}, nil
}

func (localFS) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) DeleteObjects(context.Context, *s3.DeleteObjectsInput, ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	return nil, errLocalFSUnsupported
}

func (localFS) AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	return nil, errLocalFSUnsupported
}
