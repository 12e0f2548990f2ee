package localaws

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestAthenaTypeNames runs one query whose columns carry every Athena type
// name of AWS-FACTS.md 1.5 (but the geospatial ones) and checks ColumnInfo
// and the rendered values (AWS-FACTS.md 1.4).
func TestAthenaTypeNames(t *testing.T) {
	e := startAthena(t)
	cases := []struct {
		expr      string
		typ       string
		precision int32
		scale     int32
		value     string // "<null>" for NULL
	}{
		{"true", "boolean", 0, 0, "true"},
		{"CAST(1 AS tinyint)", "tinyint", 3, 0, "1"},
		{"CAST(2 AS smallint)", "smallint", 5, 0, "2"},
		{"3", "integer", 10, 0, "3"},
		{"CAST(4 AS bigint)", "bigint", 19, 0, "4"},
		{"CAST(1.5 AS real)", "real", 0, 0, "1.5"},
		{"CAST(2.5 AS double)", "double", 17, 0, "2.5"},
		{"CAST(1e10 AS double)", "double", 17, 0, "1.0E10"},
		{"CAST(1.25 AS decimal(10,2))", "decimal", 10, 2, "1.25"},
		{"CAST('ab' AS char(3))", "char", 3, 0, "ab"},
		{"'x'", "varchar", 2147483647, 0, "x"},
		{"CAST('ab' AS varbinary)", "varbinary", 2147483647, 0, "61 62"},
		{"X'00FF'", "varbinary", 2147483647, 0, "00 ff"},
		{"DATE '2020-01-02'", "date", 0, 0, "2020-01-02"},
		{"TIME '01:02:03'", "time", 3, 0, "01:02:03.000"},
		{"CAST('01:02:03+02:00' AS time with time zone)", "time with time zone", 3, 0, "01:02:03.000+02:00"},
		{"TIMESTAMP '2020-01-02 03:04:05.321'", "timestamp", 3, 0, "2020-01-02 03:04:05.321"},
		{"CAST('2020-01-02 03:04:05+00' AS timestamp with time zone)", "timestamp with time zone", 3, 0, "2020-01-02 03:04:05.000 UTC"},
		{"INTERVAL '3' MONTH", "interval year to month", 0, 0, "0-3"},
		{"INTERVAL '2' DAY", "interval day to second", 0, 0, "2 00:00:00.000"},
		{"ARRAY[1, 2]", "array", 0, 0, "[1, 2]"},
		{"MAP(ARRAY['a'], ARRAY[1])", "map", 0, 0, "{a=1}"},
		{"CAST(ROW(1, 'a') AS ROW(x integer, y varchar))", "row", 0, 0, "{x=1, y=a}"},
		{"ROW(1, 2.5)", "row", 0, 0, "{field0=1, field1=2.5}"},
		{`CAST('{"a":1}' AS json)`, "json", 0, 0, `{"a":1}`},
		{"NULL", "unknown", 0, 0, "<null>"},
		{"CAST('10.0.0.1' AS ipaddress)", "ipaddress", 39, 0, "10.0.0.1"},
		{"CAST(NULL AS varchar)", "varchar", 2147483647, 0, "<null>"},
		{"''", "varchar", 2147483647, 0, ""},
	}
	query := "SELECT "
	for i, c := range cases {
		if i > 0 {
			query += ", "
		}
		query += c.expr + " AS c" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	id := e.mustRun(t, "", query)
	rows, cols := e.results(t, id)
	if len(rows) != 2 || len(cols) != len(cases) {
		t.Fatalf("got %d rows and %d columns, want 2 and %d", len(rows), len(cols), len(cases))
	}
	vals := rowStrings(rows)[1]
	for i, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			got := cols[i]
			if aws.ToString(got.Type) != c.typ || got.Precision != c.precision || got.Scale != c.scale {
				t.Errorf("ColumnInfo: got %s(%d,%d), want %s(%d,%d)", aws.ToString(got.Type), got.Precision, got.Scale, c.typ, c.precision, c.scale)
			}
			if aws.ToString(got.CatalogName) != "hive" || got.Nullable != "UNKNOWN" {
				t.Errorf("ColumnInfo: got catalog %q nullable %q, want hive UNKNOWN", aws.ToString(got.CatalogName), got.Nullable)
			}
			if vals[i] != c.value {
				t.Errorf("value: got %q, want %q", vals[i], c.value)
			}
		})
	}
}

func TestAthenaJavaFloatString(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{1, 64, "1.0"}, {0.001, 64, "0.001"}, {0.0001, 64, "1.0E-4"}, {1e7, 64, "1.0E7"}, {9999999, 64, "9999999.0"},
		{1.5, 32, "1.5"}, {-2.25e-5, 64, "-2.25E-5"}, {0.1, 32, "0.1"},
	}
	for _, c := range cases {
		if got := javaFloatString(c.f, c.bits); got != c.want {
			t.Errorf("javaFloatString(%v, %d): got %q, want %q", c.f, c.bits, got, c.want)
		}
	}
}
