package athena

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

const fixtures = "../../shared/fixtures/athena"

func readAll(t *testing.T, data string) (rows [][]string, valid [][]bool, err error) {
	t.Helper()
	rr := newResultReader(strings.NewReader(data))
	var f []string
	var v []bool
	for {
		f, v, err = rr.read(f, v)
		if err == io.EOF {
			return rows, valid, nil
		}
		if err != nil {
			return rows, valid, err
		}
		rows = append(rows, slices.Clone(f))
		valid = append(valid, slices.Clone(v))
	}
}

// recordedRows reads a GetQueryResults fixture: each row's values, with a
// missing VarCharValue as NULL.
func recordedRows(t *testing.T, path string) ([][]string, [][]bool, []Column) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ResultSet struct {
			Rows []struct {
				Data []struct{ VarCharValue *string }
			}
			ResultSetMetadata struct {
				ColumnInfo []struct {
					Name, Type       string
					Precision, Scale int32
				}
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	var valid [][]bool
	for _, r := range doc.ResultSet.Rows {
		var vals []string
		var ok []bool
		for _, d := range r.Data {
			vals = append(vals, strings.Clone(deref(d.VarCharValue)))
			ok = append(ok, d.VarCharValue != nil)
		}
		rows, valid = append(rows, vals), append(valid, ok)
	}
	var cols []Column
	for _, c := range doc.ResultSet.ResultSetMetadata.ColumnInfo {
		cols = append(cols, Column{Name: c.Name, Type: c.Type, Precision: c.Precision, Scale: c.Scale})
	}
	return rows, valid, cols
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The result CSV Athena wrote and the GetQueryResults rows it returned for
// the same query (moto's AWS-verified test) must read as the same values,
// NULL included.
func TestResultCSVMatchesRecordedAPIRows(t *testing.T) {
	csv, err := os.ReadFile(fixtures + "/moto-aws-verified/query-output.csv")
	if err != nil {
		t.Fatal(err)
	}
	gotRows, gotValid, err := readAll(t, string(csv))
	if err != nil {
		t.Fatal(err)
	}
	wantRows, wantValid, cols := recordedRows(t, fixtures+"/moto-aws-verified/get-query-results.json")
	if len(gotRows) != len(wantRows) {
		t.Fatalf("%d rows, want %d", len(gotRows), len(wantRows))
	}
	for i := range wantRows {
		if !slices.Equal(gotRows[i], wantRows[i]) || !slices.Equal(gotValid[i], wantValid[i]) {
			t.Fatalf("row %d: got %q %v, want %q %v", i, gotRows[i], gotValid[i], wantRows[i], wantValid[i])
		}
	}

	// And typed by the metadata: k3 is an integer column with a NULL.
	schema, err := Schema(cols)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tb, err := newTextBatch(mem, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.release()
	for i := 1; i < len(gotRows); i++ { // row 0 is the header
		if err := tb.add(gotRows[i], gotValid[i]); err != nil {
			t.Fatal(err)
		}
	}
	rec := tb.flush()
	defer rec.Release()
	if got := rec.Column(2).String(); got != "[1 2 (null)]" {
		t.Fatalf("k3 = %s, want [1 2 (null)]", got)
	}
	if got := rec.Column(0).String(); got != `["r1_v1" "r2_v1" "r3_v1"]` {
		t.Fatalf("k1 = %s", got)
	}
}

func TestRecordedCLIResultsType(t *testing.T) {
	rows, valid, cols := recordedRows(t, fixtures+"/aws-cli-examples/get-query-results.json")
	schema, err := Schema(cols)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := newTextBatch(memory.DefaultAllocator, schema)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(rows); i++ {
		if err := tb.add(rows[i], valid[i]); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	rec := tb.flush()
	if rec.NumRows() != int64(len(rows)-1) || rec.Schema().Field(0).Type.String() != "date32" {
		t.Fatalf("%d rows, schema %v", rec.NumRows(), rec.Schema())
	}
}

func TestResultCSVShapes(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		rows  [][]string
		valid [][]bool
	}{
		{"null vs empty string", "\"a\",,\"\"\n", [][]string{{"a", "", ""}}, [][]bool{{true, false, true}}},
		{"doubled quotes", "\"say \"\"hi\"\"\"\n", [][]string{{`say "hi"`}}, [][]bool{{true}}},
		{"newline and comma inside", "\"a\nb,c\",\"d\"\r\n\"e\",\"f\"", [][]string{{"a\nb,c", "d"}, {"e", "f"}}, [][]bool{{true, true}, {true, true}}},
		{"bare value", "1,\"x\"\n", [][]string{{"1", "x"}}, [][]bool{{true, true}}},
		{"trailing null without newline", "\"a\",", [][]string{{"a", ""}}, [][]bool{{true, false}}},
		{"empty file", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, valid, err := readAll(t, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.rows) {
				t.Fatalf("rows %q, want %q", rows, tt.rows)
			}
			for i := range rows {
				if !slices.Equal(rows[i], tt.rows[i]) || !slices.Equal(valid[i], tt.valid[i]) {
					t.Fatalf("row %d: %q %v, want %q %v", i, rows[i], valid[i], tt.rows[i], tt.valid[i])
				}
			}
		})
	}
	for _, bad := range []string{"\"never ends", "\"a\"b\n", "ab\"c\n"} {
		if _, _, err := readAll(t, bad); !errors.Is(err, ErrResultFormat) {
			t.Errorf("%q: got %v, want ErrResultFormat", bad, err)
		}
	}
}

// writeResultCSV writes rows as Athena does, for the round trip below.
func writeResultCSV(rows [][]string, valid [][]bool) string {
	var b strings.Builder
	for i, r := range rows {
		for j, v := range r {
			if j > 0 {
				b.WriteByte(',')
			}
			if valid[i][j] {
				b.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func FuzzResultCSV(f *testing.F) {
	f.Add([]byte("\"k1\",\"k2\"\n\"a\",\n\"\",\"x\"\"y\"\r\n"))
	f.Add([]byte("\"multi\nline\",1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, valid, err := readAll(t, string(data))
		if err != nil {
			return
		}
		// What was read, written back as Athena writes, reads the same.
		again, againValid, err := readAll(t, writeResultCSV(rows, valid))
		if err != nil {
			t.Fatalf("re-reading our own output: %v", err)
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows, then %d", len(rows), len(again))
		}
		for i := range rows {
			if !slices.Equal(again[i], rows[i]) || !slices.Equal(againValid[i], valid[i]) {
				t.Fatalf("row %d: %q %v, then %q %v", i, rows[i], valid[i], again[i], againValid[i])
			}
		}
	})
}
