package frame

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Expr is a column expression built in Go: column references, literals and
// operations on them, such as
//
//	frame.Col("amount").Gt(100).And(frame.Col("city").In("Oslo", "Lima"))
//
// An Expr is a description; nothing is computed until a frame evaluates it
// with Filter, WithColumn or Eval. Evaluation is column at a time: the
// comparisons, arithmetic, Kleene and/or, is_null, In and casts run Arrow
// compute kernels, and the string and date operations run typed loops over
// the Arrow buffers, so no operation goes through an interface per row.
//
// Before evaluating, the frame checks the whole expression against its
// schema: an unknown column, or operands whose types do not fit (comparing
// a string column with 5, adding strings), is an error naming the
// expression and both types, never a panic.
//
// Operands of different types are unified as Concat unifies columns (see
// Concat): int32 with int64 compares as int64, an integer with a float as
// float64, a date with a timestamp as a timestamp. A Go literal adopts the
// type of the other operand when it fits that type exactly, so
// Col("qty").Gt(100) on an int16 column compares int16 values, while
// Col("qty").Gt(2.5) compares as float64. Nulls propagate: an operation on a
// null gives null, except that And and Or follow Kleene logic (false AND
// null is false, true OR null is true) and IsNull, IsNotNull never give
// null.
//
// Expr values are immutable and safe to share between goroutines; the
// zero Expr is invalid and evaluating it is an error.
type Expr struct{ n node }

// node is one operation of an expression tree.
type node interface {
	// String renders the node for error messages and Expr.String.
	String() string
	// outName is the name WithColumns gives the node's result.
	outName() string
	// bind checks the node against a frame's schema and returns the
	// evaluable form.
	bind(b *binder) (bound, error)
}

func (e Expr) node() node {
	if e.n == nil {
		return emptyNode{}
	}
	return e.n
}

// String renders the expression, for instance (col("amount") > 100).
func (e Expr) String() string { return e.node().String() }

// Name returns the name WithColumns gives the expression's result: the name
// set with Alias, else the first column the expression reads, else
// "literal".
func (e Expr) Name() string { return e.node().outName() }

// Col refers to the column called name.
func Col(name string) Expr { return Expr{colNode{name: name}} }

// Lit is a literal value. It accepts nil (null), Go's integer, float, bool
// and string types, []byte, time.Time and time.Duration; an Expr is
// returned unchanged. Any other type makes an expression whose evaluation
// fails with ErrUnsupportedType.
//
// Integers and floats take the type of the other operand when they fit it
// exactly (see Expr). On their own, as in WithColumn("one", Lit(1)), a
// value has its Go type's Arrow type (int is int64), a time.Time is a UTC
// timestamp in microseconds (nanoseconds if it has sub-microsecond
// precision) and a time.Duration a duration in nanoseconds.
func Lit(v any) Expr {
	if e, ok := v.(Expr); ok {
		return e
	}
	return Expr{newLit(v)}
}

// operand turns a method argument into an expression: an Expr as is, any
// other value as a literal.
func operand(v any) node {
	if e, ok := v.(Expr); ok {
		return e.node()
	}
	return newLit(v)
}

// Eq is e == v. v is an Expr or a Go literal, as for every binary method.
func (e Expr) Eq(v any) Expr { return e.binary(opEq, v) }

// Ne is e != v.
func (e Expr) Ne(v any) Expr { return e.binary(opNe, v) }

// Lt is e < v. Ordering comparisons work on numbers, strings, binary,
// dates, times, timestamps and durations; booleans only compare with Eq
// and Ne.
func (e Expr) Lt(v any) Expr { return e.binary(opLt, v) }

// Le is e <= v.
func (e Expr) Le(v any) Expr { return e.binary(opLe, v) }

// Gt is e > v.
func (e Expr) Gt(v any) Expr { return e.binary(opGt, v) }

// Ge is e >= v.
func (e Expr) Ge(v any) Expr { return e.binary(opGe, v) }

// Add is e + v on numbers, in the operands' unified type. Integer overflow
// is an evaluation error, not a wrapped value.
func (e Expr) Add(v any) Expr { return e.binary(opAdd, v) }

// Sub is e - v on numbers; integer overflow is an error.
func (e Expr) Sub(v any) Expr { return e.binary(opSub, v) }

// Mul is e * v on numbers; integer overflow is an error.
func (e Expr) Mul(v any) Expr { return e.binary(opMul, v) }

// Div is e / v on numbers. The result is float64, so integers divide
// exactly as in SQL's float division and Polars' "/" (7 / 2 is 3.5), except
// that two float32 operands give float32. Division by zero follows IEEE
// 754: ±Inf, or NaN for 0/0.
func (e Expr) Div(v any) Expr { return e.binary(opDiv, v) }

// And is e AND v with Kleene logic: false AND null is false, true AND null
// is null. Both operands must be boolean.
func (e Expr) And(v any) Expr { return e.binary(opAnd, v) }

// Or is e OR v with Kleene logic: true OR null is true, false OR null is
// null. Both operands must be boolean.
func (e Expr) Or(v any) Expr { return e.binary(opOr, v) }

// Not is the negation of a boolean expression; NOT null is null.
func (e Expr) Not() Expr { return Expr{unaryNode{op: opNot, in: e.node()}} }

// IsNull is true where e is null. A floating-point NaN is a value, not a
// null.
func (e Expr) IsNull() Expr { return Expr{unaryNode{op: opIsNull, in: e.node()}} }

// IsNotNull is true where e is not null.
func (e Expr) IsNotNull() Expr { return Expr{unaryNode{op: opIsNotNull, in: e.node()}} }

// In is true where e equals one of values, false where it equals none, and
// null where e is null (SQL semantics, so Not(In(...)) drops null rows from
// a Filter too). Values are Go literals converted to e's type; one that the
// type cannot hold exactly (2.5 for an integer column) can never match and
// is ignored, a nil value is ignored, and a value of another kind (a string
// for an integer column) is an error.
func (e Expr) In(values ...any) Expr {
	lits := make([]*litNode, len(values))
	for i, v := range values {
		lits[i] = newLit(v)
	}
	return Expr{inNode{in: e.node(), values: lits}}
}

// Contains is true where the string e contains substr.
func (e Expr) Contains(substr string) Expr { return e.strPred(opContains, substr) }

// HasPrefix is true where the string e starts with prefix.
func (e Expr) HasPrefix(prefix string) Expr { return e.strPred(opHasPrefix, prefix) }

// HasSuffix is true where the string e ends with suffix.
func (e Expr) HasSuffix(suffix string) Expr { return e.strPred(opHasSuffix, suffix) }

// Lower maps a string expression to lower case, as strings.ToLower does.
func (e Expr) Lower() Expr { return Expr{unaryNode{op: opLower, in: e.node()}} }

// Upper maps a string expression to upper case, as strings.ToUpper does.
func (e Expr) Upper() Expr { return Expr{unaryNode{op: opUpper, in: e.node()}} }

// Len is the length of a string expression in characters (Unicode code
// points, as utf8.RuneCountInString counts them), or of a binary one in
// bytes, as int64.
func (e Expr) Len() Expr { return Expr{unaryNode{op: opLen, in: e.node()}} }

// Year is the year of a timestamp or date expression as int32. Timestamps
// with a time zone are read in that zone, zone-less ones in UTC; so are
// the other date parts.
func (e Expr) Year() Expr { return Expr{unaryNode{op: opYear, in: e.node()}} }

// Month is the month (1 to 12) of a timestamp or date expression as int32.
func (e Expr) Month() Expr { return Expr{unaryNode{op: opMonth, in: e.node()}} }

// Day is the day of the month (1 to 31) of a timestamp or date expression
// as int32.
func (e Expr) Day() Expr { return Expr{unaryNode{op: opDay, in: e.node()}} }

// Hour is the hour (0 to 23) of a timestamp expression as int32.
func (e Expr) Hour() Expr { return Expr{unaryNode{op: opHour, in: e.node()}} }

// Minute is the minute (0 to 59) of a timestamp expression as int32.
func (e Expr) Minute() Expr { return Expr{unaryNode{op: opMinute, in: e.node()}} }

// Second is the whole second (0 to 59) of a timestamp expression as int32.
func (e Expr) Second() Expr { return Expr{unaryNode{op: opSecond, in: e.node()}} }

// Weekday is the day of the week of a timestamp or date expression as
// int32, numbered as time.Weekday: Sunday is 0, Saturday 6.
func (e Expr) Weekday() Expr { return Expr{unaryNode{op: opWeekday, in: e.node()}} }

// Cast converts e to type dt with Arrow's cast kernel, safely: a value
// that would overflow or lose its fraction (300 to int8, 2.5 to int32) is
// an evaluation error naming the expression, not a wrapped value.
func (e Expr) Cast(dt arrow.DataType) Expr { return Expr{castNode{in: e.node(), dt: dt}} }

// Alias names the expression's result for WithColumns.
func (e Expr) Alias(name string) Expr { return Expr{aliasNode{in: e.node(), name: name}} }

// And is the Kleene conjunction of all the expressions: true when all are
// true, false when any is false, else null. With no expressions it is true.
func And(exprs ...Expr) Expr { return fold(opAnd, true, exprs) }

// Or is the Kleene disjunction of all the expressions: true when any is
// true, false when all are false, else null. With no expressions it is
// false.
func Or(exprs ...Expr) Expr { return fold(opOr, false, exprs) }

// Not is e.Not().
func Not(e Expr) Expr { return e.Not() }

func fold(op binOp, empty bool, exprs []Expr) Expr {
	if len(exprs) == 0 {
		return Lit(empty)
	}
	acc := exprs[0]
	for _, e := range exprs[1:] {
		acc = Expr{binaryNode{op: op, l: acc.node(), r: e.node()}}
	}
	return acc
}

func (e Expr) binary(op binOp, v any) Expr {
	return Expr{binaryNode{op: op, l: e.node(), r: operand(v)}}
}

func (e Expr) strPred(op strOp, pattern string) Expr {
	return Expr{strPredNode{op: op, in: e.node(), pattern: pattern}}
}

// emptyNode is the zero Expr.
type emptyNode struct{}

func (emptyNode) String() string  { return "<empty expression>" }
func (emptyNode) outName() string { return "literal" }
func (emptyNode) bind(*binder) (bound, error) {
	return nil, fmt.Errorf("the zero Expr: build expressions with Col or Lit: %w", ErrInvalidArgument)
}

type colNode struct{ name string }

func (n colNode) String() string  { return "col(" + strconv.Quote(n.name) + ")" }
func (n colNode) outName() string { return n.name }

// litNode is a Go literal. v is normalized to nil, int64, uint64, float64,
// bool, string, []byte, time.Time or time.Duration; natural is the type it
// has when no other operand gives it one.
type litNode struct {
	v       any
	natural arrow.DataType
	err     error
}

func newLit(v any) *litNode {
	l := &litNode{}
	switch x := v.(type) {
	case nil:
		l.natural = arrow.Null
	case int:
		l.v, l.natural = int64(x), arrow.PrimitiveTypes.Int64
	case int8:
		l.v, l.natural = int64(x), arrow.PrimitiveTypes.Int8
	case int16:
		l.v, l.natural = int64(x), arrow.PrimitiveTypes.Int16
	case int32:
		l.v, l.natural = int64(x), arrow.PrimitiveTypes.Int32
	case int64:
		l.v, l.natural = x, arrow.PrimitiveTypes.Int64
	case uint:
		l.v, l.natural = uint64(x), arrow.PrimitiveTypes.Uint64
	case uint8:
		l.v, l.natural = uint64(x), arrow.PrimitiveTypes.Uint8
	case uint16:
		l.v, l.natural = uint64(x), arrow.PrimitiveTypes.Uint16
	case uint32:
		l.v, l.natural = uint64(x), arrow.PrimitiveTypes.Uint32
	case uint64:
		l.v, l.natural = x, arrow.PrimitiveTypes.Uint64
	case float32:
		l.v, l.natural = float64(x), arrow.PrimitiveTypes.Float32
	case float64:
		l.v, l.natural = x, arrow.PrimitiveTypes.Float64
	case bool:
		l.v, l.natural = x, arrow.FixedWidthTypes.Boolean
	case string:
		l.v, l.natural = x, arrow.BinaryTypes.String
	case []byte:
		l.v, l.natural = append([]byte{}, x...), arrow.BinaryTypes.Binary
	case time.Time:
		unit := arrow.Microsecond
		if x.Nanosecond()%1000 != 0 {
			unit = arrow.Nanosecond
		}
		l.v, l.natural = x, TimestampType(unit)
	case time.Duration:
		l.v, l.natural = x, &arrow.DurationType{Unit: arrow.Nanosecond}
	default:
		l.err = fmt.Errorf("literal %v of Go type %T: %w", v, v, ErrUnsupportedType)
		l.v = v
	}
	return l
}

func (l *litNode) outName() string { return "literal" }

func (l *litNode) String() string {
	switch x := l.v.(type) {
	case nil:
		return "null"
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strconv.Quote(x)
	case []byte:
		return fmt.Sprintf("%q", x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	}
	return fmt.Sprintf("%v", l.v)
}

// scalarAs converts the literal to an Arrow scalar of type dt. ok reports
// whether dt can hold a value of the literal's kind at all; exact whether
// it holds this value without loss (a float literal going into float32 is
// taken as exact when in range, as Go constants and Polars do).
func (l *litNode) scalarAs(dt arrow.DataType) (sc scalar.Scalar, exact, ok bool) {
	if l.err != nil {
		return nil, false, false
	}
	if l.v == nil {
		return scalar.MakeNullScalar(dt), true, true
	}
	id := dt.ID()
	switch x := l.v.(type) {
	case int64:
		if x < 0 {
			return intScalar(dt, float64(x), x, 0, true)
		}
		return intScalar(dt, float64(x), 0, uint64(x), false)
	case uint64:
		return intScalar(dt, float64(x), 0, x, false)
	case float64:
		switch id {
		case arrow.FLOAT64:
			return scalar.NewFloat64Scalar(x), true, true
		case arrow.FLOAT32:
			fits := math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) <= math.MaxFloat32
			return scalar.NewFloat32Scalar(float32(x)), fits, true
		}
		if arrow.IsInteger(id) {
			// NaN fails the first test, ±Inf the range tests.
			if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<64 {
				return nil, false, true
			}
			if x < 0 {
				return intScalar(dt, x, int64(x), 0, true)
			}
			return intScalar(dt, x, 0, uint64(x), false)
		}
	case bool:
		if id == arrow.BOOL {
			return scalar.NewBooleanScalar(x), true, true
		}
	case string:
		switch id {
		case arrow.STRING:
			return scalar.NewStringScalar(x), true, true
		case arrow.LARGE_STRING:
			return scalar.NewLargeStringScalar(x), true, true
		}
	case []byte:
		switch id {
		case arrow.BINARY:
			return scalar.NewBinaryScalar(memory.NewBufferBytes(x), dt), true, true
		case arrow.LARGE_BINARY:
			return scalar.NewLargeBinaryScalar(memory.NewBufferBytes(x)), true, true
		}
	case time.Time:
		return timeScalar(dt, x)
	case time.Duration:
		if id == arrow.DURATION {
			per := unitNanos(dt.(*arrow.DurationType).Unit)
			return scalar.NewDurationScalar(arrow.Duration(int64(x)/per), dt), int64(x)%per == 0, true
		}
	}
	return nil, false, false
}

// intScalar makes an integer or float scalar of type dt from a literal
// integer given as float64 f and, when negative, as int64 i, else as
// uint64 u.
func intScalar(dt arrow.DataType, f float64, i int64, u uint64, negative bool) (scalar.Scalar, bool, bool) {
	fitsSigned := func(lo, hi int64) bool {
		if negative {
			return i >= lo
		}
		return u <= uint64(hi)
	}
	fitsUnsigned := func(hi uint64) bool { return !negative && u <= hi }
	if !negative && u <= math.MaxInt64 {
		i = int64(u)
	}
	switch dt.ID() {
	case arrow.INT8:
		if fitsSigned(math.MinInt8, math.MaxInt8) {
			return scalar.NewInt8Scalar(int8(i)), true, true
		}
	case arrow.INT16:
		if fitsSigned(math.MinInt16, math.MaxInt16) {
			return scalar.NewInt16Scalar(int16(i)), true, true
		}
	case arrow.INT32:
		if fitsSigned(math.MinInt32, math.MaxInt32) {
			return scalar.NewInt32Scalar(int32(i)), true, true
		}
	case arrow.INT64:
		if fitsSigned(math.MinInt64, math.MaxInt64) {
			return scalar.NewInt64Scalar(i), true, true
		}
	case arrow.UINT8:
		if fitsUnsigned(math.MaxUint8) {
			return scalar.NewUint8Scalar(uint8(u)), true, true
		}
	case arrow.UINT16:
		if fitsUnsigned(math.MaxUint16) {
			return scalar.NewUint16Scalar(uint16(u)), true, true
		}
	case arrow.UINT32:
		if fitsUnsigned(math.MaxUint32) {
			return scalar.NewUint32Scalar(uint32(u)), true, true
		}
	case arrow.UINT64:
		if fitsUnsigned(math.MaxUint64) {
			return scalar.NewUint64Scalar(u), true, true
		}
	case arrow.FLOAT64:
		exact := (negative && int64(f) == i && f >= -(1<<63)) || (!negative && f < 1<<64 && uint64(f) == u)
		return scalar.NewFloat64Scalar(f), exact, true
	case arrow.FLOAT32:
		g := float32(f)
		exact := float64(g) == f && ((negative && int64(g) == i) || (!negative && f < 1<<64 && uint64(g) == u))
		return scalar.NewFloat32Scalar(g), exact, true
	default:
		return nil, false, false
	}
	// An integer type too narrow for the value: it is of the right kind,
	// but the value needs a wider type.
	return nil, false, true
}

// timeScalar converts a time literal to a timestamp, date32 or date64
// scalar; exact unless the type's unit drops part of it.
func timeScalar(dt arrow.DataType, t time.Time) (scalar.Scalar, bool, bool) {
	switch dt.ID() {
	case arrow.TIMESTAMP:
		unit := dt.(*arrow.TimestampType).Unit
		v, err := timeToUnit(t, unit)
		if err != nil {
			return nil, false, true
		}
		exact := t.Nanosecond()%int(unitNanos(unit)) == 0
		return scalar.NewTimestampScalar(v, dt), exact, true
	case arrow.DATE32, arrow.DATE64:
		u := t.UTC()
		midnight := u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
		d, err := timeToDate32(u)
		if err != nil {
			return nil, false, true
		}
		if dt.ID() == arrow.DATE32 {
			return scalar.NewDate32Scalar(d), midnight, true
		}
		return scalar.NewDate64Scalar(arrow.Date64(int64(d) * 86_400_000)), midnight, true
	}
	return nil, false, false
}

// unitNanos is the number of nanoseconds in one tick of unit.
func unitNanos(unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return 1e9
	case arrow.Millisecond:
		return 1e6
	case arrow.Microsecond:
		return 1e3
	}
	return 1
}

type binOp uint8

const (
	opEq binOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opAnd
	opOr
)

var binOpSymbols = [...]string{
	opEq: "==", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">=",
	opAdd: "+", opSub: "-", opMul: "*", opDiv: "/", opAnd: "AND", opOr: "OR",
}

// binOpKernels names the Arrow compute function of each operator. The
// arithmetic ones are the checked variants, which fail on integer overflow;
// division runs on floats, where unchecked division gives IEEE results.
var binOpKernels = [...]string{
	opEq: "equal", opNe: "not_equal", opLt: "less", opLe: "less_equal", opGt: "greater", opGe: "greater_equal",
	opAdd: "add", opSub: "sub", opMul: "multiply", opDiv: "divide_unchecked", opAnd: "and_kleene", opOr: "or_kleene",
}

func (op binOp) comparison() bool { return op <= opGe }
func (op binOp) arithmetic() bool { return op >= opAdd && op <= opDiv }

type binaryNode struct {
	op   binOp
	l, r node
}

func (n binaryNode) String() string {
	return "(" + n.l.String() + " " + binOpSymbols[n.op] + " " + n.r.String() + ")"
}

func (n binaryNode) outName() string {
	if name := n.l.outName(); name != "literal" {
		return name
	}
	return n.r.outName()
}

type unaryOp uint8

const (
	opNot unaryOp = iota
	opIsNull
	opIsNotNull
	opLower
	opUpper
	opLen
	opYear
	opMonth
	opDay
	opHour
	opMinute
	opSecond
	opWeekday
)

var unaryOpNames = [...]string{
	opNot: "not", opIsNull: "is_null", opIsNotNull: "is_not_null", opLower: "lower", opUpper: "upper",
	opLen: "len", opYear: "year", opMonth: "month", opDay: "day", opHour: "hour", opMinute: "minute",
	opSecond: "second", opWeekday: "weekday",
}

type unaryNode struct {
	op unaryOp
	in node
}

func (n unaryNode) String() string {
	if n.op == opNot {
		return "NOT " + n.in.String()
	}
	return n.in.String() + "." + unaryOpNames[n.op] + "()"
}

func (n unaryNode) outName() string { return n.in.outName() }

type strOp uint8

const (
	opContains strOp = iota
	opHasPrefix
	opHasSuffix
)

var strOpNames = [...]string{opContains: "contains", opHasPrefix: "has_prefix", opHasSuffix: "has_suffix"}

type strPredNode struct {
	op      strOp
	in      node
	pattern string
}

func (n strPredNode) String() string {
	return n.in.String() + "." + strOpNames[n.op] + "(" + strconv.Quote(n.pattern) + ")"
}

func (n strPredNode) outName() string { return n.in.outName() }

type inNode struct {
	in     node
	values []*litNode
}

func (n inNode) String() string {
	parts := make([]string, len(n.values))
	for i, v := range n.values {
		parts[i] = v.String()
	}
	return n.in.String() + ".is_in([" + strings.Join(parts, ", ") + "])"
}

func (n inNode) outName() string { return n.in.outName() }

type castNode struct {
	in node
	dt arrow.DataType
}

func (n castNode) String() string {
	dt := "<nil>"
	if n.dt != nil {
		dt = n.dt.String()
	}
	return n.in.String() + ".cast(" + dt + ")"
}

func (n castNode) outName() string { return n.in.outName() }

type aliasNode struct {
	in   node
	name string
}

func (n aliasNode) String() string {
	return n.in.String() + ".alias(" + strconv.Quote(n.name) + ")"
}

func (n aliasNode) outName() string { return n.name }
