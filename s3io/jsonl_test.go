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
	if _, err := c.ReadJSONLines(context.Background(), "s3://lake/late.jsonl", InferRows(1)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("value beyond the sample: got %v, want ErrCorrupt", err)
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
		ro := c.readOptions([]func(*ReadOptions){BatchSize(2), InferRows(3)})
		d := &jsonDecoder{u: MustParseURL("s3://fuzz/x.jsonl"), ro: ro}
		if err := d.start(bytes.NewReader(data), ro.InferRows); err != nil {
			return
		}
		schema, err := d.inferSchema()
		if err != nil {
			var se *SchemaError
			if !errors.Is(err, ErrCorrupt) && !errors.As(err, &se) {
				t.Fatalf("unlocated inference error %v", err)
			}
			return
		}
		err = d.decode(context.Background(), schema, func(b arrow.RecordBatch) bool {
			b.Release()
			return true
		})
		if err != nil && !strings.Contains(err.Error(), "s3://fuzz/x.jsonl") {
			t.Fatalf("error %v does not name the object", err)
		}
	})
}
