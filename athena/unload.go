package athena

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
)

// cleanupTimeout bounds the clean-up after an UNLOAD or CTAS read: the
// DROP TABLE query (which may wait for a slot) and the deletion of the
// temporary files.
const cleanupTimeout = 2 * time.Minute

// scanUnload runs a SELECT as UNLOAD to Parquet in a fresh prefix under the
// output location, streams the files through s3io's Parquet reader, and
// deletes them afterwards, whether the read succeeded or not. Parquet keeps
// every type exactly and reads in parallel, so it suits large results; it
// costs one more query when the result is empty (UNLOAD writes no file to
// take a schema from, so the schema comes from a LIMIT 0 run of the query).
func (c *Client) scanUnload(ctx context.Context, sql string, optFns []func(*Options), size *resultSize, yield func(arrow.RecordBatch, error) bool) {
	o := c.resolve(optFns)
	if err := c.parquetUsable("UNLOAD", o); err != nil {
		yield(nil, err)
		return
	}
	prefix := tempPrefix(o.OutputLocation, "unload", unloadID())
	// Cleanup runs on a context of its own: the caller's may be done.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		c.removePrefix(cctx, o, prefix)
	}()
	// The query goes on lines of its own, so that a trailing -- comment
	// cannot swallow the closing parenthesis.
	unload := fmt.Sprintf("UNLOAD (\n%s\n) TO %s WITH (format = 'PARQUET', compression = 'SNAPPY')",
		trimSQL(sql), quoteString(prefix))
	e, err := c.Start(ctx, unload, optFns...)
	if err != nil {
		yield(nil, err)
		return
	}
	if _, err := e.Wait(ctx); err != nil {
		yield(nil, err)
		return
	}
	c.scanParquetOutput(ctx, "UNLOAD", prefix, sql, optFns, size, yield)
}

// parquetUsable reports why the UNLOAD or CTAS path cannot run, or nil.
func (c *Client) parquetUsable(what string, o Options) error {
	switch {
	case c.s3 == nil:
		return fmt.Errorf("athena: %s results need an S3 client (athena.New's second argument)", what)
	case o.OutputLocation == "":
		return fmt.Errorf("athena: %s results need an OutputLocation to write under", what)
	}
	return nil
}

// scanParquetOutput streams the Parquet files an UNLOAD or CTAS wrote
// under prefix. An empty result (no file, or files without rows) takes its
// schema from a LIMIT 0 run of sql, read through the CSV or the API.
func (c *Client) scanParquetOutput(ctx context.Context, what, prefix, sql string, optFns []func(*Options), size *resultSize, yield func(arrow.RecordBatch, error) bool) {
	files, err := c.s3.ListAll(ctx, prefix)
	if err != nil {
		yield(nil, fmt.Errorf("athena: %s output %s: %w", what, prefix, err))
		return
	}
	batches := 0
	if len(files) > 0 {
		for b, err := range c.s3.ScanParquet(ctx, prefix) {
			batches++
			if err != nil {
				yield(nil, fmt.Errorf("athena: %s output %s: %w", what, prefix, err))
				return
			}
			b, err = millisecondTimestamps(ctx, b)
			if err != nil {
				yield(nil, fmt.Errorf("athena: %s output %s: %w", what, prefix, err))
				return
			}
			ok := yield(b, nil)
			b.Release()
			if !ok {
				return
			}
		}
	}
	if batches == 0 {
		c.scanExecutionOf(ctx, "SELECT * FROM (\n"+trimSQL(sql)+"\n) LIMIT 0", auxiliary(optFns, true), size, yield)
	}
}

// auxiliary returns the options of a query the Client runs for its own
// purposes (the LIMIT 0 schema query, DROP TABLE): the caller's, without
// the idempotency token that belongs to the caller's query, and, unless
// keepParameters, without execution parameters.
func auxiliary(optFns []func(*Options), keepParameters bool) []func(*Options) {
	return append(slices.Clip(optFns), func(o *Options) {
		o.ClientRequestToken = ""
		o.ResultReuseMaxAge = 0
		o.Results = ResultsAuto
		o.ExpectedRows = 0
		if !keepParameters {
			o.ExecutionParameters = nil
		}
	})
}

// trimSQL removes surrounding space and a final semicolon, so that the
// query can be embedded in UNLOAD, CTAS or a subquery.
func trimSQL(sql string) string {
	return strings.TrimRight(strings.TrimSpace(sql), "; \t\r\n")
}

// quoteString writes s as a SQL string literal.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// tempPrefix is a fresh prefix under the output location.
func tempPrefix(outputLocation, kind, name string) string {
	return strings.TrimSuffix(outputLocation, "/") + "/" + kind + "/" + name + "/"
}

// removePrefix deletes every object under prefix; failures are logged, as
// the result has already been delivered or the error reported.
func (c *Client) removePrefix(ctx context.Context, o Options, prefix string) {
	objs, err := c.s3.ListAll(ctx, prefix)
	if err == nil && len(objs) > 0 {
		urls := make([]string, len(objs))
		for i, obj := range objs {
			urls[i] = "s3://" + obj.Bucket + "/" + obj.Key
		}
		_, err = c.s3.Delete(ctx, urls)
	}
	if err != nil {
		c.warn(o, "could not remove temporary result files", slog.String("prefix", prefix), slog.String("error", err.Error()))
	}
}

func unloadID() string {
	var b [12]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// millisecondTimestamps gives timestamp columns Athena's millisecond unit,
// as the other result paths have them, whatever unit the Parquet writer
// chose. It returns a batch the caller releases.
func millisecondTimestamps(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	schema := b.Schema()
	var fields []arrow.Field
	var cols []arrow.Array
	for i, f := range schema.Fields() {
		ts, ok := f.Type.(*arrow.TimestampType)
		if !ok || ts.Unit == arrow.Millisecond {
			continue
		}
		if fields == nil {
			fields = slices.Clone(schema.Fields())
			cols = slices.Clone(b.Columns())
		}
		to := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: ts.TimeZone}
		// Athena's timestamps have millisecond precision, so nothing finer
		// is there to lose.
		cast, err := compute.CastArray(ctx, b.Column(i), compute.UnsafeCastOptions(to))
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		defer cast.Release()
		fields[i].Type, cols[i] = to, cast
	}
	if fields == nil {
		b.Retain()
		return b, nil
	}
	md := schema.Metadata()
	return array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, b.NumRows()), nil
}
