package s3io

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/gowrangler/wrangler/frame"
)

// ScanJSONLines streams JSON lines objects (one JSON object per line) as
// Arrow record batches, with the same shape as ScanCSV: one object, a
// prefix or a glob; objects in key order, Concurrency at a time; gzip, zstd
// or bzip2 by suffix; batches valid during the loop body only.
//
// The schema is ReadOptions.Schema or is inferred from the first InferRows
// lines of the first object: JSON booleans become bool, integers int64,
// other numbers float64 (int64 with float64 is float64), strings string,
// objects structs with the union of their keys (in order of first
// appearance across lines; keys new in the same line alphabetically),
// arrays lists of their elements' unified type; a key that is only ever
// null becomes a string. A key whose values are of incompatible
// kinds (a number and a string, an object and an array) is a *SchemaError
// naming it. Keys absent from the schema are ignored, and a key absent from
// a line is null there.
//
// Every line is one JSON object; blank lines are skipped. Errors name the
// object and the line, counted from 1 across the whole (decompressed)
// object, blank lines included: a line that is not JSON, not an object,
// holds a second value or is longer than MaxRecordBytes is ErrCorrupt; a
// value that does not fit its column's type is a *SchemaError whose Column
// is the column (a.b for a field of a struct column) and whose Row is the
// line number.
func (c *Client) ScanJSONLines(ctx context.Context, url string, optFns ...func(*ReadOptions)) iter.Seq2[arrow.RecordBatch, error] {
	return c.formatScan(ctx, url, c.readOptions(optFns), JSONLines, c.scanJSONLines)
}

func (c *Client) scanJSONLines(ctx context.Context, url string, ro ReadOptions) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
		if err != nil {
			yield(nil, err)
			return
		}
		sample := 0
		if ro.Schema == nil {
			sample = ro.InferRows
		}
		first, err := c.openJSON(ctx, ro, urls[0], sample)
		if err != nil {
			yield(nil, err)
			return
		}
		defer first.close()
		schema := ro.Schema
		if schema == nil {
			if schema, err = first.inferSchema(); err != nil {
				yield(nil, err)
				return
			}
		}
		if schema, err = projectSchema(urls[0], schema, ro.Columns); err != nil {
			yield(nil, err)
			return
		}
		var rows int64
		seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
			d := first
			if i > 0 {
				var err error
				if d, err = c.openJSON(ctx, ro, urls[i], 0); err != nil {
					return err
				}
			}
			defer d.close()
			return d.decode(ctx, schema, emit)
		})
		for ob := range seq {
			if ob.err != nil {
				yield(nil, ob.err)
				return
			}
			rows += ob.batch.NumRows()
			ro.report(Progress{Op: "scan", URL: urls[ob.object].String(), Objects: ob.object, Rows: rows})
			ok := yield(ob.batch, nil)
			ob.batch.Release()
			if !ok {
				return
			}
		}
	}
}

// ReadJSONLines reads JSON lines objects into one frame. Each object's
// schema is inferred from its own sample (unless Schema is given) and the
// objects are unified as ReadCSV does.
func (c *Client) ReadJSONLines(ctx context.Context, url string, optFns ...func(*ReadOptions)) (*frame.Frame, error) {
	return c.formatRead(ctx, url, c.readOptions(optFns), JSONLines, c.readJSONLines)
}

func (c *Client) readJSONLines(ctx context.Context, url string, ro ReadOptions) (*frame.Frame, error) {
	urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
	if err != nil {
		return nil, err
	}
	perObject := make([][]arrow.RecordBatch, len(urls))
	schemas := make([]*arrow.Schema, len(urls))
	sample := 0
	if ro.Schema == nil {
		sample = ro.InferRows
	}
	seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
		d, err := c.openJSON(ctx, ro, urls[i], sample)
		if err != nil {
			return err
		}
		defer d.close()
		schema := ro.Schema
		if schema == nil {
			if schema, err = d.inferSchema(); err != nil {
				return err
			}
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

// jsonDecoder reads one JSON lines object, line by line, so that every
// error names its line.
type jsonDecoder struct {
	u      URL
	ro     ReadOptions
	body   io.ReadCloser
	dec    io.ReadCloser
	br     *bufio.Reader
	line   int64      // lines read so far, blank ones included
	buf    []byte     // the current line when it spans buffer fills
	sample []jsonLine // sampled non-empty lines
	// check, when set, vets each batch before it is emitted; lines holds
	// the line number of each of its rows.
	check func(rec arrow.RecordBatch, lines []int64) error
}

// jsonLine is one non-empty line and its 1-based number in the object.
type jsonLine struct {
	text []byte
	n    int64
}

func (c *Client) openJSON(ctx context.Context, ro ReadOptions, u URL, sample int) (*jsonDecoder, error) {
	body, err := c.Open(ctx, u.String(), func(o *Options) { *o = ro.Options })
	if err != nil {
		return nil, err
	}
	d := &jsonDecoder{u: u, ro: ro, body: body}
	if d.dec, err = decompress(body, compressionOf(u.Key, ro.Compression)); err != nil {
		body.Close()
		return nil, fmt.Errorf("s3io: read %s: %w", u, err)
	}
	if err := d.start(d.dec, sample); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// start buffers up to sample non-empty lines of r.
func (d *jsonDecoder) start(r io.Reader, sample int) error {
	d.br = bufio.NewReaderSize(r, 256<<10)
	for len(d.sample) < sample {
		text, err := d.nextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		d.sample = append(d.sample, jsonLine{text: bytes.Clone(text), n: d.line})
	}
	return nil
}

// nextLine returns the next non-empty line, without its line break, valid
// until the next call; io.EOF at the end of the object. A line longer than
// MaxRecordBytes is an error, so that a missing line break cannot make
// the reader buffer a whole object.
func (d *jsonDecoder) nextLine() ([]byte, error) {
	for {
		d.buf = d.buf[:0]
		var text []byte
		for {
			frag, err := d.br.ReadSlice('\n')
			if len(d.buf)+len(frag) > d.ro.MaxRecordBytes {
				return nil, fmt.Errorf("s3io: read %s line %d: longer than %d bytes: %w", d.u, d.line+1, d.ro.MaxRecordBytes, ErrCorrupt)
			}
			if err == bufio.ErrBufferFull {
				d.buf = append(d.buf, frag...)
				continue
			}
			if err != nil && err != io.EOF {
				return nil, fmt.Errorf("s3io: read %s line %d: %w", d.u, d.line+1, err)
			}
			if len(d.buf) > 0 {
				d.buf = append(d.buf, frag...)
				text = d.buf
			} else {
				text = frag
			}
			if len(text) == 0 && err == io.EOF {
				return nil, io.EOF
			}
			break
		}
		d.line++
		if len(bytes.TrimSpace(text)) > 0 {
			return bytes.TrimSuffix(text, []byte("\n")), nil
		}
	}
}

func (d *jsonDecoder) close() {
	if d.dec != nil {
		d.dec.Close()
		d.dec = nil
	}
	if d.body != nil {
		d.body.Close()
		d.body = nil
	}
}

// inferSchema infers the schema from the sampled lines.
func (d *jsonDecoder) inferSchema() (*arrow.Schema, error) {
	root := &jsonType{kind: jsonObject}
	for _, line := range d.sample {
		dec := json.NewDecoder(bytes.NewReader(line.text))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("s3io: read %s line %d: %w: %w", d.u, line.n, ErrCorrupt, err)
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Errorf("s3io: read %s line %d: not a JSON object: %w", d.u, line.n, ErrCorrupt)
		}
		if len(bytes.TrimSpace(line.text[dec.InputOffset():])) > 0 {
			return nil, fmt.Errorf("s3io: read %s line %d: %w", d.u, line.n, errTrailing)
		}
		if err := root.observe(v, ""); err != nil {
			var se *SchemaError
			if errors.As(err, &se) {
				se.URL, se.Row = d.u.String(), line.n
			}
			return nil, fmt.Errorf("s3io: read %s line %d: %w", d.u, line.n, err)
		}
	}
	fields := make([]arrow.Field, len(root.names))
	for i, n := range root.names {
		fields[i] = arrow.Field{Name: n, Type: root.fields[n].arrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// errTrailing is the cause for a line holding more than one JSON value.
var errTrailing = fmt.Errorf("text after the JSON object (one object per line): %w", ErrCorrupt)

// decode reads the object's lines as rows of schema, through arrow's JSON
// record builder one line at a time, and emits batches of at most
// BatchSize rows.
func (d *jsonDecoder) decode(ctx context.Context, schema *arrow.Schema, emit func(arrow.RecordBatch) bool) error {
	bldr := array.NewRecordBuilder(d.ro.Allocator, schema)
	defer bldr.Release()
	var lines []int64
	flush := func() (bool, error) {
		var rec arrow.RecordBatch
		if schema.NumFields() == 0 {
			rec = array.NewRecordBatch(schema, nil, int64(len(lines)))
		} else {
			rec = bldr.NewRecordBatch()
		}
		if d.check != nil {
			if err := d.check(rec, lines); err != nil {
				rec.Release()
				return false, err
			}
		}
		lines = lines[:0]
		return emit(rec), nil
	}
	add := func(text []byte, n int64) error {
		if err := unmarshalLine(bldr, text); err != nil {
			return d.lineError(schema, text, n, err)
		}
		if end := objectEnd(text); len(bytes.TrimSpace(text[end:])) > 0 {
			return fmt.Errorf("s3io: read %s line %d: %w", d.u, n, errTrailing)
		}
		lines = append(lines, n)
		return nil
	}
	sample := d.sample
	d.sample = nil
	for _, l := range sample {
		if err := add(l.text, l.n); err != nil {
			return err
		}
		if len(lines) == d.ro.BatchSize {
			if ok, err := flush(); !ok || err != nil {
				return err
			}
		}
	}
	for {
		text, err := d.nextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := add(text, d.line); err != nil {
			return err
		}
		if len(lines) == d.ro.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			if ok, err := flush(); !ok || err != nil {
				return err
			}
		}
	}
	if len(lines) > 0 {
		_, err := flush()
		return err
	}
	return nil
}

// unmarshalLine appends one line's object to b. arrow's decoder panics on
// some malformed input (a number where a key belongs); the panic becomes
// an error that says so.
func unmarshalLine(b *array.RecordBuilder, text []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("arrow's JSON decoder panicked (recovered): %v: %w", r, ErrCorrupt)
		}
	}()
	return b.UnmarshalJSON(text)
}

// objectEnd returns the index just past the JSON object at the start of
// text (after any whitespace), which the decoder has accepted, so that a
// second value on the same line is not silently dropped.
func objectEnd(text []byte) int {
	depth, inString, escaped := 0, false, false
	for i, c := range text {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(text)
}

// lineError explains why line n did not decode as schema: it is not JSON,
// or not an object (ErrCorrupt), or a value does not fit its column's type
// (a *SchemaError naming the column, found by decoding the line's values
// one column at a time with the same builder rules).
func (d *jsonDecoder) lineError(schema *arrow.Schema, text []byte, n int64, cause error) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(text, &obj); err != nil || obj == nil {
		var ute *json.UnmarshalTypeError
		if err == nil || errors.As(err, &ute) {
			return fmt.Errorf("s3io: read %s line %d: not a JSON object: %w", d.u, n, ErrCorrupt)
		}
		return fmt.Errorf("s3io: read %s line %d: %w: %w", d.u, n, ErrCorrupt, err)
	}
	se := &SchemaError{URL: d.u.String(), Row: n, Err: cause}
	misfit(d.ro.Allocator, schema.Fields(), obj, "", se)
	return fmt.Errorf("s3io: read %s line %d: %w", d.u, n, se)
}

// misfit finds the first field whose value in obj the builder refuses and
// records it in se, descending into struct columns to name the innermost
// field (a.b.c).
func misfit(mem memory.Allocator, fields []arrow.Field, obj map[string]json.RawMessage, path string, se *SchemaError) bool {
	for _, f := range fields {
		raw, ok := obj[f.Name]
		if !ok {
			continue
		}
		one, _ := json.Marshal(map[string]json.RawMessage{f.Name: raw})
		b := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{f}, nil))
		err := unmarshalLine(b, one)
		b.Release()
		if err == nil {
			continue
		}
		name := joinPath(path, f.Name)
		if st, ok := f.Type.(*arrow.StructType); ok {
			var inner map[string]json.RawMessage
			if json.Unmarshal(raw, &inner) == nil && misfit(mem, st.Fields(), inner, name, se) {
				return true
			}
		}
		got := string(raw)
		if len(got) > 64 {
			got = got[:64] + "..."
		}
		se.Column, se.Want, se.Got, se.Err = name, f.Type.String(), got, err
		return true
	}
	return false
}

type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonInt
	jsonFloat
	jsonString
	jsonObject
	jsonArray
)

// String names the kind as JSON Schema does.
func (k jsonKind) String() string {
	return [...]string{"null", "boolean", "integer", "number", "string", "object", "array"}[k]
}

// jsonType is the inferred type of a JSON value.
type jsonType struct {
	kind   jsonKind
	names  []string // object keys in order of first appearance
	fields map[string]*jsonType
	elem   *jsonType // array element
}

// observe widens t to cover v; path names the value in errors.
func (t *jsonType) observe(v any, path string) error {
	k := kindOf(v)
	switch {
	case k == jsonNull:
		return nil
	case t.kind == jsonNull:
		t.kind = k
	case t.kind == k:
	case (t.kind == jsonInt && k == jsonFloat) || (t.kind == jsonFloat && k == jsonInt):
		t.kind = jsonFloat
	default:
		return &SchemaError{Column: path, Want: t.kind.String() + " (as in earlier lines)", Got: k.String()}
	}
	switch x := v.(type) {
	case map[string]any:
		if t.fields == nil {
			t.fields = map[string]*jsonType{}
		}
		// Map order is random: visit keys in a stable order for new ones.
		keys := make([]string, 0, len(x))
		for key := range x {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		for _, key := range keys {
			ft, ok := t.fields[key]
			if !ok {
				ft = &jsonType{}
				t.fields[key] = ft
				t.names = append(t.names, key)
			}
			if err := ft.observe(x[key], joinPath(path, key)); err != nil {
				return err
			}
		}
	case []any:
		if t.elem == nil {
			t.elem = &jsonType{}
		}
		for _, e := range x {
			if err := t.elem.observe(e, path+"[]"); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindOf(v any) jsonKind {
	switch x := v.(type) {
	case nil:
		return jsonNull
	case bool:
		return jsonBool
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return jsonInt
		}
		return jsonFloat
	case string:
		return jsonString
	case map[string]any:
		return jsonObject
	case []any:
		return jsonArray
	}
	return jsonString
}

func (t *jsonType) arrowType() arrow.DataType {
	switch t.kind {
	case jsonBool:
		return arrow.FixedWidthTypes.Boolean
	case jsonInt:
		return arrow.PrimitiveTypes.Int64
	case jsonFloat:
		return arrow.PrimitiveTypes.Float64
	case jsonObject:
		fields := make([]arrow.Field, len(t.names))
		for i, n := range t.names {
			fields[i] = arrow.Field{Name: n, Type: t.fields[n].arrowType(), Nullable: true}
		}
		return arrow.StructOf(fields...)
	case jsonArray:
		elem := arrow.DataType(arrow.BinaryTypes.String)
		if t.elem != nil {
			elem = t.elem.arrowType()
		}
		return arrow.ListOf(elem)
	}
	return arrow.BinaryTypes.String
}
