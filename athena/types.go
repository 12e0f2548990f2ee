package athena

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/gowrangler/wrangler/internal/typelex"
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
	p := &typeParser{typelex.Lexer{S: name, Kind: "Athena type", Sentinel: ErrInvalidType}}
	dt, err := p.parse(precision, scale)
	if err != nil {
		return nil, err
	}
	if err := p.Rest(); err != nil {
		return nil, err
	}
	return dt, nil
}

// typeParser is a recursive-descent parser of Trino type signatures.
type typeParser struct{ typelex.Lexer }

// word reads an identifier, lowercased: Athena's type names are
// case-insensitive.
func (p *typeParser) word() string { return strings.ToLower(p.Word()) }

// params reads an optional "(n[, m])" and returns the numbers.
func (p *typeParser) params() ([]int, error) {
	if p.Peek() != '(' {
		return nil, nil
	}
	p.Pos++
	var out []int
	for {
		n, err := p.Number(1<<31 - 1)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		switch p.Peek() {
		case ',':
			p.Pos++
		case ')':
			p.Pos++
			return out, nil
		default:
			return nil, p.Errorf("expected ',' or ')'")
		}
	}
}

// withTimeZone consumes an optional "with time zone" and reports it.
func (p *typeParser) withTimeZone() (bool, error) {
	save := p.Pos
	if p.word() != "with" {
		p.Pos = save
		return false, nil
	}
	if p.word() != "time" || p.word() != "zone" {
		return false, p.Errorf(`expected "with time zone"`)
	}
	return true, nil
}

func (p *typeParser) parse(precision, scale int32) (arrow.DataType, error) {
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	start := p.Pos
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
			return nil, p.Errorf("decimal takes at most two parameters")
		}
		if precision < 1 || precision > 38 || scale < 0 || scale > precision {
			return nil, p.Errorf("decimal(%d,%d): precision must be 1..38 and scale 0..precision", precision, scale)
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
			return nil, p.Errorf("expected interval <field> to <field>")
		}
		to := p.word()
		if !(from == "year" && to == "month" || from == "day" && to == "second") {
			return nil, p.Errorf("unknown interval %s to %s", from, to)
		}
		return arrow.BinaryTypes.String, nil
	case "unknown":
		return arrow.Null, nil
	case "array":
		if p.Peek() != '(' {
			return arrow.BinaryTypes.String, nil
		}
		p.Pos++
		elem, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		if err := p.Expect(')'); err != nil {
			return nil, err
		}
		return arrow.ListOf(elem), nil
	case "map":
		if p.Peek() != '(' {
			return arrow.BinaryTypes.String, nil
		}
		p.Pos++
		key, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		if err := p.Expect(','); err != nil {
			return nil, err
		}
		val, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		if err := p.Expect(')'); err != nil {
			return nil, err
		}
		if key.ID() == arrow.NULL || key.ID() == arrow.LIST || key.ID() == arrow.MAP || key.ID() == arrow.STRUCT {
			return nil, p.Errorf("map key type %s is not comparable", key)
		}
		return arrow.MapOf(key, val), nil
	case "row":
		if p.Peek() != '(' {
			return arrow.BinaryTypes.String, nil
		}
		p.Pos++
		return p.row()
	case "":
		if p.Pos >= len(p.S) {
			return nil, p.Errorf("expected a type name, found the end")
		}
		return nil, p.Errorf("expected a type name, found %q", p.S[p.Pos])
	}
	p.Pos = start
	p.Space()
	return nil, p.Errorf("unknown type %q", name)
}

// row parses "name type, name type)" after "row(".
func (p *typeParser) row() (arrow.DataType, error) {
	var fields []arrow.Field
	seen := map[string]bool{}
	for {
		var name string
		if p.Peek() == '"' {
			end := strings.IndexByte(p.S[p.Pos+1:], '"')
			if end < 0 {
				return nil, p.Errorf("unterminated quoted field name")
			}
			name = p.S[p.Pos+1 : p.Pos+1+end]
			p.Pos += end + 2
		} else {
			name = p.word()
		}
		if name == "" {
			return nil, p.Errorf("expected a row field name")
		}
		if seen[name] {
			return nil, p.Errorf("row field %q appears twice", name)
		}
		seen[name] = true
		ft, err := p.parse(0, 0)
		if err != nil {
			return nil, err
		}
		fields = append(fields, arrow.Field{Name: name, Type: ft, Nullable: true})
		switch p.Peek() {
		case ',':
			p.Pos++
		case ')':
			p.Pos++
			return arrow.StructOf(fields...), nil
		default:
			return nil, p.Errorf("expected ',' or ')' in row")
		}
	}
}
