package s3io

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/gowrangler/wrangler/frame"
)

// readFixture uploads a good/ fixture to a fresh localaws and reads it.
func readFixture(t *testing.T, c *Client, put func(string, []byte), name string) *frame.Frame {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(parquetFixtures, "good", name))
	if err != nil {
		t.Fatal(err)
	}
	put(name, body)
	f, err := c.ReadParquet(context.Background(), "s3://lake/fx/"+name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// columnStrings renders a column's values, "<null>" for nulls.
func columnStrings(t *testing.T, f *frame.Frame, name string) []string {
	t.Helper()
	var out []string
	for _, row := range frameStrings(t, f) {
		out = append(out, row[name])
	}
	return out
}

// TestParquetFallbackFixtures checks the values of the good/ fixtures that
// arrow-go alone cannot read, against what MANIFEST.md and the upstream
// docs say they hold.
func TestParquetFallbackFixtures(t *testing.T) {
	_, sc, c := startS3(t)
	put := func(name string, body []byte) { putObject(t, sc, "lake", "fx/"+name, body) }

	// The legacy LZ4 files hold the values of lz4_raw_compressed.parquet,
	// which arrow-go reads with its own LZ4_RAW codec.
	raw := readFixture(t, c, put, "lz4_raw_compressed.parquet")
	for _, name := range []string{"hadoop_lz4_compressed.parquet", "non_hadoop_lz4_compressed.parquet"} {
		t.Run(name, func(t *testing.T) {
			f := readFixture(t, c, put, name)
			if f.NumRows() != 4 {
				t.Fatalf("got %d rows, want 4", f.NumRows())
			}
			for _, col := range []string{"c0", "c1", "v11"} {
				if g, w := columnStrings(t, f, col), columnStrings(t, raw, col); !slices.Equal(g, w) {
					t.Errorf("column %s: got %q, want %q (as in lz4_raw_compressed)", col, g, w)
				}
			}
		})
	}
	t.Run("hadoop_lz4_compressed_larger.parquet", func(t *testing.T) {
		a := columnStrings(t, readFixture(t, c, put, "hadoop_lz4_compressed_larger.parquet"), "a")
		if len(a) != 10000 {
			t.Fatalf("got %d rows, want 10000", len(a))
		}
		want := map[int]string{
			0: "c7ce6bef-d5b0-4863-b199-8ea8c7fb117b", 1: "e8fb9197-cb9f-4118-b67f-fbfa65f61843",
			9998: "ab52a0cc-c6bb-4d61-8a8f-166dc4b8b13c", 9999: "85440778-460a-41ac-aa2e-ac3ee41696bf",
		}
		for i, w := range want {
			if a[i] != w {
				t.Errorf("a[%d]: got %q, want %q", i, a[i], w)
			}
		}
	})
	t.Run("datapage_v2_empty_datapage.snappy.parquet", func(t *testing.T) {
		f := readFixture(t, c, put, "datapage_v2_empty_datapage.snappy.parquet")
		if got := columnStrings(t, f, "value"); !slices.Equal(got, []string{"<null>"}) {
			t.Fatalf("got %q, want one null", got)
		}
	})
	t.Run("incorrect_map_schema.parquet", func(t *testing.T) {
		// Keys [parent, name], values [another, report], read as
		// map<utf8 not null, utf8> (MANIFEST.md; arrow-rs
		// test_read_incorrect_map_schema_file).
		f := readFixture(t, c, put, "incorrect_map_schema.parquet")
		col, err := f.Column("my_map")
		if err != nil {
			t.Fatal(err)
		}
		mt, ok := col.DataType().(*arrow.MapType)
		if !ok || !arrow.TypeEqual(mt.KeyType(), arrow.BinaryTypes.String) || !arrow.TypeEqual(mt.ItemType(), arrow.BinaryTypes.String) {
			t.Fatalf("got type %s, want map<utf8, utf8>", col.DataType())
		}
		if got := columnStrings(t, f, "my_map"); !slices.Equal(got, []string{`[{"key":"parent","value":"another"},{"key":"name","value":"report"}]`}) {
			t.Fatalf("got %q, want keys [parent name] and values [another report]", got)
		}
	})
	t.Run("unknown-logical-type.parquet", func(t *testing.T) {
		// The unknown annotation is ignored and the physical type read:
		// 3 rows, 2 columns (MANIFEST.md; arrow-rs
		// test_read_unknown_logical_type).
		f := readFixture(t, c, put, "unknown-logical-type.parquet")
		if f.NumRows() != 3 || !slices.Equal(f.ColumnNames(), []string{"column with known type", "column with unknown type"}) {
			t.Fatalf("got %d rows, columns %q; want 3 rows of the two columns", f.NumRows(), f.ColumnNames())
		}
		known, _ := f.Column("column with known type")
		unknown, _ := f.Column("column with unknown type")
		if !arrow.TypeEqual(known.DataType(), arrow.BinaryTypes.String) || !arrow.TypeEqual(unknown.DataType(), arrow.BinaryTypes.Binary) {
			t.Fatalf("got types %s and %s, want utf8 and binary", known.DataType(), unknown.DataType())
		}
		if got := columnStrings(t, f, "column with known type"); !slices.Equal(got, []string{"known string 1", "known string 2", "known string 3"}) {
			t.Errorf("known: got %q", got)
		}
		// Binary renders as base64: "unknown string 1" ... "unknown string 3".
		if got := columnStrings(t, f, "column with unknown type"); !slices.Equal(got, []string{"dW5rbm93biBzdHJpbmcgMQ==", "dW5rbm93biBzdHJpbmcgMg==", "dW5rbm93biBzdHJpbmcgMw=="}) {
			t.Errorf("unknown: got %q", got)
		}
	})
	t.Run("projection and row groups on the fallback", func(t *testing.T) {
		f, err := c.ReadParquet(context.Background(), "s3://lake/fx/unknown-logical-type.parquet", Columns("column with unknown type"), RowGroups(0))
		if err != nil {
			t.Fatal(err)
		}
		if f.NumRows() != 3 || !slices.Equal(f.ColumnNames(), []string{"column with unknown type"}) {
			t.Fatalf("got %d rows, columns %q", f.NumRows(), f.ColumnNames())
		}
		if _, err := c.ReadParquet(context.Background(), "s3://lake/fx/unknown-logical-type.parquet", Columns("nope")); err == nil {
			t.Fatal("a missing column read without error")
		}
		if _, err := c.ReadParquet(context.Background(), "s3://lake/fx/unknown-logical-type.parquet", RowGroups(5)); !errors.Is(err, ErrInvalidOption) {
			t.Fatalf("row group 5: got %v, want ErrInvalidOption", err)
		}
	})
	t.Run("int96_from_spark.parquet is an error, not a wrap", func(t *testing.T) {
		body, err := os.ReadFile(filepath.Join(parquetFixtures, "good", "int96_from_spark.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		put("int96_from_spark.parquet", body)
		_, err = c.ReadParquet(context.Background(), "s3://lake/fx/int96_from_spark.parquet")
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "INT96") {
			t.Fatalf("got %v, want an INT96 range error", err)
		}
	})
}

func TestLegacyLZ4Codec(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Lz4)
	if err != nil {
		t.Fatalf("the legacy LZ4 codec is not registered: %v", err)
	}
	ec := codec.(compress.ErrorCodec)
	for _, tt := range []struct {
		name string
		src  []byte
	}{
		{"empty", nil},
		{"short", []byte("abc")},
		{"compressible", bytes.Repeat([]byte("wrangler "), 10_000)},
		{"random", randomBytes(70_000, 9)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			enc := codec.Encode(nil, tt.src)
			if int64(len(enc)) > codec.CompressBound(int64(len(tt.src))) {
				t.Fatalf("encoded %d bytes, above the bound %d", len(enc), codec.CompressBound(int64(len(tt.src))))
			}
			dec, err := ec.DecodeWithError(make([]byte, len(tt.src)), enc)
			if err != nil || !bytes.Equal(dec, tt.src) {
				t.Fatalf("Hadoop form: got %d bytes, %v; want the %d encoded", len(dec), err, len(tt.src))
			}
			if len(tt.src) == 0 {
				return
			}
			// The bare block form: the same block without the 8-byte header.
			dec, err = ec.DecodeWithError(make([]byte, len(tt.src)), enc[hadoopFrameHeader:])
			if err != nil || !bytes.Equal(dec, tt.src) {
				t.Fatalf("bare block: got %d bytes, %v; want the %d encoded", len(dec), err, len(tt.src))
			}
		})
	}
	t.Run("garbage is an error", func(t *testing.T) {
		for i, src := range [][]byte{{0xff, 0xff, 0xff}, bytes.Repeat([]byte{0xf0}, 40), {0, 0, 0, 9, 0, 0, 0, 1, 0x10}} {
			if _, err := ec.DecodeWithError(make([]byte, 100), src); err == nil {
				t.Errorf("case %d: decoded garbage without error", i)
			}
		}
	})
}

func TestSnappyEmptyBlock(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Snappy)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := compress.Decode(codec, make([]byte, 0, 8), nil); err != nil || len(out) != 0 {
		t.Fatalf("empty block: got %d bytes, %v; want none", len(out), err)
	}
	src := []byte("snappy still works for everything else")
	out, err := compress.Decode(codec, make([]byte, len(src)), codec.Encode(nil, src))
	if err != nil || !bytes.Equal(out, src) {
		t.Fatalf("round trip: got %q, %v", out, err)
	}
	if _, ok := codec.(compress.StreamingCodec); !ok {
		t.Fatal("the wrapped snappy codec lost its streaming interface")
	}
}

func TestNeedsParquetFallback(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{errors.New("schema: corrupt input: MAP keys must be required"), true},
		{fmt.Errorf("the arrow-go Parquet decoder panicked (recovered): invalid logical type: %w", ErrCorrupt), true},
		{errors.New("schema: corrupt input: invalid physical column type"), false},
		{errors.New("parquet: eof exception"), false},
		{nil, false},
	} {
		if got := needsParquetFallback(tt.err); got != tt.want {
			t.Errorf("needsParquetFallback(%v): got %t, want %t", tt.err, got, tt.want)
		}
	}
}

// TestParquetGoAssemblyMatchesPqarrow reads good/ fixtures pqarrow reads
// through the parquet-go fallback too and compares every value: the
// fallback's record assembly (nulls, lists in all three encodings, maps,
// structs, logical types) against an independent reader.
func TestParquetGoAssemblyMatchesPqarrow(t *testing.T) {
	_, sc, c := startS3(t)
	files, _ := filepath.Glob(filepath.Join(parquetFixtures, "good", "*.parquet"))
	skip := map[string]string{
		// INT96 is microseconds in the fallback, nanoseconds in pqarrow.
		"alltypes_dictionary.parquet": "INT96", "alltypes_plain.parquet": "INT96", "alltypes_plain.snappy.parquet": "INT96",
		"alltypes_tiny_pages.parquet": "INT96", "alltypes_tiny_pages_plain.parquet": "INT96", "int96_from_spark.parquet": "INT96",
		// parquet-go v0.32.0 drops the FLOAT16 annotation: the fallback
		// reads these columns as fixed_size_binary[2].
		"byte_stream_split_extended.gzip.parquet": "FLOAT16", "float16_nonzeros_and_nans.parquet": "FLOAT16",
		"float16_zeros_and_nans.parquet": "FLOAT16", "floating_orders_nan_count.parquet": "FLOAT16",
		// parquet-go v0.32.0 decodes this LZ4_RAW BYTE_ARRAY page as empty
		// strings (it warns about the page's offsets): a parquet-go bug, and
		// the reason the fallback is only taken for the error classes in
		// parquetFallbackErrors.
		"lz4_raw_compressed_larger.parquet": "parquet-go bug",
	}
	compared := 0
	for _, path := range files {
		name := filepath.Base(path)
		if skip[name] != "" || parquetUnreadable[name] != "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			putObject(t, sc, "lake", "cmp/"+name, body)
			want, err := c.ReadParquet(context.Background(), "s3://lake/cmp/"+name)
			if err != nil {
				t.Fatal(err)
			}
			fb, err := openParquetGo(bytes.NewReader(body), int64(len(body)), URL{Bucket: "lake", Key: name}, nil)
			if err != nil {
				t.Logf("not compared: parquet-go cannot open it: %v", err)
				return
			}
			var batches []arrow.RecordBatch
			for g := range fb.numRowGroups() {
				err := protectLib("parquet-go", func() error {
					_, err := fb.decodeRowGroup(context.Background(), g, 1000, memory.DefaultAllocator, func(b arrow.RecordBatch) bool {
						batches = append(batches, b)
						return true
					})
					return err
				})
				if err != nil {
					t.Logf("not compared: parquet-go cannot decode it: %v", err)
					return
				}
			}
			got, err := framesOf([]URL{{Bucket: "lake", Key: name}}, []*arrow.Schema{fb.schema}, [][]arrow.RecordBatch{batches})
			if err != nil {
				t.Fatal(err)
			}
			if g, w := fmt.Sprint(frameStrings(t, got)), fmt.Sprint(frameStrings(t, want)); g != w {
				t.Fatalf("parquet-go fallback and pqarrow differ:\n got %.600s\nwant %.600s", g, w)
			}
			compared++
		})
	}
	t.Logf("%d fixtures compared value by value", compared)
}
