package glue

import (
	"log/slog"
	"time"

	"github.com/gowrangler/wrangler/retry"
)

// Batch limits of the Glue API (AWS-FACTS.md 2.4).
const (
	MaxCreatePartitionBatch = 100
	MaxDeletePartitionBatch = 25
)

// DefaultRetry retries throttled and transient Glue calls: 200 ms doubling
// up to 10 s, six attempts, with full jitter so that many writers retrying
// a throttled catalog do not retry in step.
var DefaultRetry = retry.Policy{Interval: 200 * time.Millisecond, MaxAttempts: 6, MaxDelay: 10 * time.Second, Jitter: retry.JitterFull}

// DefaultSyncAttempts bounds how often SyncTable re-reads and re-applies a
// table update that lost a race with another writer.
const DefaultSyncAttempts = 10

// Options configure a Catalog and, passed to a call, that call only. The
// zero value means the defaults.
type Options struct {
	// CatalogID is the account of the Data Catalog; "" means the caller's.
	CatalogID string
	// Retry is the policy for throttled and transient Glue errors; the zero
	// Policy means DefaultRetry.
	Retry retry.Policy
	// SyncAttempts bounds optimistic-locking retries of SyncTable; 0 means
	// DefaultSyncAttempts.
	SyncAttempts int
	// TypeOverrides gives the Glue type of columns whose Arrow type has no
	// counterpart (uint64, all-null, time, duration), by column name.
	TypeOverrides map[string]string
	// Logger, when set, logs catalog changes at Info level. Nil logs
	// nothing.
	Logger *slog.Logger
}

func (c *Catalog) resolve(optFns []func(*Options)) Options {
	o := c.options
	for _, f := range optFns {
		f(&o)
	}
	if o.SyncAttempts == 0 {
		o.SyncAttempts = DefaultSyncAttempts
	}
	if isZeroPolicy(o.Retry) {
		o.Retry = DefaultRetry
	}
	return o
}

func isZeroPolicy(p retry.Policy) bool {
	return p.Interval == 0 && p.MaxAttempts == 0 && p.BackoffRate == 0 && p.MaxDelay == 0 &&
		p.Jitter == retry.JitterNone && p.Retryable == nil && p.Name == ""
}
