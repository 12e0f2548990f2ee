package frame

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Binding checks an expression against a frame's schema once, before any
// row is touched: it resolves columns, unifies operand types, converts
// literals to the types they meet and decides every cast. What comes out is
// a tree of bound nodes that evaluate without further checks.

// binder collects the columns an expression reads, each once.
type binder struct {
	f     *Frame
	cols  []*arrow.Chunked
	slots map[int]int // frame column index -> position in cols
}

func newBinder(f *Frame) *binder { return &binder{f: f, slots: map[int]int{}} }

func (n colNode) bind(b *binder) (bound, error) {
	i, err := b.f.columnIndex(n.name)
	if err != nil {
		return nil, err
	}
	slot, ok := b.slots[i]
	if !ok {
		slot = len(b.cols)
		b.cols = append(b.cols, b.f.cols[i])
		b.slots[i] = slot
	}
	return &boundCol{slot: slot, dt: b.f.cols[i].DataType()}, nil
}

func (l *litNode) bind(*binder) (bound, error) {
	if l.err != nil {
		return nil, l.err
	}
	sc, _, ok := l.scalarAs(l.natural)
	if !ok || sc == nil {
		return nil, fmt.Errorf("literal %s does not fit %s: %w", l, l.natural, ErrOutOfRange)
	}
	return &boundLit{sc: sc}, nil
}

// operandOf is one side of a binary operation: a literal, whose type is
// still open, or a bound expression.
type operandOf struct {
	n   node
	lit *litNode
	b   bound
	dt  arrow.DataType
}

func (b *binder) operand(n node) (operandOf, error) {
	if l, ok := n.(*litNode); ok {
		if l.err != nil {
			return operandOf{}, l.err
		}
		return operandOf{n: n, lit: l, dt: l.natural}, nil
	}
	bd, err := n.bind(b)
	if err != nil {
		return operandOf{}, err
	}
	return operandOf{n: n, b: bd, dt: bd.dataType()}, nil
}

// describe names the operand and its type for error messages.
func (o operandOf) describe() string { return fmt.Sprintf("%s of type %s", o.n, o.dt) }

// unify returns the type both operands are brought to: the other side's
// type for a literal that fits it exactly, else their supertype.
func unify(x, y operandOf) (arrow.DataType, bool) {
	switch {
	case x.lit != nil && y.lit == nil:
		if _, exact, ok := x.lit.scalarAs(y.dt); ok && exact {
			return y.dt, true
		}
		return supertype(x.lit.naturalNear(y.dt), y.dt)
	case y.lit != nil && x.lit == nil:
		if _, exact, ok := y.lit.scalarAs(x.dt); ok && exact {
			return x.dt, true
		}
		return supertype(x.dt, y.lit.naturalNear(x.dt))
	}
	return supertype(x.dt, y.dt)
}

// naturalNear is the literal's own type when it meets an operand of type
// other: a time literal takes a timestamp operand's zone, since it denotes
// an instant that any zone can show.
func (l *litNode) naturalNear(other arrow.DataType) arrow.DataType {
	if ts, ok := other.(*arrow.TimestampType); ok && l.natural.ID() == arrow.TIMESTAMP {
		return &arrow.TimestampType{Unit: l.natural.(*arrow.TimestampType).Unit, TimeZone: ts.TimeZone}
	}
	return l.natural
}

// to brings the operand to type dt: a literal is converted once, here; an
// expression is cast on every evaluation, if its type differs.
func (o operandOf) to(dt arrow.DataType) (bound, error) {
	if o.lit != nil {
		sc, _, ok := o.lit.scalarAs(dt)
		if !ok || sc == nil {
			return nil, fmt.Errorf("literal %s does not fit %s: %w", o.lit, dt, ErrOutOfRange)
		}
		return &boundLit{sc: sc}, nil
	}
	return castTo(o.b, dt, widenCastOptions(dt), ""), nil
}

// castTo wraps b in a cast to dt unless it already has that type.
func castTo(b bound, dt arrow.DataType, opts *compute.CastOptions, expr string) bound {
	if arrow.TypeEqual(b.dataType(), dt) {
		return b
	}
	return &boundCast{in: b, opts: opts, expr: expr}
}

var binOpVerbs = [...]string{
	opEq: "compare", opNe: "compare", opLt: "compare", opLe: "compare", opGt: "compare", opGe: "compare",
	opAdd: "add", opSub: "subtract", opMul: "multiply", opDiv: "divide", opAnd: "AND", opOr: "OR",
}

func (n binaryNode) bind(b *binder) (bound, error) {
	x, err := b.operand(n.l)
	if err != nil {
		return nil, err
	}
	y, err := b.operand(n.r)
	if err != nil {
		return nil, err
	}
	mismatch := func(why string) error {
		joiner := "and"
		if n.op.comparison() {
			joiner = "with"
		}
		return fmt.Errorf("cannot %s %s %s %s%s: %w", binOpVerbs[n.op], x.describe(), joiner, y.describe(), why, ErrTypeMismatch)
	}
	if n.op == opAnd || n.op == opOr {
		if !isBoolish(x.dt) || !isBoolish(y.dt) {
			return nil, mismatch(": both must be bool")
		}
		lb, err := x.to(arrow.FixedWidthTypes.Boolean)
		if err != nil {
			return nil, err
		}
		rb, err := y.to(arrow.FixedWidthTypes.Boolean)
		if err != nil {
			return nil, err
		}
		return &boundCall{fn: binOpKernels[n.op], args: []bound{lb, rb}, dt: arrow.FixedWidthTypes.Boolean, expr: n.String()}, nil
	}
	t, ok := unify(x, y)
	if !ok {
		return nil, mismatch("")
	}
	var result arrow.DataType
	switch {
	case n.op.comparison():
		result = arrow.FixedWidthTypes.Boolean
		if t.ID() == arrow.NULL {
			return &boundNull{dt: result}, nil
		}
		ordered := n.op != opEq && n.op != opNe
		if !comparableType(t, ordered) {
			if ordered {
				return nil, mismatch(fmt.Sprintf(": %s values have no order", t))
			}
			return nil, mismatch(fmt.Sprintf(": %s values cannot be compared", t))
		}
	default: // arithmetic
		if t.ID() == arrow.NULL {
			return &boundNull{dt: arrow.Null}, nil
		}
		if !isNumericID(t.ID()) {
			return nil, mismatch(": both must be numeric")
		}
		if n.op == opDiv && t.ID() != arrow.FLOAT32 {
			t = arrow.PrimitiveTypes.Float64
		}
		result = t
	}
	lb, err := x.to(t)
	if err != nil {
		return nil, err
	}
	rb, err := y.to(t)
	if err != nil {
		return nil, err
	}
	return &boundCall{fn: binOpKernels[n.op], args: []bound{lb, rb}, dt: result, expr: n.String()}, nil
}

func isBoolish(dt arrow.DataType) bool { return dt.ID() == arrow.BOOL || dt.ID() == arrow.NULL }

// comparableType reports whether Arrow's comparison kernels take two
// values of type dt; ordered asks for <, <=, >, >= rather than == and !=.
func comparableType(dt arrow.DataType, ordered bool) bool {
	id := dt.ID()
	switch {
	case isNumericID(id), isStringID(id), isBinaryID(id), isDateID(id):
		return true
	}
	switch id {
	case arrow.TIMESTAMP, arrow.DURATION, arrow.TIME32, arrow.TIME64:
		return true
	case arrow.BOOL:
		return !ordered
	}
	return false
}

func (n unaryNode) bind(b *binder) (bound, error) {
	in, err := n.in.bind(b)
	if err != nil {
		return nil, err
	}
	dt := in.dataType()
	wrong := func(want string) error {
		return fmt.Errorf("%s: %s is of type %s, want %s: %w", unaryOpNames[n.op], n.in, dt, want, ErrTypeMismatch)
	}
	switch n.op {
	case opNot:
		switch dt.ID() {
		case arrow.BOOL:
			return &boundNot{in: in}, nil
		case arrow.NULL:
			return &boundNull{dt: arrow.FixedWidthTypes.Boolean}, nil
		}
		return nil, wrong("bool")
	case opIsNull, opIsNotNull:
		return &boundIsNull{in: in, not: n.op == opIsNotNull}, nil
	case opLower, opUpper:
		if !isStringID(dt.ID()) {
			return nil, wrong("a string")
		}
		return &boundStrMap{in: in, upper: n.op == opUpper}, nil
	case opLen:
		if !isStringID(dt.ID()) && !isBinaryID(dt.ID()) {
			return nil, wrong("a string or binary")
		}
		return &boundLen{in: in}, nil
	}
	// Date parts.
	switch dt.ID() {
	case arrow.TIMESTAMP:
		loc, err := timestampLocation(dt.(*arrow.TimestampType))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", unaryOpNames[n.op], n.in, err)
		}
		return &boundDatePart{in: in, op: n.op, loc: loc, expr: n.String()}, nil
	case arrow.DATE32, arrow.DATE64:
		if n.op == opHour || n.op == opMinute || n.op == opSecond {
			return nil, wrong("a timestamp (a date has no time of day)")
		}
		return &boundDatePart{in: in, op: n.op, expr: n.String()}, nil
	}
	return nil, wrong("a timestamp or date")
}

func (n strPredNode) bind(b *binder) (bound, error) {
	in, err := n.in.bind(b)
	if err != nil {
		return nil, err
	}
	if dt := in.dataType(); !isStringID(dt.ID()) && !isBinaryID(dt.ID()) {
		return nil, fmt.Errorf("%s: %s is of type %s, want a string: %w", strOpNames[n.op], n.in, dt, ErrTypeMismatch)
	}
	return &boundStrPred{in: in, op: n.op, pattern: []byte(n.pattern)}, nil
}

func (n inNode) bind(b *binder) (bound, error) {
	in, err := n.in.bind(b)
	if err != nil {
		return nil, err
	}
	dt := in.dataType()
	if dt.ID() == arrow.NULL {
		return &boundNull{dt: arrow.FixedWidthTypes.Boolean}, nil
	}
	if !comparableType(dt, false) {
		return nil, fmt.Errorf("is_in: %s is of type %s, whose values cannot be compared: %w", n.in, dt, ErrTypeMismatch)
	}
	// The value set is small and built once, on the Go heap rather than
	// the caller's allocator, so it needs no release.
	mem := memory.DefaultAllocator
	var parts []arrow.Array
	for _, v := range n.values {
		if v.err != nil {
			return nil, fmt.Errorf("is_in: %w", v.err)
		}
		if v.v == nil {
			continue
		}
		sc, exact, ok := v.scalarAs(dt)
		if !ok {
			return nil, fmt.Errorf("is_in: cannot compare %s of type %s with %s of type %s: %w", n.in, dt, v, v.natural, ErrTypeMismatch)
		}
		if !exact {
			continue // 2.5 in an integer column: never equal
		}
		arr, err := scalar.MakeArrayFromScalar(sc, 1, mem)
		if err != nil {
			return nil, fmt.Errorf("is_in: value %s: %w", v, err)
		}
		parts = append(parts, arr)
	}
	if dt.ID() == arrow.BOOL {
		// arrow-go v18.8's is_in kernel gets boolean arrays wrong beyond
		// their first row; a set of booleans is simple enough to do here.
		bin := &boundBoolIn{in: in}
		for _, p := range parts {
			if p.(*array.Boolean).Value(0) {
				bin.hasTrue = true
			} else {
				bin.hasFalse = true
			}
		}
		return bin, nil
	}
	var set arrow.Array
	if len(parts) == 0 {
		set = array.MakeArrayOfNull(mem, dt, 0)
	} else {
		set, err = array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("is_in: value set: %w", err)
		}
	}
	return &boundIsIn{in: in, set: set, expr: n.String()}, nil
}

func (n castNode) bind(b *binder) (bound, error) {
	if n.dt == nil {
		return nil, fmt.Errorf("cast to a nil type: %w", ErrInvalidArgument)
	}
	in, err := n.in.bind(b)
	if err != nil {
		return nil, err
	}
	if from := in.dataType(); !arrow.TypeEqual(from, n.dt) && !compute.CanCast(from, n.dt) {
		return nil, fmt.Errorf("cannot cast %s of type %s to %s: %w", n.in, from, n.dt, ErrTypeMismatch)
	}
	return castTo(in, n.dt, compute.SafeCastOptions(n.dt), n.String()), nil
}

func (n aliasNode) bind(b *binder) (bound, error) { return n.in.bind(b) }
