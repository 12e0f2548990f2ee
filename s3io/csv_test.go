package s3io

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/gowrangler/wrangler/frame"
	"github.com/klauspost/compress/zstd"
)

const spectrumDir = "../../shared/fixtures/csv/csv-spectrum"

// frameStrings renders every row of f as column name -> value text, nulls
// as "<null>".
func frameStrings(t *testing.T, f *frame.Frame) []map[string]string {
	t.Helper()
	rows := make([]map[string]string, f.NumRows())
	for i := range rows {
		rows[i] = map[string]string{}
	}
	for _, name := range f.ColumnNames() {
		col, err := f.Column(name)
		if err != nil {
			t.Fatal(err)
		}
		r := 0
		for _, chunk := range col.Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				v := "<null>"
				if chunk.IsValid(i) {
					v = chunk.ValueStr(i)
				}
				rows[r][name] = v
				r++
			}
		}
	}
	return rows
}

func TestCSVSpectrum(t *testing.T) {
	_, sc, c := startS3(t)
	files, err := filepath.Glob(filepath.Join(spectrumDir, "csvs", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no csv-spectrum fixtures at %s: %v", spectrumDir, err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			putObject(t, sc, "lake", "spectrum/"+name+".csv", body)
			url := "s3://lake/spectrum/" + name + ".csv"
			for _, mode := range []struct {
				name string
				opts []func(*ReadOptions)
			}{
				{"strings", []func(*ReadOptions){func(o *ReadOptions) { o.StringsOnly = true }}},
				{"inferred", nil},
				{"batch of one row", []func(*ReadOptions){BatchSize(1)}},
			} {
				t.Run(mode.name, func(t *testing.T) {
					f, err := c.ReadCSV(context.Background(), url, mode.opts...)
					if err != nil {
						t.Fatal(err)
					}
					got := frameStrings(t, f)
					if name == "location_coordinates" {
						// The upstream JSON does not describe this CSV
						// (MANIFEST.md): check the tolerant parse only.
						if len(got) != 1 || got[0]["Location Coordinates"] != "37\uFFFD36'37.8\"N 121\uFFFD2'17.9\"W" {
							t.Fatalf("got %q, want one row with the bare quotes kept", got)
						}
						return
					}
					raw, err := os.ReadFile(filepath.Join(spectrumDir, "json", name+".json"))
					if err != nil {
						t.Fatal(err)
					}
					var want []map[string]string
					if err := json.Unmarshal(raw, &want); err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("got  %q\nwant %q", got, want)
					}
				})
			}
		})
	}
}

func TestCSVInferenceFromASample(t *testing.T) {
	_, sc, c := startS3(t)
	var b strings.Builder
	b.WriteString("id,amount,flag,day,at,zip,note\n")
	for i := range 50 {
		amount := fmt.Sprint(i)
		if i == 40 { // a float after the first row: a first-row guess would say int
			amount = "2.5"
		}
		fmt.Fprintf(&b, "%d,%s,true,2026-11-%02d,2026-11-25T10:00:%02dZ,0%d,\n", i, amount, i%28+1, i%60, 1000+i)
	}
	putObject(t, sc, "lake", "t.csv", []byte(b.String()))
	f, err := c.ReadCSV(context.Background(), "s3://lake/t.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]arrow.DataType{
		"id": arrow.PrimitiveTypes.Int64, "amount": arrow.PrimitiveTypes.Float64, "flag": arrow.FixedWidthTypes.Boolean,
		"day": arrow.FixedWidthTypes.Date32, "at": timestampUTC, "zip": arrow.BinaryTypes.String, "note": arrow.BinaryTypes.String,
	}
	for _, fld := range f.Schema().Fields() {
		if !arrow.TypeEqual(fld.Type, want[fld.Name]) {
			t.Errorf("column %q: got %s, want %s", fld.Name, fld.Type, want[fld.Name])
		}
	}
	if f.NumRows() != 50 {
		t.Fatalf("got %d rows, want 50", f.NumRows())
	}
	notes, valid, err := frame.Values[string](f, "note")
	if err != nil || valid[0] {
		t.Fatalf("empty unquoted note: got %q valid %v, %v; want null", notes[0], valid[0], err)
	}

	t.Run("value beyond the sample", func(t *testing.T) {
		_, err := c.ReadCSV(context.Background(), "s3://lake/t.csv", InferRows(10))
		var se *SchemaError
		if !errors.As(err, &se) || se.Column != "amount" || se.Row != 41 || se.URL != "s3://lake/t.csv" {
			t.Fatalf("got %v, want a SchemaError at row 41 column amount", err)
		}
		if !strings.Contains(err.Error(), `s3://lake/t.csv row 41 column "amount"`) {
			t.Errorf("error %q does not locate the value", err)
		}
	})
}

func TestCSVOptions(t *testing.T) {
	_, sc, c := startS3(t)
	putObject(t, sc, "lake", "semi.csv", []byte("a;b\n1;NA\n2;x\n"))
	putObject(t, sc, "lake", "nohdr.csv", []byte("1,x\n2,y\n"))
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, {Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	tests := []struct {
		name string
		url  string
		opts []func(*ReadOptions)
		want string
	}{
		{"delimiter and null marker", "s3://lake/semi.csv", []func(*ReadOptions){Delimiter(';'), NullValues("NA")}, "[map[a:1 b:<null>] map[a:2 b:x]]"},
		{"explicit schema", "s3://lake/semi.csv", []func(*ReadOptions){Delimiter(';'), WithSchema(schema)}, "[map[a:1 b:NA] map[a:2 b:x]]"},
		{"projection", "s3://lake/semi.csv", []func(*ReadOptions){Delimiter(';'), Columns("b")}, "[map[b:NA] map[b:x]]"},
		{"no header", "s3://lake/nohdr.csv", []func(*ReadOptions){func(o *ReadOptions) { o.NoHeader = true }}, "[map[f0:1 f1:x] map[f0:2 f1:y]]"},
		{"no header named", "s3://lake/nohdr.csv", []func(*ReadOptions){func(o *ReadOptions) { o.NoHeader = true; o.ColumnNames = []string{"n", "s"} }}, "[map[n:1 s:x] map[n:2 s:y]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := c.ReadCSV(context.Background(), tt.url, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(frameStrings(t, f)); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := c.ReadCSV(context.Background(), "s3://lake/semi.csv", Delimiter('"')); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("quote as delimiter: got %v, want ErrInvalidOption", err)
	}
}

func TestCSVManyObjectsCompressedAndUnified(t *testing.T) {
	_, sc, c := startS3(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("id,v\n1,10\n2,20\n"))
	zw.Close()
	putObject(t, sc, "lake", "in/a.csv.gz", gz.Bytes())
	enc, _ := zstd.NewWriter(nil)
	putObject(t, sc, "lake", "in/b.csv.zst", enc.EncodeAll([]byte("id,v\n3,2.5\n"), nil))
	putObject(t, sc, "lake", "in/c.csv", []byte("id,v,extra\n4,40,x\n"))

	f, err := c.ReadCSV(context.Background(), "s3://lake/in/*")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(frameStrings(t, f))
	want := "[map[extra:<null> id:1 v:10] map[extra:<null> id:2 v:20] map[extra:<null> id:3 v:2.5] map[extra:x id:4 v:40]]"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}

	t.Run("scan rejects an extra column naming it", func(t *testing.T) {
		var err error
		rows := 0
		for b, e := range c.ScanCSV(context.Background(), "s3://lake/in/*", Columns("id", "v")) {
			if e != nil {
				err = e
				break
			}
			rows += int(b.NumRows())
		}
		// With a projection the extra column is fine; v is int64 from a.csv.gz
		// and 2.5 in b.csv.zst does not fit.
		var se *SchemaError
		if !errors.As(err, &se) || se.URL != "s3://lake/in/b.csv.zst" || se.Column != "v" {
			t.Fatalf("got %v after %d rows, want a SchemaError for b.csv.zst column v", err, rows)
		}
	})
	t.Run("unification failure names object and column", func(t *testing.T) {
		putObject(t, sc, "lake", "bad/1.csv", []byte("id\n1\n"))
		putObject(t, sc, "lake", "bad/2.csv", []byte("id\nabc\n"))
		_, err := c.ReadCSV(context.Background(), "s3://lake/bad/")
		var se *SchemaError
		if !errors.As(err, &se) || se.URL != "s3://lake/bad/2.csv" || se.Column != "id" {
			t.Fatalf("got %v, want a SchemaError for bad/2.csv column id", err)
		}
	})
	t.Run("no objects", func(t *testing.T) {
		if _, err := c.ReadCSV(context.Background(), "s3://lake/nothing/*.csv"); !errors.Is(err, ErrNoObjects) {
			t.Fatalf("got %v, want ErrNoObjects", err)
		}
	})
}

func TestScanCSVStreamsInBatchesAndStops(t *testing.T) {
	st, sc, c := startS3(t)
	var b bytes.Buffer
	b.WriteString("n,s\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "%d,row %d\n", i, i)
	}
	for i := range 3 {
		putObject(t, sc, "lake", fmt.Sprintf("many/%d.csv", i), b.Bytes())
	}
	var sizes []int64
	next := int64(0)
	for batch, err := range c.ScanCSV(context.Background(), "s3://lake/many/", BatchSize(3000)) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, batch.NumRows())
		col := batch.Column(0).(*array.Int64)
		for i := 0; i < col.Len(); i++ {
			if want := next % 10000; col.Value(i) != want {
				t.Fatalf("got n=%d, want %d: batches out of object order", col.Value(i), want)
			}
			next++
		}
	}
	if fmt.Sprint(sizes) != "[3000 3000 3000 1000 3000 3000 3000 1000 3000 3000 3000 1000]" {
		t.Fatalf("got batch sizes %v", sizes)
	}
	st.ResetCounters()
	for range c.ScanCSV(context.Background(), "s3://lake/many/", BatchSize(100)) {
		break
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range c.ScanCSV(ctx, "s3://lake/many/0.csv") {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled scan: got %v, want context.Canceled", err)
		}
	}
}

func TestCSVBrokenInput(t *testing.T) {
	_, sc, c := startS3(t)
	putObject(t, sc, "lake", "open.csv", []byte("a,b\n1,\"never closed\n2,3\n"))
	putObject(t, sc, "lake", "ragged.csv", []byte("a,b\n1,2\n3\n"))
	putObject(t, sc, "lake", "bad.csv.gz", []byte("not gzip"))
	for _, tt := range []struct {
		url  string
		want error
	}{
		{"s3://lake/open.csv", ErrCorrupt},
		{"s3://lake/bad.csv.gz", ErrCorrupt},
	} {
		if _, err := c.ReadCSV(context.Background(), tt.url); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.url, err, tt.want)
		}
	}
	_, err := c.ReadCSV(context.Background(), "s3://lake/ragged.csv")
	var se *SchemaError
	if !errors.As(err, &se) || se.Row != 2 {
		t.Fatalf("ragged: got %v, want a SchemaError at row 2", err)
	}
}

func FuzzCSVReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(spectrumDir, "csvs", "*.csv"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("a,b\n\"x\"\"y\",2\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The parser must never panic, and must agree with itself: the same
		// input parsed in one batch and in batches of one row gives the same
		// records.
		parse := func() ([][]string, error) {
			p := newCSVParser(bytes.NewReader(data), ',', 1<<20)
			var recs [][]string
			for {
				err := p.next()
				if isEOF(err) {
					return recs, nil
				}
				if err != nil {
					return recs, err
				}
				var rec []string
				for i := range p.fields {
					rec = append(rec, string(p.field(i)))
				}
				recs = append(recs, rec)
			}
		}
		recs, err := parse()
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		for _, r := range recs {
			if len(r) == 0 {
				t.Fatal("a record with no fields")
			}
		}
		// The decoder over the same bytes must not panic either, and every
		// error must be located (a SchemaError or ErrCorrupt).
		c := New(nil)
		for _, bs := range []int{1, 1000} {
			ro := c.readOptions([]func(*ReadOptions){BatchSize(bs), InferRows(5)})
			d := &csvDecoder{u: MustParseURL("s3://fuzz/x.csv"), ro: ro}
			var rows int64
			err := d.start(bytes.NewReader(data), ro.InferRows)
			if err == nil {
				err = d.decode(context.Background(), d.inferSchema(ro), func(b arrow.RecordBatch) bool {
					rows += b.NumRows()
					b.Release()
					return true
				})
			}
			var se *SchemaError
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.As(err, &se) {
				t.Fatalf("batch size %d: unlocated error %v", bs, err)
			}
			if err == nil && rows != int64(len(recs))-1 && len(recs) > 0 {
				t.Fatalf("batch size %d: decoded %d rows, parser saw %d records with the header", bs, rows, len(recs))
			}
		}
	})
}
