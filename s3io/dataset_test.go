package s3io

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/localaws"
)

// TestDatasetEscapePartitionValue checks the escaping against Hive's
// FileUtils.escapePathName, expected values written by hand from its
// character list.
func TestDatasetEscapePartitionValue(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "2026-11-25", "2026-11-25"},
		{"empty is the default partition", "", "__HIVE_DEFAULT_PARTITION__"},
		{"slash", "a/b", "a%2Fb"},
		{"equals and colon", "k=v:1", "k%3Dv%3A1"},
		{"timestamp", "2026-11-25 10:30:00", "2026-11-25 10%3A30%3A00"},
		{"percent", "100%", "100%25"},
		{"quotes and hash", `"x'#`, "%22x%27%23"},
		{"star question backslash", `*?\`, "%2A%3F%5C"},
		{"brackets caret braces", "{[]^}", "%7B%5B%5D%5E}"},
		{"control chars", "a\tb\nc\x01\x7f", "a%09b%0Ac%01%7F"},
		{"space and others stay", "a b,c;d&e+f<g>h|i~j", "a b,c;d&e+f<g>h|i~j"},
		{"non-ASCII stays", "Ålesund/東京", "Ålesund%2F東京"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := EscapePartitionValue(tc.in); got != tc.want {
				t.Errorf("EscapePartitionValue(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if tc.in != "" {
				if back := UnescapePartitionValue(tc.want); back != tc.in {
					t.Errorf("UnescapePartitionValue(%q) = %q, want %q", tc.want, back, tc.in)
				}
			}
		})
	}
	// Hive leaves a % that does not start two hex digits as it is.
	for in, want := range map[string]string{"50%": "50%", "%zz": "%zz", "%4": "%4", "%41%4a": "AJ"} {
		if got := UnescapePartitionValue(in); got != want {
			t.Errorf("UnescapePartitionValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// keysUnder lists the keys under a prefix, relative to it.
func keysUnder(t *testing.T, c *Client, prefix string) []string {
	t.Helper()
	objs, err := c.ListAll(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	u := MustParseURL(prefix)
	var keys []string
	for _, o := range objs {
		keys = append(keys, strings.TrimPrefix(o.Key, u.Key))
	}
	return keys
}

// dirsOf returns the distinct directories of relative keys.
func dirsOf(keys []string) []string {
	var dirs []string
	for _, k := range keys {
		d := k[:strings.LastIndex(k, "/")+1]
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(dirs)
	return dirs
}

func salesFrame(t *testing.T, ids []int64, regions []string, regionValid []bool, days []time.Time) *frame.Frame {
	t.Helper()
	amounts := make([]float64, len(ids))
	for i, id := range ids {
		amounts[i] = float64(id) * 1.5
	}
	f, err := frame.New(
		frame.Int64("id", ids),
		frame.Float64("amount", amounts),
		frame.String("region", regions, regionValid),
		frame.Date32("dt", days),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// rowsOf renders a frame's rows sorted, for comparisons independent of
// order and chunking.
func rowsOf(t *testing.T, f *frame.Frame, cols ...string) []string {
	t.Helper()
	sel, err := f.Select(cols...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range sel.NumRows() {
		row, err := sel.Row(i)
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(row))
		for j, v := range row {
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC().Format(time.DateOnly)
			}
			cells[j] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(cells, " "))
	}
	slices.Sort(out)
	return out
}

func TestDatasetWriteLayoutAndEscaping(t *testing.T) {
	ctx := context.Background()
	_, _, c := startS3(t)
	f := salesFrame(t,
		[]int64{1, 2, 3, 4, 5},
		[]string{"eu/west", "a=b:c", "", "eu/west", "x"},
		[]bool{true, true, true, true, false},
		[]time.Time{day("2026-11-25"), day("2026-11-25"), day("2026-11-26"), day("2026-11-26"), day("2026-11-26")})
	res, err := c.WriteDataset(ctx, f, "s3://lake/sales", PartitionBy("dt", "region"), func(o *DatasetOptions) { o.WriteID = "w1" })
	if err != nil {
		t.Fatal(err)
	}
	// Hand-written from Hive's rules: "/" -> %2F, "=" -> %3D, ":" -> %3A,
	// empty and null -> __HIVE_DEFAULT_PARTITION__ (both in one partition).
	wantDirs := []string{
		"dt=2026-11-25/region=a%3Db%3Ac/",
		"dt=2026-11-25/region=eu%2Fwest/",
		"dt=2026-11-26/region=__HIVE_DEFAULT_PARTITION__/",
		"dt=2026-11-26/region=eu%2Fwest/",
	}
	keys := keysUnder(t, c, "s3://lake/sales/")
	if got := dirsOf(keys); !slices.Equal(got, wantDirs) {
		t.Errorf("directories = %q, want %q", got, wantDirs)
	}
	name := regexp.MustCompile(`/part-w1-\d{5}\.snappy\.parquet$`)
	for _, k := range keys {
		if !name.MatchString(k) {
			t.Errorf("file %q does not match %v", k, name)
		}
	}
	if len(res.Partitions) != 4 || len(res.Files) != 4 || res.Rows != 5 {
		t.Fatalf("result has %d partitions, %d files, %d rows; want 4, 4, 5", len(res.Partitions), len(res.Files), res.Rows)
	}
	wantParts := []DatasetPartition{
		{Values: []string{"2026-11-25", "a=b:c"}, URL: "s3://lake/sales/" + wantDirs[0]},
		{Values: []string{"2026-11-25", "eu/west"}, URL: "s3://lake/sales/" + wantDirs[1]},
		{Values: []string{"2026-11-26", HiveDefaultPartition}, URL: "s3://lake/sales/" + wantDirs[2]},
		{Values: []string{"2026-11-26", "eu/west"}, URL: "s3://lake/sales/" + wantDirs[3]},
	}
	for i, p := range res.Partitions {
		if !slices.Equal(p.Values, wantParts[i].Values) || p.URL != wantParts[i].URL {
			t.Errorf("partition %d = %+v, want %+v", i, p, wantParts[i])
		}
	}
	if got := fmt.Sprint(res.Schema.Fields()); !strings.Contains(got, "id") || strings.Contains(got, "region") || strings.Contains(got, "dt") {
		t.Errorf("data schema %v should hold id and amount only", res.Schema)
	}
	if res.PartitionKeys[0].Type.ID() != arrow.DATE32 || res.PartitionKeys[1].Type.ID() != arrow.STRING {
		t.Errorf("partition key types %v, want date32 and utf8", res.PartitionKeys)
	}
	var rows int64
	for _, file := range res.Files {
		rows += file.Rows
		if file.Bytes <= 0 || file.Partition < 0 || !strings.HasPrefix(file.URL, res.Partitions[file.Partition].URL) {
			t.Errorf("file %+v: bad size or partition", file)
		}
	}
	if rows != 5 {
		t.Errorf("files hold %d rows, want 5", rows)
	}

	// Partition columns are left out of the files.
	one, err := c.ReadParquet(ctx, res.Files[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := one.ColumnNames(); !slices.Equal(got, []string{"id", "amount"}) {
		t.Errorf("file columns = %v, want [id amount]", got)
	}

	// And they come back, typed and unescaped.
	back, err := c.ReadDataset(ctx, "s3://lake/sales/")
	if err != nil {
		t.Fatal(err)
	}
	if got := back.ColumnNames(); !slices.Equal(got, []string{"id", "amount", "dt", "region"}) {
		t.Errorf("read columns = %v", got)
	}
	if dt := back.Schema().Field(2).Type; dt.ID() != arrow.DATE32 {
		t.Errorf("dt read as %s, want date32", dt)
	}
	want := []string{"1 1.5 2026-11-25 eu/west", "2 3 2026-11-25 a=b:c", "3 4.5 2026-11-26 <nil>", "4 6 2026-11-26 eu/west", "5 7.5 2026-11-26 <nil>"}
	if got := rowsOf(t, back, "id", "amount", "dt", "region"); !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
}

func TestDatasetModes(t *testing.T) {
	ctx := context.Background()
	_, _, c := startS3(t)
	url := "s3://lake/modes/"
	write := func(mode WriteMode, ids []int64, days ...string) *DatasetResult {
		t.Helper()
		ts := make([]time.Time, len(days))
		regions := make([]string, len(days))
		for i, d := range days {
			ts[i] = day(d)
			regions[i] = "r"
		}
		res, err := c.WriteDataset(ctx, salesFrame(t, ids, regions, nil, ts), url, PartitionBy("dt"), Mode(mode))
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		if res.Mode != mode {
			t.Errorf("result mode %v, want %v", res.Mode, mode)
		}
		return res
	}
	ids := func() []string {
		f, err := c.ReadDataset(ctx, url, Columns("id", "dt"))
		if err != nil {
			t.Fatal(err)
		}
		return rowsOf(t, f, "id", "dt")
	}
	write(Append, []int64{1, 2}, "2026-01-01", "2026-01-02")
	write(Append, []int64{3}, "2026-01-01")
	if got, want := ids(), []string{"1 2026-01-01", "2 2026-01-02", "3 2026-01-01"}; !slices.Equal(got, want) {
		t.Errorf("after appends: %q, want %q", got, want)
	}
	// OverwritePartitions replaces 2026-01-01 only.
	res := write(OverwritePartitions, []int64{10}, "2026-01-01")
	if got, want := ids(), []string{"10 2026-01-01", "2 2026-01-02"}; !slices.Equal(got, want) {
		t.Errorf("after overwrite_partitions: %q, want %q", got, want)
	}
	if res.Removed != 2 {
		t.Errorf("overwrite_partitions removed %d objects, want 2", res.Removed)
	}
	// Overwrite replaces everything, stray objects included.
	if _, err := c.Upload(ctx, url+"stray.txt", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	write(Overwrite, []int64{20, 21}, "2026-02-01", "2026-02-01")
	if got, want := ids(), []string{"20 2026-02-01", "21 2026-02-01"}; !slices.Equal(got, want) {
		t.Errorf("after overwrite: %q, want %q", got, want)
	}
	if keys := keysUnder(t, c, url); len(keys) != 1 || !strings.HasPrefix(keys[0], "dt=2026-02-01/") {
		t.Errorf("after overwrite the prefix holds %q, want one file in dt=2026-02-01/", keys)
	}
}

func TestDatasetMaxRowsPerFileAndFormats(t *testing.T) {
	ctx := context.Background()
	_, _, c := startS3(t)
	ids := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	regions := []string{"a", "a", "a", "a", "a", "a", "a", "b", "b", "b"}
	days := make([]time.Time, len(ids))
	for i := range days {
		days[i] = day("2026-03-01")
	}
	f := salesFrame(t, ids, regions, nil, days)
	for _, tc := range []struct {
		format FileFormat
		comp   Compression
		suffix string
	}{
		{Parquet, CompressionAuto, ".snappy.parquet"},
		{Parquet, Zstd, ".zstd.parquet"},
		{CSV, CompressionAuto, ".csv"},
		{CSV, Gzip, ".csv.gz"},
		{JSONLines, CompressionAuto, ".json"},
		{JSONLines, Zstd, ".json.zst"},
	} {
		t.Run(tc.format.String()+tc.suffix, func(t *testing.T) {
			url := "s3://lake/max/" + strings.ReplaceAll(tc.suffix, ".", "_") + "/"
			res, err := c.WriteDataset(ctx, f, url, PartitionBy("region"), MaxRowsPerFile(3), Format(tc.format),
				WithWriteOptions(Compress(tc.comp)))
			if err != nil {
				t.Fatal(err)
			}
			// region=a: 7 rows -> 3+3+1; region=b: 3 rows -> 3.
			var perFile []int64
			for _, file := range res.Files {
				perFile = append(perFile, file.Rows)
				if !strings.HasSuffix(file.URL, tc.suffix) {
					t.Errorf("file %s, want suffix %s", file.URL, tc.suffix)
				}
			}
			slices.Sort(perFile)
			if want := []int64{1, 3, 3, 3}; !slices.Equal(perFile, want) {
				t.Errorf("rows per file %v, want %v", perFile, want)
			}
			back, err := c.ReadDataset(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rowsOf(t, back, "id", "region"), rowsOf(t, f, "id", "region"); !slices.Equal(got, want) {
				t.Errorf("read back %q, want %q", got, want)
			}
		})
	}
}

func TestDatasetTypedPartitionsAndFilter(t *testing.T) {
	ctx := context.Background()
	st, _, c := startS3(t)
	year := []int64{2024, 2024, 2025, 2025, 2026}
	code := []string{"007", "1", "2", "3", "4"} // a leading zero keeps it a string
	days := []time.Time{day("2024-01-01"), day("2024-01-01"), day("2025-06-01"), day("2025-06-01"), day("2026-01-01")}
	f, err := frame.New(frame.Int64("year", year), frame.String("code", code), frame.Date32("dt", days),
		frame.Int64("v", []int64{1, 2, 3, 4, 5}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteDataset(ctx, f, "s3://lake/typed/", PartitionBy("year", "dt", "code")); err != nil {
		t.Fatal(err)
	}
	back, err := c.ReadDataset(ctx, "s3://lake/typed/")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]arrow.Type{"year": arrow.INT64, "dt": arrow.DATE32, "code": arrow.STRING, "v": arrow.INT64}
	for _, fld := range back.Schema().Fields() {
		if fld.Type.ID() != want[fld.Name] {
			t.Errorf("column %s read as %s, want %s", fld.Name, fld.Type, want[fld.Name])
		}
	}
	// Explicit types win.
	back, err = c.ReadDataset(ctx, "s3://lake/typed/", PartitionKeys(
		arrow.Field{Name: "year", Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: "dt", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "code", Type: arrow.BinaryTypes.String}))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Schema().Field(back.Schema().FieldIndices("year")[0]).Type; got.ID() != arrow.INT32 {
		t.Errorf("year with an explicit type read as %s, want int32", got)
	}

	// The filter prunes before listing files: with 5 partitions and one
	// kept, the listings are the depth probe (4: root, year=, dt=, code=),
	// the directories of the other levels not already listed, and one
	// listing of the kept partition's files, never one per partition.
	count := func(optFns ...func(*ReadOptions)) (int, int) {
		st.ResetCounters()
		got, err := c.ReadDataset(ctx, "s3://lake/typed/", optFns...)
		if err != nil {
			t.Fatal(err)
		}
		return st.Calls("s3:ListObjectsV2"), got.NumRows()
	}
	keep2026 := PartitionFilter(func(p Partition) bool { return p["year"] == "2026" })
	allLists, rows := count()
	if rows != 5 {
		t.Fatalf("read %d rows, want 5", rows)
	}
	prunedLists, rows := count(keep2026)
	if rows != 1 {
		t.Fatalf("filtered read %d rows, want 1", rows)
	}
	if prunedLists >= allLists {
		t.Errorf("filtered read listed %d times, unfiltered %d: the filter did not prune listing", prunedLists, allLists)
	}
	// With the keys given there is no probe: the root (1), each year (3)
	// and each year/dt (3) directory is listed, then the files of the one
	// partition kept.
	typed := PartitionKeys(arrow.Field{Name: "year", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "dt", Type: arrow.FixedWidthTypes.Date32}, arrow.Field{Name: "code", Type: arrow.BinaryTypes.String})
	lists, rows := count(keep2026, typed)
	if rows != 1 || lists != 1+3+3+1 {
		t.Errorf("filtered read with keys: %d listings and %d rows, want %d and 1", lists, rows, 1+3+3+1)
	}
	// Projection of a partition column and a data column.
	got, err := c.ReadDataset(ctx, "s3://lake/typed/", Columns("code", "v"), keep2026)
	if err != nil {
		t.Fatal(err)
	}
	if names := got.ColumnNames(); !slices.Equal(names, []string{"code", "v"}) {
		t.Errorf("projected columns %v, want [code v]", names)
	}
}

func TestDatasetSchemaEvolution(t *testing.T) {
	ctx := context.Background()
	_, _, c := startS3(t)
	url := "s3://lake/evolve/"
	old, _ := frame.New(frame.Int32("id", []int32{1, 2}), frame.String("p", []string{"1", "1"}))
	if _, err := c.WriteDataset(ctx, old, url, PartitionBy("p")); err != nil {
		t.Fatal(err)
	}
	// Later files widen id to int64 and add a column.
	newer, _ := frame.New(frame.Int64("id", []int64{3}), frame.String("note", []string{"new"}), frame.String("p", []string{"2"}))
	if _, err := c.WriteDataset(ctx, newer, url, PartitionBy("p")); err != nil {
		t.Fatal(err)
	}
	f, err := c.ReadDataset(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Schema().Field(0).Type; got.ID() != arrow.INT64 {
		t.Errorf("id unified to %s, want int64", got)
	}
	if got, want := rowsOf(t, f, "id", "note", "p"), []string{"1 <nil> 1", "2 <nil> 1", "3 new 2"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	// A column that changes to an incompatible type names the file.
	bad, _ := frame.New(frame.Int64("id", []int64{4}), frame.Int64("note", []int64{7}), frame.String("p", []string{"3"}))
	res, err := c.WriteDataset(ctx, bad, url, PartitionBy("p"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ReadDataset(ctx, url)
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("read of an incompatible dataset: %v, want a *SchemaError", err)
	}
	if se.URL != res.Files[0].URL || se.Column != "note" {
		t.Errorf("SchemaError names %s column %q, want %s column %q", se.URL, se.Column, res.Files[0].URL, "note")
	}
}

// TestDatasetOverwriteFailureLeavesPreviousData fails an overwrite after
// half of its files are written: the previous data stays readable and
// complete, and nothing of the failed write is left.
func TestDatasetOverwriteFailureLeavesPreviousData(t *testing.T) {
	ctx := context.Background()
	st, _, c := startS3(t)
	url := "s3://lake/safe/"
	mk := func(base int64) *frame.Frame {
		ids := make([]int64, 10)
		regions := make([]string, 10)
		days := make([]time.Time, 10)
		for i := range ids {
			ids[i] = base + int64(i)
			regions[i] = fmt.Sprintf("r%d", i) // ten partitions, one file each
			days[i] = day("2026-05-01")
		}
		return salesFrame(t, ids, regions, nil, days)
	}
	before := mk(0)
	if _, err := c.WriteDataset(ctx, before, url, PartitionBy("region")); err != nil {
		t.Fatal(err)
	}
	oldKeys := keysUnder(t, c, url)
	wantRows := rowsOf(t, before, "id", "region")

	for _, tc := range []struct {
		name string
		op   string
		mode WriteMode
	}{
		{"overwrite PutObject fails", "s3:PutObject", Overwrite},
		{"overwrite_partitions PutObject fails", "s3:PutObject", OverwritePartitions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var remove func()
			injected := false
			progress := func(p Progress) {
				// After the fifth file, every attempt at the next one fails
				// (Times covers all the retries of one file).
				if p.Op == "write dataset" && p.Objects == 5 && !injected {
					injected = true
					remove = st.Inject(localaws.Fault{Op: tc.op, Kind: localaws.InternalError, Times: testRetry.MaxAttempts})
				}
			}
			_, err := c.WriteDataset(ctx, mk(100), url, PartitionBy("region"), Mode(tc.mode),
				func(o *DatasetOptions) { o.FileConcurrency = 1; o.Progress = progress })
			if remove != nil {
				remove()
			}
			if err == nil || !injected {
				t.Fatalf("write with an injected failure: err %v, injected %v; want a failure after 5 files", err, injected)
			}
			if got := keysUnder(t, c, url); !slices.Equal(got, oldKeys) {
				t.Errorf("after the failed write the prefix holds %q, want the old %q", got, oldKeys)
			}
			f, err := c.ReadDataset(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			if got := rowsOf(t, f, "id", "region"); !slices.Equal(got, wantRows) {
				t.Errorf("previous data now %q, want %q", got, wantRows)
			}
		})
	}

	t.Run("cancel mid-write", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		progress := func(p Progress) {
			if p.Objects == 3 {
				cancel()
			}
		}
		_, err := c.WriteDataset(cctx, mk(200), url, PartitionBy("region"), Mode(Overwrite),
			func(o *DatasetOptions) { o.FileConcurrency = 1; o.Progress = progress })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled write: %v, want context.Canceled", err)
		}
		if got := keysUnder(t, c, url); !slices.Equal(got, oldKeys) {
			t.Errorf("after the cancelled write the prefix holds %q, want the old %q", got, oldKeys)
		}
	})
}

func TestDatasetInvalidInput(t *testing.T) {
	ctx := context.Background()
	_, _, c := startS3(t)
	f := salesFrame(t, []int64{1}, []string{"a"}, nil, []time.Time{day("2026-01-01")})
	for _, tc := range []struct {
		name string
		url  string
		opts []func(*DatasetOptions)
		want error
	}{
		{"bucket root", "s3://lake/", nil, ErrInvalidURL},
		{"glob", "s3://lake/x/*", nil, ErrInvalidURL},
		{"missing partition column", "s3://lake/x/", []func(*DatasetOptions){PartitionBy("nope")}, ErrInvalidOption},
		{"all columns partitioned", "s3://lake/x/", []func(*DatasetOptions){PartitionBy("id", "amount", "region", "dt")}, ErrInvalidOption},
		{"float partition is fine but a bad mode is not", "s3://lake/x/", []func(*DatasetOptions){Mode(WriteMode(9))}, ErrInvalidOption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.WriteDataset(ctx, f, tc.url, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A prefix with only hidden objects holds no data. (localaws answers a
	// delimited listing of a prefix with no object at all with a 500, where
	// S3 answers an empty listing, so the prefix is not left empty.)
	if _, err := c.Upload(ctx, "s3://lake/empty/_SUCCESS", strings.NewReader("")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadDataset(ctx, "s3://lake/empty/"); !errors.Is(err, ErrNoObjects) {
		t.Errorf("read of an empty prefix: %v, want ErrNoObjects", err)
	}
}
