package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/gowrangler/wrangler/frame"
)

// ScanCSV streams CSV objects as Arrow record batches, decoding as the
// bytes arrive. url is one object, a prefix ending in "/" or a glob; the
// objects of a prefix or glob are read in key order, up to Concurrency of
// them decoding at once, and their batches are yielded in that order (all
// of the first object's batches, then the second's). Compression is chosen
// by suffix (.gz, .zst, .bz2) unless ReadOptions.Compression says.
//
// The schema is ReadOptions.Schema, or is inferred from the first
// InferRows rows of the first object: each column gets the narrowest of
// bool, int64 (no leading zeros: "08123" stays text), float64, date32
// (YYYY-MM-DD), timestamp[us, UTC] (RFC 3339 or "YYYY-MM-DD HH:MM:SS",
// zone-less read as UTC) and string that all its sampled values parse as;
// a column with no value in the sample is a string. Every object is decoded with that schema:
// a value that does not parse as its column's type, a column an object
// lacks, a column the schema lacks (unless Columns projects it away) or a
// row with the wrong number of fields ends the scan with a *SchemaError
// naming the object, row and column. To unify objects whose inferred types
// differ, use ReadCSV.
//
// Each batch holds at most BatchSize rows and is valid only during the
// loop body: it is released when the body returns, so call Retain to keep
// it. Memory is bounded by about 2 x Concurrency batches, never by object
// size. The first error ends the sequence.
func (c *Client) ScanCSV(ctx context.Context, url string, optFns ...func(*ReadOptions)) iter.Seq2[arrow.RecordBatch, error] {
	return c.formatScan(ctx, url, c.readOptions(optFns), CSV, c.scanCSV)
}

func (c *Client) scanCSV(ctx context.Context, url string, ro ReadOptions) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if err := ro.checkCSV(); err != nil {
			yield(nil, err)
			return
		}
		urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
		if err != nil {
			yield(nil, err)
			return
		}
		sample := 0
		if ro.Schema == nil {
			sample = ro.InferRows
		}
		first, err := c.openCSV(ctx, ro, urls[0], sample)
		if err != nil {
			yield(nil, err)
			return
		}
		defer first.close()
		schema := ro.Schema
		if schema == nil {
			schema = first.inferSchema(ro)
		}
		schema, err = projectSchema(urls[0], schema, ro.Columns)
		if err != nil {
			yield(nil, err)
			return
		}
		c.scanCSVObjects(ctx, ro, urls, first, func(int) *arrow.Schema { return schema }, yield)
	}
}

// scanCSVObjects decodes urls with the schema schemaFor(i) gives each,
// reusing the already opened first object.
func (c *Client) scanCSVObjects(ctx context.Context, ro ReadOptions, urls []URL, first *csvDecoder,
	schemaFor func(int) *arrow.Schema, yield func(arrow.RecordBatch, error) bool,
) {
	var bytesRead atomic.Int64
	var rows int64
	objects := 0
	seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
		d := first
		if i > 0 || d == nil {
			var err error
			if d, err = c.openCSV(ctx, ro, urls[i], 0); err != nil {
				return err
			}
		}
		d.counter = &bytesRead
		defer d.close()
		return d.decode(ctx, schemaFor(i), emit)
	})
	last := -1
	for ob := range seq {
		if ob.err != nil {
			yield(nil, ob.err)
			return
		}
		if ob.object != last {
			objects, last = ob.object, ob.object
		}
		rows += ob.batch.NumRows()
		ro.report(Progress{Op: "scan", URL: urls[ob.object].String(), Bytes: bytesRead.Load(), Objects: objects, Rows: rows})
		ok := yield(ob.batch, nil)
		ob.batch.Release()
		if !ok {
			return
		}
	}
	ro.report(Progress{Op: "scan", Bytes: bytesRead.Load(), Objects: len(urls), Rows: rows, Done: true})
}

// ReadCSV reads CSV objects into one frame. Unlike ScanCSV, each object's
// types are inferred from its own sample (unless Schema is given) and the
// objects' schemas are then unified with frame.Concat's supertype rules:
// int64 and float64 become float64, a column missing from an object is
// null there, date and timestamp become timestamp. Types that do not
// unify (a string and a number) are a *SchemaError naming the object and
// the column.
func (c *Client) ReadCSV(ctx context.Context, url string, optFns ...func(*ReadOptions)) (*frame.Frame, error) {
	return c.formatRead(ctx, url, c.readOptions(optFns), CSV, c.readCSV)
}

func (c *Client) readCSV(ctx context.Context, url string, ro ReadOptions) (*frame.Frame, error) {
	if err := ro.checkCSV(); err != nil {
		return nil, err
	}
	urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
	if err != nil {
		return nil, err
	}
	perObject := make([][]arrow.RecordBatch, len(urls))
	schemas := make([]*arrow.Schema, len(urls))
	defer func() {
		for _, bs := range perObject {
			for _, b := range bs {
				b.Release()
			}
		}
	}()
	sample := 0
	if ro.Schema == nil {
		sample = ro.InferRows
	}
	seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
		d, err := c.openCSV(ctx, ro, urls[i], sample)
		if err != nil {
			return err
		}
		defer d.close()
		schema := ro.Schema
		if schema == nil {
			schema = d.inferSchema(ro)
		}
		if schema, err = projectSchema(urls[i], schema, ro.Columns); err != nil {
			return err
		}
		schemas[i] = schema
		return d.decode(ctx, schema, emit)
	})
	for ob := range seq {
		if ob.err != nil {
			return nil, ob.err
		}
		perObject[ob.object] = append(perObject[ob.object], ob.batch)
	}
	return framesOf(urls, schemas, perObject)
}

// framesOf builds one frame per object and concatenates them, naming the
// object and column when their schemas do not unify.
func framesOf(urls []URL, schemas []*arrow.Schema, perObject [][]arrow.RecordBatch) (*frame.Frame, error) {
	if err := checkUnifiable(urls, schemas); err != nil {
		return nil, err
	}
	frames := make([]*frame.Frame, 0, len(urls))
	for i, bs := range perObject {
		var f *frame.Frame
		var err error
		if len(bs) == 0 && schemas[i] != nil {
			f, err = emptyFrame(schemas[i])
		} else {
			f, err = frame.FromRecords(bs...)
		}
		if err != nil {
			return nil, fmt.Errorf("s3io: read %s: %w", urls[i], err)
		}
		frames = append(frames, f)
	}
	if len(frames) == 1 {
		return frames[0], nil
	}
	f, err := frame.Concat(frames...)
	if err != nil {
		return nil, fmt.Errorf("s3io: %w", err)
	}
	return f, nil
}

// emptyFrame is a frame with the schema and no rows.
func emptyFrame(s *arrow.Schema) (*frame.Frame, error) {
	cols := make([]frame.Series, s.NumFields())
	for i, f := range s.Fields() {
		cols[i] = frame.Array(f.Name, array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0))
	}
	return frame.New(cols...)
}

// checkUnifiable folds the schemas with frame.Concat's rules (on empty
// frames, so nothing is copied) and returns a *SchemaError for the first
// object whose column does not unify with the columns before it.
func checkUnifiable(urls []URL, schemas []*arrow.Schema) error {
	var acc *frame.Frame
	for i, s := range schemas {
		if s == nil {
			continue
		}
		f, err := emptyFrame(s)
		if err != nil {
			return fmt.Errorf("s3io: read %s: %w", urls[i], err)
		}
		if acc == nil {
			acc = f
			continue
		}
		next, err := frame.Concat(acc, f)
		if err == nil {
			acc = next
			continue
		}
		se := &SchemaError{URL: urls[i].String(), Err: err}
		for _, fld := range s.Fields() {
			prev, ok := acc.Schema().FieldsByName(fld.Name)
			if !ok || arrow.TypeEqual(prev[0].Type, fld.Type) {
				continue
			}
			a, _ := emptyFrame(arrow.NewSchema([]arrow.Field{prev[0]}, nil))
			b, _ := emptyFrame(arrow.NewSchema([]arrow.Field{fld}, nil))
			if _, cerr := frame.Concat(a, b); cerr != nil {
				se.Column, se.Want, se.Got = fld.Name, prev[0].Type.String()+" (earlier objects)", fld.Type.String()
				break
			}
		}
		return fmt.Errorf("s3io: %w", se)
	}
	return nil
}

// projectSchema keeps the named columns in the given order; a missing one
// is a *SchemaError naming the object.
func projectSchema(u URL, s *arrow.Schema, cols []string) (*arrow.Schema, error) {
	if len(cols) == 0 {
		return s, nil
	}
	fields := make([]arrow.Field, 0, len(cols))
	for _, name := range cols {
		idx := s.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("s3io: %w", &SchemaError{URL: u.String(), Column: name, Want: "a column of the data", Got: "no such column"})
		}
		fields = append(fields, s.Field(idx[0]))
	}
	return arrow.NewSchema(fields, nil), nil
}

func (ro ReadOptions) checkCSV() error {
	d := ro.Delimiter
	if d <= 0 || d >= 128 || d == '"' || d == '\r' || d == '\n' {
		return fmt.Errorf("s3io: CSV delimiter %q: must be one ASCII character other than quote and line breaks: %w", d, ErrInvalidOption)
	}
	return nil
}

// csvDecoder reads one CSV object.
type csvDecoder struct {
	u       URL
	ro      ReadOptions
	body    io.ReadCloser // the object stream
	dec     io.ReadCloser // decompressed
	p       *csvParser
	header  []string
	sample  []csvRecord
	row     int64 // data rows read so far
	counter *atomic.Int64
	counted int64
	nulls   [][]byte
}

// openCSV opens an object, reads its header and up to sample rows.
func (c *Client) openCSV(ctx context.Context, ro ReadOptions, u URL, sample int) (*csvDecoder, error) {
	body, err := c.Open(ctx, u.String(), func(o *Options) { *o = ro.Options })
	if err != nil {
		return nil, err
	}
	d := &csvDecoder{u: u, ro: ro, body: body}
	d.dec, err = decompress(countingReader{body, d}, compressionOf(u.Key, ro.Compression))
	if err != nil {
		body.Close()
		return nil, fmt.Errorf("s3io: read %s: %w", u, err)
	}
	if err := d.start(d.dec, sample); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// start reads the header and up to sample rows from the decompressed
// stream r.
func (d *csvDecoder) start(r io.Reader, sample int) error {
	d.p = newCSVParser(r, byte(d.ro.Delimiter), d.ro.MaxRecordBytes)
	for _, n := range d.ro.NullValues {
		d.nulls = append(d.nulls, []byte(n))
	}
	if !d.ro.NoHeader {
		switch err := d.p.next(); {
		case isEOF(err):
			// An empty object: no columns, no rows.
		case err != nil:
			return d.wrap(err)
		default:
			for i := range d.p.fields {
				d.header = append(d.header, string(d.p.field(i)))
			}
		}
	}
	for len(d.sample) < sample {
		err := d.p.next()
		if isEOF(err) {
			break
		}
		if err != nil {
			return d.wrap(err)
		}
		d.sample = append(d.sample, d.p.copyRecord())
	}
	return nil
}

// countingReader counts compressed bytes for progress reports.
type countingReader struct {
	r io.Reader
	d *csvDecoder
}

// Read reads and counts.
func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.d.counter != nil {
		c.d.counter.Add(int64(n) + c.d.counted)
		c.d.counted = 0
	} else {
		c.d.counted += int64(n)
	}
	return n, err
}

func (d *csvDecoder) close() {
	if d.dec != nil {
		d.dec.Close()
		d.dec = nil
	}
	if d.body != nil {
		d.body.Close()
		d.body = nil
	}
}

// fieldNames lists a schema's column names.
func fieldNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return names
}

// wrap locates a parse error in the object.
func (d *csvDecoder) wrap(err error) error {
	var se *SchemaError
	if errors.As(err, &se) {
		return fmt.Errorf("s3io: %w", err)
	}
	return fmt.Errorf("s3io: read %s after data row %d: %w", d.u, d.row, err)
}

// names returns the column names of the object: the header, or the
// explicit names, or f0, f1, ...
func (d *csvDecoder) names(width int) []string {
	if !d.ro.NoHeader {
		return d.header
	}
	if len(d.ro.ColumnNames) > 0 {
		return d.ro.ColumnNames
	}
	if d.ro.Schema != nil {
		return fieldNames(d.ro.Schema)
	}
	names := make([]string, width)
	for i := range names {
		names[i] = "f" + strconv.Itoa(i)
	}
	return names
}

// inferSchema infers the column types from the sample.
func (d *csvDecoder) inferSchema(ro ReadOptions) *arrow.Schema {
	width := len(d.header)
	if ro.NoHeader && len(d.sample) > 0 {
		width = len(d.sample[0].fields)
	}
	names := d.names(width)
	guesses := make([]typeGuess, len(names))
	if !ro.StringsOnly {
		for _, rec := range d.sample {
			for i := range min(len(rec.fields), len(guesses)) {
				f := rec.fields[i]
				v := rec.buf[f.start:f.end]
				if d.isNull(v, f.quoted) {
					continue
				}
				guesses[i].observe(v)
			}
		}
	}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: guesses[i].dataType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

func (d *csvDecoder) isNull(v []byte, quoted bool) bool {
	if quoted {
		return false
	}
	for _, n := range d.nulls {
		if string(v) == string(n) {
			return true
		}
	}
	return false
}

// decode reads the object's rows as schema and emits batches of at most
// BatchSize rows.
func (d *csvDecoder) decode(ctx context.Context, schema *arrow.Schema, emit func(arrow.RecordBatch) bool) error {
	width := len(d.header)
	if d.ro.NoHeader {
		width = -1 // taken from the first row
		if len(d.sample) > 0 {
			width = len(d.sample[0].fields)
		}
	}
	var src []int
	mapColumns := func(width int) error {
		names := d.names(width)
		if len(names) != width {
			return &SchemaError{URL: d.u.String(), Want: fmt.Sprintf("%d columns (as named)", len(names)), Got: fmt.Sprintf("%d fields", width)}
		}
		var err error
		src, err = d.mapping(names, schema)
		return err
	}
	if width >= 0 {
		if err := mapColumns(width); err != nil {
			return d.wrap(err)
		}
	}
	cols := make([]*textColumn, schema.NumFields())
	for i, f := range schema.Fields() {
		col, err := newTextColumn(d.ro.Allocator, f)
		if err != nil {
			return fmt.Errorf("s3io: read %s: %w", d.u, err)
		}
		cols[i] = col
	}
	defer func() {
		for _, col := range cols {
			col.b.Release()
		}
	}()
	n := 0
	flush := func() bool {
		arrs := make([]arrow.Array, len(cols))
		for i, col := range cols {
			arrs[i] = col.b.NewArray()
		}
		rec := array.NewRecordBatch(schema, arrs, int64(n))
		for _, a := range arrs {
			a.Release()
		}
		n = 0
		return emit(rec)
	}
	addRecord := func(buf []byte, fields []csvField) error {
		d.row++
		if width < 0 {
			width = len(fields)
			if err := mapColumns(width); err != nil {
				return err
			}
		}
		if len(fields) != width {
			return &SchemaError{URL: d.u.String(), Row: d.row, Want: fmt.Sprintf("%d fields", width), Got: fmt.Sprintf("%d fields", len(fields))}
		}
		for j, col := range cols {
			f := fields[src[j]]
			v := buf[f.start:f.end]
			if d.isNull(v, f.quoted) {
				col.b.AppendNull()
				continue
			}
			if !col.appendText(v) {
				return &SchemaError{URL: d.u.String(), Row: d.row, Column: col.name, Want: col.dt.String(), Got: quoteValue(v),
					Err: errValueType}
			}
		}
		n++
		return nil
	}
	for i, rec := range d.sample {
		if err := addRecord(rec.buf, rec.fields); err != nil {
			return d.wrap(err)
		}
		d.sample[i] = csvRecord{}
		if n == d.ro.BatchSize && !flush() {
			return nil
		}
	}
	d.sample = nil
	for {
		err := d.p.next()
		if isEOF(err) {
			break
		}
		if err != nil {
			return d.wrap(err)
		}
		if err := addRecord(d.p.buf, d.p.fields); err != nil {
			return d.wrap(err)
		}
		if n == d.ro.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !flush() {
				return nil
			}
		}
	}
	if n > 0 || (d.row == 0 && width >= 0) {
		flush()
	}
	return nil
}

// errValueType is the cause in a SchemaError for a value that does not
// parse as its column's type.
var errValueType = errors.New("value does not parse as the column type (raise InferRows or give a Schema)")

// mapping finds, for each schema column, its field index in the object.
func (d *csvDecoder) mapping(names []string, schema *arrow.Schema) ([]int, error) {
	index := make(map[string]int, len(names))
	for i, n := range names {
		if _, dup := index[n]; dup {
			return nil, &SchemaError{URL: d.u.String(), Column: n, Want: "unique column names", Got: "a duplicate header"}
		}
		index[n] = i
	}
	src := make([]int, schema.NumFields())
	for j, f := range schema.Fields() {
		i, ok := index[f.Name]
		if !ok {
			return nil, &SchemaError{URL: d.u.String(), Column: f.Name, Want: "the column", Got: "no such column in the object"}
		}
		src[j] = i
	}
	if len(d.ro.Columns) == 0 {
		for _, n := range names {
			if len(schema.FieldIndices(n)) == 0 {
				return nil, &SchemaError{URL: d.u.String(), Column: n, Want: "columns " + fmt.Sprint(fieldNames(schema)), Got: "an extra column"}
			}
		}
	}
	return src, nil
}

// quoteValue quotes a value for an error message, cut to 64 bytes.
func quoteValue(v []byte) string {
	if len(v) > 64 {
		return strconv.Quote(string(v[:64])) + "..."
	}
	return strconv.Quote(string(v))
}
