package glue

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestHiveType(t *testing.T) {
	tests := []struct {
		arrow arrow.DataType
		want  string
	}{
		{arrow.FixedWidthTypes.Boolean, "boolean"},
		{arrow.PrimitiveTypes.Int8, "tinyint"},
		{arrow.PrimitiveTypes.Int16, "smallint"},
		{arrow.PrimitiveTypes.Int32, "int"},
		{arrow.PrimitiveTypes.Int64, "bigint"},
		{arrow.PrimitiveTypes.Uint8, "smallint"},
		{arrow.PrimitiveTypes.Uint16, "int"},
		{arrow.PrimitiveTypes.Uint32, "bigint"},
		{arrow.FixedWidthTypes.Float16, "float"},
		{arrow.PrimitiveTypes.Float32, "float"},
		{arrow.PrimitiveTypes.Float64, "double"},
		{arrow.BinaryTypes.String, "string"},
		{arrow.BinaryTypes.LargeString, "string"},
		{arrow.BinaryTypes.Binary, "binary"},
		{&arrow.FixedSizeBinaryType{ByteWidth: 16}, "binary"},
		{arrow.FixedWidthTypes.Date32, "date"},
		{arrow.FixedWidthTypes.Date64, "date"},
		{&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, "timestamp"},
		{&arrow.Decimal128Type{Precision: 38, Scale: 9}, "decimal(38,9)"},
		{&arrow.Decimal256Type{Precision: 20, Scale: 2}, "decimal(20,2)"},
		{arrow.ListOf(arrow.PrimitiveTypes.Int32), "array<int>"},
		{arrow.LargeListOf(arrow.BinaryTypes.String), "array<string>"},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.ListOf(arrow.PrimitiveTypes.Float64)), "map<string,array<double>>"},
		{arrow.StructOf(arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64}, arrow.Field{Name: "tags", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)}),
			"struct<id:bigint,tags:map<string,string>>"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, "string"},
	}
	for _, tt := range tests {
		t.Run(tt.arrow.String(), func(t *testing.T) {
			got, err := HiveType(tt.arrow)
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, dt := range []arrow.DataType{
		arrow.PrimitiveTypes.Uint64, arrow.Null, arrow.FixedWidthTypes.Time32ms, arrow.FixedWidthTypes.Duration_s,
		&arrow.Decimal256Type{Precision: 60, Scale: 2}, arrow.ListOf(arrow.PrimitiveTypes.Uint64),
		arrow.StructOf(arrow.Field{Name: "t", Type: arrow.FixedWidthTypes.Time64us}),
	} {
		t.Run("refuses "+dt.String(), func(t *testing.T) {
			if got, err := HiveType(dt); !errors.Is(err, ErrUnsupportedType) {
				t.Fatalf("got %q, %v; want ErrUnsupportedType", got, err)
			}
		})
	}
}

func TestArrowType(t *testing.T) {
	ms := &arrow.TimestampType{Unit: arrow.Millisecond}
	tests := []struct {
		hive string
		want arrow.DataType
	}{
		{"boolean", arrow.FixedWidthTypes.Boolean},
		{"TINYINT", arrow.PrimitiveTypes.Int8},
		{"smallint", arrow.PrimitiveTypes.Int16},
		{"int", arrow.PrimitiveTypes.Int32},
		{"integer", arrow.PrimitiveTypes.Int32},
		{"bigint", arrow.PrimitiveTypes.Int64},
		{"float", arrow.PrimitiveTypes.Float32},
		{"real", arrow.PrimitiveTypes.Float32},
		{"double", arrow.PrimitiveTypes.Float64},
		{"string", arrow.BinaryTypes.String},
		{"varchar(65535)", arrow.BinaryTypes.String},
		{"varchar", arrow.BinaryTypes.String},
		{"char(10)", arrow.BinaryTypes.String},
		{"binary", arrow.BinaryTypes.Binary},
		{"date", arrow.FixedWidthTypes.Date32},
		{"timestamp", ms},
		{"decimal", &arrow.Decimal128Type{Precision: 10, Scale: 0}},
		{"decimal(12)", &arrow.Decimal128Type{Precision: 12, Scale: 0}},
		{"decimal( 38 , 38 )", &arrow.Decimal128Type{Precision: 38, Scale: 38}},
		{"array<int>", arrow.ListOf(arrow.PrimitiveTypes.Int32)},
		{" array < array<string> > ", arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String))},
		{"map<string,bigint>", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64)},
		{"struct<a:int,`b c`:array<date>>", arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			arrow.Field{Name: "b c", Type: arrow.ListOf(arrow.FixedWidthTypes.Date32), Nullable: true})},
	}
	for _, tt := range tests {
		t.Run(tt.hive, func(t *testing.T) {
			got, err := ArrowType(tt.hive)
			if err != nil || !arrow.TypeEqual(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	for _, bad := range []struct{ hive, mention string }{
		{"", "end"},
		{"int64", "unknown type"},
		{"array<int", "expected '>'"},
		{"array<>", "type name"},
		{"map<string>", "expected ','"},
		{"map<array<int>,int>", "primitive"},
		{"struct<>", "field name"},
		{"struct<a:int,a:string>", "twice"},
		{"struct<a int>", "expected ':'"},
		{"decimal(39,2)", "precision"},
		{"decimal(5,6)", "scale"},
		{"decimal(99999999999999999999)", "out of range"},
		{"char", "length"},
		{"varchar(0)", "outside"},
		{"int extra", "after the type"},
		{strings.Repeat("array<", 100) + "int" + strings.Repeat(">", 100), "nested deeper"},
	} {
		t.Run("refuses "+bad.hive, func(t *testing.T) {
			got, err := ArrowType(bad.hive)
			if !errors.Is(err, ErrInvalidType) || !strings.Contains(err.Error(), bad.mention) {
				t.Fatalf("got %v, %v; want ErrInvalidType mentioning %q", got, err, bad.mention)
			}
		})
	}
}

// randomCanonical builds a random Arrow type from the set ArrowType
// produces, so HiveType then ArrowType must give it back unchanged.
func randomCanonical(rng *rand.Rand, depth int) arrow.DataType {
	leaves := []arrow.DataType{
		arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32,
		arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String,
		arrow.BinaryTypes.Binary, arrow.FixedWidthTypes.Date32, &arrow.TimestampType{Unit: arrow.Millisecond},
	}
	if depth > 3 || rng.IntN(3) > 0 {
		if rng.IntN(8) == 0 {
			p := 1 + rng.IntN(38)
			return &arrow.Decimal128Type{Precision: int32(p), Scale: int32(rng.IntN(p + 1))}
		}
		return leaves[rng.IntN(len(leaves))]
	}
	switch rng.IntN(3) {
	case 0:
		return arrow.ListOf(randomCanonical(rng, depth+1))
	case 1:
		keys := []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64}
		return arrow.MapOf(keys[rng.IntN(len(keys))], randomCanonical(rng, depth+1))
	}
	n := 1 + rng.IntN(4)
	fields := make([]arrow.Field, n)
	for i := range fields {
		fields[i] = arrow.Field{Name: fmt.Sprintf("f%d", i), Type: randomCanonical(rng, depth+1), Nullable: true}
	}
	return arrow.StructOf(fields...)
}

func TestTypeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for i := range 2000 {
		dt := randomCanonical(rng, 0)
		hive, err := HiveType(dt)
		if err != nil {
			t.Fatalf("case %d: HiveType(%v): %v", i, dt, err)
		}
		back, err := ArrowType(hive)
		if err != nil {
			t.Fatalf("case %d: ArrowType(%q): %v", i, hive, err)
		}
		if !arrow.TypeEqual(back, dt) {
			t.Fatalf("case %d: %v -> %q -> %v", i, dt, hive, back)
		}
	}
}

func FuzzArrowType(f *testing.F) {
	for _, s := range []string{"int", "array<struct<a:map<string,decimal(10,2)>>>", "struct<`x`:int>", "decimal(", "map<,>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, hive string) {
		dt, err := ArrowType(hive)
		if err != nil {
			if !errors.Is(err, ErrInvalidType) {
				t.Fatalf("error %v does not wrap ErrInvalidType", err)
			}
			return
		}
		// Whatever parses maps back to a type string that parses to the
		// same Arrow type.
		again, err := HiveType(dt)
		if err != nil {
			t.Fatalf("%q parsed to %v, which HiveType refuses: %v", hive, dt, err)
		}
		back, err := ArrowType(again)
		if err != nil || !arrow.TypeEqual(back, dt) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", hive, dt, again, back, err)
		}
	})
}

func TestSanitize(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Amount", "amount"},
		{"order id", "order_id"},
		{"price.eur", "price_eur"},
		{"__private__", "private"},
		{"2026 total", "n2026_total"},
		{"Größe", "gr_e"},
		{"日本", "col"},
		{strings.Repeat("a", 300), strings.Repeat("a", 255)},
	} {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "Order ID", Type: arrow.PrimitiveTypes.Int64},
		{Name: "order-id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "ok", Type: arrow.StructOf(arrow.Field{Name: "Inner Name", Type: arrow.BinaryTypes.String})},
	}, nil)
	got, renames := SanitizeSchema(schema)
	names := []string{got.Field(0).Name, got.Field(1).Name, got.Field(2).Type.(*arrow.StructType).Field(0).Name}
	if strings.Join(names, ",") != "order_id,order_id_2,inner_name" {
		t.Fatalf("names %v", names)
	}
	if len(renames) != 3 || renames[2] != (Rename{From: "ok.Inner Name", To: "ok.inner_name"}) {
		t.Fatalf("renames %+v", renames)
	}
}
