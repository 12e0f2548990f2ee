package athena

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
)

// scanUnload runs a SELECT as UNLOAD to Parquet in a fresh prefix under the
// output location, streams the files through s3io's Parquet reader, and
// deletes them afterwards, whether the read succeeded or not. Parquet keeps
// every type exactly and reads in parallel, so it suits large results; it
// costs one more query when the result is empty (UNLOAD writes no file to
// take a schema from, so the schema comes from a LIMIT 0 run of the query).
func (c *Client) scanUnload(ctx context.Context, sql string, optFns []func(*Options), yield func(arrow.RecordBatch, error) bool) {
	o := c.resolve(optFns)
	switch {
	case c.s3 == nil:
		yield(nil, errors.New("athena: UNLOAD results need an S3 client (athena.New's second argument)"))
		return
	case o.OutputLocation == "":
		yield(nil, errors.New("athena: UNLOAD results need an OutputLocation to write under"))
		return
	}
	prefix := strings.TrimSuffix(o.OutputLocation, "/") + "/unload/" + unloadID() + "/"
	// Cleanup runs on a context of its own: the caller's may be done.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		c.removePrefix(cctx, prefix)
	}()
	unload := fmt.Sprintf("UNLOAD (%s) TO '%s' WITH (format = 'PARQUET', compression = 'SNAPPY')",
		strings.TrimRight(strings.TrimSpace(sql), ";"), strings.ReplaceAll(prefix, "'", "''"))
	e, err := c.Start(ctx, unload, optFns...)
	if err != nil {
		yield(nil, err)
		return
	}
	if _, err := e.Wait(ctx); err != nil {
		yield(nil, err)
		return
	}
	files, err := c.s3.ListAll(ctx, prefix)
	if err != nil {
		yield(nil, fmt.Errorf("athena: UNLOAD output %s: %w", prefix, err))
		return
	}
	batches := 0
	if len(files) > 0 {
		for b, err := range c.s3.ScanParquet(ctx, prefix) {
			batches++
			if err != nil {
				yield(nil, err)
				return
			}
			b, err = millisecondTimestamps(ctx, b)
			if err != nil {
				yield(nil, fmt.Errorf("athena: UNLOAD output %s: %w", prefix, err))
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
		// An empty result (no file, or files without rows): take the
		// schema from the query itself.
		c.scanExecutionOf(ctx, "SELECT * FROM ("+strings.TrimRight(strings.TrimSpace(sql), ";")+") LIMIT 0", optFns, yield)
	}
}

// scanExecutionOf runs sql through the API or CSV path.
func (c *Client) scanExecutionOf(ctx context.Context, sql string, optFns []func(*Options), yield func(arrow.RecordBatch, error) bool) {
	e, err := c.Start(ctx, sql, optFns...)
	if err != nil {
		yield(nil, err)
		return
	}
	c.scanExecution(ctx, e, sql, optFns, yield)
}

// removePrefix deletes every object under prefix; failures are logged, as
// the result has already been delivered or the error reported.
func (c *Client) removePrefix(ctx context.Context, prefix string) {
	objs, err := c.s3.ListAll(ctx, prefix)
	if err == nil && len(objs) > 0 {
		urls := make([]string, len(objs))
		for i, obj := range objs {
			urls[i] = "s3://" + obj.Bucket + "/" + obj.Key
		}
		_, err = c.s3.Delete(ctx, urls)
	}
	if err != nil {
		c.log(c.options, "could not remove UNLOAD output", slog.String("prefix", prefix), slog.String("error", err.Error()))
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
