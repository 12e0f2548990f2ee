package localaws

import (
	"strings"
	"testing"
)

// FuzzAthenaTranslate feeds arbitrary text to the statement translator and
// the two type parsers: they must return a statement or an error, never
// panic, and a statement must be well formed.
func FuzzAthenaTranslate(f *testing.F) {
	for _, s := range []string{
		"SELECT 1",
		`SELECT "a"."b", x'0A', CAST(r AS row(a integer, b array(varchar))) FROM "db"."t" WHERE c = ?`,
		"CREATE TABLE t WITH (format='PARQUET', partitioned_by=ARRAY['dt']) AS SELECT 1 AS a, 'x' AS dt WITH NO DATA",
		"UNLOAD (SELECT * FROM t) TO 's3://b/p/' WITH (format = 'JSON')",
		"CREATE EXTERNAL TABLE IF NOT EXISTS t (a map<string,array<struct<x:int>>>) PARTITIONED BY (dt string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://b/t/'",
		"ALTER TABLE t ADD PARTITION (dt='1') LOCATION 's3://b/x' PARTITION (dt='2')",
		"MSCK REPAIR TABLE t", "SHOW TABLES IN db LIKE 'a*|b'", "DESCRIBE t", "INSERT INTO t (a) VALUES (1)",
		"DROP DATABASE IF EXISTS d CASCADE", "/* unterminated", "SELECT 'it''s'", "SELECT date_format(ts, '%Y-%m-%d %H:%i')",
	} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, src, param string) {
		var params []string
		if strings.Count(src, "?") == 1 {
			params = []string{param}
		}
		st, err := athenaTranslate(src, params)
		if err == nil {
			switch st.StatementType {
			case "DDL", "DML", "UTILITY":
			default:
				t.Fatalf("statement type %q", st.StatementType)
			}
			if (st.Kind == athSelect || st.Kind == athCTAS || st.Kind == athInsert || st.Kind == athUnload) && st.Query == "" {
				t.Fatal("a query statement without a query")
			}
		}
		if ht, err := parseHiveType(src); err == nil {
			if _, err := parseDuckType(ht.Duck()); err != nil {
				t.Fatalf("the DuckDB rendering %q of Hive type %q does not parse: %v", ht.Duck(), src, err)
			}
		}
		if dt, err := parseDuckType(src); err == nil {
			_ = dt.Duck()
			_, _ = dt.Hive()
		}
	})
}
