package localaws

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

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
	dir     string // the Stack's Dir; objects are under dir/buckets

	// conditionalMu serialises the conditional writes the front layer
	// checks itself (CompleteMultipartUpload, CopyObject).
	conditionalMu sync.Mutex
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
	return &s3Service{backend: backend, fake: fake.Server(), dir: dir}, nil
}

// pruneEmptyDirs removes the directories that deleted keys with "/" left
// in a bucket: S3 has no directories, so a bucket whose objects are gone is
// empty, but gofakes3 counts any entry of the bucket's directory as an
// object and refuses DeleteBucket with BucketNotEmpty.
func (s *s3Service) pruneEmptyDirs(bucket string) {
	root := filepath.Join(s.dir, "buckets", bucket)
	var dirs []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != root {
			dirs = append(dirs, path)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- { // deepest first
		os.Remove(dirs[i]) // fails, as wanted, on a directory that holds anything
	}
}

func (s *s3Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key := splitS3Path(r.URL.Path)
	if bucket != "" && key == "" && r.Method == http.MethodDelete && len(r.URL.Query()) == 0 {
		s.pruneEmptyDirs(bucket)
	}
	if key != "" {
		if reason := unsafeKey(key); reason != "" {
			writeS3Error(w, http.StatusBadRequest, "InvalidArgument",
				fmt.Sprintf("localaws cannot store key %q: %s", key, reason), r.URL.Path)
			return
		}
	}
	if bucket != "" && key != "" {
		q := r.URL.Query()
		switch {
		case (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("Range") != "" && !q.Has("uploadId"):
			s.clampSuffixRange(r, bucket, key)
		case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
			escapeCopySourcePlus(r)
			if q.Has("uploadId") {
				s.uploadPartCopy(w, r)
				return
			}
			if hasCopySourceConditions(r) {
				// gofakes3 ignores x-amz-copy-source-if-* on CopyObject.
				src, ok := s.openCopySource(w, r)
				if !ok {
					return
				}
				src.Contents.Close()
			}
			if hasWriteConditions(r) {
				// CopyObject takes If-None-Match / If-Match for its
				// destination (AWS-FACTS.md 3.6); gofakes3 ignores them.
				// UploadPartCopy does not take them.
				s.conditionalMu.Lock()
				defer s.conditionalMu.Unlock()
				if !s.checkWriteConditions(w, r, bucket, key) {
					return
				}
			}
		case r.Method == http.MethodPost && q.Has("uploadId"):
			if !s.checkPartSizes(w, r, bucket, key) {
				return
			}
			if hasWriteConditions(r) {
				// The check and the completion hold one lock so that two
				// conditional completions of the same key cannot both pass.
				s.conditionalMu.Lock()
				defer s.conditionalMu.Unlock()
				if !s.checkWriteConditions(w, r, bucket, key) {
					return
				}
			}
		}
	}
	if bucket != "" && key == "" && r.Method == http.MethodGet && r.URL.Query().Has("uploads") {
		s.listMultipartUploads(w, r, bucket)
		return
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

// clampSuffixRange rewrites a suffix range longer than the object
// ("bytes=-65536" on a 10-byte object) to the whole object. RFC 9110 14.1.1
// says such a range selects the entire representation, and S3 answers it
// with 206 and Content-Range (AWS-FACTS.md 3.5); gofakes3 answers
// InvalidRange instead, which breaks any reader that fetches a file's tail
// (a Parquet footer) without knowing its size. An empty object is left to
// gofakes3, as are ranges that are not a single suffix range.
func (s *s3Service) clampSuffixRange(r *http.Request, bucket, key string) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(r.Header.Get("Range")), "bytes=")
	if !ok {
		return
	}
	suffix, ok := strings.CutPrefix(strings.TrimSpace(spec), "-")
	if !ok {
		return
	}
	n, err := strconv.ParseInt(strings.TrimSpace(suffix), 10, 64)
	if err != nil || n <= 0 {
		return
	}
	obj, err := s.backend.HeadObject(bucket, key)
	if err != nil {
		return // gofakes3 answers NoSuchKey or NoSuchBucket itself
	}
	obj.Contents.Close()
	if obj.Size > 0 && n > obj.Size {
		r.Header.Set("Range", "bytes=0-")
	}
}

// escapeCopySourcePlus encodes a literal '+' in x-amz-copy-source as %2B.
// S3 reads the header as a URL path, where '+' is itself; gofakes3 decodes
// it with url.QueryUnescape, which turns '+' into a space and so copies
// another key (or fails with NoSuchKey). After the rewrite both decoders
// agree; an encoded space (%20) and an encoded plus (%2B) are unaffected.
func escapeCopySourcePlus(r *http.Request) {
	src := r.Header.Get("X-Amz-Copy-Source")
	if strings.Contains(src, "+") {
		r.Header.Set("X-Amz-Copy-Source", strings.ReplaceAll(src, "+", "%2B"))
	}
}

// hasWriteConditions reports whether a write carries If-None-Match or
// If-Match.
func hasWriteConditions(r *http.Request) bool {
	return r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Match") != ""
}

// checkWriteConditions applies If-None-Match and If-Match to the writes
// gofakes3 ignores them on, CompleteMultipartUpload and CopyObject
// (AWS-FACTS.md 3.6): If-None-Match: * fails with 412 PreconditionFailed
// when the key exists, If-Match: <etag> when the key has another ETag (and
// with 404 NoSuchKey when it is missing). A refused completion leaves the
// upload in place, as S3 does, so the caller can still abort it. It reports
// whether the request may go on to gofakes3.
func (s *s3Service) checkWriteConditions(w http.ResponseWriter, r *http.Request, bucket, key string) bool {
	var etag string
	exists := false
	obj, err := s.backend.HeadObject(bucket, key)
	switch {
	case err == nil:
		obj.Contents.Close()
		exists = true
		etag = `"` + hex.EncodeToString(obj.Hash) + `"`
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey):
	default:
		return true // a missing bucket and the like: gofakes3 answers
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if strings.TrimSpace(inm) != "*" {
			writeS3Error(w, http.StatusNotImplemented, "NotImplemented",
				"A header you provided implies functionality that is not implemented (If-None-Match accepts only *)", r.URL.Path)
			return false
		}
		if exists {
			writeS3Error(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"At least one of the pre-conditions you specified did not hold", r.URL.Path)
			return false
		}
	}
	if im := r.Header.Get("If-Match"); im != "" {
		if !exists {
			writeS3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", r.URL.Path)
			return false
		}
		if strings.TrimSpace(im) != "*" && strings.Trim(strings.TrimSpace(im), `"`) != strings.Trim(etag, `"`) {
			writeS3Error(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"At least one of the pre-conditions you specified did not hold", r.URL.Path)
			return false
		}
	}
	return true
}

// maxCopyPartSize is the most bytes one UploadPartCopy copies: the 5 GiB
// part maximum (AWS-FACTS.md 3.4).
const maxCopyPartSize = 5 << 30

// copySourceConditionHeaders are the conditions CopyObject and
// UploadPartCopy apply to their source.
var copySourceConditionHeaders = []string{
	"X-Amz-Copy-Source-If-Match", "X-Amz-Copy-Source-If-None-Match",
	"X-Amz-Copy-Source-If-Modified-Since", "X-Amz-Copy-Source-If-Unmodified-Since",
}

// hasCopySourceConditions reports whether a copy carries any
// x-amz-copy-source-if-* header.
func hasCopySourceConditions(r *http.Request) bool {
	for _, h := range copySourceConditionHeaders {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

// parseCopySource splits x-amz-copy-source ("bucket/key" or "/bucket/key",
// URL-encoded as a path, optionally with "?versionId=...") into the source
// bucket, key and version id.
func parseCopySource(src string) (bucket, key, version string, ok bool) {
	raw, query, _ := strings.Cut(src, "?")
	if query != "" {
		v, err := url.ParseQuery(query)
		if err != nil {
			return "", "", "", false
		}
		version = v.Get("versionId")
	}
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return "", "", "", false
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	return bucket, key, version, bucket != "" && key != ""
}

// openCopySource opens the source of a CopyObject or UploadPartCopy and
// applies its x-amz-copy-source-if-* conditions. On failure it writes S3's
// error (400 for a malformed source, 404 NoSuchBucket or NoSuchKey, 412
// PreconditionFailed) and reports false; on success the caller closes the
// object's Contents. Buckets here are unversioned, so the only version id
// accepted is "null", the current object, as on S3.
func (s *s3Service) openCopySource(w http.ResponseWriter, r *http.Request) (*gofakes3.Object, bool) {
	bucket, key, version, ok := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if !ok {
		writeS3Error(w, http.StatusBadRequest, "InvalidArgument",
			"Copy Source must mention the source bucket and key: sourcebucket/sourcekey", r.URL.Path)
		return nil, false
	}
	resource := "/" + bucket + "/" + key
	if version != "" && version != "null" {
		writeS3Error(w, http.StatusBadRequest, "InvalidArgument", "Invalid version id specified", resource)
		return nil, false
	}
	if reason := unsafeKey(key); reason != "" {
		writeS3Error(w, http.StatusBadRequest, "InvalidArgument",
			fmt.Sprintf("localaws cannot store key %q: %s", key, reason), resource)
		return nil, false
	}
	obj, err := s.backend.GetObject(bucket, key, nil)
	switch {
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket):
		writeS3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", resource)
		return nil, false
	case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey):
		writeS3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", resource)
		return nil, false
	case err != nil:
		writeS3Error(w, http.StatusInternalServerError, "InternalError", err.Error(), resource)
		return nil, false
	}
	if !copySourceConditionsHold(r.Header, obj) {
		obj.Contents.Close()
		writeS3Error(w, http.StatusPreconditionFailed, "PreconditionFailed",
			"At least one of the pre-conditions you specified did not hold", resource)
		return nil, false
	}
	return obj, true
}

// copySourceConditionsHold applies the x-amz-copy-source-if-* headers to a
// copy's source as S3 documents them for CopyObject and UploadPartCopy:
// If-Match and If-None-Match compare ETags ("*" matches any object); a
// matching If-Match overrides a failing If-Unmodified-Since, and a failing
// If-None-Match fails whatever If-Modified-Since says. Unparsable dates are
// ignored, as HTTP says.
func copySourceConditionsHold(h http.Header, obj *gofakes3.Object) bool {
	etag := hex.EncodeToString(obj.Hash)
	modified, modErr := http.ParseTime(obj.Metadata["Last-Modified"])
	since := func(name string) (time.Time, bool) {
		t, err := http.ParseTime(h.Get(name))
		return t, err == nil && modErr == nil
	}
	if im := h.Get("X-Amz-Copy-Source-If-Match"); im != "" {
		if !etagListMatches(im, etag) {
			return false
		}
	} else if t, ok := since("X-Amz-Copy-Source-If-Unmodified-Since"); ok && modified.After(t) {
		return false
	}
	if inm := h.Get("X-Amz-Copy-Source-If-None-Match"); inm != "" {
		if etagListMatches(inm, etag) {
			return false
		}
	} else if t, ok := since("X-Amz-Copy-Source-If-Modified-Since"); ok && !modified.After(t) {
		return false
	}
	return true
}

// etagListMatches reports whether an If-Match style value ("*", an ETag or
// a comma-separated list of them, quoted or not) names etag.
func etagListMatches(value, etag string) bool {
	for _, v := range strings.Split(value, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.Trim(strings.TrimPrefix(v, "W/"), `"`) == etag {
			return true
		}
	}
	return false
}

// copySourceRange reads x-amz-copy-source-range. Unlike Range it takes only
// bytes=first-last, both zero-based offsets inside the source: no suffix or
// open-ended form, and no clamping of a last byte past the end (S3 and
// MinIO answer 400 InvalidArgument). Without the header the part is the
// whole source. A refused range comes back as S3's message.
func copySourceRange(h http.Header, size int64) (first, length int64, refused string) {
	values, present := h["X-Amz-Copy-Source-Range"]
	if !present {
		return 0, size, ""
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(values[0]), "bytes=")
	a, b, dash := strings.Cut(spec, "-")
	first, errA := strconv.ParseInt(a, 10, 64)
	last, errB := strconv.ParseInt(b, 10, 64)
	if !ok || !dash || errA != nil || errB != nil || first < 0 || last < first {
		return 0, 0, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
	}
	if last >= size {
		return 0, 0, fmt.Sprintf("Range specified is not valid for source object of size: %d", size)
	}
	return first, last - first + 1, ""
}

// uploadPartCopy serves UploadPartCopy, which gofakes3 lacks (it takes the
// request for an UploadPart without a body and answers
// MissingContentLength). The source range is read from the backend and
// handed to gofakes3 as the body of an ordinary UploadPart, so the part is
// stored, listed, size-checked and completed like any other; the answer is
// S3's CopyPartResult. The source conditions (x-amz-copy-source-if-*) are
// checked against the very file the bytes come from. A part copies at most
// 5 GiB (AWS-FACTS.md 3.4); the 5 MiB minimum applies at completion, as for
// uploaded parts.
func (s *s3Service) uploadPartCopy(w http.ResponseWriter, r *http.Request) {
	src, ok := s.openCopySource(w, r)
	if !ok {
		return
	}
	defer src.Contents.Close()
	first, length, refused := copySourceRange(r.Header, src.Size)
	if refused != "" {
		writeS3Error(w, http.StatusBadRequest, "InvalidArgument", refused, r.URL.Path)
		return
	}
	if length > maxCopyPartSize {
		writeS3Error(w, http.StatusBadRequest, "InvalidRequest",
			fmt.Sprintf("The specified copy source is larger than the maximum allowable size for a copy source: %d", int64(maxCopyPartSize)), r.URL.Path)
		return
	}
	var err error
	if seeker, ok := src.Contents.(io.Seeker); ok {
		_, err = seeker.Seek(first, io.SeekStart)
	} else {
		_, err = io.CopyN(io.Discard, src.Contents, first)
	}
	if err != nil {
		writeS3Error(w, http.StatusInternalServerError, "InternalError", err.Error(), r.URL.Path)
		return
	}
	part, err := http.NewRequestWithContext(r.Context(), http.MethodPut, r.URL.RequestURI(), io.LimitReader(src.Contents, length))
	if err != nil {
		writeS3Error(w, http.StatusInternalServerError, "InternalError", err.Error(), r.URL.Path)
		return
	}
	part.ContentLength = length
	part.Header.Set("Content-Length", strconv.FormatInt(length, 10))
	rec := httptest.NewRecorder()
	s.fake.ServeHTTP(rec, part)
	if rec.Code != http.StatusOK {
		relayRecorded(w, rec)
		return
	}
	body, err := xml.Marshal(struct {
		XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
		ETag         string
		LastModified string
	}{ETag: rec.Header().Get("ETag"), LastModified: time.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
	if err != nil {
		writeS3Error(w, http.StatusInternalServerError, "InternalError", err.Error(), r.URL.Path)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, xml.Header)
	w.Write(body)
}

// relayRecorded writes a response gofakes3 wrote into a recorder.
func relayRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// minPartSize is the smallest part S3 accepts for any part of a multipart
// upload but the last (AWS-FACTS.md 3.4).
const minPartSize = 5 << 20

// checkPartSizes refuses a CompleteMultipartUpload that names a part other
// than the last smaller than 5 MiB with 400 EntityTooSmall, as S3 does
// (AWS-FACTS.md 3.4); gofakes3 accepts any size, which would hide a writer
// that cuts parts too small. The sizes come from gofakes3's own ListParts.
// The upload stays in place. It reports whether the request may go on, and
// restores the body for gofakes3; an unreadable body or an unknown upload
// is left for gofakes3 to answer.
func (s *s3Service) checkPartSizes(w http.ResponseWriter, r *http.Request, bucket, key string) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error(), r.URL.Path)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req struct {
		Parts []struct {
			PartNumber int `xml:"PartNumber"`
		} `xml:"Part"`
	}
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) < 2 {
		return true
	}
	sizes, ok := s.partSizes(r, bucket, key)
	if !ok {
		return true
	}
	for _, p := range req.Parts[:len(req.Parts)-1] {
		if size, ok := sizes[p.PartNumber]; ok && size < minPartSize {
			writeS3Error(w, http.StatusBadRequest, "EntityTooSmall",
				fmt.Sprintf("Your proposed upload is smaller than the minimum allowed size (part %d is %d bytes; every part but the last must be at least %d)",
					p.PartNumber, size, minPartSize), r.URL.Path)
			return false
		}
	}
	return true
}

// partSizes lists an upload's parts through gofakes3, page by page, and
// returns their sizes by part number.
func (s *s3Service) partSizes(r *http.Request, bucket, key string) (map[int]int64, bool) {
	sizes := map[int]int64{}
	marker := 0
	for {
		u := *r.URL
		q := url.Values{}
		q.Set("uploadId", r.URL.Query().Get("uploadId"))
		q.Set("part-number-marker", strconv.Itoa(marker))
		u.RawQuery = q.Encode()
		list, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, false
		}
		rec := httptest.NewRecorder()
		s.fake.ServeHTTP(rec, list)
		if rec.Code != http.StatusOK {
			return nil, false
		}
		var page struct {
			IsTruncated          bool
			NextPartNumberMarker int
			Parts                []struct {
				PartNumber int
				Size       int64
			} `xml:"Part"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			return nil, false
		}
		for _, p := range page.Parts {
			sizes[p.PartNumber] = p.Size
		}
		if !page.IsTruncated || page.NextPartNumberMarker <= marker {
			return sizes, true
		}
		marker = page.NextPartNumberMarker
	}
}

// listMultipartUploads serves ListMultipartUploads through gofakes3, except
// that a bucket in which no upload was ever started gets an empty listing,
// as from S3, where gofakes3 answers 404 NoSuchUpload.
func (s *s3Service) listMultipartUploads(w http.ResponseWriter, r *http.Request, bucket string) {
	rec := httptest.NewRecorder()
	s.fake.ServeHTTP(rec, r)
	if rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "<Code>NoSuchUpload</Code>") {
		if exists, err := s.backend.BucketExists(bucket); err == nil && exists {
			q := r.URL.Query()
			maxUploads := int64(1000)
			if n, err := strconv.ParseInt(q.Get("max-uploads"), 10, 64); err == nil && n > 0 && n < maxUploads {
				maxUploads = n
			}
			body, err := xml.Marshal(gofakes3.ListMultipartUploadsResult{
				Bucket: bucket, MaxUploads: maxUploads,
				Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
				KeyMarker: q.Get("key-marker"), UploadIDMarker: gofakes3.UploadID(q.Get("upload-id-marker")),
			})
			if err == nil {
				w.Header().Set("Content-Type", "application/xml")
				w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
				w.WriteHeader(http.StatusOK)
				io.WriteString(w, xml.Header)
				w.Write(body)
				return
			}
		}
	}
	relayRecorded(w, rec)
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
