package s3io

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestJSONLinesInferenceNested(t *testing.T) {
	_, sc, c := startS3(t)
	body := `{"id": 1, "user": {"name": "ann", "tags": ["a", "b"]}, "score": 1}
{"id": 2, "user": {"name": "bob", "tags": []}, "score": 2.5, "extra": null}

{"id": 3, "user": null, "score": null, "extra": true}
`
	putObject(t, sc, "lake", "j/1.jsonl", []byte(body))
	f, err := c.ReadJSONLines(context.Background(), "s3://lake/j/1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[string]string{
		"id":    "int64",
		"user":  "struct<name: utf8 nullable, tags: list<item: utf8, nullable> nullable>",
		"score": "float64",
		"extra": "bool",
	}
	for _, fld := range f.Schema().Fields() {
		if got := fld.Type.String(); got != wantTypes[fld.Name] {
			t.Errorf("column %q: got %s, want %s", fld.Name, got, wantTypes[fld.Name])
		}
	}
	got := fmt.Sprint(frameStrings(t, f))
	want := `[map[extra:<null> id:1 score:1 user:{"name":"ann","tags":["a","b"]}] map[extra:<null> id:2 score:2.5 user:{"name":"bob","tags":[]}] map[extra:true id:3 score:<null> user:<null>]]`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestJSONLinesSchemaAndErrors(t *testing.T) {
	_, sc, c := startS3(t)
	putObject(t, sc, "lake", "mixed.jsonl", []byte("{\"a\": 1}\n{\"a\": \"x\"}\n"))
	putObject(t, sc, "lake", "notobj.jsonl", []byte("[1,2]\n"))
	putObject(t, sc, "lake", "late.jsonl", []byte("{\"a\": 1}\n{\"a\": 2}\n{\"a\": \"x\"}\n"))
	_, err := c.ReadJSONLines(context.Background(), "s3://lake/mixed.jsonl")
	var se *SchemaError
	if !errors.As(err, &se) || se.Column != "a" || se.Row != 2 {
		t.Fatalf("mixed kinds: got %v, want a SchemaError for column a row 2", err)
	}
	if _, err := c.ReadJSONLines(context.Background(), "s3://lake/notobj.jsonl"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("array line: got %v, want ErrCorrupt", err)
	}
	_, err = c.ReadJSONLines(context.Background(), "s3://lake/late.jsonl", InferRows(1))
	if !errors.As(err, &se) || se.Column != "a" || se.Row != 3 || !strings.Contains(err.Error(), "s3://lake/late.jsonl line 3") {
		t.Fatalf("value beyond the sample: got %v, want a SchemaError for column a line 3", err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	putObject(t, sc, "lake", "s.jsonl", []byte("{\"a\": \"x\", \"b\": 1}\n"))
	f, err := c.ReadJSONLines(context.Background(), "s3://lake/s.jsonl", WithSchema(schema))
	if err != nil || fmt.Sprint(frameStrings(t, f)) != "[map[a:x]]" {
		t.Fatalf("explicit schema: got %v, %v", f, err)
	}
}

func TestScanJSONLinesBatches(t *testing.T) {
	_, sc, c := startS3(t)
	var b bytes.Buffer
	for i := range 2500 {
		fmt.Fprintf(&b, "{\"n\": %d}\n", i)
	}
	putObject(t, sc, "lake", "n.jsonl", b.Bytes())
	var sizes []int64
	for batch, err := range c.ScanJSONLines(context.Background(), "s3://lake/n.jsonl", BatchSize(1000)) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, batch.NumRows())
	}
	if fmt.Sprint(sizes) != "[1000 1000 500]" {
		t.Fatalf("got batch sizes %v, want [1000 1000 500]", sizes)
	}
}

func FuzzJSONLinesReader(f *testing.F) {
	f.Add([]byte("{\"a\": 1, \"b\": {\"c\": [1, 2.5]}}\n{\"a\": null}\n"))
	f.Add([]byte("{\"a\": [[1], [2, 3]], \"s\": \"x\\ny\"}\n"))
	f.Add([]byte("{\"a\": 1}\n{\"a\": \"x\"}\n"))
	f.Add([]byte("not json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := New(nil)
		ro := c.readOptions([]func(*ReadOptions){BatchSize(2), InferRows(3), func(o *ReadOptions) { o.MaxRecordBytes = 1 << 10 }})
		d := &jsonDecoder{u: MustParseURL("s3://fuzz/x.jsonl"), ro: ro}
		// Every error names the object and the line.
		located := func(err error) {
			t.Helper()
			if !strings.Contains(err.Error(), "s3://fuzz/x.jsonl line ") {
				t.Fatalf("error %v does not name the object and line", err)
			}
		}
		if err := d.start(bytes.NewReader(data), ro.InferRows); err != nil {
			located(err)
			return
		}
		schema, err := d.inferSchema()
		if err != nil {
			var se *SchemaError
			if !errors.Is(err, ErrCorrupt) && !errors.As(err, &se) {
				t.Fatalf("unlocated inference error %v", err)
			}
			located(err)
			return
		}
		rows := int64(0)
		err = d.decode(context.Background(), schema, func(b arrow.RecordBatch) bool {
			rows += b.NumRows()
			b.Release()
			return true
		})
		if err != nil {
			located(err)
			var se *SchemaError
			if !errors.Is(err, ErrCorrupt) && !errors.As(err, &se) {
				t.Fatalf("error %v is neither ErrCorrupt nor a SchemaError", err)
			}
			return
		}
		// Without an error, every non-blank line is one row.
		want := int64(0)
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				want++
			}
		}
		if rows != want {
			t.Fatalf("got %d rows, want %d (one per non-blank line)", rows, want)
		}
	})
}

func TestJSONLinesErrorsNameLines(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	intA := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	nested := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.StructOf(arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), Nullable: true},
	}, nil)
	tests := []struct {
		name    string
		body    string
		opts    []func(*ReadOptions)
		line    int64
		column  string // "" for ErrCorrupt
		message string
	}{
		{name: "malformed after a blank line", body: "{\"a\": 1}\n\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": 4,}\n",
			line: 5, message: "invalid character"},
		{name: "malformed beyond the sample", body: "{\"a\": 1}\n{\"a\": 2}\n\n{\"a\": \n",
			opts: []func(*ReadOptions){InferRows(1)}, line: 4},
		{name: "malformed in a later batch", body: strings.Repeat("{\"a\": 1}\n", 6) + "{a: 1}\n",
			opts: []func(*ReadOptions){InferRows(1), BatchSize(2)}, line: 7},
		{name: "value beyond the sample", body: "{\"a\": 1}\r\n{\"a\": 2}\r\n\r\n{\"a\": \"x\"}\r\n",
			opts: []func(*ReadOptions){InferRows(1)}, line: 4, column: "a", message: `got "x", want int64`},
		{name: "value against a schema", body: "{\"a\": 1}\n{\"a\": true}\n",
			opts: []func(*ReadOptions){WithSchema(intA)}, line: 2, column: "a", message: "want int64"},
		{name: "nested value", body: "{\"a\": 1, \"s\": {\"b\": 2}}\n{\"a\": 2, \"s\": {\"b\": [1]}}\n",
			opts: []func(*ReadOptions){WithSchema(nested)}, line: 2, column: "s.b"},
		{name: "inferred kinds differ", body: "{\"a\": 1}\n\n{\"a\": {}}\n", line: 3, column: "a"},
		{name: "two objects on a line", body: "{\"a\": 1}\n{\"a\": 2} {\"a\": 3}\n",
			opts: []func(*ReadOptions){WithSchema(intA)}, line: 2, message: "one object per line"},
		{name: "two objects in the sample", body: "{\"a\": 1}{\"a\": 2}\n", line: 1, message: "one object per line"},
		{name: "not an object", body: "{\"a\": 1}\n[1, 2]\n",
			opts: []func(*ReadOptions){InferRows(1)}, line: 2, message: "not a JSON object"},
		{name: "number where a key belongs (arrow panics)", body: "{\"a\": 1}\n{\"a\": 2}\n{0: 1}\n",
			opts: []func(*ReadOptions){InferRows(1)}, line: 3},
		{name: "line too long", body: "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 33333333333}\n",
			opts: []func(*ReadOptions){InferRows(1), func(o *ReadOptions) { o.MaxRecordBytes = 16 }}, line: 3, message: "longer than 16 bytes"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("e%d.jsonl", i)
			putObject(t, sc, "lake", key, []byte(tt.body))
			url := "s3://lake/" + key
			for _, read := range []string{"ReadJSONLines", "ScanJSONLines"} {
				var err error
				if read == "ReadJSONLines" {
					_, err = c.ReadJSONLines(ctx, url, tt.opts...)
				} else {
					for _, err = range c.ScanJSONLines(ctx, url, tt.opts...) {
						if err != nil {
							break
						}
					}
				}
				if err == nil {
					t.Fatalf("%s: got no error", read)
				}
				t.Logf("%s: %v", read, err)
				if want := fmt.Sprintf("%s line %d:", url, tt.line); !strings.Contains(err.Error(), want) {
					t.Errorf("%s: got %q, want it to contain %q", read, err, want)
				}
				if !strings.Contains(err.Error(), tt.message) {
					t.Errorf("%s: got %q, want it to contain %q", read, err, tt.message)
				}
				var se *SchemaError
				switch {
				case tt.column == "" && !errors.Is(err, ErrCorrupt):
					t.Errorf("%s: got %v, want ErrCorrupt", read, err)
				case tt.column != "" && (!errors.As(err, &se) || se.Column != tt.column || se.Row != tt.line || se.URL != url):
					t.Errorf("%s: got %v, want a SchemaError for %s column %q line %d", read, err, url, tt.column, tt.line)
				}
			}
		})
	}
}

// BenchmarkDecodeJSONLines reports MB/s of JSON lines decoded into Arrow
// batches with a given schema, from memory (no S3), so that the line
// bookkeeping's cost shows.
func BenchmarkDecodeJSONLines(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 8<<20; i++ {
		fmt.Fprintf(&buf, `{"id": %d, "name": "user %d", "score": %d.25, "ok": %t, "tags": ["a", "b"], "addr": {"city": "c%d", "zip": "%05d"}}`+"\n",
			i, i, i%1000, i%3 == 0, i%50, i%99999)
	}
	data := buf.Bytes()
	c := New(nil)
	ro := c.readOptions(nil)
	d := &jsonDecoder{u: MustParseURL("s3://bench/x.jsonl"), ro: ro}
	if err := d.start(bytes.NewReader(data), 100); err != nil {
		b.Fatal(err)
	}
	schema, err := d.inferSchema()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := &jsonDecoder{u: MustParseURL("s3://bench/x.jsonl"), ro: ro}
		if err := d.start(bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
		rows := int64(0)
		err := d.decode(context.Background(), schema, func(rec arrow.RecordBatch) bool {
			rows += rec.NumRows()
			rec.Release()
			return true
		})
		if err != nil || rows == 0 {
			b.Fatalf("got %d rows, %v", rows, err)
		}
	}
}
