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
// appearance across lines; keys new in the same line alphabetically), arrays lists of their elements' unified type; a key that is
// only ever null becomes a string. A key whose values are of incompatible
// kinds (a number and a string, an object and an array) is a *SchemaError
// naming it. Keys absent from the schema are ignored; a value that does not
// fit the schema's type ends the scan with an error naming the object.
func (c *Client) ScanJSONLines(ctx context.Context, url string, optFns ...func(*ReadOptions)) iter.Seq2[arrow.RecordBatch, error] {
	ro := c.readOptions(optFns)
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
	ro := c.readOptions(optFns)
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

// jsonDecoder reads one JSON lines object.
type jsonDecoder struct {
	u      URL
	ro     ReadOptions
	body   io.ReadCloser
	dec    io.ReadCloser
	br     *bufio.Reader
	sample [][]byte // raw sampled lines, newline included
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
		line, err := d.br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if len(line) > d.ro.MaxRecordBytes {
				return fmt.Errorf("s3io: read %s line %d: longer than %d bytes: %w", d.u, len(d.sample)+1, d.ro.MaxRecordBytes, ErrCorrupt)
			}
			if line[len(line)-1] != '\n' {
				line = append(line, '\n')
			}
			d.sample = append(d.sample, line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("s3io: read %s: %w", d.u, err)
		}
	}
	return nil
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
	for i, line := range d.sample {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("s3io: read %s line %d: %w: %w", d.u, i+1, ErrCorrupt, err)
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Errorf("s3io: read %s line %d: not a JSON object: %w", d.u, i+1, ErrCorrupt)
		}
		if err := root.observe(v, ""); err != nil {
			var se *SchemaError
			if errors.As(err, &se) {
				se.URL, se.Row = d.u.String(), int64(i+1)
			}
			return nil, fmt.Errorf("s3io: %w", err)
		}
	}
	fields := make([]arrow.Field, len(root.names))
	for i, n := range root.names {
		fields[i] = arrow.Field{Name: n, Type: root.fields[n].arrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// decode reads the whole object as schema through arrow's JSON reader.
func (d *jsonDecoder) decode(ctx context.Context, schema *arrow.Schema, emit func(arrow.RecordBatch) bool) error {
	var sample bytes.Buffer
	for _, l := range d.sample {
		sample.Write(l)
	}
	d.sample = nil
	rd := array.NewJSONReader(io.MultiReader(&sample, d.br), schema,
		array.WithChunk(d.ro.BatchSize), array.WithAllocator(d.ro.Allocator))
	defer rd.Release()
	var rows int64
	for rd.Next() {
		rec := rd.RecordBatch()
		rows += rec.NumRows()
		rec.Retain()
		if !emit(rec) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("s3io: read %s after row %d: %w: %w", d.u, rows, ErrCorrupt, err)
	}
	return nil
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
