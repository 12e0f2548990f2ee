package s3io

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/localaws"
	"golang.org/x/sync/errgroup"
)

// writeKeys stores a one-byte object under each key, a few PutObject
// requests at a time.
func writeKeys(t testing.TB, sc *s3.Client, bucket string, keys []string) {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(4)
	for _, k := range keys {
		g.Go(func() error {
			_, err := sc.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader("x"),
			})
			if err != nil {
				return fmt.Errorf("put s3://%s/%s: %w", bucket, k, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// wideTree is the keys of a tree under root with prefixes p00/ ... of
// perPrefix keys each.
func wideTree(root string, prefixes, perPrefix int) []string {
	var keys []string
	for p := range prefixes {
		for k := range perPrefix {
			keys = append(keys, fmt.Sprintf("%sp%02d/k%03d.csv", root, p, k))
		}
	}
	return keys
}

// listCounter wraps an API and counts its ListObjectsV2 requests and the
// most in flight at once. Counting on the client side is exact: localaws
// records a request only after its response has gone out.
type listCounter struct {
	API
	calls, inFlight, maxInFlight atomic.Int64
}

func (l *listCounter) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	l.calls.Add(1)
	n := l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	for {
		m := l.maxInFlight.Load()
		if n <= m || l.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	return l.API.ListObjectsV2(ctx, in, optFns...)
}

// listKeys collects the keys List yields.
func listKeys(t testing.TB, c *Client, url string, optFns ...func(*ListOptions)) []string {
	t.Helper()
	objs, err := c.ListAll(context.Background(), url, optFns...)
	if err != nil {
		t.Fatalf("list %s: %v", url, err)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys
}

// sortedWhere returns the keys that keep accepts, sorted byte by byte,
// which is UTF-8 binary order (AWS-FACTS.md 3.2).
func sortedWhere(keys []string, keep func(string) bool) []string {
	var out []string
	for _, k := range keys {
		if keep(k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// testPage is the page size of the listing tests: localaws lists a
// bucket's files on every request, so trees of thousands of keys would be
// slow, and the choice between sequential and parallel listing depends on
// keys per page, not on the page size.
const testPage = 20

func pageSize(n int) func(*ListOptions) { return func(o *ListOptions) { o.PageSize = n } }

func TestListParallelMatchesSequential(t *testing.T) {
	st, sc, _ := startS3(t)
	// 25 prefixes of 8 keys (p10 has 45, three pages): the first page (20
	// keys) spans three entries, fewer than Concurrency, so List fans out;
	// the delimited listing after it has 27 entries, two pages. Around
	// them, keys and prefixes whose order tests UTF-8 binary order: '-' and
	// '.' sort before '/', '~' and non-ASCII after it.
	keys := wideTree("t/", 25, 8)
	for i := range 37 {
		keys = append(keys, fmt.Sprintf("t/p10/m%03d.csv", i))
	}
	keys = append(keys, "t/p05-a/x.csv", "t/p05.txt", "t/p05~/x.csv", "t/p07/ü.csv", "t/é/1.csv", "t/é/2.json", "t/zz.json", "u/x.csv", "t.csv")
	writeKeys(t, sc, "lake", keys)
	counter := &listCounter{API: sc}
	c := New(counter, func(o *Options) { o.Retry = testRetry; o.Concurrency = 8 })
	seqCounter := &listCounter{API: sc}
	seq := New(seqCounter, func(o *Options) { o.Retry = testRetry; o.Concurrency = 1 })
	// A latency per request makes the parallel requests overlap visibly.
	defer st.Inject(localaws.Fault{Op: "s3:ListObjectsV2", Kind: localaws.Latency, Latency: 5 * time.Millisecond})()

	// The runs after the first page: the rest of p02/, p03/ ... p24/ (p10/
	// in three pages) and p05-a/, p05~/, é/.
	const runs = 1 + 21 + 3 + 3
	tests := []struct {
		name  string
		url   string
		opts  []func(*ListOptions)
		keep  func(string) bool
		calls int // ListObjectsV2 requests of the parallel listing
	}{
		{
			name: "prefix", url: "s3://lake/t/",
			keep:  func(k string) bool { return strings.HasPrefix(k, "t/") },
			calls: 1 + 2 + runs, // first page, two delimited pages, runs
		},
		{
			name: "plain url", url: "s3://lake/t",
			keep: func(k string) bool { return strings.HasPrefix(k, "t") },
			// The first page spans t.csv and t/, and nothing follows t/ in
			// the delimited listing of the bucket, so List descends into t/.
			calls: 1 + 1 + 2 + runs,
		},
		{
			name: "glob prunes prefixes", url: "s3://lake/t/p0[4-6]/k00[2-5].csv",
			keep: func(k string) bool {
				dir, name, _ := strings.Cut(strings.TrimPrefix(k, "t/"), "/")
				return strings.HasPrefix(k, "t/") && (dir == "p04" || dir == "p05" || dir == "p06") &&
					len(name) == 8 && name >= "k002.csv" && name <= "k005.csv"
			},
			// First page, one delimited page (it stops at t/p10/, past the
			// literal prefix t/p0), and p04/, p05/, p06/: the rest cannot
			// match.
			calls: 1 + 1 + 3,
		},
		{
			name: "doublestar", url: "s3://lake/t/**/*.csv",
			keep:  func(k string) bool { return strings.HasPrefix(k, "t/") && strings.HasSuffix(k, ".csv") },
			calls: 1 + 2 + runs,
		},
		{
			name: "suffix", url: "s3://lake/t/", opts: []func(*ListOptions){Suffix(".json")},
			keep:  func(k string) bool { return strings.HasPrefix(k, "t/") && strings.HasSuffix(k, ".json") },
			calls: 1 + 2 + runs,
		},
		{
			name: "modified in the future", url: "s3://lake/t/",
			opts:  []func(*ListOptions){ModifiedBetween(time.Now().Add(time.Hour), time.Time{})},
			keep:  func(string) bool { return false },
			calls: 1 + 2 + runs,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := sortedWhere(keys, tt.keep)
			opts := append([]func(*ListOptions){pageSize(testPage)}, tt.opts...)
			counter.calls.Store(0)
			counter.maxInFlight.Store(0)
			got := listKeys(t, c, tt.url, opts...)
			calls := int(counter.calls.Load())
			if !slices.Equal(got, want) {
				t.Fatalf("parallel: got %d keys %s, want %d %s", len(got), firstKeys(got), len(want), firstKeys(want))
			}
			if calls != tt.calls {
				t.Errorf("parallel: got %d ListObjectsV2 calls, want %d", calls, tt.calls)
			}
			if m := counter.maxInFlight.Load(); m < 2 || m > 8 {
				t.Errorf("parallel: got at most %d requests in flight, want 2..8 (Concurrency)", m)
			}
			seqCounter.calls.Store(0)
			if got := listKeys(t, seq, tt.url, opts...); !slices.Equal(got, want) {
				t.Fatalf("sequential: got %d keys %s, want %d %s", len(got), firstKeys(got), len(want), firstKeys(want))
			}
			if m := seqCounter.maxInFlight.Load(); m != 1 {
				t.Errorf("sequential: got at most %d requests in flight, want 1", m)
			}
			t.Logf("%d keys: %d requests in parallel (at most %d at once), %d sequential",
				len(want), calls, counter.maxInFlight.Load(), seqCounter.calls.Load())
		})
	}
}

func TestListParallelDescends(t *testing.T) {
	_, sc, _ := startS3(t)
	keys := wideTree("d/x/", 8, 8)
	writeKeys(t, sc, "other", keys)
	counter := &listCounter{API: sc}
	c := New(counter, func(o *Options) { o.Retry = testRetry })
	got := listKeys(t, c, "s3://other/", pageSize(testPage))
	if want := sortedWhere(keys, func(string) bool { return true }); !slices.Equal(got, want) {
		t.Fatalf("got %d keys %s, want %d %s", len(got), firstKeys(got), len(want), firstKeys(want))
	}
	// First page, delimited pages at "", d/ and d/x/, the rest of p02/,
	// then p03/ ... p07/.
	if got, want := counter.calls.Load(), int64(1+3+1+5); got != want {
		t.Fatalf("got %d ListObjectsV2 calls, want %d", got, want)
	}
}

func TestListStaysSequential(t *testing.T) {
	_, sc, _ := startS3(t)
	tests := []struct {
		name  string
		keys  []string
		calls int
	}{
		// One page: one request, whatever the shape.
		{name: "one page", keys: wideTree("a/", 4, 5), calls: 1},
		// 30 prefixes of 2 keys: the first page spans 10 entries, so one
		// request per prefix would cost more than it saves.
		{name: "many small prefixes", keys: wideTree("b/", 30, 2), calls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeKeys(t, sc, "lake", tt.keys)
			counter := &listCounter{API: sc}
			c := New(counter, func(o *Options) { o.Retry = testRetry })
			root := tt.keys[0][:2]
			got := listKeys(t, c, "s3://lake/"+root, pageSize(testPage))
			if !slices.Equal(got, tt.keys) {
				t.Fatalf("got %d keys %s, want %d %s", len(got), firstKeys(got), len(tt.keys), firstKeys(tt.keys))
			}
			if n := int(counter.calls.Load()); n != tt.calls {
				t.Fatalf("got %d ListObjectsV2 calls, want %d", n, tt.calls)
			}
		})
	}
}

func TestListParallelStopsAndFails(t *testing.T) {
	st, sc, c := startS3(t)
	// 40 prefixes of 8 keys: the first page spans 3 entries, so List fans
	// out, and there are more runs than it reads ahead.
	keys := wideTree("t/", 40, 8)
	writeKeys(t, sc, "lake", keys)
	ctx := context.Background()
	ps := pageSize(testPage)

	t.Run("break", func(t *testing.T) {
		counter := &listCounter{API: sc}
		c := New(counter, func(o *Options) { o.Retry = testRetry })
		n := 0
		for _, err := range c.List(ctx, "s3://lake/t/", ps) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 150 {
				break
			}
		}
		// Every goroutine has ended when the loop returns: no request is
		// in flight and none starts afterwards.
		before := counter.calls.Load()
		if n := counter.inFlight.Load(); n != 0 {
			t.Fatalf("got %d requests in flight after the loop ended, want 0", n)
		}
		time.Sleep(50 * time.Millisecond)
		if after := counter.calls.Load(); after != before {
			t.Fatalf("got %d requests after the loop ended, want 0", after-before)
		}
	})
	t.Run("request error", func(t *testing.T) {
		var got []string
		var lerr error
		for o, err := range c.List(ctx, "s3://lake/t/", ps) {
			if err != nil {
				lerr = err
				break
			}
			if got = append(got, o.Key); len(got) == 1 {
				// After the first page every request fails, retries
				// included.
				defer st.Inject(localaws.Fault{Op: "s3:ListObjectsV2", Kind: localaws.InternalError})()
			}
		}
		if lerr == nil || !strings.Contains(lerr.Error(), "s3://lake/t/") {
			t.Fatalf("got error %v, want one naming s3://lake/t/", lerr)
		}
		if !slices.Equal(got, keys[:len(got)]) {
			t.Fatalf("keys before the error are not the first %d keys in order", len(got))
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var got []string
		var lerr error
		for o, err := range c.List(ctx, "s3://lake/t/", ps) {
			if err != nil {
				lerr = err
				break
			}
			if got = append(got, o.Key); len(got) == 150 {
				cancel()
			}
		}
		if !errors.Is(lerr, context.Canceled) {
			t.Fatalf("got error %v after %d keys, want context.Canceled", lerr, len(got))
		}
		if !slices.Equal(got, keys[:len(got)]) {
			t.Fatalf("keys before the error are not the first %d keys in order", len(got))
		}
	})
}

func TestGlobMayMatch(t *testing.T) {
	tests := []struct {
		glob, prefix string
		want         bool
	}{
		{"t/p0[4-6]/k*", "t/p04/", true},
		{"t/p0[4-6]/k*", "t/p07/", false},
		{"t/p0[4-6]/k*", "t/p05-a/", false},
		{"t/p0[4-6]/k*", "t/p0", true},
		{"t/*/x.csv", "t/a/", true},
		{"t/*/x.csv", "t/a/b/", false},
		{"t/**/x.csv", "t/a/b/", true},
		{"t/?/x", "t/ab/", false},
		{"t/[!a]/x", "t/a/", false},
		{"t/[!a]/x", "t/é/", true},
		{"t/*.csv", "t/x.csv", true},
		{"t/*.csv", "t/x.json", true}, // t/x.json.csv
		{"t/*.csv", "t/x/", false},
	}
	for _, tt := range tests {
		t.Run(tt.glob+" "+tt.prefix, func(t *testing.T) {
			u := MustParseURL("s3://bkt/" + tt.glob)
			if got := globMayMatch(u.glob, tt.prefix); got != tt.want {
				t.Fatalf("got %t, want %t", got, tt.want)
			}
		})
	}
}

// BenchmarkListWideTree lists a tree of 16 prefixes x 500 keys with
// Concurrency 1 (sequential) and 8 (parallel), on localaws as it is and
// with a latency per ListObjectsV2 request nearer S3's. It reports the
// requests per listing.
func BenchmarkListWideTree(b *testing.B) {
	st, sc, _ := startS3(b)
	keys := wideTree("w/", 16, 500)
	writeKeys(b, sc, "lake", keys)
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("latency=%s/concurrency=%d", latency, conc), func(b *testing.B) {
				if latency > 0 {
					defer st.Inject(localaws.Fault{Op: "s3:ListObjectsV2", Kind: localaws.Latency, Latency: latency})()
				}
				counter := &listCounter{API: sc}
				c := New(counter, func(o *Options) { o.Retry = testRetry; o.Concurrency = conc })
				b.ReportAllocs()
				for b.Loop() {
					if got := listKeys(b, c, "s3://lake/w/"); len(got) != len(keys) {
						b.Fatalf("got %d keys, want %d", len(got), len(keys))
					}
				}
				b.ReportMetric(float64(counter.calls.Load())/float64(b.N), "requests/op")
				b.ReportMetric(float64(counter.maxInFlight.Load()), "max-in-flight")
			})
		}
	}
}
