package athena

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Arrow types of Athena's scalar types. Timestamps are millisecond precision,
// as Athena renders them (AWS-FACTS.md 1.4); "timestamp with time zone" is
// normalised to UTC.
var (
	timestampType   = &arrow.TimestampType{Unit: arrow.Millisecond}
	timestampTZType = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
)

// ArrowType maps an Athena column type to Arrow: the Type of a ColumnInfo
// with its Precision and Scale (which is how decimals arrive: Type
// "decimal", Precision 10, Scale 2 — AWS-FACTS.md 1.5), or a full Trino type
// signature such as "decimal(10,2)", "array(bigint)", "map(varchar, double)"
// or "row(id bigint, name varchar)".
//
// boolean, tinyint, smallint, integer, bigint, real (and engine v1's float),
// double map to their Arrow counterparts; decimal to decimal128, never a
// float; char, varchar, string, json, ipaddress, uuid and the interval types
// to utf8 (Athena renders them as text); varbinary to binary; date to
// date32; timestamp to timestamp[ms]; timestamp with time zone to
// timestamp[ms, UTC]; time (with or without zone) to time32[ms]; unknown (the
// type of a bare NULL) to the null type. array, map and row map to list, map
// and struct when the signature carries their element types; a bare "array",
// "map" or "row" (as ColumnInfo reports them) maps to utf8, the text Athena
// renders for them.
func ArrowType(name string, precision, scale int32) (arrow.DataType, error) {
	p := &typeParser{s: name}
	dt, err := p.parse(precision, scale)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected %q after the type", p.s[p.pos:])
	}
	return dt, nil
}

type typeParser struct {
	s     string
	pos   int
	depth int
}

const maxTypeDepth = 64

func (p *typeParser) errorf(format string, args ...any) error {
	return fmt.Errorf("Athena type %q at offset %d: %s: %w", p.s, p.pos, fmt.Sprintf(format, args...), ErrInvalidType)
}

func (p *typeParser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *typeParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	return strings.ToLower(p.s[start:p.pos])
}

func (p *typeParser) peek() byte {
	p.space()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *typeParser) expect(c byte) error {
	if p.peek() != c {
		if p.pos >= len(p.s) {
			return p.errorf("expected %q, found the end", c)
		}
		return p.errorf("expected %q, found %q", c, p.s[p.pos])
	}
	p.pos++
	return nil
}

// params reads an optional "(n[, m])" and returns the numbers.
func (p *typeParser) params() ([]int, error) {
	if p.peek() != '(' {
		return nil, nil
	}
	p.pos++
	var out []int
	for {
		p.space()
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.Atoi(p.s[start:p.pos])
		if err != nil || n > 1<<31-1 {
			return nil, p.errorf("expected a number")
		}
		out = append(out, n)
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return out, nil
		default:
			return nil, p.errorf("expected ',' or ')'")
		}
	}
}

// withTimeZone consumes an optional "with time zone" and reports it.
func (p *typeParser) withTimeZone() (bool, error) {
	save := p.pos
	if p.word() != "with" {
		p.pos = save
		return false, nil
	}
	if p.word() != "time" || p.word() != "zone" {
		return false, p.errorf(`expected "with time zone"`)
	}
	return true, nil
}

func (p *typeParser) parse(precision, scale int32) (arrow.DataType, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxTypeDepth {
		return nil, p.errorf("nested deeper than %d levels", maxTypeDepth)
	}
	start := p.pos
	name := p.word()
	switch name {
	case "boolean":
		return arrow.FixedWidthTypes.Boolean, nil
	case "tinyint":
		return arrow.PrimitiveTypes.Int8, nil
	case "smallint":
		return arrow.PrimitiveTypes.Int16, nil
	case "integer", "int":
		return arrow.PrimitiveTypes.Int32, nil
	case "bigint":
		return arrow.PrimitiveTypes.Int64, nil
	case "real", "float":
		return arrow.PrimitiveTypes.Float32, nil
	case "double":
		return arrow.PrimitiveTypes.Float64, nil
	case "decimal":
		args, err := p.params()
		if err != nil {
			return nil, err
		}
		switch len(args) {
		case 0:
			// ColumnInfo carries them separately.
		case 1:
			precision, scale = int32(args[0]), 0
		case 2:
			precision, scale = int32(args[0]), int32(args[1])
		default:
			return nil, p.errorf("decimal takes at most two parameters")
		}
		if precision < 1 || precision > 38 || scale < 0 || scale > precision {
			return nil, p.errorf("decimal(%d,%d): precision must be 1..38 and scale 0..precision", precision, scale)
		}
		return &arrow.Decimal128Type{Precision: precision, Scale: scale}, nil
	case "char", "varchar", "string", "json", "ipaddress", "uuid":
		if _, err := p.params(); err != nil {
			return nil, err
		}
		return arrow.BinaryTypes.String, nil
	case "varbinary":
		return arrow.BinaryTypes.Binary, nil
	case "date":
		return arrow.FixedWidthTypes.Date32, nil
	case "timestamp":
		if _, err := p.params(); err != nil {
			return nil, err
		}
		tz, err := p.withTimeZone()
		if err != nil {
			return nil, err
		}
		if tz {
			return timestampTZType, nil
		}
		return timestampType, nil
	case "time":
		if _, err := p.params(); err != nil {
			return nil, err
		}
		if _, err := p.withTimeZone(); err != nil {
			return nil, err
		}
		return arrow.FixedWidthTypes.Time32ms, nil
	case "interval":
		// interval year to month, interval day to second
		from := p.word()
		if p.word() != "to" {
			return nil, p.errorf("expected interval <field> to <field>")
		}
		to := p.word()
		if !(from == "year" && to == "month" || from == "day" && to == "second") {
			return nil, p.errorf("unknown interval %s to %s", from, to)
		}
		return arrow.BinaryTypes.String, nil
	case "unknown":
		return arrow.Null, nil
	case "array":
		if p.peek() != '(' {
			return arrow.BinaryTypes.String, nil
		}
		p.pos++
		elem, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return arrow.ListOf(elem), nil
	case "map":
		if p.peek() != '(' {
			return arrow.BinaryTypes.String, nil
		}
		p.pos++
		key, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		val, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		if key.ID() == arrow.NULL || key.ID() == arrow.LIST || key.ID() == arrow.MAP || key.ID() == arrow.STRUCT {
			return nil, p.errorf("map key type %s is not comparable", key)
		}
		return arrow.MapOf(key, val), nil
	case "row":
		if p.peek() != '(' {
			return arrow.BinaryTypes.String, nil
		}
		p.pos++
		return p.row()
	case "":
		if p.pos >= len(p.s) {
			return nil, p.errorf("expected a type name, found the end")
		}
		return nil, p.errorf("expected a type name, found %q", p.s[p.pos])
	}
	p.pos = start
	p.space()
	return nil, p.errorf("unknown type %q", name)
}

// row parses "name type, name type)" after "row(".
func (p *typeParser) row() (arrow.DataType, error) {
	var fields []arrow.Field
	seen := map[string]bool{}
	for {
		var name string
		if p.peek() == '"' {
			end := strings.IndexByte(p.s[p.pos+1:], '"')
			if end < 0 {
				return nil, p.errorf("unterminated quoted field name")
			}
			name = p.s[p.pos+1 : p.pos+1+end]
			p.pos += end + 2
		} else {
			name = p.word()
		}
		if name == "" {
			return nil, p.errorf("expected a row field name")
		}
		if seen[name] {
			return nil, p.errorf("row field %q appears twice", name)
		}
		seen[name] = true
		ft, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		fields = append(fields, arrow.Field{Name: name, Type: ft, Nullable: true})
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return arrow.StructOf(fields...), nil
		default:
			return nil, p.errorf("expected ',' or ')' in row")
		}
	}
}
