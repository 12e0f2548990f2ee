package athena

import (
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Date is a calendar date, written as DATE 'yyyy-mm-dd'.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// Decimal is an exact number written as DECIMAL '<digits>', such as
// Decimal("12.50"); it keeps amounts out of floating point.
type Decimal string

// FormatQuery replaces the named placeholders of sql (":name", a colon and
// an identifier) with the values in params, each written as a SQL literal
// for its Go type, so that no value can change the query's structure:
//
//   - nil: NULL; bool: TRUE or FALSE; integers: their digits;
//   - float32/float64: a DOUBLE literal (1.5E+00), nan(), infinity() or
//     -infinity();
//   - string: a quoted literal with quotes doubled; a NUL byte or invalid
//     UTF-8 is refused;
//   - []byte: X'<hex>'; time.Time: TIMESTAMP 'yyyy-mm-dd hh:mm:ss.fff' in
//     UTC (Athena timestamps have millisecond precision); Date: DATE '...';
//     Decimal: DECIMAL '...', checked to be a number;
//   - any other slice or array: a parenthesised list of its elements for
//     IN (...), at least one element.
//
// Placeholders inside quoted strings, quoted identifiers and comments are
// left alone. A placeholder without a value, a value without a
// placeholder, and a value of another type are errors wrapping
// ErrParameter that name the parameter.
//
// Prefer Athena's execution parameters ("?" placeholders, sent separately
// to Athena) where they fit; FormatQuery is for the places they cannot go,
// such as IN lists of varying length.
func FormatQuery(sql string, params map[string]any) (string, error) {
	var b strings.Builder
	used := make(map[string]bool, len(params))
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			end := skipQuoted(sql, i, c)
			b.WriteString(sql[i:end])
			i = end
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				end = len(sql) - i
			}
			b.WriteString(sql[i : i+end])
			i += end
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				end = len(sql)
			} else {
				end = i + 2 + end + 2
			}
			b.WriteString(sql[i:end])
			i = end
		case c == ':' && i+1 < len(sql) && isIdentStart(sql[i+1]):
			j := i + 1
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			name := sql[i+1 : j]
			v, ok := params[name]
			if !ok {
				return "", fmt.Errorf("athena: placeholder :%s has no value: %w", name, ErrParameter)
			}
			lit, err := literal(v)
			if err != nil {
				return "", fmt.Errorf("athena: parameter %q: %w", name, err)
			}
			used[name] = true
			b.WriteString(lit)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	for name := range params {
		if !used[name] {
			return "", fmt.Errorf("athena: parameter %q has no :%s placeholder in the query: %w", name, name, ErrParameter)
		}
	}
	return b.String(), nil
}

// skipQuoted returns the index just past the quoted run starting at i,
// where a doubled quote is an escaped one; an unterminated run ends at the
// end of sql.
func skipQuoted(sql string, i int, quote byte) int {
	for j := i + 1; j < len(sql); j++ {
		if sql[j] == quote {
			if j+1 < len(sql) && sql[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

// literal writes one value as a SQL literal.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case string:
		return stringLiteral(x)
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'", nil
	case float64:
		return floatLiteral(x), nil
	case float32:
		return floatLiteral(float64(x)), nil
	case int:
		return strconv.Itoa(x), nil
	case int8, int16, int32, int64:
		return strconv.FormatInt(reflect.ValueOf(x).Int(), 10), nil
	case uint, uint8, uint16, uint32, uint64:
		return strconv.FormatUint(reflect.ValueOf(x).Uint(), 10), nil
	case time.Time:
		return "TIMESTAMP '" + x.UTC().Format("2006-01-02 15:04:05.000") + "'", nil
	case Date:
		if x.Year < 1 || x.Year > 9999 || x.Month < 1 || x.Month > 12 || x.Day < 1 || x.Day > 31 {
			return "", fmt.Errorf("date %d-%d-%d out of range: %w", x.Year, x.Month, x.Day, ErrParameter)
		}
		return fmt.Sprintf("DATE '%04d-%02d-%02d'", x.Year, int(x.Month), x.Day), nil
	case Decimal:
		s := strings.TrimSpace(string(x))
		if _, err := decimal128.FromString(s, 38, int32(decimalScale(s))); err != nil || strings.ContainsAny(s, "eE") {
			return "", fmt.Errorf("%q is not a decimal number: %w", string(x), ErrParameter)
		}
		return "DECIMAL '" + s + "'", nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		if rv.Len() == 0 {
			return "", fmt.Errorf("an empty list cannot be written (IN () is not SQL): %w", ErrParameter)
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			lit, err := literal(rv.Index(i).Interface())
			if err != nil {
				return "", fmt.Errorf("element %d: %w", i, err)
			}
			parts[i] = lit
		}
		return "(" + strings.Join(parts, ", ") + ")", nil
	}
	return "", fmt.Errorf("values of type %T cannot be written as SQL literals: %w", v, ErrParameter)
}

func stringLiteral(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("string is not valid UTF-8: %w", ErrParameter)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", fmt.Errorf("string contains a NUL byte: %w", ErrParameter)
	}
	// In Trino a string literal ends only at a single quote; doubling
	// every quote is the whole escape. Backslashes have no meaning.
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}

func floatLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan()"
	case math.IsInf(f, 1):
		return "infinity()"
	case math.IsInf(f, -1):
		return "-infinity()"
	}
	// The exponent form makes it a DOUBLE literal; plain digits with a
	// point would be a DECIMAL in Trino.
	return strconv.FormatFloat(f, 'E', -1, 64)
}

// decimalScale counts the digits after the point.
func decimalScale(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
