package athena

import (
	"context"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/s3io"
)

// Scan runs a query and streams its result as record batches, one per
// GetQueryResults page (at most PageSize rows), typed by the result's
// column metadata. A batch is valid until the next iteration; Retain it to
// keep it. Breaking out of the loop stops reading (the query has already
// finished by then).
func (c *Client) Scan(ctx context.Context, sql string, optFns ...func(*Options)) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if c.resolve(optFns).Results == ResultsUnload {
			c.scanUnload(ctx, sql, optFns, yield)
			return
		}
		c.scanExecutionOf(ctx, sql, optFns, yield)
	}
}

// readResult waits for a started query and reads its whole result.
func (c *Client) readResult(ctx context.Context, e *Execution, sql string, optFns []func(*Options)) (*frame.Frame, error) {
	return collect(func(yield func(arrow.RecordBatch, error) bool) { c.scanExecution(ctx, e, sql, optFns, yield) })
}

// scanExecution waits for a started query and streams its result.
func (c *Client) scanExecution(ctx context.Context, e *Execution, sql string, optFns []func(*Options), yield func(arrow.RecordBatch, error) bool) {
	o := c.resolve(optFns)
	qe, err := e.Wait(ctx)
	if err != nil {
		yield(nil, err)
		return
	}
	selectQuery := isSelect(qe, sql)
	location := ""
	if qe.ResultConfiguration != nil {
		location = aws.ToString(qe.ResultConfiguration.OutputLocation)
	}
	switch {
	case o.Results == ResultsCSV && (c.s3 == nil || location == ""):
		yield(nil, fmt.Errorf("athena: query %s: the result CSV cannot be read: %s", e.id, csvUnavailable(c.s3, location)))
	case o.Results == ResultsCSV, o.Results == ResultsAuto && c.s3 != nil && location != "" && selectQuery:
		c.scanCSV(ctx, o, e.id, location, selectQuery, yield)
	default:
		c.scanPages(ctx, o, e.id, selectQuery, yield)
	}
}

func csvUnavailable(s3 *s3io.Client, location string) string {
	if s3 == nil {
		return "the Client has no S3 client"
	}
	return "the query has no output location"
}

// scanCSV streams the result CSV at location. Its types come from the
// result metadata, fetched with a GetQueryResults call of one row, since the
// .csv.metadata file's binary format is not documented (AWS-FACTS.md 1.6).
func (c *Client) scanCSV(ctx context.Context, o Options, id, location string, header bool, yield func(arrow.RecordBatch, error) bool) {
	out, err := call(ctx, c, o, "GetQueryResults", func(ctx context.Context) (*athena.GetQueryResultsOutput, error) {
		return c.api.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1)})
	})
	if err != nil {
		yield(nil, fmt.Errorf("athena: result metadata of %s: %w", id, err))
		return
	}
	var md *types.ResultSetMetadata
	if out.ResultSet != nil {
		md = out.ResultSet.ResultSetMetadata
	}
	schema, err := Schema(columnsOf(md))
	if err != nil {
		yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
		return
	}
	body, err := c.s3.Open(ctx, location)
	if err != nil {
		yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
		return
	}
	defer body.Close()
	tb, err := newTextBatch(memory.DefaultAllocator, schema)
	if err != nil {
		yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
		return
	}
	defer tb.release()
	rr := newResultReader(body)
	yielded := false
	var values []string
	var valid []bool
	for row := 0; ; row++ {
		values, valid, err = rr.read(values, valid)
		if err == io.EOF {
			break
		}
		if err != nil {
			yield(nil, fmt.Errorf("athena: %s line %d: %w", location, rr.line, err))
			return
		}
		if row == 0 && header {
			continue
		}
		if err := tb.add(values, valid); err != nil {
			yield(nil, fmt.Errorf("athena: %s line %d: %w", location, rr.line, err))
			return
		}
		if tb.rows >= int(o.PageSize) {
			rec := tb.flush()
			ok := yield(rec, nil)
			rec.Release()
			if !ok {
				return
			}
			yielded = true
		}
	}
	// The last batch goes out even when empty if it is the only one, so
	// an empty result still carries its schema.
	rec := tb.flush()
	defer rec.Release()
	if rec.NumRows() > 0 || !yielded {
		yield(rec, nil)
	}
}

// Query runs a query and returns its whole result as a frame. An empty
// result is a frame with the result's columns and no rows.
func (c *Client) Query(ctx context.Context, sql string, optFns ...func(*Options)) (*frame.Frame, error) {
	o := c.resolve(optFns)
	if o.CacheMaxAge <= 0 {
		return collect(c.Scan(ctx, sql, optFns...))
	}
	key := cacheKey(sql, o)
	if f, ok := c.cache.get(key, o.CacheMaxAge, time.Now()); ok {
		return f, nil
	}
	f, err := collect(c.Scan(ctx, sql, optFns...))
	if err == nil {
		c.cache.put(key, f, time.Now())
	}
	return f, err
}

// collect gathers a stream of batches into a frame; an empty stream (no
// batch at all) is an empty frame.
func collect(batches iter.Seq2[arrow.RecordBatch, error]) (*frame.Frame, error) {
	var kept []arrow.RecordBatch
	defer func() {
		for _, b := range kept {
			b.Release()
		}
	}()
	for b, err := range batches {
		if err != nil {
			return nil, err
		}
		b.Retain()
		kept = append(kept, b)
	}
	if len(kept) == 0 {
		return frame.New()
	}
	f, err := frame.FromRecords(kept...)
	if err != nil {
		return nil, fmt.Errorf("athena: result: %w", err)
	}
	return f, nil
}

// QueryRows runs a query and returns its rows as structs, mapped by the
// frame package's struct rules (frame tags, then json tags).
func QueryRows[T any](ctx context.Context, c *Client, sql string, optFns ...func(*Options)) ([]T, error) {
	f, err := c.Query(ctx, sql, optFns...)
	if err != nil {
		return nil, err
	}
	rows, err := frame.ToStructs[T](f)
	if err != nil {
		return nil, fmt.Errorf("athena: rows of the result: %w", err)
	}
	return rows, nil
}

// scanPages reads a finished query's results through GetQueryResults.
func (c *Client) scanPages(ctx context.Context, o Options, id string, header bool, yield func(arrow.RecordBatch, error) bool) {
	var token *string
	var tb *textBatch
	defer func() {
		if tb != nil {
			tb.release()
		}
	}()
	values := make([]string, 0, 16)
	valid := make([]bool, 0, 16)
	for page := 0; ; page++ {
		out, err := call(ctx, c, o, "GetQueryResults", func(ctx context.Context) (*athena.GetQueryResultsOutput, error) {
			return c.api.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id),
				NextToken: token, MaxResults: aws.Int32(o.PageSize)})
		})
		if err != nil {
			yield(nil, fmt.Errorf("athena: results of %s page %d: %w", id, page+1, err))
			return
		}
		rs := out.ResultSet
		if rs == nil {
			yield(nil, fmt.Errorf("athena: results of %s page %d: no result set: %w", id, page+1, ErrResultFormat))
			return
		}
		if tb == nil {
			schema, err := Schema(columnsOf(rs.ResultSetMetadata))
			if err == nil {
				tb, err = newTextBatch(memory.DefaultAllocator, schema)
			}
			if err != nil {
				yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
				return
			}
		}
		rows := rs.Rows
		if page == 0 && header && len(rows) > 0 {
			rows = rows[1:] // the column names (AWS-FACTS.md 1.4)
		}
		for i, r := range rows {
			values, valid = values[:0], valid[:0]
			for _, d := range r.Data {
				values = append(values, aws.ToString(d.VarCharValue))
				valid = append(valid, d.VarCharValue != nil)
			}
			if err := tb.add(values, valid); err != nil {
				yield(nil, fmt.Errorf("athena: results of %s page %d row %d: %w", id, page+1, i+1, err))
				return
			}
		}
		token = out.NextToken
		last := token == nil || *token == ""
		if tb.rows > 0 || (page == 0 && last) {
			rec := tb.flush()
			ok := yield(rec, nil)
			rec.Release()
			if !ok {
				return
			}
		}
		if last {
			return
		}
	}
}

func columnsOf(md *types.ResultSetMetadata) []Column {
	if md == nil {
		return nil
	}
	cols := make([]Column, len(md.ColumnInfo))
	for i, ci := range md.ColumnInfo {
		cols[i] = Column{Name: aws.ToString(ci.Name), Type: aws.ToString(ci.Type), Precision: ci.Precision, Scale: ci.Scale}
	}
	return cols
}
