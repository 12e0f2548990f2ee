package athena

import (
	"strings"
	"sync"
	"time"

	"github.com/gowrangler/wrangler/frame"
)

// DefaultCacheEntries bounds the client-side result cache.
const DefaultCacheEntries = 64

// resultCache keeps the frames of recent queries, keyed by the query text
// and everything that changes its meaning. Frames are immutable, so a hit
// hands out the same frame to every caller.
type resultCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	f  *frame.Frame
	at time.Time
}

// cacheKey identifies a query's result: its text and the options that
// choose what it reads.
func cacheKey(sql string, o Options) string {
	return strings.Join(append([]string{sql, o.Database, o.Catalog, o.Workgroup}, o.ExecutionParameters...), "\x00")
}

func (rc *resultCache) get(key string, maxAge time.Duration, now time.Time) (*frame.Frame, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.entries[key]
	if !ok || now.Sub(e.at) > maxAge {
		return nil, false
	}
	return e.f, true
}

func (rc *resultCache) put(key string, f *frame.Frame, now time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.entries == nil {
		rc.entries = map[string]cacheEntry{}
	}
	if len(rc.entries) >= DefaultCacheEntries {
		// Evict the oldest entry; the cache is small, a scan is cheap.
		var oldest string
		var at time.Time
		for k, e := range rc.entries {
			if oldest == "" || e.at.Before(at) {
				oldest, at = k, e.at
			}
		}
		delete(rc.entries, oldest)
	}
	rc.entries[key] = cacheEntry{f: f, at: now}
}
