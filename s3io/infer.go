package s3io

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Text type inference, for CSV. A column's type is the narrowest of these
// that every non-null value in the sample parses as:
//
//	bool        true / false, any case
//	int64       decimal integers without a leading zero ("08123" is text)
//	float64     decimal numbers, exponents, NaN, Inf
//	date32      YYYY-MM-DD
//	timestamp   RFC 3339, or "YYYY-MM-DD HH:MM:SS[.fraction]" read as UTC;
//	            microseconds, zone UTC (dates mix in as midnight)
//	string      anything else, and columns with no value in the sample
var timestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// typeGuess accumulates what the sampled values of a column could be.
type typeGuess struct {
	seen                                      bool
	notBool, notInt, notFloat, notDate, notTS bool
}

func (g *typeGuess) observe(v []byte) {
	g.seen = true
	if !g.notBool && !isBool(v) {
		g.notBool = true
	}
	if !g.notInt {
		if _, ok := parseInt(v); !ok {
			g.notInt = true
		}
	}
	if !g.notFloat && g.notInt {
		if _, ok := parseFloat(v); !ok {
			g.notFloat = true
		}
	}
	if !g.notDate {
		if _, ok := parseDate(v); !ok {
			g.notDate = true
		}
	}
	if !g.notTS && g.notDate {
		if _, ok := parseTimestamp(v); !ok {
			g.notTS = true
		}
	}
}

func (g *typeGuess) dataType() arrow.DataType {
	switch {
	case !g.seen:
		return arrow.BinaryTypes.String
	case !g.notBool:
		return arrow.FixedWidthTypes.Boolean
	case !g.notInt:
		return arrow.PrimitiveTypes.Int64
	case !g.notFloat:
		return arrow.PrimitiveTypes.Float64
	case !g.notDate:
		return arrow.FixedWidthTypes.Date32
	case !g.notTS:
		return timestampUTC
	}
	return arrow.BinaryTypes.String
}

// unsafeString views b as a string for parsing; the string must not be
// kept.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func isBool(v []byte) bool {
	_, ok := parseBool(v)
	return ok
}

func parseBool(v []byte) (bool, bool) {
	switch {
	case bytes.EqualFold(v, []byte("true")):
		return true, true
	case bytes.EqualFold(v, []byte("false")):
		return false, true
	}
	return false, false
}

// hasLeadingZero reports digits with a superfluous leading zero, such as
// the zip code 08123, which must stay text.
func hasLeadingZero(v []byte) bool {
	if len(v) > 0 && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	return len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9'
}

func parseInt(v []byte) (int64, bool) {
	if len(v) == 0 || hasLeadingZero(v) {
		return 0, false
	}
	for i, c := range v {
		if (c < '0' || c > '9') && !(i == 0 && (c == '-' || c == '+') && len(v) > 1) {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(unsafeString(v), 10, 64)
	return n, err == nil
}

func parseFloat(v []byte) (float64, bool) {
	if len(v) == 0 || hasLeadingZero(v) {
		return 0, false
	}
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			switch string(bytes.ToLower(v)) {
			case "nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity":
				f, err := strconv.ParseFloat(unsafeString(v), 64)
				return f, err == nil
			}
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(unsafeString(v), 64)
	return f, err == nil
}

func parseDate(v []byte) (int32, bool) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return 0, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(v[0:4])
	m, ok2 := num(v[5:7])
	d, ok3 := num(v[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, false
	}
	return int32(daysFromCivil(y, m, d)), true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the day number since 1970-01-01 of a proleptic
// Gregorian date (Howard Hinnant's algorithm), without time.Parse's cost.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

// parseTimestamp parses a timestamp to microseconds since the epoch, UTC.
func parseTimestamp(v []byte) (int64, bool) {
	if len(v) < 19 || v[4] != '-' {
		if d, ok := parseDate(v); ok {
			return int64(d) * 86400 * 1e6, true
		}
		return 0, false
	}
	if us, ok := parseTimestampFast(v); ok {
		return us, true
	}
	s := unsafeString(v)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMicro(), true
		}
	}
	return 0, false
}

// parseTimestampFast parses the common shape YYYY-MM-DD[T ]HH:MM:SS, an
// optional fraction of 1 to 9 digits and an optional Z or ±HH:MM, without
// time.Parse, which dominated CSV decoding of timestamp columns. Anything
// else reports false and goes to the layouts, which also decide every
// value the fast path refuses, so both paths accept the same inputs.
func parseTimestampFast(v []byte) (int64, bool) {
	if len(v) < 19 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != ' ') || v[13] != ':' || v[16] != ':' {
		return 0, false
	}
	days, ok := parseDate(v[:10])
	if !ok {
		return 0, false
	}
	two := func(b []byte) (int, bool) {
		if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
			return 0, false
		}
		return int(b[0]-'0')*10 + int(b[1]-'0'), true
	}
	h, ok1 := two(v[11:13])
	m, ok2 := two(v[14:16])
	sec, ok3 := two(v[17:19])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	rest := v[19:]
	var micros int64
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		digits := rest[1:n]
		if len(digits) == 0 || len(digits) > 9 {
			return 0, false
		}
		for i := range 6 {
			micros *= 10
			if i < len(digits) {
				micros += int64(digits[i] - '0')
			}
		}
		rest = rest[n:]
	}
	var offset int64 // seconds east of UTC
	switch {
	case len(rest) == 0: // UTC, as the layouts without a zone read it
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := two(rest[1:3])
		om, ok2 := two(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		offset = int64(oh*3600 + om*60)
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	secs := int64(days)*86400 + int64(h*3600+m*60+sec) - offset
	return secs*1e6 + micros, true
}

// textColumn appends text values to an Arrow builder of one type.
type textColumn struct {
	name string
	dt   arrow.DataType
	b    array.Builder
}

func newTextColumn(mem memory.Allocator, f arrow.Field) (*textColumn, error) {
	switch f.Type.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.DATE32, arrow.TIMESTAMP, arrow.NULL:
	default:
		return nil, fmt.Errorf("column %q: type %s cannot be read from text: %w", f.Name, f.Type, ErrInvalidOption)
	}
	return &textColumn{name: f.Name, dt: f.Type, b: array.NewBuilder(mem, f.Type)}, nil
}

// appendText parses v as the column's type and appends it; ok is false
// when v does not parse.
func (c *textColumn) appendText(v []byte) bool {
	switch b := c.b.(type) {
	case *array.StringBuilder:
		b.BinaryBuilder.Append(v)
	case *array.LargeStringBuilder:
		b.BinaryBuilder.Append(v)
	case *array.BinaryBuilder:
		b.Append(v)
	case *array.Int64Builder:
		n, ok := parseInt(v)
		if !ok {
			return false
		}
		b.Append(n)
	case *array.Float64Builder:
		f, ok := parseFloat(v)
		if !ok {
			if n, iok := parseInt(v); iok {
				f, ok = float64(n), true
			}
		}
		if !ok {
			return false
		}
		b.Append(f)
	case *array.BooleanBuilder:
		x, ok := parseBool(v)
		if !ok {
			return false
		}
		b.Append(x)
	case *array.Date32Builder:
		d, ok := parseDate(v)
		if !ok {
			return false
		}
		b.Append(arrow.Date32(d))
	case *array.TimestampBuilder:
		us, ok := parseTimestamp(v)
		if !ok {
			return false
		}
		switch c.dt.(*arrow.TimestampType).Unit {
		case arrow.Second:
			b.Append(arrow.Timestamp(us / 1e6))
		case arrow.Millisecond:
			b.Append(arrow.Timestamp(us / 1e3))
		case arrow.Microsecond:
			b.Append(arrow.Timestamp(us))
		default:
			b.Append(arrow.Timestamp(us * 1e3))
		}
	case *array.Float32Builder:
		f, ok := parseFloat(v)
		if !ok {
			if n, iok := parseInt(v); iok {
				f, ok = float64(n), true
			}
		}
		if !ok {
			return false
		}
		b.Append(float32(f))
	case *array.Int32Builder, *array.Int16Builder, *array.Int8Builder,
		*array.Uint8Builder, *array.Uint16Builder, *array.Uint32Builder, *array.Uint64Builder:
		return appendNarrowInt(c.b, v)
	case *array.NullBuilder:
		return false
	default:
		return false
	}
	return true
}

// appendNarrowInt appends v to an integer builder narrower than int64 or
// unsigned, refusing values out of its range.
func appendNarrowInt(b array.Builder, v []byte) bool {
	s := unsafeString(v)
	if hasLeadingZero(v) {
		return false
	}
	switch b := b.(type) {
	case *array.Int32Builder:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return false
		}
		b.Append(int32(n))
	case *array.Int16Builder:
		n, err := strconv.ParseInt(s, 10, 16)
		if err != nil {
			return false
		}
		b.Append(int16(n))
	case *array.Int8Builder:
		n, err := strconv.ParseInt(s, 10, 8)
		if err != nil {
			return false
		}
		b.Append(int8(n))
	case *array.Uint8Builder:
		n, err := strconv.ParseUint(s, 10, 8)
		if err != nil {
			return false
		}
		b.Append(uint8(n))
	case *array.Uint16Builder:
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return false
		}
		b.Append(uint16(n))
	case *array.Uint32Builder:
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return false
		}
		b.Append(uint32(n))
	case *array.Uint64Builder:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return false
		}
		b.Append(n)
	default:
		return false
	}
	return true
}
