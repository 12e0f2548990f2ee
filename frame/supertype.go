package frame

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
)

// Type unification, shared by Concat (which stacks columns of possibly
// different types) and expressions (which compare or add values of
// possibly different types). supertype is the smallest type both inputs
// convert to:
//
//   - null (the type of an all-null column or a nil literal) unifies with
//     anything and becomes the other type;
//   - integers of the same signedness widen to the wider one; a signed and
//     an unsigned integer become the narrowest signed integer that holds
//     both (int8+uint8 is int16, int32+uint32 is int64); uint64 with any
//     signed integer becomes float64, since no integer type holds both, and
//     values above 2^53 then lose precision;
//   - an integer with a float, and float32 with float64, become float64;
//   - timestamps of different units become the finest unit; their time
//     zones must agree;
//   - date32 with date64 becomes date64, and either with a timestamp becomes
//     that timestamp (at least millisecond for date64);
//   - durations of different units become the finest unit;
//   - string with large_string becomes large_string, binary with
//     large_binary becomes large_binary.
//
// Everything else unifies only with an identical type.
func supertype(a, b arrow.DataType) (arrow.DataType, bool) {
	switch {
	case arrow.TypeEqual(a, b):
		return a, true
	case a.ID() == arrow.NULL:
		return b, true
	case b.ID() == arrow.NULL:
		return a, true
	}
	ai, bi := a.ID(), b.ID()
	switch {
	case arrow.IsInteger(ai) && arrow.IsInteger(bi):
		return intSupertype(a, b), true
	case isNumericID(ai) && isNumericID(bi):
		return arrow.PrimitiveTypes.Float64, true
	}
	switch {
	case ai == arrow.TIMESTAMP && bi == arrow.TIMESTAMP:
		at, bt := a.(*arrow.TimestampType), b.(*arrow.TimestampType)
		if at.TimeZone != bt.TimeZone {
			return nil, false
		}
		return &arrow.TimestampType{Unit: max(at.Unit, bt.Unit), TimeZone: at.TimeZone}, true
	case ai == arrow.TIMESTAMP && isDateID(bi):
		return dateWithTimestamp(a.(*arrow.TimestampType), bi), true
	case bi == arrow.TIMESTAMP && isDateID(ai):
		return dateWithTimestamp(b.(*arrow.TimestampType), ai), true
	case isDateID(ai) && isDateID(bi):
		return arrow.FixedWidthTypes.Date64, true
	case ai == arrow.DURATION && bi == arrow.DURATION:
		return &arrow.DurationType{Unit: max(a.(*arrow.DurationType).Unit, b.(*arrow.DurationType).Unit)}, true
	case isStringID(ai) && isStringID(bi):
		return arrow.BinaryTypes.LargeString, true
	case isBinaryID(ai) && isBinaryID(bi):
		return arrow.BinaryTypes.LargeBinary, true
	}
	return nil, false
}

func isNumericID(id arrow.Type) bool {
	return arrow.IsInteger(id) || id == arrow.FLOAT32 || id == arrow.FLOAT64
}

func isDateID(id arrow.Type) bool { return id == arrow.DATE32 || id == arrow.DATE64 }

func isStringID(id arrow.Type) bool { return id == arrow.STRING || id == arrow.LARGE_STRING }

func isBinaryID(id arrow.Type) bool { return id == arrow.BINARY || id == arrow.LARGE_BINARY }

func dateWithTimestamp(ts *arrow.TimestampType, date arrow.Type) arrow.DataType {
	unit := ts.Unit
	if date == arrow.DATE64 {
		unit = max(unit, arrow.Millisecond)
	}
	return &arrow.TimestampType{Unit: unit, TimeZone: ts.TimeZone}
}

// intBits is the width of an integer type and whether it is signed.
func intBits(dt arrow.DataType) (bits int, signed bool) {
	switch dt.ID() {
	case arrow.INT8:
		return 8, true
	case arrow.INT16:
		return 16, true
	case arrow.INT32:
		return 32, true
	case arrow.INT64:
		return 64, true
	case arrow.UINT8:
		return 8, false
	case arrow.UINT16:
		return 16, false
	case arrow.UINT32:
		return 32, false
	}
	return 64, false
}

func intType(bits int, signed bool) arrow.DataType {
	switch {
	case bits <= 8 && signed:
		return arrow.PrimitiveTypes.Int8
	case bits <= 16 && signed:
		return arrow.PrimitiveTypes.Int16
	case bits <= 32 && signed:
		return arrow.PrimitiveTypes.Int32
	case signed:
		return arrow.PrimitiveTypes.Int64
	case bits <= 8:
		return arrow.PrimitiveTypes.Uint8
	case bits <= 16:
		return arrow.PrimitiveTypes.Uint16
	case bits <= 32:
		return arrow.PrimitiveTypes.Uint32
	}
	return arrow.PrimitiveTypes.Uint64
}

func intSupertype(a, b arrow.DataType) arrow.DataType {
	ab, as := intBits(a)
	bb, bs := intBits(b)
	if as == bs {
		return intType(max(ab, bb), as)
	}
	sb, ub := ab, bb
	if !as {
		sb, ub = bb, ab
	}
	switch {
	case ub < sb:
		return intType(sb, true)
	case ub < 64:
		return intType(2*ub, true)
	}
	return arrow.PrimitiveTypes.Float64
}

// widenCastOptions converts a value to its supertype: overflow (a timestamp
// in seconds beyond the nanosecond range, say) is an error, while the
// rounding of a large integer to float64 is accepted, as in SQL.
func widenCastOptions(dt arrow.DataType) *compute.CastOptions {
	o := compute.SafeCastOptions(dt)
	o.AllowFloatTruncate = true
	return o
}
