package athena

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormatQuery(t *testing.T) {
	ts := time.Date(2026, 11, 25, 14, 3, 9, 123456789, time.FixedZone("CET", 3600))
	tests := []struct {
		name, sql string
		params    map[string]any
		want      string
	}{
		{"string", "SELECT * FROM t WHERE name = :name", map[string]any{"name": "O'Brien"}, "SELECT * FROM t WHERE name = 'O''Brien'"},
		{"ints and bool", "SELECT :a, :b, :c, :d", map[string]any{"a": 42, "b": int8(-3), "c": uint64(math.MaxUint64), "d": true},
			"SELECT 42, -3, 18446744073709551615, TRUE"},
		{"floats", "SELECT :a, :b, :c, :d", map[string]any{"a": 1.5, "b": math.NaN(), "c": math.Inf(-1), "d": float32(0.25)},
			"SELECT 1.5E+00, nan(), -infinity(), 2.5E-01"},
		{"time in UTC", "SELECT :t", map[string]any{"t": ts}, "SELECT TIMESTAMP '2026-11-25 13:03:09.123'"},
		{"date", "SELECT :d", map[string]any{"d": DateOf(ts)}, "SELECT DATE '2026-11-25'"},
		{"decimal", "SELECT :d", map[string]any{"d": Decimal("-12.50")}, "SELECT DECIMAL '-12.50'"},
		{"bytes", "SELECT :b", map[string]any{"b": []byte{0, 0xab}}, "SELECT X'00ab'"},
		{"null", "SELECT :n", map[string]any{"n": nil}, "SELECT NULL"},
		{"IN list", "SELECT 1 WHERE x IN :ids AND y IN :names", map[string]any{"ids": []int{1, 2, 3}, "names": []string{"a", "b'"}},
			"SELECT 1 WHERE x IN (1, 2, 3) AND y IN ('a', 'b''')"},
		{"repeated placeholder", "SELECT :x + :x", map[string]any{"x": 1}, "SELECT 1 + 1"},
		{"left alone in literals and comments",
			"SELECT ':x', \":x\", 'it''s :x' -- :x\n, /* :x */ :x",
			map[string]any{"x": 7},
			"SELECT ':x', \":x\", 'it''s :x' -- :x\n, /* :x */ 7"},
		{"execution parameters untouched", "SELECT ? , :x", map[string]any{"x": "a"}, "SELECT ? , 'a'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FormatQuery(tt.sql, tt.params)
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []struct {
		name, sql string
		params    map[string]any
		mention   string
	}{
		{"missing value", "SELECT :x", nil, ":x"},
		{"unused value", "SELECT 1", map[string]any{"x": 1}, `"x"`},
		{"NUL byte", "SELECT :s", map[string]any{"s": "a\x00b"}, "NUL"},
		{"invalid UTF-8", "SELECT :s", map[string]any{"s": "\xff"}, "UTF-8"},
		{"empty list", "SELECT :l", map[string]any{"l": []int{}}, "empty"},
		{"bad element", "SELECT :l", map[string]any{"l": []any{1, struct{}{}}}, "element 1"},
		{"bad decimal", "SELECT :d", map[string]any{"d": Decimal("1; DROP TABLE t")}, "decimal"},
		{"exponent decimal", "SELECT :d", map[string]any{"d": Decimal("1e5")}, "decimal"},
		{"bad date", "SELECT :d", map[string]any{"d": Date{2026, 13, 1}}, "out of range"},
		{"unsupported type", "SELECT :m", map[string]any{"m": map[string]int{}}, "map[string]int"},
	} {
		t.Run("refuses "+bad.name, func(t *testing.T) {
			got, err := FormatQuery(bad.sql, bad.params)
			if !errors.Is(err, ErrParameter) || !strings.Contains(err.Error(), bad.mention) {
				t.Fatalf("got %q, %v; want ErrParameter mentioning %s", got, err, bad.mention)
			}
		})
	}
}

// decodeStringLiteral is an independent reader of one Trino string literal:
// it returns the value and the rest of the input after the closing quote.
func decodeStringLiteral(s string) (value, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

// Attempts to break out of a string literal must come back as exactly that
// literal, with nothing after it.
func TestFormatQueryInjectionCorpus(t *testing.T) {
	corpus := []string{
		"'", "''", "';--", "' OR '1'='1", "x'); DROP TABLE users; --", `\'; DROP TABLE t; --`,
		"'/*", "*/'", "\\", "\\\\'", "a'b'c", "'''''", "\n' UNION SELECT password FROM users --",
		"é'ß'日本", "\u2019 smart quote", "' || chr(39) || '", "$$", "`", `"`, ":x", "?", "; SELECT 1",
		strings.Repeat("'", 1000),
	}
	for _, s := range corpus {
		got, err := FormatQuery("SELECT :v", map[string]any{"v": s})
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		value, rest, ok := decodeStringLiteral(strings.TrimPrefix(got, "SELECT "))
		if !ok || rest != "" || value != s {
			t.Fatalf("%q became %q: decoded %q with %q left over", s, got, value, rest)
		}
		// Inside an IN list too.
		got, err = FormatQuery("SELECT 1 WHERE x IN :v", map[string]any{"v": []string{s, s}})
		if err != nil {
			t.Fatal(err)
		}
		list := strings.TrimSuffix(strings.TrimPrefix(got, "SELECT 1 WHERE x IN ("), ")")
		first, rest, ok := decodeStringLiteral(list)
		second, tail, ok2 := decodeStringLiteral(strings.TrimPrefix(rest, ", "))
		if !ok || !ok2 || first != s || second != s || tail != "" {
			t.Fatalf("%q in a list became %q", s, got)
		}
	}
}

func FuzzFormatQuery(f *testing.F) {
	f.Add("SELECT :v FROM t WHERE a = ':v' -- :v", "x'y")
	f.Fuzz(func(t *testing.T, sql, value string) {
		out, err := FormatQuery(sql, map[string]any{"v": value})
		if err != nil {
			return
		}
		// The value can only appear as a literal: removing every literal
		// the value produced must give back the query with placeholders
		// substituted by nothing else.
		lit, err := stringLiteral(value)
		if err != nil {
			t.Fatalf("FormatQuery accepted %q but stringLiteral refuses it: %v", value, err)
		}
		if !strings.Contains(out, lit) {
			t.Fatalf("%q with %q gave %q, which lacks the literal %s", sql, value, out, lit)
		}
	})
}
