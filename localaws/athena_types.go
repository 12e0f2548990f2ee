package localaws

// Types on the three sides of the Athena emulator: Hive DDL types (Glue
// columns, CREATE EXTERNAL TABLE), DuckDB types (what the engine computes)
// and Athena's result type names (ColumnInfo.Type, AWS-FACTS.md 1.5), and
// the rendering of values as Athena renders them in GetQueryResults and the
// result CSV (AWS-FACTS.md 1.4).

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// sqlType is a parsed type: a Hive DDL type or a DuckDB type, in one shape.
// Base is the upper-case DuckDB name of the type (INTEGER, VARCHAR,
// DECIMAL, LIST, STRUCT, MAP, TIMESTAMP WITH TIME ZONE ...).
type sqlType struct {
	Base   string
	Width  int // DECIMAL precision; char/varchar length when declared
	Scale  int
	Elem   *sqlType // LIST and fixed-size ARRAY
	Key    *sqlType // MAP
	Value  *sqlType
	Fields []sqlField // STRUCT
}

// sqlField is a STRUCT field; Name is "" for DuckDB's unnamed fields.
type sqlField struct {
	Name string
	Type *sqlType
}

// hivePrimitives maps Hive DDL primitive names to DuckDB types.
var hivePrimitives = map[string]string{
	"string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR",
	"tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER", "integer": "INTEGER", "bigint": "BIGINT",
	"float": "FLOAT", "real": "FLOAT", "double": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE",
	"timestamp": "TIMESTAMP", "binary": "BLOB", "decimal": "DECIMAL",
}

// parseHiveType parses a Hive DDL type such as
// array<struct<a:int,b:decimal(10,2)>>.
func parseHiveType(s string) (*sqlType, error) {
	toks, err := sqlLex(s)
	if err != nil {
		return nil, fmt.Errorf("type %q: %v", s, err)
	}
	p := &sqlParser{toks: toks}
	t, err := p.hiveType(0)
	if err != nil {
		return nil, fmt.Errorf("type %q: %v", s, err)
	}
	if !p.eof() {
		return nil, fmt.Errorf("type %q: unexpected %q", s, p.peek().text)
	}
	return t, nil
}

func (p *sqlParser) hiveType(depth int) (*sqlType, error) {
	if depth > maxTypeDepth {
		return nil, syntaxErr("type nested too deeply")
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	switch name {
	case "array":
		if err := p.expectPunct("<"); err != nil {
			return nil, err
		}
		elem, err := p.hiveType(depth + 1)
		if err != nil {
			return nil, err
		}
		return &sqlType{Base: "LIST", Elem: elem}, p.expectPunct(">")
	case "map":
		if err := p.expectPunct("<"); err != nil {
			return nil, err
		}
		k, err := p.hiveType(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
		v, err := p.hiveType(depth + 1)
		if err != nil {
			return nil, err
		}
		return &sqlType{Base: "MAP", Key: k, Value: v}, p.expectPunct(">")
	case "struct":
		if err := p.expectPunct("<"); err != nil {
			return nil, err
		}
		t := &sqlType{Base: "STRUCT"}
		for {
			fname, err := p.ident()
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct(":"); err != nil {
				return nil, err
			}
			ft, err := p.hiveType(depth + 1)
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, sqlField{Name: fname, Type: ft})
			if p.peek().isPunct(">") {
				p.at++
				return t, nil
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
	}
	base, ok := hivePrimitives[name]
	if !ok {
		return nil, syntaxErr("unknown type %s", name)
	}
	t := &sqlType{Base: base}
	ps, err := p.typeParams()
	if err != nil {
		return nil, err
	}
	switch {
	case base == "DECIMAL":
		t.Width, t.Scale = 10, 0 // Hive's default decimal is decimal(10,0)
		if len(ps) >= 1 {
			t.Width = ps[0]
		}
		if len(ps) == 2 {
			t.Scale = ps[1]
		}
		if len(ps) > 2 || t.Width < 1 || t.Width > 38 || t.Scale > t.Width {
			return nil, syntaxErr("bad decimal precision or scale")
		}
	case (name == "char" || name == "varchar") && len(ps) == 1:
		t.Width = ps[0]
	case len(ps) > 0:
		return nil, syntaxErr("type %s takes no parameters", name)
	}
	return t, nil
}

// parseDuckType parses a DuckDB type as DESCRIBE prints it.
func parseDuckType(s string) (*sqlType, error) {
	toks, err := sqlLex(s)
	if err != nil {
		return nil, fmt.Errorf("DuckDB type %q: %v", s, err)
	}
	p := &sqlParser{toks: toks}
	t, err := p.duckType(0)
	if err != nil {
		return nil, fmt.Errorf("DuckDB type %q: %v", s, err)
	}
	if !p.eof() {
		return nil, fmt.Errorf("DuckDB type %q: unexpected %q", s, p.peek().text)
	}
	return t, nil
}

func (p *sqlParser) duckType(depth int) (*sqlType, error) {
	if depth > maxTypeDepth {
		return nil, syntaxErr("type nested too deeply")
	}
	tok := p.peek()
	if tok.kind != sqlIdent && tok.kind != sqlQuoted {
		return nil, syntaxErr("expected a type %s", p.where())
	}
	p.at++
	t := &sqlType{Base: strings.ToUpper(tok.value)}
	switch t.Base {
	case "STRUCT", "UNION":
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		for {
			var f sqlField
			// "name TYPE" or a bare TYPE for an unnamed field.
			if nt := p.peek(); nt.kind == sqlQuoted || nt.kind == sqlIdent {
				if p.at+1 < len(p.toks) && (p.toks[p.at+1].kind == sqlIdent || p.toks[p.at+1].kind == sqlQuoted) {
					f.Name = nt.value
					p.at++
				}
			}
			ft, err := p.duckType(depth + 1)
			if err != nil {
				return nil, err
			}
			f.Type = ft
			t.Fields = append(t.Fields, f)
			if p.peek().isPunct(")") {
				p.at++
				break
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
	case "MAP":
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		k, err := p.duckType(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
		v, err := p.duckType(depth + 1)
		if err != nil {
			return nil, err
		}
		t.Key, t.Value = k, v
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
	case "DECIMAL":
		ps, err := p.typeParams()
		if err != nil {
			return nil, err
		}
		t.Width, t.Scale = 18, 3 // DuckDB's default DECIMAL
		if len(ps) >= 1 {
			t.Width = ps[0]
		}
		if len(ps) >= 2 {
			t.Scale = ps[1]
		}
	case "ENUM":
		// ENUM('a', 'b'): the members do not matter here.
		if p.peek().isPunct("(") {
			end := matchingParen(p.toks, p.at)
			if end < 0 {
				return nil, syntaxErr("unbalanced ENUM")
			}
			p.at = end + 1
		}
	case "TIMESTAMP", "TIME":
		if p.accept("with", "time", "zone") {
			t.Base += " WITH TIME ZONE"
		}
	default:
		if _, err := p.typeParams(); err != nil {
			return nil, err
		}
	}
	// Suffixes: [] is a LIST, [n] a fixed-size ARRAY.
	for p.peek().isPunct("[") {
		p.at++
		if p.peek().kind == sqlNumber {
			p.at++
		}
		if err := p.expectPunct("]"); err != nil {
			return nil, err
		}
		t = &sqlType{Base: "LIST", Elem: t}
	}
	return t, nil
}

// Duck renders the type as DuckDB SQL, naming unnamed STRUCT fields
// field0, field1 ... as Trino names anonymous row fields.
func (t *sqlType) Duck() string {
	switch t.Base {
	case "LIST":
		return t.Elem.Duck() + "[]"
	case "MAP":
		return "MAP(" + t.Key.Duck() + ", " + t.Value.Duck() + ")"
	case "STRUCT":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = sqlQuoteIdent(f.fieldName(i)) + " " + f.Type.Duck()
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	case "DECIMAL":
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Width, t.Scale)
	case "UNION", "ENUM", "JSON", "UUID", "BIT", "BIGNUM", "VARINT", "GEOMETRY", "UHUGEINT", `NULL`:
		return "VARCHAR"
	}
	return t.Base
}

// fieldName names field i, inventing Trino's name for an unnamed field.
func (f sqlField) fieldName(i int) string {
	if f.Name == "" {
		return "field" + strconv.Itoa(i)
	}
	return f.Name
}

// needsCast reports whether a result column of this type must be cast
// before database/sql scans it: unnamed STRUCT fields (which duckdb-go
// cannot scan), and types scanned as VARCHAR (JSON, UUID, ENUM ...).
func (t *sqlType) needsCast() bool {
	switch t.Base {
	case "LIST":
		return t.Elem.needsCast()
	case "MAP":
		return t.Key.needsCast() || t.Value.needsCast()
	case "STRUCT":
		for _, f := range t.Fields {
			if f.Name == "" || f.Type.needsCast() {
				return true
			}
		}
		return false
	}
	return t.Duck() != t.Base && t.Base != "DECIMAL"
}

// Hive renders the type as a Hive DDL type, for the Glue columns of a CTAS
// table.
func (t *sqlType) Hive() (string, error) {
	switch t.Base {
	case "BOOLEAN":
		return "boolean", nil
	case "TINYINT", "UTINYINT":
		return "tinyint", nil
	case "SMALLINT", "USMALLINT":
		return "smallint", nil
	case "INTEGER", "UINTEGER":
		return "int", nil
	case "BIGINT", "UBIGINT", "HUGEINT":
		return "bigint", nil
	case "FLOAT":
		return "float", nil
	case "DOUBLE":
		return "double", nil
	case "DECIMAL":
		return fmt.Sprintf("decimal(%d,%d)", t.Width, t.Scale), nil
	case "VARCHAR", "JSON", "UUID", "ENUM":
		return "string", nil
	case "BLOB":
		return "binary", nil
	case "DATE":
		return "date", nil
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE":
		return "timestamp", nil
	case "LIST":
		e, err := t.Elem.Hive()
		return "array<" + e + ">", err
	case "MAP":
		k, err := t.Key.Hive()
		if err != nil {
			return "", err
		}
		v, err := t.Value.Hive()
		return "map<" + k + "," + v + ">", err
	case "STRUCT":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			ft, err := f.Type.Hive()
			if err != nil {
				return "", err
			}
			parts[i] = f.fieldName(i) + ":" + ft
		}
		return "struct<" + strings.Join(parts, ",") + ">", nil
	}
	return "", fmt.Errorf("a column of type %s cannot be stored in a Hive table", t.Base)
}

// athenaColumn is the ColumnInfo of a result column.
type athenaColumn struct {
	Type          string
	Precision     int32
	Scale         int32
	CaseSensitive bool
}

// athenaColumnOf maps a DuckDB result type, with the SQL's declared hint,
// to Athena's ColumnInfo type (AWS-FACTS.md 1.5). The precisions of
// varchar (2147483647), bigint (19), integer (10) and date (0) are the
// observed ones, decimal's is its declared precision, real's is 0 (engine
// v2+); the others are Guesses: the number of decimal digits of the type's
// range for the integer types, 17 for double, 3 for the millisecond
// time types, 0 for the rest. CaseSensitive is true for the character
// types only (observed for varchar).
func athenaColumnOf(t *sqlType, hint athenaTypeHint, intervalMonths bool) athenaColumn {
	if hint.Type != "" {
		switch hint.Type {
		case "char":
			return athenaColumn{Type: "char", Precision: int32(hint.Precision), CaseSensitive: true}
		case "varchar":
			return athenaColumn{Type: "varchar", Precision: int32(hint.Precision), CaseSensitive: true}
		case "ipaddress":
			return athenaColumn{Type: "ipaddress", Precision: 39}
		case "unknown":
			return athenaColumn{Type: "unknown"}
		case "interval year to month", "interval day to second":
			if t.Base == "INTERVAL" {
				return athenaColumn{Type: hint.Type}
			}
		}
	}
	switch t.Base {
	case "BOOLEAN":
		return athenaColumn{Type: "boolean"}
	case "TINYINT":
		return athenaColumn{Type: "tinyint", Precision: 3}
	case "SMALLINT", "UTINYINT":
		return athenaColumn{Type: "smallint", Precision: 5}
	case "INTEGER", "USMALLINT":
		return athenaColumn{Type: "integer", Precision: 10}
	case "BIGINT", "UINTEGER", "UBIGINT", "HUGEINT":
		// Guess: DuckDB widens sum(bigint) to HUGEINT where Trino keeps
		// bigint; Athena users expect bigint.
		return athenaColumn{Type: "bigint", Precision: 19}
	case "FLOAT":
		return athenaColumn{Type: "real"}
	case "DOUBLE":
		return athenaColumn{Type: "double", Precision: 17}
	case "DECIMAL":
		return athenaColumn{Type: "decimal", Precision: int32(t.Width), Scale: int32(t.Scale)}
	case "VARCHAR", "ENUM", "BIT", "UNION", "UHUGEINT", "BIGNUM", "VARINT":
		return athenaColumn{Type: "varchar", Precision: 2147483647, CaseSensitive: true}
	case "JSON":
		return athenaColumn{Type: "json", CaseSensitive: true}
	case "UUID":
		return athenaColumn{Type: "uuid"}
	case "BLOB":
		return athenaColumn{Type: "varbinary", Precision: 2147483647}
	case "DATE":
		return athenaColumn{Type: "date"}
	case "TIME":
		return athenaColumn{Type: "time", Precision: 3}
	case "TIME WITH TIME ZONE", "TIMETZ":
		return athenaColumn{Type: "time with time zone", Precision: 3}
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return athenaColumn{Type: "timestamp", Precision: 3}
	case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
		return athenaColumn{Type: "timestamp with time zone", Precision: 3}
	case "INTERVAL":
		// Guess: DuckDB has one interval type; a column whose values are
		// whole months is Trino's interval year to month, any other
		// interval day to second.
		if intervalMonths {
			return athenaColumn{Type: "interval year to month"}
		}
		return athenaColumn{Type: "interval day to second"}
	case "LIST":
		return athenaColumn{Type: "array"}
	case "MAP":
		return athenaColumn{Type: "map"}
	case "STRUCT":
		return athenaColumn{Type: "row"}
	case "GEOMETRY":
		return athenaColumn{Type: "geometry"}
	}
	return athenaColumn{Type: "unknown"}
}

// renderAthena renders a scanned value as Athena's text (AWS-FACTS.md 1.4);
// ok is false for NULL. interval tells how an INTERVAL column renders.
func renderAthena(v any, t *sqlType, col athenaColumn) (string, bool) {
	if v == nil {
		return "", false
	}
	return renderValue(v, t, col.Type), true
}

// renderValue renders a non-NULL value; nested NULLs render as null.
func renderValue(v any, t *sqlType, athenaType string) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case *big.Int:
		return x.String()
	case float32:
		return javaFloatString(float64(x), 32)
	case float64:
		return javaFloatString(x, 64)
	case duckdb.Decimal:
		return decimalString(x.Value, int(x.Scale))
	case string:
		return x
	case []byte:
		// varbinary: space-separated hex bytes (AWS-FACTS.md 1.4).
		var b strings.Builder
		for i, c := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%02x", c)
		}
		return b.String()
	case time.Time:
		switch t.Base {
		case "DATE":
			return x.Format("2006-01-02")
		case "TIME":
			return x.Format("15:04:05.000")
		case "TIME WITH TIME ZONE", "TIMETZ":
			return x.Format("15:04:05.000-07:00")
		case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
			return x.UTC().Format("2006-01-02 15:04:05.000") + " UTC"
		}
		return x.Format("2006-01-02 15:04:05.000")
	case duckdb.Interval:
		if athenaType == "interval year to month" {
			m := int64(x.Months)
			sign := ""
			if m < 0 {
				sign, m = "-", -m
			}
			return fmt.Sprintf("%s%d-%d", sign, m/12, m%12)
		}
		// Months count as 30 days here; Trino's day-to-second interval has
		// no months.
		total := (int64(x.Months)*30+int64(x.Days))*86_400_000_000 + x.Micros
		sign := ""
		if total < 0 {
			sign, total = "-", -total
		}
		ms := total / 1000
		return fmt.Sprintf("%s%d %02d:%02d:%02d.%03d", sign, ms/86_400_000, ms/3_600_000%24, ms/60_000%60, ms/1000%60, ms%1000)
	case []any:
		parts := make([]string, len(x))
		elem := t
		if t != nil && t.Elem != nil {
			elem = t.Elem
		}
		for i, e := range x {
			parts[i] = renderValue(e, elem, "")
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case duckdb.OrderedMap:
		return renderMap(&x, t)
	case *duckdb.OrderedMap:
		return renderMap(x, t)
	case map[string]any:
		// A row: fields in declared order, as {name=value, ...}.
		var parts []string
		if t != nil && t.Base == "STRUCT" {
			for i, f := range t.Fields {
				parts = append(parts, f.fieldName(i)+"="+renderValue(x[f.fieldName(i)], f.Type, ""))
			}
		} else {
			for _, k := range sortedKeys(x) {
				parts = append(parts, k+"="+renderValue(x[k], nil, ""))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func renderMap(m *duckdb.OrderedMap, t *sqlType) string {
	var kt, vt *sqlType
	if t != nil {
		kt, vt = t.Key, t.Value
	}
	keys, vals := m.Keys(), m.Values()
	parts := make([]string, len(keys))
	for i := range keys {
		parts[i] = renderValue(keys[i], kt, "") + "=" + renderValue(vals[i], vt, "")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// decimalString renders an unscaled decimal with scale fractional digits.
func decimalString(v *big.Int, scale int) string {
	if v == nil {
		return "0"
	}
	s := new(big.Int).Abs(v).String()
	if scale > 0 {
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if v.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// javaFloatString renders a double or real as Java's Double.toString and
// Float.toString do, which is what Trino prints: plain notation with at
// least one fractional digit for magnitudes in [1e-3, 1e7), computerised
// scientific notation (1.0E10) outside it, shortest round-trip digits.
func javaFloatString(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
