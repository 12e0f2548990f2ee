package athena

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestArrowType(t *testing.T) {
	ms := &arrow.TimestampType{Unit: arrow.Millisecond}
	utc := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	// Every ColumnInfo.Type name listed in AWS-FACTS.md 1.5.
	tests := []struct {
		name       string
		prec, scal int32
		want       arrow.DataType
	}{
		{"boolean", 0, 0, arrow.FixedWidthTypes.Boolean},
		{"tinyint", 3, 0, arrow.PrimitiveTypes.Int8},
		{"smallint", 5, 0, arrow.PrimitiveTypes.Int16},
		{"integer", 10, 0, arrow.PrimitiveTypes.Int32},
		{"bigint", 19, 0, arrow.PrimitiveTypes.Int64},
		{"real", 0, 0, arrow.PrimitiveTypes.Float32},
		{"float", 17, 0, arrow.PrimitiveTypes.Float32},
		{"double", 17, 0, arrow.PrimitiveTypes.Float64},
		{"decimal", 10, 1, &arrow.Decimal128Type{Precision: 10, Scale: 1}},
		{"char", 3, 0, arrow.BinaryTypes.String},
		{"varchar", 2147483647, 0, arrow.BinaryTypes.String},
		{"varbinary", 0, 0, arrow.BinaryTypes.Binary},
		{"date", 0, 0, arrow.FixedWidthTypes.Date32},
		{"time", 0, 0, arrow.FixedWidthTypes.Time32ms},
		{"time with time zone", 0, 0, arrow.FixedWidthTypes.Time32ms},
		{"timestamp", 3, 0, ms},
		{"timestamp with time zone", 3, 0, utc},
		{"interval year to month", 0, 0, arrow.BinaryTypes.String},
		{"interval day to second", 0, 0, arrow.BinaryTypes.String},
		{"array", 0, 0, arrow.BinaryTypes.String},
		{"map", 0, 0, arrow.BinaryTypes.String},
		{"row", 0, 0, arrow.BinaryTypes.String},
		{"json", 0, 0, arrow.BinaryTypes.String},
		{"unknown", 0, 0, arrow.Null},
		{"ipaddress", 0, 0, arrow.BinaryTypes.String},
		// Full Trino signatures.
		{"decimal(38,9)", 0, 0, &arrow.Decimal128Type{Precision: 38, Scale: 9}},
		{"varchar(12)", 0, 0, arrow.BinaryTypes.String},
		{"timestamp(3) with time zone", 0, 0, utc},
		{"array(bigint)", 0, 0, arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{"map(varchar, array(double))", 0, 0, arrow.MapOf(arrow.BinaryTypes.String, arrow.ListOf(arrow.PrimitiveTypes.Float64))},
		{`row(id bigint, "first name" varchar)`, 0, 0, arrow.StructOf(
			arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "first name", Type: arrow.BinaryTypes.String, Nullable: true})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ArrowType(tt.name, tt.prec, tt.scal)
			if err != nil || !arrow.TypeEqual(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	for _, bad := range []struct{ name, mention string }{
		{"", "end"},
		{"varchar2", "unknown type"},
		{"decimal", "precision"}, // precision 0 from ColumnInfo
		{"decimal(39,1)", "precision"},
		{"array(int", "expected ')'"},
		{"map(array(int), int)", "comparable"},
		{"row(a int, a int)", "twice"},
		{"timestamp with zone", "with time zone"},
		{"interval hour to day", "interval"},
		{"bigint bigint", "after the type"},
		{strings.Repeat("array(", 80) + "int" + strings.Repeat(")", 80), "nested"},
	} {
		t.Run("refuses "+bad.name, func(t *testing.T) {
			got, err := ArrowType(bad.name, 0, 0)
			if !errors.Is(err, ErrInvalidType) || !strings.Contains(err.Error(), bad.mention) {
				t.Fatalf("got %v, %v; want ErrInvalidType mentioning %q", got, err, bad.mention)
			}
		})
	}
}

func FuzzArrowType(f *testing.F) {
	for _, s := range []string{"decimal(10,2)", "row(a array(map(varchar, integer)))", "timestamp(6) with time zone", "interval day to second", `row("x`} {
		f.Add(s, int32(10), int32(2))
	}
	f.Fuzz(func(t *testing.T, name string, precision, scale int32) {
		dt, err := ArrowType(name, precision, scale)
		if err != nil {
			if !errors.Is(err, ErrInvalidType) {
				t.Fatalf("%v does not wrap ErrInvalidType", err)
			}
			return
		}
		if dt == nil {
			t.Fatal("nil type without an error")
		}
	})
}
