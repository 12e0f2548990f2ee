package athena_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/localaws"
)

// upTo2500 returns x = 1..2500 in order, from digits cross-joined: SQL both
// Athena and the emulator run. Its result CSV is a header line and 2,500
// lines of at least 3 bytes ("1"\n), so above 1 KiB.
const upTo2500 = `WITH d AS (SELECT n FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(n))
		SELECT a.n * 1000 + b.n * 100 + c.n * 10 + e.n + 1 AS x FROM d a, d b, d c, d e
		WHERE a.n * 1000 + b.n * 100 + c.n * 10 + e.n < 2500 ORDER BY x`

// checkUpTo2500 checks a frame holds x = 1..2500, as the SQL says.
func checkUpTo2500(t *testing.T, f *frame.Frame) {
	t.Helper()
	vals, _, err := frame.Values[int32](f, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 2500 {
		t.Fatalf("%d rows, want 2500", len(vals))
	}
	for i, v := range vals {
		if int(v) != i+1 {
			t.Fatalf("row %d = %d, want %d", i, v, i+1)
		}
	}
}

func isUnload(q string) bool { return strings.HasPrefix(q, "UNLOAD (") }

// TestAutoChoosesThePath runs each branch of ResultsAuto's rule against
// localaws and tells the path taken by the traffic: the queries started
// (an UNLOAD or the query itself), the GETs of the result CSV and the
// GetQueryResults calls (one for the CSV's metadata, three pages of 1,000
// rows for the API).
func TestAutoChoosesThePath(t *testing.T) {
	const kmsKey = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
	for _, tc := range []struct {
		name      string
		stackOpts func(*localaws.Options)
		noS3      bool
		denyCSV   bool
		opts      []func(*athena.Options)
		wantPath  string // csv, api or unload
	}{
		{name: "a SELECT reads the result CSV", wantPath: "csv"},
		{name: "without an S3 client the API pages", noS3: true, wantPath: "api"},
		{name: "a refused CSV falls back to the API", denyCSV: true, wantPath: "api"},
		{name: "client-side encrypted results page the API",
			opts: []func(*athena.Options){func(o *athena.Options) { o.Encryption, o.KMSKey = "CSE_KMS", kmsKey }, athena.ExpectRows(1 << 30)}, wantPath: "api"},
		{name: "a stated large result unloads", opts: []func(*athena.Options){athena.ExpectRows(athena.DefaultLargeResultRows)}, wantPath: "unload"},
		{name: "a stated result below the threshold reads the CSV", opts: []func(*athena.Options){athena.ExpectRows(athena.DefaultLargeResultRows - 1)}, wantPath: "csv"},
		{name: "a lowered threshold unloads", opts: []func(*athena.Options){athena.ExpectRows(2500), func(o *athena.Options) { o.LargeResultRows = 2500 }}, wantPath: "unload"},
		{name: "result reuse keeps the SELECT", opts: []func(*athena.Options){athena.ExpectRows(1 << 30), func(o *athena.Options) { o.ResultReuseMaxAge = time.Hour }}, wantPath: "csv"},
		{name: "without OutputLocation nothing is unloaded",
			stackOpts: func(o *localaws.Options) {
				o.AthenaWorkGroups = []localaws.AthenaWorkGroup{{Name: "wg", OutputLocation: "s3://results/wg/"}}
			},
			opts: []func(*athena.Options){athena.OutputLocation(""), athena.Workgroup("wg"), athena.ExpectRows(1 << 30)}, wantPath: "csv"},
		{name: "without an S3 client nothing is unloaded", noS3: true, opts: []func(*athena.Options){athena.ExpectRows(1 << 30)}, wantPath: "api"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := newRecorded(t, tc.stackOpts, !tc.noS3, func(o *athena.Options) {
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			if tc.denyCSV {
				r.s3.deny = func(key string) bool { return strings.HasSuffix(key, ".csv") }
			}
			f, err := r.c.Query(context.Background(), upTo2500, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			checkUpTo2500(t, f)
			started := r.api.queries()
			if len(started) != 1 {
				t.Fatalf("queries started: %q, want one", started)
			}
			gotPath := "csv"
			switch {
			case isUnload(started[0]):
				gotPath = "unload"
			case started[0] != upTo2500:
				t.Fatalf("started %q, want the query itself or an UNLOAD of it", started[0])
			case r.s3.getsOf(".csv") == 0 || tc.denyCSV:
				gotPath = "api"
			}
			if gotPath != tc.wantPath {
				t.Fatalf("read through %s, want %s", gotPath, tc.wantPath)
			}
			switch gotPath {
			case "api":
				if n := r.api.resultCalls(); n != 3 {
					t.Errorf("GetQueryResults calls %d, want 3 pages of at most 1,000 rows", n)
				}
			case "csv":
				if n, g := r.api.resultCalls(), r.s3.getsOf(".csv"); n != 1 || g != 1 {
					t.Errorf("GetQueryResults calls %d (want 1, the metadata), CSV GETs %d (want 1)", n, g)
				}
			case "unload":
				if n := r.s3.getsOf(".csv"); n != 0 {
					t.Errorf("%d GETs of a result CSV, want none", n)
				}
			}
			if tc.denyCSV {
				if n := r.s3.getsOf(".csv"); n != 1 {
					t.Errorf("%d GETs of the refused CSV, want 1 (AccessDenied is not retried)", n)
				}
				if !strings.Contains(logs.String(), "AccessDenied") {
					t.Errorf("the fallback was not logged; log:\n%s", logs.String())
				}
			}
		})
	}
}

func TestExplicitCSVDoesNotFallBack(t *testing.T) {
	r := newRecorded(t, nil, true)
	r.s3.deny = func(key string) bool { return strings.HasSuffix(key, ".csv") }
	_, err := r.c.Query(context.Background(), upTo2500, athena.ReadResults(athena.ResultsCSV))
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		t.Fatalf("got %v, want the AccessDenied of the GET", err)
	}
	if !strings.HasPrefix(err.Error(), "athena: ") || strings.Count(err.Error(), "athena:") != 1 {
		t.Errorf("error %q: want the athena: prefix once", err)
	}
}

// TestAutoLearnsFromTheLastRead checks the history rule: a complete read
// of a large result makes the next run of the identical query unload.
func TestAutoLearnsFromTheLastRead(t *testing.T) {
	ctx := context.Background()
	t.Run("a large result CSV", func(t *testing.T) {
		r := newRecorded(t, nil, true, func(o *athena.Options) {
			o.LargeResultBytes = 1024
			o.LargeResultRows = 1 << 40
		})
		first, err := r.c.Query(ctx, upTo2500)
		if err != nil {
			t.Fatal(err)
		}
		checkUpTo2500(t, first)
		// The CSV Athena wrote is above the threshold: ask S3, not the
		// Client.
		objs, err := s3ioClient(r.stack).ListAll(ctx, "s3://results/q/")
		if err != nil {
			t.Fatal(err)
		}
		var csvSize int64
		for _, o := range objs {
			if strings.HasSuffix(o.Key, ".csv") {
				csvSize = o.Size
			}
		}
		if csvSize <= 1024 {
			t.Fatalf("result CSV of %d bytes, the test needs more than 1 KiB", csvSize)
		}
		second, err := r.c.Query(ctx, upTo2500)
		if err != nil {
			t.Fatal(err)
		}
		checkUpTo2500(t, second)
		// A different query text has no history.
		if _, err := r.c.Query(ctx, upTo2500+" "); err != nil {
			t.Fatal(err)
		}
		// Nor has the same text in another database.
		if _, err := r.c.Query(ctx, upTo2500, athena.Database("other")); err != nil {
			t.Fatal(err)
		}
		got := r.api.queries()
		if len(got) != 4 || got[0] != upTo2500 || !isUnload(got[1]) || got[2] != upTo2500+" " || got[3] != upTo2500 {
			t.Fatalf("queries started %q: want the query, an UNLOAD of it, then the other text and the other database as given", got)
		}
	})
	t.Run("many rows through the API", func(t *testing.T) {
		// Through the API only the row count tells the size.
		r := newRecorded(t, nil, true, func(o *athena.Options) { o.LargeResultRows = 2500 })
		for range 2 {
			if _, err := r.c.Query(ctx, upTo2500, athena.ReadResults(athena.ResultsAPI)); err != nil {
				t.Fatal(err)
			}
		}
		f, err := r.c.Query(ctx, upTo2500)
		if err != nil {
			t.Fatal(err)
		}
		checkUpTo2500(t, f)
		got := r.api.queries()
		if len(got) != 3 || !isUnload(got[2]) {
			t.Fatalf("queries started %q: want the third run unloaded after reads of 2,500 rows", got)
		}
	})
	t.Run("a read stopped early teaches nothing", func(t *testing.T) {
		r := newRecorded(t, nil, true, func(o *athena.Options) {
			o.LargeResultRows = 1
			o.PageSize = 100
		})
		for _, err := range r.c.Scan(ctx, upTo2500) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if _, err := r.c.Query(ctx, upTo2500); err != nil {
			t.Fatal(err)
		}
		if got := r.api.queries(); len(got) != 2 || got[1] != upTo2500 {
			t.Fatalf("queries started %q: want the query twice, as given", got)
		}
	})
	t.Run("nested columns keep their path", func(t *testing.T) {
		// Unloading would turn the text of the array into a list column:
		// the history leaves such a query on the CSV.
		r := newRecorded(t, nil, true, func(o *athena.Options) { o.LargeResultRows = 1 })
		const nested = "SELECT 1 AS x, ARRAY[1, 2] AS a"
		var types []string
		for range 2 {
			f, err := r.c.Query(ctx, nested)
			if err != nil {
				t.Fatal(err)
			}
			types = append(types, f.Schema().Field(1).Type.String())
		}
		if got := r.api.queries(); len(got) != 2 || got[1] != nested {
			t.Fatalf("queries started %q: want the query twice, as given", got)
		}
		if types[0] != "utf8" || types[1] != "utf8" {
			t.Fatalf("array column types %v, want utf8 both times", types)
		}
	})
}

// TestNestedTypesPerPath pins what each path returns for arrays, maps and
// rows: the text Athena renders (AWS-FACTS.md 1.4: a row as {x=1, y=b})
// through the API and the CSV, nested Arrow types through Parquet. The
// Trino types: ARRAY[1, 2] is array(integer), the literal 1.5 is
// decimal(2,1).
func TestNestedTypesPerPath(t *testing.T) {
	r := newRecorded(t, nil, true)
	ctx := context.Background()
	if _, err := r.c.Run(ctx, "CREATE DATABASE scratch"); err != nil {
		t.Fatal(err)
	}
	const sql = `SELECT ARRAY[1, 2] AS a, MAP(ARRAY['k'], ARRAY[1.5]) AS m,
		CAST(ROW(1, 'b') AS ROW(x integer, y varchar)) AS r`
	text := map[string]string{"a": "[1, 2]", "m": "{k=1.5}", "r": "{x=1, y=b}"}
	nested := map[string]string{"a": "list<item: int32, nullable>", "m": "map<utf8, decimal(2, 1), items_nullable>",
		"r": "struct<x: int32, y: utf8>"}
	for _, tc := range []struct {
		path   athena.ResultPath
		nested bool
	}{{athena.ResultsAPI, false}, {athena.ResultsCSV, false}, {athena.ResultsUnload, true}, {athena.ResultsCTAS, true}} {
		f, err := r.c.Query(ctx, sql, athena.ReadResults(tc.path), athena.Database("scratch"))
		if err != nil {
			t.Fatalf("path %d: %v", tc.path, err)
		}
		for _, fl := range f.Schema().Fields() {
			if !tc.nested {
				vals, _, err := frame.Values[string](f, fl.Name)
				if err != nil || vals[0] != text[fl.Name] {
					t.Errorf("path %d column %s: %q (%v), want the text %q", tc.path, fl.Name, vals, err, text[fl.Name])
				}
				continue
			}
			if got := fl.Type.String(); !sameNestedType(got, nested[fl.Name]) {
				t.Errorf("path %d column %s: type %s, want %s", tc.path, fl.Name, got, nested[fl.Name])
			}
		}
		if tc.nested {
			col, _ := f.Column("a")
			if got := col.Chunk(0).String(); got != "[[1 2]]" {
				t.Errorf("path %d: array column %s, want [[1 2]]", tc.path, got)
			}
		}
	}
}

// sameNestedType compares Arrow type strings without the names Parquet
// readers give list elements ("item" or "element") and without
// nullability marks of struct fields.
func sameNestedType(got, want string) bool {
	norm := func(s string) string {
		s = strings.ReplaceAll(s, "element:", "item:")
		return strings.ReplaceAll(s, " nullable", "")
	}
	return norm(got) == norm(want)
}
