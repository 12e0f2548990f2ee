package athena

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/s3io"
)

// Scan runs a query and streams its result as record batches of at most
// PageSize rows (UNLOAD and CTAS: as the Parquet files' row groups come),
// typed by the result's column metadata. The path follows
// Options.Results (see ResultsAuto). A batch is valid until the next
// iteration; Retain it to keep it. Breaking out of the loop stops reading
// (the query has already finished by then).
func (c *Client) Scan(ctx context.Context, sql string, optFns ...func(*Options)) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		o := c.resolve(optFns)
		c.measured(sql, o, yield, func(size *resultSize, yield func(arrow.RecordBatch, error) bool) {
			switch c.parquetPath(sql, o) {
			case ResultsUnload:
				c.scanUnload(ctx, sql, optFns, size, yield)
			case ResultsCTAS:
				c.scanCTAS(ctx, sql, optFns, size, yield)
			default:
				c.scanExecutionOf(ctx, sql, optFns, size, yield)
			}
		})
	}
}

// parquetPath is the path chosen before the query runs: ResultsUnload or
// ResultsCTAS when the query is to be rewritten into one of them (asked
// for, or ResultsAuto's first rule), else ResultsAuto, meaning the query
// runs as given and the CSV or the API is chosen once it has finished.
func (c *Client) parquetPath(sql string, o Options) ResultPath {
	switch o.Results {
	case ResultsUnload, ResultsCTAS:
		return o.Results
	case ResultsAuto:
		if c.s3 == nil || o.OutputLocation == "" || o.Encryption == string(types.EncryptionOptionCseKms) ||
			o.ResultReuseMaxAge > 0 || !isSelect(nil, sql) {
			return ResultsAuto
		}
		if o.ExpectedRows >= o.LargeResultRows {
			return ResultsUnload
		}
		if last, ok := c.history.get(cacheKey(sql, o)); ok && !last.nested && last.large(o) {
			return ResultsUnload
		}
	}
	return ResultsAuto
}

// measured runs read, counting the rows it yields; when the read completes
// without error and the consumer takes every batch, it remembers the
// result's size for ResultsAuto's next choice for the same query.
func (c *Client) measured(sql string, o Options, yield func(arrow.RecordBatch, error) bool,
	read func(size *resultSize, yield func(arrow.RecordBatch, error) bool)) {
	var size resultSize
	complete := true
	read(&size, func(b arrow.RecordBatch, err error) bool {
		if err != nil {
			complete = false
			return yield(nil, err)
		}
		size.rows += b.NumRows()
		size.nested = size.nested || nestedSchema(b.Schema())
		if !yield(b, nil) {
			complete = false
			return false
		}
		return true
	})
	if complete {
		c.history.put(cacheKey(sql, o), size, time.Now())
	}
}

// readResult waits for a started query and reads its whole result.
func (c *Client) readResult(ctx context.Context, e *Execution, sql string, optFns []func(*Options)) (*frame.Frame, error) {
	o := c.resolve(optFns)
	return collect(func(yield func(arrow.RecordBatch, error) bool) {
		c.measured(sql, o, yield, func(size *resultSize, yield func(arrow.RecordBatch, error) bool) {
			c.scanExecution(ctx, e, sql, optFns, size, yield)
		})
	})
}

// scanExecutionOf runs sql as given and reads its result through the CSV
// or the API.
func (c *Client) scanExecutionOf(ctx context.Context, sql string, optFns []func(*Options), size *resultSize, yield func(arrow.RecordBatch, error) bool) {
	e, err := c.Start(ctx, sql, optFns...)
	if err != nil {
		yield(nil, err)
		return
	}
	c.scanExecution(ctx, e, sql, optFns, size, yield)
}

// scanExecution waits for a started query and streams its result from the
// result CSV or the paged API (rules 2 and 3 of ResultsAuto).
func (c *Client) scanExecution(ctx context.Context, e *Execution, sql string, optFns []func(*Options), size *resultSize, yield func(arrow.RecordBatch, error) bool) {
	o := c.resolve(optFns)
	qe, err := e.Wait(ctx)
	if err != nil {
		yield(nil, err)
		return
	}
	selectQuery := isSelect(qe, sql)
	location, clientSide := "", false
	if rc := qe.ResultConfiguration; rc != nil {
		location = aws.ToString(rc.OutputLocation)
		clientSide = rc.EncryptionConfiguration != nil && rc.EncryptionConfiguration.EncryptionOption == types.EncryptionOptionCseKms
	}
	switch {
	case o.Results == ResultsCSV:
		if why := csvUnavailable(c.s3, location, clientSide); why != "" {
			yield(nil, fmt.Errorf("athena: query %s: the result CSV cannot be read: %s", e.id, why))
			return
		}
		c.scanCSV(ctx, o, e.id, location, selectQuery, false, size, yield)
		return
	case o.Results != ResultsAPI && selectQuery && csvUnavailable(c.s3, location, clientSide) == "":
		if c.scanCSV(ctx, o, e.id, location, selectQuery, true, size, yield) {
			return
		}
		c.log(o, "result CSV refused (AccessDenied); reading through GetQueryResults",
			slog.String("query_id", e.id), slog.String("location", location))
	}
	c.scanPages(ctx, o, e.id, selectQuery, size, yield)
}

func csvUnavailable(s3 *s3io.Client, location string, clientSide bool) string {
	switch {
	case s3 == nil:
		return "the Client has no S3 client"
	case location == "":
		return "the query has no output location"
	case clientSide:
		return "it is client-side encrypted (CSE_KMS)"
	}
	return ""
}

// accessDenied reports whether S3 refused a request for lack of
// permission: AccessDenied, or any HTTP 403.
func accessDenied(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "AccessDenied" || api.ErrorCode() == "Forbidden") {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n += int64(n)
	return n, err
}

// scanCSV streams the result CSV at location. Its types come from the
// result metadata, fetched with a GetQueryResults call of one row, since the
// .csv.metadata file's binary format is not documented (AWS-FACTS.md 1.6).
// With fallback, a GET refused as AccessDenied yields nothing and returns
// false, for the caller to read through the API instead; every other
// outcome returns true.
func (c *Client) scanCSV(ctx context.Context, o Options, id, location string, header, fallback bool, size *resultSize, yield func(arrow.RecordBatch, error) bool) bool {
	// The GET comes first, so that a refused one costs nothing else.
	raw, err := c.s3.Open(ctx, location)
	if err != nil {
		if fallback && accessDenied(err) {
			return false
		}
		yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
		return true
	}
	defer raw.Close()
	out, err := call(ctx, c, o, "GetQueryResults", func(ctx context.Context) (*athena.GetQueryResultsOutput, error) {
		return c.api.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1)})
	})
	if err != nil {
		yield(nil, fmt.Errorf("athena: result metadata of %s: %w", id, err))
		return true
	}
	var md *types.ResultSetMetadata
	if out.ResultSet != nil {
		md = out.ResultSet.ResultSetMetadata
	}
	cols := columnsOf(md)
	size.nested = nestedColumns(cols)
	schema, err := Schema(cols)
	if err != nil {
		yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
		return true
	}
	tb, err := newTextBatch(memory.DefaultAllocator, schema)
	if err != nil {
		yield(nil, fmt.Errorf("athena: results of %s: %w", id, err))
		return true
	}
	defer tb.release()
	body := &countingReader{r: raw}
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
			return true
		}
		if row == 0 && header {
			continue
		}
		if err := tb.add(values, valid); err != nil {
			yield(nil, fmt.Errorf("athena: %s line %d: %w", location, rr.line, err))
			return true
		}
		if tb.rows >= int(o.PageSize) {
			rec := tb.flush()
			ok := yield(rec, nil)
			rec.Release()
			if !ok {
				return true
			}
			yielded = true
		}
	}
	size.csvBytes = body.n
	// The last batch goes out even when empty if it is the only one, so
	// an empty result still carries its schema.
	rec := tb.flush()
	defer rec.Release()
	if rec.NumRows() > 0 || !yielded {
		yield(rec, nil)
	}
	return true
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
func (c *Client) scanPages(ctx context.Context, o Options, id string, header bool, size *resultSize, yield func(arrow.RecordBatch, error) bool) {
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
			cols := columnsOf(rs.ResultSetMetadata)
			size.nested = nestedColumns(cols)
			schema, err := Schema(cols)
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
