package glue

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/gowrangler/wrangler/internal/typelex"
)

// Hive type names as Glue stores them and Athena's DDL reads them
// (AWS-FACTS.md 2.5).
const (
	hiveBoolean   = "boolean"
	hiveTinyint   = "tinyint"
	hiveSmallint  = "smallint"
	hiveInt       = "int"
	hiveBigint    = "bigint"
	hiveFloat     = "float"
	hiveDouble    = "double"
	hiveString    = "string"
	hiveBinary    = "binary"
	hiveDate      = "date"
	hiveTimestamp = "timestamp"
	// maxDecimalPrecision is Athena's limit for decimal(p,s).
	maxDecimalPrecision = 38
)

// HiveType returns the Glue (Hive) type string for an Arrow type, such as
// "bigint", "decimal(10,2)" or "array<struct<id:int,tags:map<string,string>>>".
//
// The mapping widens where Hive has no exact type: uint8 is smallint, uint16
// int, uint32 bigint; float16 and float32 are float; every string and binary
// flavour is string or binary; date32 and date64 are date; every timestamp
// is timestamp (Athena reads it at millisecond precision, without a zone);
// dictionaries map as their value type. Types with no counterpart are an
// error wrapping ErrUnsupportedType: uint64 (no Hive integer holds it),
// the null type (an all-null column has no type to declare), time of day,
// durations, intervals, decimals above 38 digits, unions. Give such columns
// a type explicitly (Options.TypeOverrides) or cast them first.
func HiveType(dt arrow.DataType) (string, error) {
	switch t := dt.(type) {
	case *arrow.BooleanType:
		return hiveBoolean, nil
	case *arrow.Int8Type:
		return hiveTinyint, nil
	case *arrow.Int16Type, *arrow.Uint8Type:
		return hiveSmallint, nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return hiveInt, nil
	case *arrow.Int64Type, *arrow.Uint32Type:
		return hiveBigint, nil
	case *arrow.Float16Type, *arrow.Float32Type:
		return hiveFloat, nil
	case *arrow.Float64Type:
		return hiveDouble, nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return hiveString, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType:
		return hiveBinary, nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return hiveDate, nil
	case *arrow.TimestampType:
		return hiveTimestamp, nil
	case arrow.DecimalType:
		if t.GetPrecision() > maxDecimalPrecision {
			return "", fmt.Errorf("%s: precision above %d: %w", dt, maxDecimalPrecision, ErrUnsupportedType)
		}
		return fmt.Sprintf("decimal(%d,%d)", t.GetPrecision(), t.GetScale()), nil
	case *arrow.ListType:
		return listHive(t.Elem())
	case *arrow.LargeListType:
		return listHive(t.Elem())
	case *arrow.FixedSizeListType:
		return listHive(t.Elem())
	case *arrow.MapType:
		k, err := HiveType(t.KeyType())
		if err != nil {
			return "", err
		}
		v, err := HiveType(t.ItemType())
		if err != nil {
			return "", err
		}
		return "map<" + k + "," + v + ">", nil
	case *arrow.StructType:
		parts := make([]string, t.NumFields())
		for i, f := range t.Fields() {
			ft, err := HiveType(f.Type)
			if err != nil {
				return "", fmt.Errorf("struct field %q: %w", f.Name, err)
			}
			name, err := hiveFieldName(f.Name)
			if err != nil {
				return "", err
			}
			parts[i] = name + ":" + ft
		}
		return "struct<" + strings.Join(parts, ",") + ">", nil
	case *arrow.DictionaryType:
		return HiveType(t.ValueType)
	}
	return "", fmt.Errorf("%s has no Hive counterpart: %w", dt, ErrUnsupportedType)
}

// hiveFieldName writes a struct field name as the type parser reads it:
// bare when it is a plain identifier, else in backquotes. A name holding a
// backquote cannot be written at all.
func hiveFieldName(name string) (string, error) {
	plain := name != ""
	for i := 0; plain && i < len(name); i++ {
		c := name[i]
		plain = c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	switch {
	case plain:
		return name, nil
	case name == "" || strings.ContainsRune(name, '`'):
		return "", fmt.Errorf("struct field name %q cannot be written in a Hive type: %w", name, ErrUnsupportedType)
	}
	return "`" + name + "`", nil
}

func listHive(elem arrow.DataType) (string, error) {
	e, err := HiveType(elem)
	if err != nil {
		return "", err
	}
	return "array<" + e + ">", nil
}

// ArrowType parses a Glue (Hive) type string into the Arrow type this
// package reads it as: boolean, tinyint..bigint as int8..int64, float and
// real as float32, double as float64, decimal(p,s) as decimal128 (bare
// "decimal" is Hive's decimal(10,0)), string, char(n) and varchar(n) as
// utf8, binary, date as date32, timestamp as timestamp[ms] without a zone
// (Athena's precision), array<T> as a list, map<K,V> as a map, struct<...>
// as a struct. Names are case-insensitive and spaces are allowed between
// tokens. A malformed string is an error saying where.
func ArrowType(hive string) (arrow.DataType, error) {
	p := &typeParser{typelex.Lexer{S: hive, Kind: "Hive type", Sentinel: ErrInvalidType}}
	dt, err := p.parseType()
	if err != nil {
		return nil, err
	}
	if err := p.Rest(); err != nil {
		return nil, err
	}
	return dt, nil
}

// typeParser is a recursive-descent parser of Hive type strings.
type typeParser struct{ typelex.Lexer }

func (p *typeParser) parseType() (arrow.DataType, error) {
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	start := p.Pos
	name := strings.ToLower(p.Word())
	switch name {
	case "":
		if p.Pos >= len(p.S) {
			return nil, p.Errorf("expected a type name, found the end")
		}
		return nil, p.Errorf("expected a type name, found %q", p.S[p.Pos])
	case "boolean":
		return arrow.FixedWidthTypes.Boolean, nil
	case "tinyint":
		return arrow.PrimitiveTypes.Int8, nil
	case "smallint":
		return arrow.PrimitiveTypes.Int16, nil
	case "int", "integer":
		return arrow.PrimitiveTypes.Int32, nil
	case "bigint":
		return arrow.PrimitiveTypes.Int64, nil
	case "float", "real":
		return arrow.PrimitiveTypes.Float32, nil
	case "double":
		return arrow.PrimitiveTypes.Float64, nil
	case "string":
		return arrow.BinaryTypes.String, nil
	case "char", "varchar":
		if err := p.lengthParam(name); err != nil {
			return nil, err
		}
		return arrow.BinaryTypes.String, nil
	case "binary", "varbinary":
		return arrow.BinaryTypes.Binary, nil
	case "date":
		return arrow.FixedWidthTypes.Date32, nil
	case "timestamp":
		return &arrow.TimestampType{Unit: arrow.Millisecond}, nil
	case "decimal":
		return p.decimal()
	case "array":
		if err := p.Expect('<'); err != nil {
			return nil, err
		}
		elem, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if err := p.Expect('>'); err != nil {
			return nil, err
		}
		return arrow.ListOf(elem), nil
	case "map":
		if err := p.Expect('<'); err != nil {
			return nil, err
		}
		key, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if !arrow.IsPrimitive(key.ID()) && key.ID() != arrow.STRING && key.ID() != arrow.BINARY && key.ID() != arrow.DECIMAL128 {
			return nil, p.Errorf("map keys must be a primitive type, not %s", key)
		}
		if err := p.Expect(','); err != nil {
			return nil, err
		}
		val, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if err := p.Expect('>'); err != nil {
			return nil, err
		}
		return arrow.MapOf(key, val), nil
	case "struct":
		return p.structType()
	}
	p.Pos = start
	p.Space()
	return nil, p.Errorf("unknown type %q", name)
}

// lengthParam reads the optional (n) of char and varchar.
func (p *typeParser) lengthParam(name string) error {
	if p.Peek() != '(' {
		if name == "char" {
			return p.Errorf("char needs a length, as char(n)")
		}
		return nil
	}
	p.Pos++
	n, err := p.Number(1 << 20)
	if err != nil {
		return err
	}
	limit := 65535
	if name == "char" {
		limit = 255
	}
	if n < 1 || n > limit {
		return p.Errorf("%s length %d outside 1..%d", name, n, limit)
	}
	return p.Expect(')')
}

func (p *typeParser) decimal() (arrow.DataType, error) {
	precision, scale := 10, 0 // Hive's decimal without parameters
	if p.Peek() == '(' {
		p.Pos++
		var err error
		if precision, err = p.Number(1 << 20); err != nil {
			return nil, err
		}
		if p.Peek() == ',' {
			p.Pos++
			if scale, err = p.Number(1 << 20); err != nil {
				return nil, err
			}
		}
		if err := p.Expect(')'); err != nil {
			return nil, err
		}
	}
	if precision < 1 || precision > maxDecimalPrecision || scale > precision {
		return nil, p.Errorf("decimal(%d,%d): precision must be 1..%d and scale at most the precision", precision, scale, maxDecimalPrecision)
	}
	return &arrow.Decimal128Type{Precision: int32(precision), Scale: int32(scale)}, nil
}

func (p *typeParser) structType() (arrow.DataType, error) {
	if err := p.Expect('<'); err != nil {
		return nil, err
	}
	var fields []arrow.Field
	seen := map[string]bool{}
	for {
		name := p.fieldName()
		if name == "" {
			return nil, p.Errorf("expected a struct field name")
		}
		if seen[strings.ToLower(name)] {
			return nil, p.Errorf("struct field %q appears twice", name)
		}
		seen[strings.ToLower(name)] = true
		if err := p.Expect(':'); err != nil {
			return nil, err
		}
		ft, err := p.parseType()
		if err != nil {
			return nil, err
		}
		fields = append(fields, arrow.Field{Name: name, Type: ft, Nullable: true})
		switch p.Peek() {
		case ',':
			p.Pos++
		case '>':
			p.Pos++
			return arrow.StructOf(fields...), nil
		default:
			return nil, p.Errorf("expected ',' or '>' in struct")
		}
	}
}

// fieldName reads a struct field name: an identifier, or a backquoted name.
func (p *typeParser) fieldName() string {
	if p.Peek() == '`' {
		end := strings.IndexByte(p.S[p.Pos+1:], '`')
		if end < 0 {
			return ""
		}
		name := p.S[p.Pos+1 : p.Pos+1+end]
		p.Pos += end + 2
		return name
	}
	return p.Word()
}
