package s3io

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/gowrangler/wrangler/frame"
)

// This file checks the values s3io reads from the good/ Parquet fixtures
// against the values the fixtures' own documentation states: the upstream
// *_expect.csv files, the upstream per-file .md docs, the tables in
// UPSTREAM-data-README.md and the values MANIFEST.md spells out. No
// expected value here comes from s3io's (or arrow-go's) output; the one
// relative check is byte_stream_split_extended, whose upstream doc defines
// the expectation as "each BYTE_STREAM_SPLIT column equals its PLAIN twin".
//
// Comparison rules, by the Arrow type s3io returns:
//   - integers of any width: exactly, as integers (never via float);
//   - floats: exactly. NaN matches NaN, anything else must be bit-equal
//     after rounding the documented decimal literal to the column's width,
//     so -0.0 and +0.0 differ;
//   - utf8: byte-exact; binary and fixed_size_binary: byte-exact;
//   - decimals: the unscaled integer rendered with the column's scale
//     ("1.00") against the documented decimal string, and the column's
//     precision and scale against the footer's;
//   - timestamps: as UTC instants in microseconds since the epoch (the unit
//     int96_from_spark.md documents), whatever unit the column has; a
//     nanosecond value that is not a whole microsecond is a mismatch, and
//     the column's zone must be UTC or none;
//   - nulls: see expectCSV for the CSV files; elsewhere a documented null.

// Expected values beyond the Go scalars (int, int64, uint64, float64,
// string, []byte) and nil for null.
type (
	// decStr is a decimal, written with exactly the column's scale.
	decStr string
	// tsMicros is an instant, microseconds since 1970-01-01T00:00:00Z.
	tsMicros int64
	// listOf is a non-null list.
	listOf []any
	// mapOf is a non-null map, its entries in stored order.
	mapOf []kv
	// structOf is a non-null struct; the fields named are compared.
	structOf []fieldVal
	// nullOrStruct is a struct that may also be null as a whole (where the
	// documentation does not say which).
	nullOrStruct []fieldVal
)

type kv struct{ k, v any }

type fieldVal struct {
	name string
	v    any
}

// wantCol is what the documentation says about one top-level column.
type wantCol struct {
	name string
	// typ is the documented type as Arrow spells it; nil: not checked.
	// Decimals match on precision and scale whatever their width; lists and
	// maps ignore field names and nullability flags.
	typ arrow.DataType
	// vals are the documented values: of rows 0..n-1, or of the rows in at.
	vals []any
	at   []int
}

// csvCol maps one column of an *_expect.csv file, by position, to the
// Parquet column and its documented type.
type csvCol struct {
	name string         // the Parquet column name
	typ  arrow.DataType // int32, int64 or utf8
}

// expectCSV is an upstream *_expect.csv file.
//
// Null: the four upstream files write a null as an empty, unquoted field
// (",,") and every non-null value of a string column quoted. encoding/csv
// reads both an unquoted empty field and "" as "", so the loader first
// checks that the file holds no `""` at all (no quoted empty string, no
// escaped quote): then an empty field can only be a null. The per-column
// null counts the CSV yields are also checked against the num_nulls
// statistics the upstream .md prints (nulls), so the interpretation is
// pinned by a second document, not by s3io.
type expectCSV struct {
	file  string
	cols  []csvCol
	nulls map[string]int // num_nulls from the .md; absent means 0
}

// expectCase is one fixture with documented values.
type expectCase struct {
	file string
	doc  string // where the expectation is written down
	rows int    // documented row count
	// columns, when set, is the file's full column list, in order.
	columns []string
	cols    []wantCol
	csv     *expectCSV
	// check asserts documented properties that are not per-value lists
	// (page statistics, equality of two encodings of the same values).
	check func(t *testing.T, e *expectRun)
	// readError, when set, judges a read error instead of failing.
	readError func(t *testing.T, e *expectRun, err error)
	// known, when set, is the diagnosis of a known mismatch, printed when
	// the case fails.
	known string
}

// expectRun is one case being checked.
type expectRun struct {
	c       *Client
	file    string
	url     string
	decoder string
	f       *frame.Frame
	errs    int
}

// maxMismatches bounds the mismatches reported per file.
const maxMismatches = 25

func (e *expectRun) mismatch(t *testing.T, row int, col, msg string) {
	t.Helper()
	e.errs++
	if e.errs <= maxMismatches {
		t.Errorf("%s row %d column %s [decoder: %s]: %s", e.file, row, col, e.decoder, msg)
	}
}

func ints(lo, hi int) []any {
	var out []any
	for i := lo; i <= hi; i++ {
		out = append(out, i)
	}
	return out
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func decimals1to24() []any {
	var out []any
	for i := 1; i <= 24; i++ {
		out = append(out, decStr(fmt.Sprintf("%d.00", i)))
	}
	return out
}

func strs(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func byteVals(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// deltaCustomerCols are the columns of the two delta_encoding_*_column
// files: nine integer columns, then eight strings. (The CSV headers have
// " c_customer_id" with a leading space; the required file's Parquet names
// end in ':' — both as upstream wrote them.)
func deltaCustomerCols(intType arrow.DataType, suffix string) []csvCol {
	var cols []csvCol
	for _, n := range []string{"c_customer_sk", "c_current_cdemo_sk", "c_current_hdemo_sk", "c_current_addr_sk", "c_first_shipto_date_sk", "c_first_sales_date_sk", "c_birth_day", "c_birth_month", "c_birth_year"} {
		cols = append(cols, csvCol{n + suffix, intType})
	}
	for _, n := range []string{"c_customer_id", "c_salutation", "c_first_name", "c_last_name", "c_preferred_cust_flag", "c_birth_country", "c_email_address", "c_last_review_date"} {
		cols = append(cols, csvCol{n + suffix, arrow.BinaryTypes.String})
	}
	return cols
}

func expectCases() []expectCase {
	var bitwidthCols []csvCol
	for w := 0; w <= 64; w++ {
		bitwidthCols = append(bitwidthCols, csvCol{fmt.Sprintf("bitwidth%d", w), arrow.PrimitiveTypes.Int64})
	}
	bitwidthCols = append(bitwidthCols, csvCol{"int_value", arrow.PrimitiveTypes.Int32})
	var byteArrayCols []csvCol
	for _, n := range []string{"c_customer_id", "c_salutation", "c_first_name", "c_last_name", "c_preferred_cust_flag", "c_birth_country", "c_login", "c_email_address", "c_last_review_date"} {
		byteArrayCols = append(byteArrayCols, csvCol{n, arrow.BinaryTypes.String})
	}

	// lz4_raw_compressed and the two legacy LZ4 files hold the same values
	// (MANIFEST.md, after arrow-rs test_read_lz4_raw).
	lz4Cols := []wantCol{
		{name: "c0", typ: arrow.PrimitiveTypes.Int64, vals: []any{1593604800, 1593604800, 1593604801, 1593604801}},
		{name: "c1", typ: arrow.BinaryTypes.Binary, vals: byteVals("abc", "def", "abc", "def")},
		{name: "v11", typ: arrow.PrimitiveTypes.Float64, vals: []any{42.0, 7.7, 42.125, 7.7}},
	}
	decimalCase := func(file string, precision, scale int32) expectCase {
		return expectCase{
			file: file, doc: "MANIFEST.md: values 1.00..24.00 (arrow-rs test_read_decimal_file); precision/scale from the footer", rows: 24,
			cols: []wantCol{{name: "value", typ: &arrow.Decimal128Type{Precision: precision, Scale: scale}, vals: decimals1to24()}},
		}
	}
	// binary_truncated_min_max: the rows parquet-cli cat prints in
	// UPSTREAM-data-README.md. It renders binary_partial_truncation's last
	// value "ÿÿ\u0001\u0002", i.e. the bytes FF FF 01 02 (the max statistic
	// 0xFFFF0102 beside it confirms them).
	names := []string{"Blart Versenwald III", "Alice Johnson", "Bob Smith", "Charlie Brown", "Diana Prince", "Edward Norton", "Fiona Apple", "George Lucas", "Helen Keller", "Ivan Drago", "Julia Roberts", "Kevin Bacon"}
	withRows := func(base []string, repl map[int]string) []string {
		out := slices.Clone(base)
		for i, s := range repl {
			out[i] = s
		}
		return out
	}
	partialUTF8 := withRows(names, map[int]string{11: "🚀Kevin Bacon"})
	partialBinary := byteVals(names...)
	partialBinary[11] = []byte{0xFF, 0xFF, 0x01, 0x02}
	noTrunc := withRows(names, map[int]string{1: "Al", 11: "Ke"})

	negZero := math.Copysign(0, -1)
	ts := func(s string) tsMicros {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return tsMicros(tm.UnixMicro())
	}

	return []expectCase{
		{
			file: "delta_binary_packed.parquet", doc: "delta_binary_packed_expect.csv (delta_binary_packed.md)", rows: 200,
			csv: &expectCSV{file: "delta_binary_packed_expect.csv", cols: bitwidthCols},
		},
		{
			file: "delta_byte_array.parquet", doc: "delta_byte_array_expect.csv (delta_byte_array.md)", rows: 1000,
			csv: &expectCSV{file: "delta_byte_array_expect.csv", cols: byteArrayCols, nulls: map[string]int{
				"c_salutation": 30, "c_first_name": 32, "c_last_name": 24, "c_preferred_cust_flag": 29,
				"c_birth_country": 31, "c_login": 1000, "c_email_address": 31, "c_last_review_date": 25,
			}},
		},
		{
			file: "delta_encoding_optional_column.parquet", doc: "delta_encoding_optional_column_expect.csv (delta_encoding_optional_column.md)", rows: 100,
			csv: &expectCSV{file: "delta_encoding_optional_column_expect.csv", cols: deltaCustomerCols(arrow.PrimitiveTypes.Int64, ""), nulls: map[string]int{
				"c_current_cdemo_sk": 3, "c_current_hdemo_sk": 2, "c_first_shipto_date_sk": 1, "c_first_sales_date_sk": 1,
				"c_birth_day": 3, "c_birth_month": 3, "c_birth_year": 3, "c_salutation": 3, "c_first_name": 3,
				"c_last_name": 1, "c_preferred_cust_flag": 4, "c_birth_country": 4, "c_email_address": 3, "c_last_review_date": 3,
			}},
		},
		{
			file: "delta_encoding_required_column.parquet", doc: "delta_encoding_required_column_expect.csv (delta_encoding_required_column.md)", rows: 100,
			csv: &expectCSV{file: "delta_encoding_required_column_expect.csv", cols: deltaCustomerCols(arrow.PrimitiveTypes.Int32, ":")},
		},
		{
			file: "int96_from_spark.parquet", doc: "int96_from_spark.md: microseconds since the epoch", rows: 6,
			cols: []wantCol{{name: "a", vals: []any{
				tsMicros(1704141296123456), tsMicros(1704070800000000), tsMicros(253402225200000000),
				tsMicros(1735599600000000), nil, tsMicros(9089380393200000000),
			}}},
			readError: int96ReadError,
		},
		{
			file: "old_list_structure.parquet", doc: "old_list_structure.md / MANIFEST.md: list<list<int32>> = [[1, 2], [3, 4]]", rows: 1,
			known: "the schema is `required group a (LIST) { repeated group array (LIST) { repeated int32 array; } }`; " +
				"pqarrow reads list<struct<array: list<int32>>> and parquet_legacy.go repairs it to list<list<int32>>",
			columns: []string{"a"},
			cols: []wantCol{{name: "a", typ: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), vals: []any{
				listOf{listOf{1, 2}, listOf{3, 4}},
			}}},
		},
		{
			file: "map_no_value.parquet", doc: "map_no_value.md", rows: 3,
			columns: []string{"my_map", "my_map_no_v", "my_list"},
			cols: []wantCol{
				{name: "my_map", typ: arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32), vals: []any{
					mapOf{{1, nil}, {2, nil}, {3, nil}}, mapOf{{4, nil}, {5, nil}, {6, nil}}, mapOf{{7, nil}, {8, nil}, {9, nil}},
				}},
				// "The last two columns comprise 3 equivalent rows of list<Integer>".
				{name: "my_map_no_v", typ: arrow.ListOf(arrow.PrimitiveTypes.Int32), vals: []any{listOf{1, 2, 3}, listOf{4, 5, 6}, listOf{7, 8, 9}}},
				{name: "my_list", typ: arrow.ListOf(arrow.PrimitiveTypes.Int32), vals: []any{listOf{1, 2, 3}, listOf{4, 5, 6}, listOf{7, 8, 9}}},
			},
		},
		{
			file: "int32_with_null_pages.parquet", doc: "int32_with_null_pages.md: null count and per-page column index", rows: 1000,
			cols:  []wantCol{{name: "int32_field", typ: arrow.PrimitiveTypes.Int32}},
			check: checkInt32NullPages,
		},
		{
			file: "fixed_length_byte_array.parquet", doc: "fixed_length_byte_array.md: descending order, null count and per-page column index", rows: 1000,
			cols:  []wantCol{{name: "flba_field", typ: &arrow.FixedSizeBinaryType{ByteWidth: 4}}},
			check: checkFLBAPages,
		},
		{
			file: "binary_truncated_min_max.parquet", doc: "UPSTREAM-data-README.md: parquet-cli cat of the 12 rows", rows: 12,
			columns: []string{"utf8_full_truncation", "binary_full_truncation", "utf8_partial_truncation", "binary_partial_truncation", "utf8_no_truncation", "binary_no_truncation"},
			cols: []wantCol{
				{name: "utf8_full_truncation", typ: arrow.BinaryTypes.String, vals: strs(names...)},
				{name: "binary_full_truncation", typ: arrow.BinaryTypes.Binary, vals: byteVals(names...)},
				{name: "utf8_partial_truncation", typ: arrow.BinaryTypes.String, vals: strs(partialUTF8...)},
				{name: "binary_partial_truncation", typ: arrow.BinaryTypes.Binary, vals: partialBinary},
				{name: "utf8_no_truncation", typ: arrow.BinaryTypes.String, vals: strs(noTrunc...)},
				{name: "binary_no_truncation", typ: arrow.BinaryTypes.Binary, vals: byteVals(noTrunc...)},
			},
		},
		{
			file: "float16_nonzeros_and_nans.parquet", doc: "UPSTREAM-data-README.md (Float16 Files) / MANIFEST.md", rows: 8,
			cols: []wantCol{{name: "x", typ: arrow.FixedWidthTypes.Float16, vals: []any{nil, 1.0, -2.0, math.NaN(), 0.0, -1.0, negZero, 2.0}}},
		},
		{
			file: "float16_zeros_and_nans.parquet", doc: "UPSTREAM-data-README.md (Float16 Files) / MANIFEST.md", rows: 3,
			cols: []wantCol{{name: "x", typ: arrow.FixedWidthTypes.Float16, vals: []any{nil, 0.0, math.NaN()}}},
		},
		{
			file: "byte_stream_split_extended.gzip.parquet", doc: "UPSTREAM-data-README.md: each *_byte_stream_split column equals its *_plain column", rows: 200,
			check: checkByteStreamSplitPairs,
		},
		decimalCase("byte_array_decimal.parquet", 4, 2),
		decimalCase("int32_decimal.parquet", 4, 2),
		decimalCase("int64_decimal.parquet", 10, 2),
		decimalCase("fixed_length_decimal.parquet", 25, 2),
		{
			file: "fixed_length_decimal_legacy.parquet", doc: "MANIFEST.md: values 1.00..24.00, DECIMAL(13,2)", rows: 24,
			cols: []wantCol{{name: "value", typ: &arrow.Decimal128Type{Precision: 13, Scale: 2}, vals: decimals1to24()}},
		},
		{file: "lz4_raw_compressed.parquet", doc: "MANIFEST.md (arrow-rs test_read_lz4_raw)", rows: 4, columns: []string{"c0", "c1", "v11"}, cols: lz4Cols},
		{file: "hadoop_lz4_compressed.parquet", doc: "MANIFEST.md: same values as lz4_raw_compressed", rows: 4, columns: []string{"c0", "c1", "v11"}, cols: lz4Cols},
		{file: "non_hadoop_lz4_compressed.parquet", doc: "MANIFEST.md: same values as lz4_raw_compressed", rows: 4, columns: []string{"c0", "c1", "v11"}, cols: lz4Cols},
		{
			file: "hadoop_lz4_compressed_larger.parquet", doc: "MANIFEST.md: a[0], a[1], a[9998], a[9999] (arrow-rs test_read_lz4_hadoop_large)", rows: 10000,
			cols: []wantCol{{name: "a", typ: arrow.BinaryTypes.String, at: []int{0, 1, 9998, 9999}, vals: strs(
				"c7ce6bef-d5b0-4863-b199-8ea8c7fb117b", "e8fb9197-cb9f-4118-b67f-fbfa65f61843",
				"ab52a0cc-c6bb-4d61-8a8f-166dc4b8b13c", "85440778-460a-41ac-aa2e-ac3ee41696bf")}},
		},
		{
			file: "incorrect_map_schema.parquet", doc: "MANIFEST.md: keys [parent, name], values [another, report], map<utf8 not null, utf8>", rows: 1,
			columns: []string{"my_map"},
			cols: []wantCol{{name: "my_map", typ: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), vals: []any{
				mapOf{{"parent", "another"}, {"name", "report"}},
			}}},
		},
		{
			file: "datapage_v2_empty_datapage.snappy.parquet", doc: "MANIFEST.md: 1 row, value null", rows: 1,
			cols: []wantCol{{name: "value", typ: arrow.PrimitiveTypes.Float32, vals: []any{nil}}},
		},
		{
			file: "page_v2_empty_compressed.parquet", doc: "MANIFEST.md: 10 rows, all null", rows: 10,
			cols: []wantCol{{name: "integer_column", typ: arrow.PrimitiveTypes.Int32, vals: repeat(nil, 10)}},
		},
		{
			file: "single_nan.parquet", doc: "MANIFEST.md: despite the name the value is NULL", rows: 1,
			cols: []wantCol{{name: "mycol", typ: arrow.PrimitiveTypes.Float64, vals: []any{nil}}},
		},
		{
			file: "nan_in_stats.parquet", doc: "MANIFEST.md / UPSTREAM-data-README.md: [1.0, NaN]", rows: 2,
			cols: []wantCol{{name: "x", typ: arrow.PrimitiveTypes.Float64, vals: []any{1.0, math.NaN()}}},
		},
		{
			// The docs say only that b_c_int is null in every row, not whether
			// the struct itself is: either is accepted.
			file: "nulls.snappy.parquet", doc: "MANIFEST.md: b_c_int null in every row", rows: 8,
			cols: []wantCol{{name: "b_struct", vals: repeat(nullOrStruct{{"b_c_int", nil}}, 8)}},
		},
		{
			file: "null_list.parquet", doc: `UPSTREAM-data-README.md: {"emptylist": []}, an empty (not null) list`, rows: 1,
			cols: []wantCol{{name: "emptylist", typ: arrow.ListOf(arrow.Null), vals: []any{listOf{}}}},
		},
		{
			file: "alltypes_plain.parquet", doc: "MANIFEST.md: id order, first timestamp_col (UTC), string columns read as binary", rows: 8,
			cols: []wantCol{
				{name: "id", typ: arrow.PrimitiveTypes.Int32, vals: []any{4, 5, 6, 7, 2, 3, 0, 1}},
				{name: "timestamp_col", at: []int{0}, vals: []any{ts("2009-03-01T00:00:00Z")}},
				{name: "date_string_col", typ: arrow.BinaryTypes.Binary},
				{name: "string_col", typ: arrow.BinaryTypes.Binary},
			},
		},
		{
			file: "repeated_no_annotation.parquet", doc: "MANIFEST.md: 6 rows (ids 1..6) although the footer says 0", rows: 6,
			cols: []wantCol{{name: "id", typ: arrow.PrimitiveTypes.Int32, vals: ints(1, 6)}},
		},
		{
			file: "nullable.impala.parquet", doc: "MANIFEST.md: 7 rows (id 1..7)", rows: 7,
			cols: []wantCol{{name: "id", typ: arrow.PrimitiveTypes.Int64, vals: ints(1, 7)}},
		},
		{
			file: "unknown-logical-type.parquet", doc: "MANIFEST.md: 3 rows; a STRING column and a BYTE_ARRAY read by its physical type (shape only, no values documented)", rows: 3,
			columns: []string{"column with known type", "column with unknown type"},
			cols: []wantCol{
				{name: "column with known type", typ: arrow.BinaryTypes.String},
				{name: "column with unknown type", typ: arrow.BinaryTypes.Binary},
			},
		},
		{
			file: "repeated_primitive_no_list.parquet", doc: "MANIFEST.md / UPSTREAM-data-README.md: REPEATED fields must be read as lists (shape only, no values documented)", rows: 4,
			columns: []string{"Int32_list", "String_list", "group_of_lists"},
			cols: []wantCol{
				{name: "Int32_list", typ: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
				{name: "String_list", typ: arrow.ListOf(arrow.BinaryTypes.String)},
				{name: "group_of_lists", typ: arrow.StructOf(
					arrow.Field{Name: "Int32_list_in_group", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
					arrow.Field{Name: "String_list_in_group", Type: arrow.ListOf(arrow.BinaryTypes.String)},
				)},
			},
		},
	}
}

// TestParquetExpect reads every good/ fixture with documented values
// through s3io (localaws, ReadParquet) and compares each documented value.
func TestParquetExpect(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	for _, tc := range expectCases() {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(parquetFixtures, "good", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			key := "expect/" + tc.file
			putObject(t, sc, "lake", key, body)
			e := &expectRun{c: c, file: tc.file, url: "s3://lake/" + key}
			e.decoder = decoderPath(ctx, c, e.url)
			e.f, err = c.ReadParquet(ctx, e.url)
			if err != nil {
				if tc.readError != nil {
					tc.readError(t, e, err)
					return
				}
				t.Fatalf("%s [decoder: %s]: read failed: %v (expected values documented in %s)", tc.file, e.decoder, err, tc.doc)
			}
			t.Logf("decoder: %s; expected values from %s", e.decoder, tc.doc)
			checkExpectCase(t, e, tc)
		})
	}
}

// checkExpectCase compares a read frame with everything tc documents.
func checkExpectCase(t *testing.T, e *expectRun, tc expectCase) {
	t.Helper()
	if e.f.NumRows() != tc.rows {
		t.Errorf("%s [decoder: %s]: got %d rows, want %d (%s)", e.file, e.decoder, e.f.NumRows(), tc.rows, tc.doc)
	}
	if tc.columns != nil && !slices.Equal(e.f.ColumnNames(), tc.columns) {
		t.Errorf("%s [decoder: %s]: got columns %q, want %q", e.file, e.decoder, e.f.ColumnNames(), tc.columns)
	}
	cols := tc.cols
	if tc.csv != nil {
		cols = loadExpectCSV(t, tc.csv)
		want := make([]string, len(cols))
		for i, wc := range cols {
			want[i] = wc.name
		}
		if got := e.f.ColumnNames(); !slices.Equal(got, want) {
			t.Errorf("%s [decoder: %s]: got columns %q, want %q (the columns of %s, in order)", e.file, e.decoder, got, want, tc.csv.file)
		}
	}
	for _, wc := range cols {
		checkColumn(t, e, wc)
	}
	if tc.check != nil {
		tc.check(t, e)
	}
	if e.errs > maxMismatches {
		t.Errorf("%s: %d mismatches in all, the first %d shown", e.file, e.errs, maxMismatches)
	}
	if t.Failed() && tc.known != "" {
		t.Logf("%s: known cause: %s", e.file, tc.known)
	}
}

// checkColumn compares one column's type and documented values.
func checkColumn(t *testing.T, e *expectRun, wc wantCol) {
	t.Helper()
	col, err := e.f.Column(wc.name)
	if err != nil {
		t.Errorf("%s [decoder: %s]: column %q: %v (columns: %q)", e.file, e.decoder, wc.name, err, e.f.ColumnNames())
		return
	}
	if wc.typ != nil && !typeMatches(col.DataType(), wc.typ) {
		t.Errorf("%s column %s [decoder: %s]: got type %s, want %s", e.file, wc.name, e.decoder, col.DataType(), wc.typ)
		// Values are still compared: the message says where they differ.
	}
	if wc.vals == nil {
		return
	}
	rows := wc.at
	if rows == nil {
		if len(wc.vals) != col.Len() {
			t.Errorf("%s column %s [decoder: %s]: got %d values, want %d", e.file, wc.name, e.decoder, col.Len(), len(wc.vals))
		}
		rows = make([]int, len(wc.vals))
		for i := range rows {
			rows[i] = i
		}
	}
	for j, row := range rows {
		if row >= col.Len() {
			e.mismatch(t, row, wc.name, fmt.Sprintf("no such row (the column has %d), want %s", col.Len(), showWant(wc.vals[j])))
			continue
		}
		arr, i := cellOf(col, row)
		if msg := cmpValue(arr, i, wc.vals[j]); msg != "" {
			e.mismatch(t, row, wc.name, msg)
		}
	}
}

// loadExpectCSV reads an *_expect.csv into expected columns: an empty
// field is null (see expectCSV), integers are parsed as int64, strings kept
// as they are.
func loadExpectCSV(t *testing.T, spec *expectCSV) []wantCol {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(parquetFixtures, "good", spec.file))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(`""`)) {
		t.Fatalf(`%s holds "": an empty field is no longer unambiguously a null; revisit the null rule`, spec.file)
	}
	r := csv.NewReader(bytes.NewReader(raw))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", spec.file, err)
	}
	if len(records) < 1 || len(records[0]) != len(spec.cols) {
		t.Fatalf("%s: header %q, want %d columns", spec.file, records[0], len(spec.cols))
	}
	cols := make([]wantCol, len(spec.cols))
	nulls := map[string]int{}
	for j, cc := range spec.cols {
		// The CSV header names the same column modulo upstream's spelling
		// quirks (a leading space, the Parquet name's trailing ':').
		if h := strings.TrimSpace(records[0][j]); h != strings.TrimSuffix(cc.name, ":") {
			t.Fatalf("%s column %d: header %q does not name Parquet column %q", spec.file, j, records[0][j], cc.name)
		}
		cols[j] = wantCol{name: cc.name, typ: cc.typ, vals: make([]any, 0, len(records)-1)}
	}
	for line, rec := range records[1:] {
		for j, cc := range spec.cols {
			cell := rec[j]
			if cell == "" {
				cols[j].vals = append(cols[j].vals, nil)
				nulls[cc.name]++
				continue
			}
			switch cc.typ.ID() {
			case arrow.INT32, arrow.INT64:
				bits := 64
				if cc.typ.ID() == arrow.INT32 {
					bits = 32
				}
				v, err := strconv.ParseInt(cell, 10, bits)
				if err != nil {
					t.Fatalf("%s line %d column %s: %q is not an int%d: %v", spec.file, line+2, cc.name, cell, bits, err)
				}
				cols[j].vals = append(cols[j].vals, v)
			default:
				cols[j].vals = append(cols[j].vals, cell)
			}
		}
	}
	for _, cc := range spec.cols {
		if got, want := nulls[cc.name], spec.nulls[strings.TrimSuffix(cc.name, ":")]; got != want {
			t.Fatalf("%s column %s: %d empty fields, but the .md statistics say num_nulls %d: the null rule does not hold", spec.file, cc.name, got, want)
		}
	}
	return cols
}

// decoderPath reports which of s3io's two decoders reads url.
func decoderPath(ctx context.Context, c *Client, url string) string {
	po, err := c.openParquet(ctx, c.readOptions(nil), MustParseURL(url))
	if err != nil {
		return "none (the footer/schema is refused)"
	}
	defer po.close()
	if po.fb != nil {
		return "parquet-go fallback"
	}
	return "pqarrow (arrow-go)"
}

// cellOf locates row i of a chunked column.
func cellOf(col *arrow.Chunked, i int) (arrow.Array, int) {
	for _, ch := range col.Chunks() {
		if i < ch.Len() {
			return ch, i
		}
		i -= ch.Len()
	}
	return nil, -1
}

// typeMatches compares a read type with a documented one: decimals by
// precision and scale, nested types by their value types (field names and
// nullability flags aside, as writers spell them differently).
func typeMatches(got, want arrow.DataType) bool {
	switch w := want.(type) {
	case arrow.DecimalType:
		g, ok := got.(arrow.DecimalType)
		return ok && g.GetPrecision() == w.GetPrecision() && g.GetScale() == w.GetScale()
	case *arrow.MapType:
		g, ok := got.(*arrow.MapType)
		return ok && typeMatches(g.KeyType(), w.KeyType()) && typeMatches(g.ItemType(), w.ItemType())
	case *arrow.ListType:
		g, ok := got.(*arrow.ListType)
		return ok && typeMatches(g.Elem(), w.Elem())
	case *arrow.StructType:
		g, ok := got.(*arrow.StructType)
		if !ok || g.NumFields() != w.NumFields() {
			return false
		}
		for i := range w.NumFields() {
			if g.Field(i).Name != w.Field(i).Name || !typeMatches(g.Field(i).Type, w.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return arrow.TypeEqual(got, want)
}

// cmpValue compares element i of arr with a documented value and returns
// "" or what differs.
func cmpValue(arr arrow.Array, i int, want any) string {
	if want == nil {
		if arr.IsNull(i) {
			return ""
		}
		return fmt.Sprintf("got %s, want null", showGot(arr, i))
	}
	if w, ok := want.(nullOrStruct); ok {
		if arr.IsNull(i) {
			return ""
		}
		want = structOf(w)
	}
	if arr.IsNull(i) {
		return fmt.Sprintf("got null, want %s", showWant(want))
	}
	switch a := arr.(type) {
	case *array.Int8:
		return cmpInt(big.NewInt(int64(a.Value(i))), want)
	case *array.Int16:
		return cmpInt(big.NewInt(int64(a.Value(i))), want)
	case *array.Int32:
		return cmpInt(big.NewInt(int64(a.Value(i))), want)
	case *array.Int64:
		return cmpInt(big.NewInt(a.Value(i)), want)
	case *array.Uint8:
		return cmpInt(new(big.Int).SetUint64(uint64(a.Value(i))), want)
	case *array.Uint16:
		return cmpInt(new(big.Int).SetUint64(uint64(a.Value(i))), want)
	case *array.Uint32:
		return cmpInt(new(big.Int).SetUint64(uint64(a.Value(i))), want)
	case *array.Uint64:
		return cmpInt(new(big.Int).SetUint64(a.Value(i)), want)
	case *array.Float16:
		w, ok := want.(float64)
		if !ok {
			return wrongKind(arr, i, want)
		}
		return cmpFloat(float64(a.Value(i).Float32()), w, float64(float16.New(float32(w)).Float32()), "float16")
	case *array.Float32:
		w, ok := want.(float64)
		if !ok {
			return wrongKind(arr, i, want)
		}
		return cmpFloat(float64(a.Value(i)), w, float64(float32(w)), "float32")
	case *array.Float64:
		w, ok := want.(float64)
		if !ok {
			return wrongKind(arr, i, want)
		}
		return cmpFloat(a.Value(i), w, w, "float64")
	case *array.String:
		return cmpString(a.Value(i), want)
	case *array.LargeString:
		return cmpString(a.Value(i), want)
	case *array.Binary:
		return cmpBytes(a.Value(i), want)
	case *array.LargeBinary:
		return cmpBytes(a.Value(i), want)
	case *array.FixedSizeBinary:
		return cmpBytes(a.Value(i), want)
	case *array.Decimal32, *array.Decimal64, *array.Decimal128, *array.Decimal256:
		w, ok := want.(decStr)
		if !ok {
			return wrongKind(arr, i, want)
		}
		if got := decimalString(arr, i); got != string(w) {
			return fmt.Sprintf("got decimal %s, want %s", got, w)
		}
		return ""
	case *array.Timestamp:
		w, ok := want.(tsMicros)
		if !ok {
			return wrongKind(arr, i, want)
		}
		tt := a.DataType().(*arrow.TimestampType)
		if tt.TimeZone != "" && tt.TimeZone != "UTC" {
			return fmt.Sprintf("got zone %q, want UTC instants", tt.TimeZone)
		}
		got, exact := toMicros(int64(a.Value(i)), tt.Unit)
		if !exact || got != int64(w) {
			return fmt.Sprintf("got %d %s (%s), want %d µs (%s)", a.Value(i), tt.Unit, showTS(int64(a.Value(i)), tt.Unit), int64(w), showTS(int64(w), arrow.Microsecond))
		}
		return ""
	case *array.Map:
		w, ok := want.(mapOf)
		if !ok {
			return wrongKind(arr, i, want)
		}
		start, end := a.ValueOffsets(i)
		if int(end-start) != len(w) {
			return fmt.Sprintf("got %d map entries %s, want %d %s", end-start, showGot(arr, i), len(w), showWant(want))
		}
		entries := a.ListValues().(*array.Struct)
		for j, e := range w {
			if msg := cmpValue(entries.Field(0), int(start)+j, e.k); msg != "" {
				return fmt.Sprintf("entry %d key: %s", j, msg)
			}
			if msg := cmpValue(entries.Field(1), int(start)+j, e.v); msg != "" {
				return fmt.Sprintf("entry %d value: %s", j, msg)
			}
		}
		return ""
	case *array.List:
		w, ok := want.(listOf)
		if !ok {
			return wrongKind(arr, i, want)
		}
		start, end := a.ValueOffsets(i)
		if int(end-start) != len(w) {
			return fmt.Sprintf("got %d list elements %s, want %d %s", end-start, showGot(arr, i), len(w), showWant(want))
		}
		for j, ew := range w {
			if msg := cmpValue(a.ListValues(), int(start)+j, ew); msg != "" {
				return fmt.Sprintf("element %d: %s (whole value got %s, want %s)", j, msg, showGot(arr, i), showWant(want))
			}
		}
		return ""
	case *array.Struct:
		w, ok := want.(structOf)
		if !ok {
			return wrongKind(arr, i, want)
		}
		st := a.DataType().(*arrow.StructType)
		for _, fv := range w {
			idx, found := st.FieldIdx(fv.name)
			if !found {
				return fmt.Sprintf("got %s with no field %q", st, fv.name)
			}
			if msg := cmpValue(a.Field(idx), i, fv.v); msg != "" {
				return fmt.Sprintf("field %s: %s", fv.name, msg)
			}
		}
		return ""
	}
	return fmt.Sprintf("got %s of type %s, which this test cannot compare with %s", showGot(arr, i), arr.DataType(), showWant(want))
}

func wrongKind(arr arrow.Array, i int, want any) string {
	return fmt.Sprintf("got %s of type %s, want %s", showGot(arr, i), arr.DataType(), showWant(want))
}

func cmpInt(got *big.Int, want any) string {
	var w *big.Int
	switch v := want.(type) {
	case int:
		w = big.NewInt(int64(v))
	case int64:
		w = big.NewInt(v)
	case uint64:
		w = new(big.Int).SetUint64(v)
	default:
		return fmt.Sprintf("got integer %s, want %s", got, showWant(want))
	}
	if got.Cmp(w) != 0 {
		return fmt.Sprintf("got %s, want %s", got, w)
	}
	return ""
}

// cmpFloat compares exactly: NaN with NaN, otherwise bit-equal to the
// documented literal rounded to the column's width (rounded).
func cmpFloat(got, want, rounded float64, kind string) string {
	switch {
	case math.IsNaN(want) && math.IsNaN(got):
		return ""
	case math.IsNaN(want) || math.IsNaN(got):
	case got == rounded && math.Signbit(got) == math.Signbit(rounded):
		return ""
	}
	return fmt.Sprintf("got %s %s, want %s", kind, strconv.FormatFloat(got, 'g', -1, 64), strconv.FormatFloat(want, 'g', -1, 64))
}

func cmpString(got string, want any) string {
	w, ok := want.(string)
	if !ok {
		return fmt.Sprintf("got string %q, want %s", got, showWant(want))
	}
	if got != w {
		return fmt.Sprintf("got %q, want %q", got, w)
	}
	return ""
}

func cmpBytes(got []byte, want any) string {
	w, ok := want.([]byte)
	if !ok {
		return fmt.Sprintf("got bytes %x, want %s", got, showWant(want))
	}
	if !bytes.Equal(got, w) {
		return fmt.Sprintf("got bytes %x (%q), want %x (%q)", got, got, w, w)
	}
	return ""
}

// decimalString renders a decimal element as its unscaled integer with the
// column's scale, independently of arrow-go's formatting.
func decimalString(arr arrow.Array, i int) string {
	var n *big.Int
	switch a := arr.(type) {
	case *array.Decimal32:
		n = big.NewInt(int64(a.Value(i)))
	case *array.Decimal64:
		n = big.NewInt(int64(a.Value(i)))
	case *array.Decimal128:
		n = a.Value(i).BigInt()
	case *array.Decimal256:
		n = a.Value(i).BigInt()
	}
	scale := int(arr.DataType().(arrow.DecimalType).GetScale())
	sign := ""
	if n.Sign() < 0 {
		sign = "-"
		n = new(big.Int).Neg(n)
	}
	digits := n.String()
	if scale <= 0 {
		return sign + digits + strings.Repeat("0", -scale)
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}

// toMicros converts a timestamp to microseconds; exact is false when it is
// not a whole number of microseconds or overflows.
func toMicros(v int64, unit arrow.TimeUnit) (int64, bool) {
	var mul int64
	switch unit {
	case arrow.Second:
		mul = 1_000_000
	case arrow.Millisecond:
		mul = 1_000
	case arrow.Microsecond:
		return v, true
	default:
		return v / 1_000, v%1_000 == 0
	}
	if v > math.MaxInt64/mul || v < math.MinInt64/mul {
		return 0, false
	}
	return v * mul, true
}

func showTS(v int64, unit arrow.TimeUnit) string {
	var tm time.Time
	switch unit {
	case arrow.Second:
		tm = time.Unix(v, 0)
	case arrow.Millisecond:
		tm = time.UnixMilli(v)
	case arrow.Microsecond:
		tm = time.UnixMicro(v)
	default:
		tm = time.Unix(0, v)
	}
	return tm.UTC().Format(time.RFC3339Nano)
}

func showGot(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "null"
	}
	switch a := arr.(type) {
	case *array.String:
		return strconv.Quote(a.Value(i))
	case *array.Binary:
		return fmt.Sprintf("%q", a.Value(i))
	case *array.FixedSizeBinary:
		return "0x" + hex.EncodeToString(a.Value(i))
	}
	return arr.ValueStr(i)
}

func showWant(want any) string {
	switch w := want.(type) {
	case nil:
		return "null"
	case []byte:
		return fmt.Sprintf("bytes %q", w)
	case string:
		return strconv.Quote(w)
	case decStr:
		return "decimal " + string(w)
	case tsMicros:
		return fmt.Sprintf("%d µs (%s)", int64(w), showTS(int64(w), arrow.Microsecond))
	case listOf:
		parts := make([]string, len(w))
		for i, e := range w {
			parts[i] = showWant(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case mapOf:
		parts := make([]string, len(w))
		for i, e := range w {
			parts[i] = showWant(e.k) + ": " + showWant(e.v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case structOf:
		parts := make([]string, len(w))
		for i, f := range w {
			parts[i] = f.name + ": " + showWant(f.v)
		}
		return "struct{" + strings.Join(parts, ", ") + "}"
	case nullOrStruct:
		return "null or " + showWant(structOf(w))
	case float64:
		return strconv.FormatFloat(w, 'g', -1, 64)
	}
	return fmt.Sprint(want)
}

// pageSpec is one page of a column index printed by parquet-cli: rows
// [first, first+100), its null count, min and max (nil when the page is
// all null).
type pageSpec struct {
	nulls    int
	min, max any
}

// checkInt32NullPages checks int32_with_null_pages.md: 275 nulls in all,
// and per page of 100 rows (the offset index's first row indices 0, 100,
// ..., 900) the column index's null count, min and max.
func checkInt32NullPages(t *testing.T, e *expectRun) {
	pages := []pageSpec{
		{8, int64(-2135807632), int64(2144701119)},
		{55, int64(-2104090659), int64(1745329571)},
		{100, nil, nil},
		{52, int64(-2116849709), int64(2077105757)},
		{16, int64(-2048691758), int64(2143189382)},
		{12, int64(-2017923401), int64(2087827129)},
		{5, int64(-2136906554), int64(2125689411)},
		{7, int64(-2113313110), int64(2145722375)},
		{8, int64(-2046900272), int64(2087168549)},
		{12, int64(-1941944785), int64(2078586537)},
	}
	col, err := e.f.Column("int32_field")
	if err != nil {
		t.Fatal(err)
	}
	checkPages(t, e, "int32_field", col, 275, pages, func(arr arrow.Array, i int) (any, bool) {
		a, ok := arr.(*array.Int32)
		if !ok {
			return nil, false
		}
		return int64(a.Value(i)), true
	}, func(a, b any) int { return cmpInt64(a.(int64), b.(int64)) })
}

// checkFLBAPages checks fixed_length_byte_array.md: 105 nulls, non-null
// values in descending order, and per page of 100 rows the column index's
// null count, min and max (4-byte big-endian values).
func checkFLBAPages(t *testing.T, e *expectRun) {
	hexv := func(s string) any {
		b, err := hex.DecodeString(s)
		if err != nil {
			panic(err)
		}
		return b
	}
	pages := []pageSpec{
		{9, hexv("00000385"), hexv("000003E8")},
		{9, hexv("00000321"), hexv("00000384")},
		{19, hexv("000002BD"), hexv("00000320")},
		{10, hexv("00000259"), hexv("000002BC")},
		{13, hexv("000001F5"), hexv("00000258")},
		{11, hexv("00000191"), hexv("000001F4")},
		{11, hexv("0000012D"), hexv("00000190")},
		{8, hexv("000000C9"), hexv("0000012C")},
		{9, hexv("00000065"), hexv("000000C8")},
		{6, hexv("00000001"), hexv("00000064")},
	}
	col, err := e.f.Column("flba_field")
	if err != nil {
		t.Fatal(err)
	}
	value := func(arr arrow.Array, i int) (any, bool) {
		a, ok := arr.(*array.FixedSizeBinary)
		if !ok {
			return nil, false
		}
		return slices.Clone(a.Value(i)), true
	}
	cmpB := func(a, b any) int { return bytes.Compare(a.([]byte), b.([]byte)) }
	checkPages(t, e, "flba_field", col, 105, pages, value, cmpB)
	// "1000 values written in the descending order" (boundary order
	// DESCENDING): each non-null value is at most the previous one.
	var prev any
	prevRow := -1
	for row := range col.Len() {
		arr, i := cellOf(col, row)
		if arr.IsNull(i) {
			continue
		}
		v, ok := value(arr, i)
		if !ok {
			return // the type mismatch is reported already
		}
		if prev != nil && cmpB(v, prev) > 0 {
			e.mismatch(t, row, "flba_field", fmt.Sprintf("got 0x%x after 0x%x at row %d, want descending order", v, prev, prevRow))
		}
		prev, prevRow = v, row
	}
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkPages checks a column of 100-row pages against column index
// statistics: null count, min and max per page, and the total null count.
func checkPages(t *testing.T, e *expectRun, name string, col *arrow.Chunked, totalNulls int, pages []pageSpec,
	value func(arrow.Array, int) (any, bool), cmp func(a, b any) int) {
	t.Helper()
	if col.Len() != 100*len(pages) {
		t.Errorf("%s column %s [decoder: %s]: got %d rows, want %d (10 pages of 100)", e.file, name, e.decoder, col.Len(), 100*len(pages))
		return
	}
	if col.NullN() != totalNulls {
		t.Errorf("%s column %s [decoder: %s]: got %d nulls, want %d", e.file, name, e.decoder, col.NullN(), totalNulls)
	}
	show := func(v any) string {
		if b, ok := v.([]byte); ok {
			return "0x" + strings.ToUpper(hex.EncodeToString(b))
		}
		return fmt.Sprint(v)
	}
	for p, ps := range pages {
		nulls := 0
		var lo, hi any
		for row := p * 100; row < (p+1)*100; row++ {
			arr, i := cellOf(col, row)
			if arr.IsNull(i) {
				nulls++
				continue
			}
			v, ok := value(arr, i)
			if !ok {
				t.Errorf("%s column %s [decoder: %s]: type %s, cannot check page statistics", e.file, name, e.decoder, arr.DataType())
				return
			}
			if lo == nil || cmp(v, lo) < 0 {
				lo = v
			}
			if hi == nil || cmp(v, hi) > 0 {
				hi = v
			}
		}
		where := fmt.Sprintf("%s column %s page %d (rows %d-%d) [decoder: %s]", e.file, name, p, p*100, p*100+99, e.decoder)
		if nulls != ps.nulls {
			e.errs++
			t.Errorf("%s: got %d nulls, want %d", where, nulls, ps.nulls)
		}
		switch {
		case ps.min == nil && lo != nil:
			e.errs++
			t.Errorf("%s: got values %s..%s, want the page all null", where, show(lo), show(hi))
		case ps.min != nil && (lo == nil || cmp(lo, ps.min) != 0 || cmp(hi, ps.max) != 0):
			e.errs++
			t.Errorf("%s: got min %s max %s, want min %s max %s", where, show(lo), show(hi), show(ps.min), show(ps.max))
		}
	}
}

// checkByteStreamSplitPairs checks byte_stream_split_extended: each
// BYTE_STREAM_SPLIT column decodes to exactly (bit for bit, nulls alike)
// the values of its PLAIN twin, and both have the documented type.
func checkByteStreamSplitPairs(t *testing.T, e *expectRun) {
	pairs := []struct {
		prefix string
		typ    arrow.DataType
	}{
		{"float16", arrow.FixedWidthTypes.Float16},
		{"float", arrow.PrimitiveTypes.Float32},
		{"double", arrow.PrimitiveTypes.Float64},
		{"int32", arrow.PrimitiveTypes.Int32},
		{"int64", arrow.PrimitiveTypes.Int64},
		{"flba5", &arrow.FixedSizeBinaryType{ByteWidth: 5}},
		{"decimal", &arrow.Decimal128Type{Precision: 7, Scale: 3}},
	}
	var want []string
	for _, p := range pairs {
		want = append(want, p.prefix+"_plain", p.prefix+"_byte_stream_split")
	}
	if got := e.f.ColumnNames(); !slices.Equal(got, want) {
		t.Errorf("%s [decoder: %s]: got columns %q, want %q", e.file, e.decoder, got, want)
	}
	for _, p := range pairs {
		plain, err1 := e.f.Column(p.prefix + "_plain")
		bss, err2 := e.f.Column(p.prefix + "_byte_stream_split")
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v %v", e.file, err1, err2)
			continue
		}
		for _, c := range []struct {
			name string
			col  *arrow.Chunked
		}{{p.prefix + "_plain", plain}, {p.prefix + "_byte_stream_split", bss}} {
			if !typeMatches(c.col.DataType(), p.typ) {
				t.Errorf("%s column %s [decoder: %s]: got type %s, want %s", e.file, c.name, e.decoder, c.col.DataType(), p.typ)
			}
		}
		if plain.Len() != bss.Len() {
			t.Errorf("%s: %d plain values, %d byte-stream-split", e.file, plain.Len(), bss.Len())
			continue
		}
		for row := range plain.Len() {
			pa, pi := cellOf(plain, row)
			ba, bi := cellOf(bss, row)
			if g, w := exactKey(ba, bi), exactKey(pa, pi); g != w {
				e.mismatch(t, row, p.prefix+"_byte_stream_split", fmt.Sprintf("got %s, want %s (the %s_plain value)", g, w, p.prefix))
			}
		}
	}
}

// exactKey renders an element so that two elements render alike only when
// they are equal bit for bit.
func exactKey(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "null"
	}
	switch a := arr.(type) {
	case *array.Float16:
		return fmt.Sprintf("f16:%04x", a.Value(i).Uint16())
	case *array.Float32:
		return fmt.Sprintf("f32:%08x (%g)", math.Float32bits(a.Value(i)), a.Value(i))
	case *array.Float64:
		return fmt.Sprintf("f64:%016x (%g)", math.Float64bits(a.Value(i)), a.Value(i))
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.FixedSizeBinary:
		return "0x" + hex.EncodeToString(a.Value(i))
	case *array.Decimal32, *array.Decimal64, *array.Decimal128, *array.Decimal256:
		return "decimal " + decimalString(arr, i)
	}
	return arr.DataType().String() + ":" + arr.ValueStr(i)
}

// int96ReadError judges ReadParquet's refusal of int96_from_spark.parquet.
//
// MANIFEST.md allows a reader to error on the values that do not fit
// ("must error/clamp or use a coarser unit, not wrap"), and refusing is
// s3io's policy: value 6 (290000-12-31) is stored as Julian day -105862232
// with -32509551616000 ns, Spark's own int64 overflow on write, and the
// documented 9089380393200000000 us comes back only by overflowing the
// same way. So both decoders must refuse the file with a range error; a
// silent wrap would be caught, since a file that reads has every
// documented value compared.
func int96ReadError(t *testing.T, e *expectRun, err error) {
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "INT96") {
		t.Fatalf("%s [decoder: %s]: got %v, want an INT96 range error wrapping ErrCorrupt", e.file, e.decoder, err)
	}
	t.Run("parquet-go decoder", func(t *testing.T) {
		_, ferr := readWithParquetGo(t, e.c, e.url)
		if !errors.Is(ferr, ErrCorrupt) || !strings.Contains(ferr.Error(), "INT96") {
			t.Fatalf("%s with the parquet-go decoder forced: got %v, want an INT96 range error wrapping ErrCorrupt", e.file, ferr)
		}
	})
}

// readWithParquetGo reads an object with s3io's parquet-go decoder, as
// openParquet does when pqarrow refuses a file for a fallback reason.
func readWithParquetGo(t *testing.T, c *Client, url string) (*frame.Frame, error) {
	t.Helper()
	ctx := context.Background()
	ro := c.readOptions(nil)
	u := MustParseURL(url)
	rr, err := c.NewRangeReader(ctx, url)
	if err != nil {
		return nil, err
	}
	po := &parquetObject{u: u, ro: ro, rr: rr}
	defer po.close()
	err = protectLib("parquet-go", func() error {
		fb, err := openParquetGo(rr, rr.Size(), u, nil)
		if err != nil {
			return err
		}
		po.fb, po.schema = fb, fb.schema
		po.groups, err = selectRowGroups(nil, fb.numRowGroups())
		return err
	})
	if err != nil {
		return nil, err
	}
	var batches []arrow.RecordBatch
	if err := po.decode(ctx, func(b arrow.RecordBatch) bool { batches = append(batches, b); return true }); err != nil {
		return nil, err
	}
	return framesOf([]URL{u}, []*arrow.Schema{po.schema}, [][]arrow.RecordBatch{batches})
}
