package localaws

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// maxListKeys is the most keys one ListObjectsV2 page holds, whatever
// MaxKeys asks for (AWS-FACTS.md 3.2).
const maxListKeys = 1000

// listObjectsV2 serves ListObjectsV2 with S3's paging. gofakes3's directory
// backend ignores MaxKeys and returns every key in one page, which would hide
// paging bugs in the library, so the front layer pages the full listing
// itself: entries (keys and common prefixes, each counting one) in UTF-8
// binary order, after StartAfter and the continuation token, at most
// MaxKeys (capped at 1,000) per page.
func (s *s3Service) listObjectsV2(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	if exists, err := s.backend.BucketExists(bucket); err != nil || !exists {
		writeS3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", "/"+bucket)
		return
	}
	maxKeys := maxListKeys
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeS3Error(w, http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range", "/"+bucket)
			return
		}
		maxKeys = min(n, maxListKeys)
	}
	encoding := q.Get("encoding-type")
	if encoding != "" && encoding != "url" {
		writeS3Error(w, http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request", "/"+bucket)
		return
	}
	after := q.Get("start-after")
	token := q.Get("continuation-token")
	if token != "" {
		last, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			writeS3Error(w, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect", "/"+bucket)
			return
		}
		after = max(after, string(last))
	}

	// The backend lists without the delimiter and the keys are rolled up
	// into common prefixes here: gofakes3 builds them wrongly for a prefix
	// that ends inside a path segment (prefix "t" gave "t/t/").
	prefix := gofakes3.Prefix{HasPrefix: q.Has("prefix"), Prefix: q.Get("prefix")}
	delimiter := q.Get("delimiter")
	all, err := s.backend.ListBucket(bucket, &prefix, gofakes3.ListBucketPage{})
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		// The directory backend reports a prefix with no objects (no
		// directory) as a missing bucket; the bucket was checked above, and
		// S3 lists nothing.
		all, err = gofakes3.NewObjectList(), nil
	}
	if err != nil {
		writeS3Error(w, http.StatusInternalServerError, "InternalError", err.Error(), "/"+bucket)
		return
	}
	type entry struct {
		key     string
		content *gofakes3.Content // nil for a common prefix
	}
	entries := make([]entry, 0, len(all.Contents))
	rolledUp := map[string]bool{}
	for _, c := range all.Contents {
		if delimiter != "" {
			rest := strings.TrimPrefix(c.Key, prefix.Prefix)
			if i := strings.Index(rest, delimiter); i >= 0 {
				cp := prefix.Prefix + rest[:i+len(delimiter)]
				if !rolledUp[cp] {
					rolledUp[cp] = true
					entries = append(entries, entry{key: cp})
				}
				continue
			}
		}
		entries = append(entries, entry{c.Key, c})
	}
	// Go compares strings byte by byte: UTF-8 binary order, as S3 lists.
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	start, _ := slices.BinarySearchFunc(entries, after, func(e entry, k string) int {
		if e.key <= k {
			return -1
		}
		return 1
	})
	entries = entries[start:]

	result := gofakes3.ListBucketResultV2{
		ListBucketResultBase: gofakes3.ListBucketResultBase{
			Xmlns:     "http://s3.amazonaws.com/doc/2006-03-01/",
			Name:      bucket,
			Delimiter: encode(delimiter, encoding),
			Prefix:    encode(prefix.Prefix, encoding),
			MaxKeys:   int64(maxKeys),
		},
		ContinuationToken: token,
		StartAfter:        encode(q.Get("start-after"), encoding),
	}
	page := entries[:min(maxKeys, len(entries))]
	if maxKeys > 0 && len(page) < len(entries) {
		result.IsTruncated = true
		result.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].key))
	}
	_, fetchOwner := q["fetch-owner"]
	for _, e := range page {
		if e.content == nil {
			result.CommonPrefixes = append(result.CommonPrefixes, gofakes3.CommonPrefix{Prefix: encode(e.key, encoding)})
			continue
		}
		c := *e.content
		c.Key = encode(c.Key, encoding)
		if !fetchOwner {
			c.Owner = nil
		}
		result.Contents = append(result.Contents, &c)
	}
	result.KeyCount = int64(len(page))

	body, err := xml.Marshal(result)
	if err != nil {
		writeS3Error(w, http.StatusInternalServerError, "InternalError", err.Error(), "/"+bucket)
		return
	}
	if encoding != "" {
		// ListBucketResultV2 has no EncodingType field; add it after the
		// opening element so the SDK decodes the keys.
		body = []byte(strings.Replace(string(body), "<Name>", "<EncodingType>url</EncodingType><Name>", 1))
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	w.Write(body)
}

// encode applies the URL encoding S3 uses for encoding-type=url.
func encode(s, encoding string) string {
	if encoding != "url" || s == "" {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
