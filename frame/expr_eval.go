package frame

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Evaluation walks the frame in runs that lie within one chunk of every
// column the expression reads (the same runs FilterChunked uses), so each
// node sees plain, equally long arrays and never concatenates chunks. Every
// node returns a new reference to its result, which its parent releases.

// bound is a checked expression node, ready to evaluate.
type bound interface {
	dataType() arrow.DataType
	// eval computes the node over one run: run holds the binder's columns,
	// each sliced to the run's ec.n rows. The result is an array of ec.n
	// rows or a scalar, owned by the caller.
	eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error)
}

type evalCtx struct {
	ctx context.Context
	mem memory.Allocator
	n   int
}

// array returns d as an array of ec.n rows, repeating a scalar, and
// releases d.
func (ec *evalCtx) array(d compute.Datum) (arrow.Array, error) {
	defer d.Release()
	switch v := d.(type) {
	case *compute.ArrayDatum:
		return v.MakeArray(), nil
	case *compute.ScalarDatum:
		return scalar.MakeArrayFromScalar(v.Value, ec.n, ec.mem)
	case *compute.ChunkedDatum:
		return array.Concatenate(v.Value.Chunks(), ec.mem)
	}
	return nil, fmt.Errorf("unexpected %s result", d.Kind())
}

type boundCol struct {
	slot int
	dt   arrow.DataType
}

func (b *boundCol) dataType() arrow.DataType { return b.dt }
func (b *boundCol) eval(_ *evalCtx, run []arrow.Array) (compute.Datum, error) {
	return compute.NewDatum(run[b.slot]), nil
}

type boundLit struct{ sc scalar.Scalar }

func (b *boundLit) dataType() arrow.DataType { return b.sc.DataType() }
func (b *boundLit) eval(*evalCtx, []arrow.Array) (compute.Datum, error) {
	return compute.NewDatum(b.sc), nil
}

// boundNull is an operation whose result is null whatever its inputs, such
// as a comparison with a nil literal.
type boundNull struct{ dt arrow.DataType }

func (b *boundNull) dataType() arrow.DataType { return b.dt }
func (b *boundNull) eval(*evalCtx, []arrow.Array) (compute.Datum, error) {
	return compute.NewDatum(scalar.MakeNullScalar(b.dt)), nil
}

// boundCall runs an Arrow compute function.
type boundCall struct {
	fn   string
	opts compute.FunctionOptions
	args []bound
	dt   arrow.DataType
	expr string
}

func (b *boundCall) dataType() arrow.DataType { return b.dt }

func (b *boundCall) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	args := make([]compute.Datum, 0, len(b.args))
	defer func() {
		for _, a := range args {
			if a != nil {
				a.Release()
			}
		}
	}()
	scalars := 0
	for _, a := range b.args {
		d, err := a.eval(ec, run)
		if err != nil {
			return nil, err
		}
		args = append(args, d)
		if d.Kind() == compute.KindScalar {
			scalars++
		}
	}
	if scalars == len(args) {
		// Kernels expect at least one array; literal-only expressions
		// are rare enough to just repeat the first scalar.
		arr, err := ec.array(args[0]) // releases args[0]
		args[0] = nil
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.expr, err)
		}
		args[0] = compute.NewDatum(arr)
		arr.Release()
	}
	res, err := compute.CallFunction(ec.ctx, b.fn, b.opts, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.expr, err)
	}
	return res, nil
}

// boundCast casts with Arrow's cast kernel.
type boundCast struct {
	in   bound
	opts *compute.CastOptions
	expr string
}

func (b *boundCast) dataType() arrow.DataType { return b.opts.ToType }

func (b *boundCast) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	d, err := b.in.eval(ec, run)
	if err != nil {
		return nil, err
	}
	arr, err := ec.array(d)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	out, err := compute.CastArray(ec.ctx, arr, b.opts)
	if err != nil {
		if b.expr == "" {
			return nil, fmt.Errorf("cast %s to %s: %w", arr.DataType(), b.opts.ToType, err)
		}
		return nil, fmt.Errorf("%s: %w", b.expr, err)
	}
	defer out.Release()
	if i := float32Overflow(arr, out); i >= 0 {
		if b.expr == "" {
			return nil, fmt.Errorf("cast %s to %s: %w", arr.DataType(), b.opts.ToType, float32OverflowError(arr, i))
		}
		return nil, fmt.Errorf("%s: %w", b.expr, float32OverflowError(arr, i))
	}
	return compute.NewDatum(out), nil
}

// boundIsIn runs Arrow's is_in kernel against a value set built at bind
// time; a null input gives null.
type boundIsIn struct {
	in   bound
	set  arrow.Array
	expr string
}

func (b *boundIsIn) dataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

func (b *boundIsIn) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	d, err := b.in.eval(ec, run)
	if err != nil {
		return nil, err
	}
	arr, err := ec.array(d)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	res, err := compute.IsIn(ec.ctx, compute.SetOptions{
		ValueSet:     compute.NewDatumWithoutOwning(b.set),
		NullBehavior: compute.NullMatchingEmitNull,
	}, compute.NewDatumWithoutOwning(arr))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.expr, err)
	}
	return res, nil
}

// boundBoolIn is In over a boolean expression: the value set is true,
// false, both or neither; null stays null.
type boundBoolIn struct {
	in                bound
	hasTrue, hasFalse bool
}

func (b *boundBoolIn) dataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

func (b *boundBoolIn) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	valid, nulls := copyValidity(ec.mem, arr)
	vals := newBuffer(ec.mem, int(bitutil.BytesForBits(int64(n))))
	bits := vals.Bytes()
	switch {
	case b.hasTrue == b.hasFalse || n == 0:
		fillBits(bits, b.hasTrue)
	case b.hasTrue:
		bitutil.CopyBitmap(arr.Data().Buffers()[1].Bytes(), arr.Data().Offset(), n, bits, 0)
	default:
		bitutil.InvertBitmap(arr.Data().Buffers()[1].Bytes(), arr.Data().Offset(), n, bits, 0)
	}
	out := finishArray(arrow.FixedWidthTypes.Boolean, n, valid, nulls, vals)
	defer out.Release()
	return compute.NewDatum(out), nil
}

// evalArray evaluates b and returns its result as an array of ec.n rows.
func evalArray(ec *evalCtx, b bound, run []arrow.Array) (arrow.Array, error) {
	d, err := b.eval(ec, run)
	if err != nil {
		return nil, err
	}
	return ec.array(d)
}

// newBuffer allocates a buffer of n bytes from mem.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n)
	return buf
}

// copyValidity returns a copy of arr's validity bitmap starting at bit 0,
// or nil when arr has no nulls, and the null count.
func copyValidity(mem memory.Allocator, arr arrow.Array) (*memory.Buffer, int) {
	if arr.NullN() == 0 {
		return nil, 0
	}
	n := arr.Len()
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	if bm := arr.NullBitmapBytes(); bm != nil {
		bitutil.CopyBitmap(bm, arr.Data().Offset(), n, buf.Bytes(), 0)
	} else {
		clear(buf.Bytes()) // a null-typed array: nothing is valid
	}
	return buf, arr.NullN()
}

// finishArray assembles an array from buffers it takes over.
func finishArray(dt arrow.DataType, n int, valid *memory.Buffer, nulls int, bufs ...*memory.Buffer) arrow.Array {
	all := append([]*memory.Buffer{valid}, bufs...)
	data := array.NewData(dt, n, all, nil, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	for _, b := range all {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// boundNot negates booleans with a bitmap loop. (arrow-go v18.8's "not"
// kernel reuses the input's validity bitmap without its offset, so it
// misplaces nulls on a sliced array.)
type boundNot struct{ in bound }

func (b *boundNot) dataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

func (b *boundNot) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	valid, nulls := copyValidity(ec.mem, arr)
	vals := newBuffer(ec.mem, int(bitutil.BytesForBits(int64(n))))
	if n > 0 {
		bitutil.InvertBitmap(arr.Data().Buffers()[1].Bytes(), arr.Data().Offset(), n, vals.Bytes(), 0)
	}
	out := finishArray(arrow.FixedWidthTypes.Boolean, n, valid, nulls, vals)
	defer out.Release()
	return compute.NewDatum(out), nil
}

// boundIsNull is IsNull or IsNotNull, read straight off the validity
// bitmap; the result has no nulls. (Arrow's is_null kernel reports the
// rows of a null-typed array, which has no bitmap, as valid.)
type boundIsNull struct {
	in  bound
	not bool
}

func (b *boundIsNull) dataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

func (b *boundIsNull) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	vals := newBuffer(ec.mem, int(bitutil.BytesForBits(int64(n))))
	bits := vals.Bytes()
	bm := arr.NullBitmapBytes()
	switch {
	case arr.NullN() == 0:
		fillBits(bits, b.not)
	case arr.NullN() == n || bm == nil:
		fillBits(bits, !b.not)
	case b.not:
		bitutil.CopyBitmap(bm, arr.Data().Offset(), n, bits, 0)
	default:
		bitutil.InvertBitmap(bm, arr.Data().Offset(), n, bits, 0)
	}
	out := finishArray(arrow.FixedWidthTypes.Boolean, n, nil, 0, vals)
	defer out.Release()
	return compute.NewDatum(out), nil
}

func fillBits(bits []byte, v bool) {
	var b byte
	if v {
		b = 0xff
	}
	for i := range bits {
		bits[i] = b
	}
}

// forEachValue calls fn with each valid row of a string or binary array
// and its bytes, which alias Arrow memory and must not be retained.
func forEachValue(arr arrow.Array, fn func(i int, v []byte)) {
	var offs32 []int32
	var offs64 []int64
	var data []byte
	switch a := arr.(type) {
	case *array.String:
		offs32, data = a.ValueOffsets(), a.ValueBytes()
	case *array.Binary:
		offs32, data = a.ValueOffsets(), a.ValueBytes()
	case *array.LargeString:
		offs64, data = a.ValueOffsets(), a.ValueBytes()
	case *array.LargeBinary:
		offs64, data = a.ValueOffsets(), a.ValueBytes()
	default:
		return
	}
	if arr.Len() == 0 {
		return
	}
	var bm []byte
	off := arr.Data().Offset()
	if arr.NullN() > 0 {
		bm = arr.NullBitmapBytes()
	}
	if offs32 != nil {
		visitOffsets(offs32, data, bm, off, fn)
	} else {
		visitOffsets(offs64, data, bm, off, fn)
	}
}

func visitOffsets[O int32 | int64](offs []O, data []byte, bm []byte, off int, fn func(i int, v []byte)) {
	base := offs[0]
	for i := range len(offs) - 1 {
		if bm != nil && !bitutil.BitIsSet(bm, off+i) {
			continue
		}
		fn(i, data[offs[i]-base:offs[i+1]-base])
	}
}

// boundStrPred is Contains, HasPrefix or HasSuffix with a literal pattern.
type boundStrPred struct {
	in      bound
	op      strOp
	pattern []byte
}

func (b *boundStrPred) dataType() arrow.DataType { return arrow.FixedWidthTypes.Boolean }

func (b *boundStrPred) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	valid, nulls := copyValidity(ec.mem, arr)
	vals := newBuffer(ec.mem, int(bitutil.BytesForBits(int64(n))))
	bits := vals.Bytes()
	clear(bits)
	pat := b.pattern
	switch b.op {
	case opContains:
		forEachValue(arr, func(i int, v []byte) {
			if bytes.Contains(v, pat) {
				bitutil.SetBit(bits, i)
			}
		})
	case opHasPrefix:
		forEachValue(arr, func(i int, v []byte) {
			if bytes.HasPrefix(v, pat) {
				bitutil.SetBit(bits, i)
			}
		})
	case opHasSuffix:
		forEachValue(arr, func(i int, v []byte) {
			if bytes.HasSuffix(v, pat) {
				bitutil.SetBit(bits, i)
			}
		})
	}
	out := finishArray(arrow.FixedWidthTypes.Boolean, n, valid, nulls, vals)
	defer out.Release()
	return compute.NewDatum(out), nil
}

// boundStrMap is Lower or Upper. It writes each mapped value into one
// reused scratch slice and from there into the builder's data buffer, so no
// row allocates.
type boundStrMap struct {
	in    bound
	upper bool
}

func (b *boundStrMap) dataType() arrow.DataType { return b.in.dataType() }

func (b *boundStrMap) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	bld := array.NewBuilder(ec.mem, arr.DataType())
	defer bld.Release()
	n := arr.Len()
	var bb *array.BinaryBuilder
	dataLen := 0
	switch t := bld.(type) {
	case *array.StringBuilder:
		bb = t.BinaryBuilder
		if n > 0 {
			dataLen = len(arr.(*array.String).ValueBytes())
		}
	case *array.LargeStringBuilder:
		bb = t.BinaryBuilder
		if n > 0 {
			dataLen = len(arr.(*array.LargeString).ValueBytes())
		}
	default:
		return nil, fmt.Errorf("%s: %w", arr.DataType(), ErrTypeMismatch)
	}
	bb.Reserve(n)
	bb.ReserveData(dataLen)
	var scratch []byte
	next := 0
	forEachValue(arr, func(i int, v []byte) {
		for ; next < i; next++ {
			bb.AppendNull()
		}
		scratch = appendCase(scratch[:0], v, b.upper)
		bb.Append(scratch)
		next++
	})
	for ; next < n; next++ {
		bb.AppendNull()
	}
	out := bb.NewArray()
	defer out.Release()
	return compute.NewDatum(out), nil
}

// appendCase appends s mapped to upper or lower case, rune by rune as
// strings.ToUpper and strings.ToLower do (invalid UTF-8 becomes U+FFFD).
func appendCase(dst, s []byte, upper bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case upper && 'a' <= c && c <= 'z':
				c -= 'a' - 'A'
			case !upper && 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if upper {
			r = unicode.ToUpper(r)
		} else {
			r = unicode.ToLower(r)
		}
		dst = utf8.AppendRune(dst, r)
		i += size
	}
	return dst
}

// boundLen counts characters of strings and bytes of binary values.
type boundLen struct{ in bound }

func (b *boundLen) dataType() arrow.DataType { return arrow.PrimitiveTypes.Int64 }

func (b *boundLen) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	valid, nulls := copyValidity(ec.mem, arr)
	vals := newBuffer(ec.mem, n*8)
	out := arrow.Int64Traits.CastFromBytes(vals.Bytes())
	clear(out)
	if isStringID(arr.DataType().ID()) {
		forEachValue(arr, func(i int, v []byte) { out[i] = int64(utf8.RuneCount(v)) })
	} else {
		forEachValue(arr, func(i int, v []byte) { out[i] = int64(len(v)) })
	}
	res := finishArray(arrow.PrimitiveTypes.Int64, n, valid, nulls, vals)
	defer res.Release()
	return compute.NewDatum(res), nil
}

// boundDatePart extracts a calendar field of timestamps or dates. UTC and
// zone-less timestamps, and dates, are split with integer civil-calendar
// arithmetic; timestamps in another zone go through time.Time, which knows
// the zone's offsets (time.Time is a value, so this does not allocate).
type boundDatePart struct {
	in   bound
	op   unaryOp
	loc  *time.Location // timestamps only; nil for dates
	expr string
}

func (b *boundDatePart) dataType() arrow.DataType { return arrow.PrimitiveTypes.Int32 }

func (b *boundDatePart) eval(ec *evalCtx, run []arrow.Array) (compute.Datum, error) {
	arr, err := evalArray(ec, b.in, run)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	n := arr.Len()
	valid, nulls := copyValidity(ec.mem, arr)
	vals := newBuffer(ec.mem, n*4)
	out := arrow.Int32Traits.CastFromBytes(vals.Bytes())
	switch a := arr.(type) {
	case *array.Timestamp:
		perSec := int64(1e9) / unitNanos(a.DataType().(*arrow.TimestampType).Unit)
		if b.loc != nil && b.loc != time.UTC {
			err = zonedParts(b.op, a.TimestampValues(), perSec, b.loc, out)
		} else {
			err = civilParts(b.op, a.TimestampValues(), perSec*86400, perSec, out)
		}
	case *array.Date32:
		err = civilParts(b.op, a.Date32Values(), 1, 1, out)
	case *array.Date64:
		err = civilParts(b.op, a.Date64Values(), 86_400_000, 1000, out)
	default:
		err = fmt.Errorf("%s: %w", arr.DataType(), ErrTypeMismatch)
	}
	if err == nil && b.op == opYear {
		// A year out of int32's range (timestamps in seconds reach 292
		// billion years) was marked; it is an error only on a valid row.
		err = checkYears(arr, out)
	}
	if err != nil {
		for _, buf := range []*memory.Buffer{valid, vals} {
			if buf != nil {
				buf.Release()
			}
		}
		return nil, fmt.Errorf("%s: %w", b.expr, err)
	}
	res := finishArray(arrow.PrimitiveTypes.Int32, n, valid, nulls, vals)
	defer res.Release()
	return compute.NewDatum(res), nil
}

// yearOverflow marks a year that does not fit int32.
const yearOverflow = math.MinInt32

func checkYears(arr arrow.Array, years []int32) error {
	for i, y := range years {
		if y == yearOverflow && arr.IsValid(i) {
			return fmt.Errorf("the year of row %d does not fit int32: %w", i, ErrOutOfRange)
		}
	}
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func civilFromDays(days int64) (year int64, month, day int32) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int32(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int32(mp + 3)
	} else {
		month = int32(mp - 9)
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

func civilParts[T ~int32 | ~int64](op unaryOp, vals []T, perDay, perSec int64, out []int32) error {
	for i, v := range vals {
		t := int64(v)
		days := floorDiv(t, perDay)
		secs := (t - days*perDay) / perSec
		switch op {
		case opYear:
			y, _, _ := civilFromDays(days)
			if y > math.MaxInt32 || y <= math.MinInt32 {
				y = yearOverflow
			}
			out[i] = int32(y)
		case opMonth:
			_, m, _ := civilFromDays(days)
			out[i] = m
		case opDay:
			_, _, d := civilFromDays(days)
			out[i] = d
		case opWeekday:
			out[i] = int32(floorMod(days+4, 7)) // 1970-01-01 was a Thursday
		case opHour:
			out[i] = int32(secs / 3600)
		case opMinute:
			out[i] = int32(secs / 60 % 60)
		case opSecond:
			out[i] = int32(secs % 60)
		}
	}
	return nil
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func zonedParts(op unaryOp, vals []arrow.Timestamp, perSec int64, loc *time.Location, out []int32) error {
	for i, v := range vals {
		t := time.Unix(floorDiv(int64(v), perSec), 0).In(loc)
		switch op {
		case opYear:
			y := t.Year()
			if y > math.MaxInt32 || y <= math.MinInt32 {
				y = yearOverflow
			}
			out[i] = int32(y)
		case opMonth:
			out[i] = int32(t.Month())
		case opDay:
			out[i] = int32(t.Day())
		case opWeekday:
			out[i] = int32(t.Weekday())
		case opHour:
			out[i] = int32(t.Hour())
		case opMinute:
			out[i] = int32(t.Minute())
		case opSecond:
			out[i] = int32(t.Second())
		}
	}
	return nil
}

// prepared is an expression bound to a frame.
type prepared struct {
	f    *Frame
	expr Expr
	b    bound
	cols []*arrow.Chunked
}

// prepare binds e to f's schema; the error names the expression.
func (f *Frame) prepare(e Expr) (*prepared, error) {
	f = f.orEmpty()
	bd := newBinder(f)
	b, err := e.node().bind(bd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e, err)
	}
	return &prepared{f: f, expr: e, b: b, cols: bd.cols}, nil
}

// run evaluates the prepared expression over every row. The caller owns
// the result.
func (p *prepared) run(mem memory.Allocator) (*arrow.Chunked, error) {
	dt := p.b.dataType()
	ec := &evalCtx{ctx: compute.WithAllocator(context.Background(), mem), mem: mem}
	var chunks []arrow.Array
	rows := p.f.NumRows()
	err := forEachRun(p.cols, rows, func(start int, run []arrow.Array) error {
		ec.n = rows - start
		if len(run) > 0 {
			ec.n = run[0].Len()
		}
		arr, err := evalArray(ec, p.b, run)
		if err != nil {
			return err
		}
		if arr.Len() != ec.n || !arrow.TypeEqual(arr.DataType(), dt) {
			err := fmt.Errorf("%s: evaluated to %d rows of %s, want %d rows of %s", p.expr, arr.Len(), arr.DataType(), ec.n, dt)
			arr.Release()
			return err
		}
		chunks = append(chunks, arr)
		return nil
	})
	if err != nil {
		for _, c := range chunks {
			c.Release()
		}
		return nil, err
	}
	out := arrow.NewChunked(dt, chunks)
	for _, c := range chunks {
		c.Release()
	}
	return out, nil
}

// evalExpr binds and evaluates e over every row of f; the caller owns the
// result. Errors name the expression but carry no package prefix.
func (f *Frame) evalExpr(e Expr, mem memory.Allocator) (*arrow.Chunked, error) {
	p, err := f.prepare(e)
	if err != nil {
		return nil, err
	}
	return p.run(mem)
}

// Eval evaluates e over every row of f and returns the result column. The
// caller owns one reference to it: with a custom allocator (WithAllocator),
// call Release on it when done; with the default allocator it may simply
// be dropped.
func (f *Frame) Eval(e Expr, optFns ...func(*Options)) (*arrow.Chunked, error) {
	col, err := f.evalExpr(e, resolveOptions(optFns).Allocator)
	if err != nil {
		return nil, fmt.Errorf("frame: eval %w", err)
	}
	return col, nil
}

// Filter returns the rows where the boolean expression e is true. A row
// where e is null is dropped, as a SQL WHERE clause drops it, so
// Col("x").Gt(1) keeps no row where x is null. Rows keep their order, and
// stretches of rows that all pass are shared with f without copy.
func (f *Frame) Filter(e Expr, optFns ...func(*Options)) (*Frame, error) {
	p, err := f.prepare(e)
	if err != nil {
		return nil, fmt.Errorf("frame: filter %w", err)
	}
	switch dt := p.b.dataType(); dt.ID() {
	case arrow.BOOL:
	case arrow.NULL:
		return f.slice(0, 0), nil // null everywhere: no row passes
	default:
		return nil, fmt.Errorf("frame: filter %s: the predicate is of type %s, want bool: %w", e, dt, ErrTypeMismatch)
	}
	mask, err := p.run(resolveOptions(optFns).Allocator)
	if err != nil {
		return nil, fmt.Errorf("frame: filter %w", err)
	}
	defer mask.Release()
	return f.FilterChunked(mask, optFns...)
}

// WithColumn returns a frame with the result of e as the column name: in
// place of the column of that name if there is one, else appended at the
// end. The other columns are shared with f.
func (f *Frame) WithColumn(name string, e Expr, optFns ...func(*Options)) (*Frame, error) {
	col, err := f.evalExpr(e, resolveOptions(optFns).Allocator)
	if err != nil {
		return nil, fmt.Errorf("frame: with column %q: %w", name, err)
	}
	defer col.Release()
	return f.orEmpty().withColumn(name, col), nil
}

// WithColumns is WithColumn for several expressions, each named by its
// Name (see Alias). All are evaluated against f, not against each other's
// results; naming two results alike is an error.
func (f *Frame) WithColumns(exprs []Expr, optFns ...func(*Options)) (*Frame, error) {
	seen := make(map[string]bool, len(exprs))
	cols := make([]*arrow.Chunked, 0, len(exprs))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, e := range exprs {
		name := e.Name()
		if seen[name] {
			return nil, fmt.Errorf("frame: with columns: two expressions named %q; name them with Alias: %w", name, ErrDuplicateColumn)
		}
		seen[name] = true
		col, err := f.evalExpr(e, resolveOptions(optFns).Allocator)
		if err != nil {
			return nil, fmt.Errorf("frame: with column %q: %w", name, err)
		}
		cols = append(cols, col)
	}
	out := f.orEmpty().derive(f.Schema().Fields(), append([]*arrow.Chunked(nil), f.orEmpty().cols...))
	for i, e := range exprs {
		next := out.withColumn(e.Name(), cols[i])
		out.Release()
		out = next
	}
	return out, nil
}

// withColumn returns f with col as the column name, replacing or
// appending; col is retained, not consumed.
func (f *Frame) withColumn(name string, col *arrow.Chunked) *Frame {
	fields := append([]arrow.Field(nil), f.Schema().Fields()...)
	cols := append([]*arrow.Chunked(nil), f.cols...)
	field := arrow.Field{Name: name, Type: col.DataType(), Nullable: true}
	if i, err := f.columnIndex(name); err == nil {
		fields[i], cols[i] = field, col
	} else {
		fields, cols = append(fields, field), append(cols, col)
	}
	return f.derive(fields, cols)
}
