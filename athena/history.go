package athena

import (
	"crypto/sha256"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// historyEntries bounds the result sizes a Client remembers for
// ResultsAuto.
const historyEntries = 256

// resultSize is what one complete read learned about a query's result.
type resultSize struct {
	rows int64
	// csvBytes is the size of the result CSV, when the read went through
	// it; 0 otherwise.
	csvBytes int64
	// nested is whether a column is an array, map or row, which the text
	// paths return as utf8 and the Parquet paths as nested Arrow types.
	nested bool
}

// large reports whether a result of this size is large under o.
func (s resultSize) large(o Options) bool {
	return s.rows >= o.LargeResultRows || s.csvBytes >= o.LargeResultBytes
}

// sizeHistory remembers the size of each query's last complete read, keyed
// as the result cache is, so that ResultsAuto can choose UNLOAD up front
// the next time. It keeps a SHA-256 of each key rather than the query text,
// which may be 256 KB long, and at most historyEntries entries; the oldest
// goes first.
type sizeHistory struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]sizeEntry
}

type sizeEntry struct {
	size resultSize
	at   time.Time
}

func (h *sizeHistory) get(key string) (resultSize, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.entries[sha256.Sum256([]byte(key))]
	return e.size, ok
}

func (h *sizeHistory) put(key string, s resultSize, now time.Time) {
	sum := sha256.Sum256([]byte(key))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.entries == nil {
		h.entries = map[[sha256.Size]byte]sizeEntry{}
	}
	if _, ok := h.entries[sum]; !ok && len(h.entries) >= historyEntries {
		// Evict the oldest entry; the history is small, a scan is cheap.
		var oldest [sha256.Size]byte
		var at time.Time
		first := true
		for k, e := range h.entries {
			if first || e.at.Before(at) {
				oldest, at, first = k, e.at, false
			}
		}
		delete(h.entries, oldest)
	}
	h.entries[sum] = sizeEntry{size: s, at: now}
}

// nestedColumns reports whether any result column is an array, map or row,
// by the type names of the result metadata (AWS-FACTS.md 1.5).
func nestedColumns(cols []Column) bool {
	for _, c := range cols {
		if isNestedName(c.Type) {
			return true
		}
	}
	return false
}

// isNestedName reports whether an Athena type name is array, map or row,
// bare (as ColumnInfo gives it) or with its parameters.
func isNestedName(name string) bool {
	word, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(name)), "(")
	word, _, _ = strings.Cut(word, "<")
	switch strings.TrimSpace(word) {
	case "array", "map", "row", "struct":
		return true
	}
	return false
}

// isNestedType reports whether an Arrow type is a list, map or struct.
func isNestedType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW, arrow.MAP, arrow.STRUCT:
		return true
	}
	return false
}

// nestedSchema reports whether a batch schema has a list, map or struct
// column.
func nestedSchema(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		if isNestedType(f.Type) {
			return true
		}
	}
	return false
}
