package localaws

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

// S3 limits the front layer enforces where gofakes3 does not
// (AWS-FACTS.md 3.3).
const maxDeleteObjectsKeys = 1000

// s3Service is gofakes3 on a directory, behind a thin layer that makes it
// behave as AWS-FACTS.md says where the library depends on it.
type s3Service struct {
	backend *s3afero.MultiBucketBackend
	fake    http.Handler
}

func newS3Service(dir string, buckets []string) (*s3Service, error) {
	// BasePathFs confines every path to dir; gofakes3 refuses a bare OsFs
	// for that reason.
	fs := afero.NewBasePathFs(afero.NewOsFs(), dir)
	backend, err := s3afero.MultiBucket(fs)
	if err != nil {
		return nil, err
	}
	for _, b := range buckets {
		if err := gofakes3.ValidateBucketName(b); err != nil {
			return nil, fmt.Errorf("bucket %q: %w", b, err)
		}
		exists, err := backend.BucketExists(b)
		if err != nil {
			return nil, fmt.Errorf("bucket %q: %w", b, err)
		}
		if !exists {
			if err := backend.CreateBucket(b); err != nil {
				return nil, fmt.Errorf("create bucket %q: %w", b, err)
			}
		}
	}
	fake := gofakes3.New(backend,
		gofakes3.WithHostBucket(false),
		gofakes3.WithoutVersioning(),
		gofakes3.WithIntegrityCheck(true),
		gofakes3.WithLogger(gofakes3.DiscardLog()),
	)
	return &s3Service{backend: backend, fake: fake.Server()}, nil
}

func (s *s3Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key := splitS3Path(r.URL.Path)
	if key != "" {
		if reason := unsafeKey(key); reason != "" {
			writeS3Error(w, http.StatusBadRequest, "InvalidArgument",
				fmt.Sprintf("localaws cannot store key %q: %s", key, reason), r.URL.Path)
			return
		}
	}
	if bucket != "" && key == "" {
		switch q := r.URL.Query(); {
		case r.Method == http.MethodPost && q.Has("delete"):
			if !s.checkDeleteObjects(w, r) {
				return
			}
		case r.Method == http.MethodGet && q.Get("list-type") == "2":
			s.listObjectsV2(w, r, bucket)
			return
		}
	}
	s.fake.ServeHTTP(w, r)
}

// splitS3Path splits a path-style request path into bucket and key.
func splitS3Path(path string) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return bucket, key
}

// unsafeKey says why a key cannot be a file under the data directory, or
// "" if it can. S3 itself accepts these keys; the emulator stores objects as
// plain files (so that the Athena side reads them directly), and a key that
// cleans to another path would alias another object or escape the bucket.
func unsafeKey(key string) string {
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case ".", "..":
			return "a path segment is " + seg
		case "":
			return "it has an empty path segment (leading, trailing or doubled /)"
		}
	}
	if strings.ContainsRune(key, 0) {
		return "it contains a NUL byte"
	}
	if filepath.Separator != '/' && strings.ContainsRune(key, filepath.Separator) {
		return "it contains the platform's path separator"
	}
	return ""
}

// checkDeleteObjects enforces the 1,000-key limit of DeleteObjects, answering
// MalformedXML as S3 does, and restores the body for gofakes3.
func (s *s3Service) checkDeleteObjects(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error(), r.URL.Path)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req struct {
		Objects []struct{} `xml:"Object"`
	}
	if err := xml.Unmarshal(body, &req); err != nil {
		writeS3Error(w, http.StatusBadRequest, "MalformedXML",
			"The XML you provided was not well-formed or did not validate against our published schema", r.URL.Path)
		return false
	}
	if len(req.Objects) > maxDeleteObjectsKeys || len(req.Objects) == 0 {
		writeS3Error(w, http.StatusBadRequest, "MalformedXML",
			fmt.Sprintf("The XML you provided was not well-formed or did not validate against our published schema (%d keys; 1 to %d allowed)",
				len(req.Objects), maxDeleteObjectsKeys), r.URL.Path)
		return false
	}
	return true
}

// writeS3Error writes an S3 REST-XML error document.
func writeS3Error(w http.ResponseWriter, status int, code, message, resource string) {
	type s3Error struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string
		RequestID string `xml:"RequestId"`
	}
	body, _ := xml.Marshal(s3Error{Code: code, Message: message, Resource: resource, RequestID: "localaws"})
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", fmt.Sprint(len(xml.Header)+len(body)))
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(body)
}

// s3Operation names the S3 operation of a path-style request, for counters
// and fault injection.
func s3Operation(r *http.Request) string {
	bucket, key := splitS3Path(r.URL.Path)
	q := r.URL.Query()
	switch {
	case bucket == "":
		return "ListBuckets"
	case key == "":
		switch r.Method {
		case http.MethodGet:
			switch {
			case q.Has("uploads"):
				return "ListMultipartUploads"
			case q.Has("location"):
				return "GetBucketLocation"
			case q.Get("list-type") == "2":
				return "ListObjectsV2"
			}
			return "ListObjects"
		case http.MethodPut:
			return "CreateBucket"
		case http.MethodDelete:
			return "DeleteBucket"
		case http.MethodHead:
			return "HeadBucket"
		case http.MethodPost:
			if q.Has("delete") {
				return "DeleteObjects"
			}
		}
	default:
		switch r.Method {
		case http.MethodGet:
			if q.Has("uploadId") {
				return "ListParts"
			}
			return "GetObject"
		case http.MethodHead:
			return "HeadObject"
		case http.MethodPut:
			switch {
			case q.Has("uploadId") && r.Header.Get("X-Amz-Copy-Source") != "":
				return "UploadPartCopy"
			case q.Has("uploadId"):
				return "UploadPart"
			case r.Header.Get("X-Amz-Copy-Source") != "":
				return "CopyObject"
			}
			return "PutObject"
		case http.MethodPost:
			switch {
			case q.Has("uploads"):
				return "CreateMultipartUpload"
			case q.Has("uploadId"):
				return "CompleteMultipartUpload"
			}
		case http.MethodDelete:
			if q.Has("uploadId") {
				return "AbortMultipartUpload"
			}
			return "DeleteObject"
		}
	}
	return r.Method
}
