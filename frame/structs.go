package frame

import (
	"fmt"
	"math/bits"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Struct mapping
//
// FromStructs and ToStructs resolve a Go struct type once into a plan (column
// names, field offsets, Arrow types), cache it in a sync.Map, and then move
// whole columns at a time: a typed loop reads field i of every row through
// its offset, with no reflection and no interface call per value.

// structPlan is the resolved mapping of one struct type to columns.
type structPlan struct {
	fields []fieldPlan
	dtype  *arrow.StructType
}

// fieldPlan maps one (possibly promoted) struct field to a column.
type fieldPlan struct {
	name   string  // column name
	goName string  // Go field path, for messages
	offset uintptr // from the start of the outermost struct
	codec  *codec
	depth  int  // embedding depth: 0 for t's own fields
	tagged bool // the name comes from a tag
}

type codecKind uint8

const (
	kindBool codecKind = iota
	kindInt
	kindInt8
	kindInt16
	kindInt32
	kindInt64
	kindUint
	kindUint8
	kindUint16
	kindUint32
	kindUint64
	kindFloat32
	kindFloat64
	kindString
	kindBytes
	kindTime
	kindDate
	kindPtr
	kindStruct
	kindList
)

// codec describes how one Go type maps to one Arrow type.
type codec struct {
	kind   codecKind
	goType reflect.Type
	dtype  arrow.DataType
	unit   arrow.TimeUnit // kindTime
	elem   *codec         // kindPtr, kindList
	plan   *structPlan    // kindStruct
}

// nullable reports whether the Go type can represent a null.
func (c *codec) nullable() bool {
	return c.kind == kindPtr || c.kind == kindList || c.kind == kindBytes
}

var (
	timeType = reflect.TypeFor[time.Time]()
	plans    sync.Map // reflect.Type -> planEntry
)

type planEntry struct {
	plan *structPlan
	err  error
}

// planFor returns the cached plan of struct type t, building it once.
func planFor(t reflect.Type) (*structPlan, error) {
	if e, ok := plans.Load(t); ok {
		return e.(planEntry).plan, e.(planEntry).err
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil, fmt.Errorf("Go type %s is not a struct: %w", t, ErrUnsupportedType)
	}
	p, err := buildPlan(t, map[reflect.Type]bool{}, "")
	e, _ := plans.LoadOrStore(t, planEntry{p, err})
	return e.(planEntry).plan, e.(planEntry).err
}

// buildPlan maps the fields of struct type t; visiting guards against
// recursive types, which have no finite Arrow type.
func buildPlan(t reflect.Type, visiting map[reflect.Type]bool, path string) (*structPlan, error) {
	if visiting[t] {
		return nil, fmt.Errorf("field %s: recursive type %s: %w", strings.TrimSuffix(path, "."), t, ErrUnsupportedType)
	}
	visiting[t] = true
	defer delete(visiting, t)
	var all []fieldPlan
	if err := collectFields(t, 0, 0, path, visiting, &all); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("field %s: struct %s has no exported fields: %w", strings.TrimSuffix(path, "."), t, ErrUnsupportedType)
	}
	kept, err := dominantFields(all)
	if err != nil {
		return nil, err
	}
	p := &structPlan{fields: kept}
	fields := make([]arrow.Field, len(kept))
	for i, fp := range kept {
		fields[i] = arrow.Field{Name: fp.name, Type: fp.codec.dtype, Nullable: true}
	}
	p.dtype = arrow.StructOf(fields...)
	return p, nil
}

// dominantFields resolves fields that map to the same column name as
// encoding/json does: the shallowest field wins, and among fields at that
// depth a tagged one beats untagged ones. Where encoding/json would drop the
// name as ambiguous (two fields at that depth, both tagged or both
// untagged), it is ErrDuplicateColumn naming both. Fields keep their order.
func dominantFields(all []fieldPlan) ([]fieldPlan, error) {
	byName := make(map[string][]int, len(all))
	for i, fp := range all {
		byName[fp.name] = append(byName[fp.name], i)
	}
	keep := make([]bool, len(all))
	for i, fp := range all {
		idx := byName[fp.name]
		if idx[0] != i {
			continue // resolved with the name's first field
		}
		if len(idx) == 1 {
			keep[i] = true
			continue
		}
		depth := all[idx[0]].depth
		for _, j := range idx {
			depth = min(depth, all[j].depth)
		}
		var shallow, tagged []int
		for _, j := range idx {
			if all[j].depth == depth {
				shallow = append(shallow, j)
				if all[j].tagged {
					tagged = append(tagged, j)
				}
			}
		}
		switch {
		case len(tagged) == 1:
			keep[tagged[0]] = true
		case len(shallow) == 1:
			keep[shallow[0]] = true
		default:
			a, b := shallow[0], shallow[1]
			if len(tagged) > 1 {
				a, b = tagged[0], tagged[1]
			}
			return nil, fmt.Errorf("fields %s and %s both map to column %q: %w", all[a].goName, all[b].goName, fp.name, ErrDuplicateColumn)
		}
	}
	out := make([]fieldPlan, 0, len(all))
	for i, fp := range all {
		if keep[i] {
			out = append(out, fp)
		}
	}
	return out, nil
}

// collectFields appends t's mapped fields, flattening untagged embedded
// structs as encoding/json does.
func collectFields(t reflect.Type, base uintptr, depth int, path string, visiting map[reflect.Type]bool, out *[]fieldPlan) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts := fieldTag(sf)
		if name == "-" && opts == "" {
			continue
		}
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Struct && ft != timeType {
				if err := collectFields(ft, base+sf.Offset, depth+1, path+sf.Name+".", visiting, out); err != nil {
					return err
				}
				continue
			}
			if ft.Kind() == reflect.Pointer {
				return fmt.Errorf("field %s%s: embedded pointer %s (a nil one has no fields to read): %w", path, sf.Name, ft, ErrUnsupportedType)
			}
		}
		if !sf.IsExported() {
			continue
		}
		tagged := name != ""
		if !tagged {
			name = sf.Name
		}
		c, err := codecFor(sf.Type, opts, visiting, path+sf.Name)
		if err != nil {
			return err
		}
		*out = append(*out, fieldPlan{name: name, goName: path + sf.Name, offset: base + sf.Offset, codec: c, depth: depth, tagged: tagged})
	}
	return nil
}

// fieldTag returns the column name and options from the frame tag, or from
// the json tag when there is no frame tag.
func fieldTag(sf reflect.StructField) (name, opts string) {
	tag, ok := sf.Tag.Lookup("frame")
	if !ok {
		tag = sf.Tag.Get("json")
	}
	name, opts, _ = strings.Cut(tag, ",")
	return name, opts
}

// timeOptions reads the time tag options: "date" for date32, "unit=s|ms|us|ns"
// for the timestamp unit (default microseconds).
func timeOptions(opts string) (date bool, unit arrow.TimeUnit, err error) {
	unit = arrow.Microsecond
	for _, o := range strings.Split(opts, ",") {
		switch o {
		case "date":
			date = true
		case "unit=s":
			unit = arrow.Second
		case "unit=ms":
			unit = arrow.Millisecond
		case "unit=us":
			unit = arrow.Microsecond
		case "unit=ns":
			unit = arrow.Nanosecond
		default:
			if strings.HasPrefix(o, "unit=") {
				return false, 0, fmt.Errorf("tag option %q, want unit=s, ms, us or ns: %w", o, ErrInvalidArgument)
			}
		}
	}
	return date, unit, nil
}

// codecFor maps Go type t (of the field at path) to its codec.
func codecFor(t reflect.Type, opts string, visiting map[reflect.Type]bool, path string) (*codec, error) {
	c := &codec{goType: t}
	if t == timeType {
		date, unit, err := timeOptions(opts)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", path, err)
		}
		if date {
			c.kind, c.dtype = kindDate, arrow.FixedWidthTypes.Date32
		} else {
			c.kind, c.dtype, c.unit = kindTime, TimestampType(unit), unit
		}
		return c, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		c.kind, c.dtype = kindBool, arrow.FixedWidthTypes.Boolean
	case reflect.Int:
		c.kind, c.dtype = kindInt, arrow.PrimitiveTypes.Int64
	case reflect.Int8:
		c.kind, c.dtype = kindInt8, arrow.PrimitiveTypes.Int8
	case reflect.Int16:
		c.kind, c.dtype = kindInt16, arrow.PrimitiveTypes.Int16
	case reflect.Int32:
		c.kind, c.dtype = kindInt32, arrow.PrimitiveTypes.Int32
	case reflect.Int64:
		c.kind, c.dtype = kindInt64, arrow.PrimitiveTypes.Int64
	case reflect.Uint:
		c.kind, c.dtype = kindUint, arrow.PrimitiveTypes.Uint64
	case reflect.Uint8:
		c.kind, c.dtype = kindUint8, arrow.PrimitiveTypes.Uint8
	case reflect.Uint16:
		c.kind, c.dtype = kindUint16, arrow.PrimitiveTypes.Uint16
	case reflect.Uint32:
		c.kind, c.dtype = kindUint32, arrow.PrimitiveTypes.Uint32
	case reflect.Uint64:
		c.kind, c.dtype = kindUint64, arrow.PrimitiveTypes.Uint64
	case reflect.Float32:
		c.kind, c.dtype = kindFloat32, arrow.PrimitiveTypes.Float32
	case reflect.Float64:
		c.kind, c.dtype = kindFloat64, arrow.PrimitiveTypes.Float64
	case reflect.String:
		c.kind, c.dtype = kindString, arrow.BinaryTypes.String
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			c.kind, c.dtype = kindBytes, arrow.BinaryTypes.Binary
			break
		}
		elem, err := codecFor(t.Elem(), opts, visiting, path+"[]")
		if err != nil {
			return nil, err
		}
		c.kind, c.elem, c.dtype = kindList, elem, arrow.ListOf(elem.dtype)
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Pointer {
			return nil, fmt.Errorf("field %s: Go type %s (pointer to pointer): %w", path, t, ErrUnsupportedType)
		}
		elem, err := codecFor(t.Elem(), opts, visiting, path)
		if err != nil {
			return nil, err
		}
		c.kind, c.elem, c.dtype = kindPtr, elem, elem.dtype
	case reflect.Struct:
		p, err := buildPlan(t, visiting, path+".")
		if err != nil {
			return nil, err
		}
		c.kind, c.plan, c.dtype = kindStruct, p, p.dtype
	default:
		return nil, fmt.Errorf("field %s: Go type %s: %w", path, t, ErrUnsupportedType)
	}
	if c.kind != kindList && c.kind != kindPtr && opts != "" {
		// Time options on a non-time field are a mistake worth reporting;
		// other options (json's omitempty, string) are ignored.
		for _, o := range strings.Split(opts, ",") {
			if o == "date" || strings.HasPrefix(o, "unit=") {
				return nil, fmt.Errorf("field %s: tag option %q applies only to time.Time: %w", path, o, ErrInvalidArgument)
			}
		}
	}
	return c, nil
}

// FromStructs builds a frame with one column per mapped field of T, which
// must be a struct type.
//
// Column names come from the `frame:"name"` tag, else the `json:"name"` tag,
// else the Go field name; "-" skips a field, unexported fields are skipped,
// and untagged embedded structs contribute their fields as encoding/json does.
// When several fields map to one name, encoding/json's rule picks one: the
// least deeply embedded, and among those the one with a tag. Where that rule
// leaves no single field (encoding/json would silently drop the name),
// FromStructs refuses the type with ErrDuplicateColumn naming two of them.
// Go types map to Arrow types as follows:
//
//	bool                    boolean
//	int, int64 / intN       int64 / intN
//	uint, uint64 / uintN    uint64 / uintN
//	float32, float64        float32, float64
//	string                  string
//	[]byte                  binary (nil is null)
//	time.Time               timestamp[us, UTC]; tag option unit=s|ms|us|ns
//	                        picks the unit, option date makes it date32
//	*T                      T's type, nil is null
//	struct                  struct (nested, by the same rules)
//	[]T                     list<T> (nil is null, empty is empty)
//
// Maps, arrays, channels, functions, interfaces, complex numbers and
// recursive types are refused with ErrUnsupportedType naming the field. A
// time outside its unit's range is ErrOutOfRange naming field and row.
func FromStructs[T any](rows []T, optFns ...func(*Options)) (*Frame, error) {
	t := reflect.TypeFor[T]()
	plan, err := planFor(t)
	if err != nil {
		return nil, fmt.Errorf("frame: from structs %s: %w", t, err)
	}
	o := resolveOptions(optFns)
	fields := make([]arrow.Field, len(plan.fields))
	cols := make([]*arrow.Chunked, 0, len(plan.fields))
	st := &encState{}
	for i, fp := range plan.fields {
		fields[i] = plan.dtype.Field(i)
		b := array.NewBuilder(o.Allocator, fp.codec.dtype)
		var err error
		if len(rows) > 0 {
			// Field pointers are formed only over a non-empty slice: with no
			// rows there is no allocation to point into (checkptr rejects
			// even computing such a pointer).
			base := unsafe.Pointer(unsafe.SliceData(rows))
			err = fp.codec.encode(st, b, unsafe.Add(base, fp.offset), len(rows), t.Size())
		}
		if err != nil {
			b.Release()
			for _, c := range cols {
				c.Release()
			}
			return nil, fmt.Errorf("frame: from structs %s: field %s (column %q): %w", t, fp.goName, fp.name, err)
		}
		cols = append(cols, single(b.NewArray()))
		b.Release()
	}
	runtime.KeepAlive(rows)
	return newFrame(arrow.NewSchema(fields, nil), cols, len(rows)), nil
}

// SchemaOf returns the Arrow schema FromStructs produces for T, for callers
// that declare tables (Glue, Parquet writers) before they have rows.
func SchemaOf[T any]() (*arrow.Schema, error) {
	t := reflect.TypeFor[T]()
	plan, err := planFor(t)
	if err != nil {
		return nil, fmt.Errorf("frame: schema of %s: %w", t, err)
	}
	return arrow.NewSchema(plan.dtype.Fields(), nil), nil
}

// encState holds scratch memory reused across the columns of one
// FromStructs call, so gathering strided fields allocates once per call.
// Scratch is typed as words and only ever viewed as pointer-free types.
type encState struct {
	words []uint64
	valid []bool
}

// scratch returns a view of n Ts over the reusable word buffer. T must not
// contain pointers: the garbage collector does not scan the buffer as such.
func scratch[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64 | bool](st *encState, n int) []T {
	var zero T
	words := (n*int(unsafe.Sizeof(zero)) + 7) / 8
	if cap(st.words) < words {
		st.words = make([]uint64, words)
	}
	st.words = st.words[:cap(st.words)]
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(st.words))), n)
}

// scratchValid returns n reusable validity entries.
func (st *encState) scratchValid(n int) []bool {
	if cap(st.valid) < n {
		st.valid = make([]bool, n)
	}
	return st.valid[:n]
}

type number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

type arrowNumber interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// encNum appends n values of Go type S read at p, p+stride, ... as D. When
// the values are contiguous and S has D's layout it hands the memory to the
// builder directly; otherwise it gathers them into scratch first.
func encNum[S number, D arrowNumber](st *encState, appendValues func([]D, []bool), p unsafe.Pointer, n int, stride uintptr) {
	if n == 0 {
		return
	}
	var s S
	var d D
	if unsafe.Sizeof(s) == unsafe.Sizeof(d) && stride == unsafe.Sizeof(s) {
		appendValues(unsafe.Slice((*D)(p), n), nil)
		return
	}
	buf := scratch[D](st, n)
	for i := range buf {
		buf[i] = D(*(*S)(unsafe.Add(p, uintptr(i)*stride)))
	}
	appendValues(buf, nil)
}

// encPtrNum is encNum for *S fields, where nil is null.
func encPtrNum[S number, D arrowNumber](st *encState, appendValues func([]D, []bool), p unsafe.Pointer, n int, stride uintptr) {
	if n == 0 {
		return
	}
	buf, valid := scratch[D](st, n), st.scratchValid(n)
	for i := range buf {
		ptr := *(**S)(unsafe.Add(p, uintptr(i)*stride))
		if ptr == nil {
			buf[i], valid[i] = 0, false
		} else {
			buf[i], valid[i] = D(*ptr), true
		}
	}
	appendValues(buf, valid)
}

// encode appends n values of c's Go type located at p, p+stride, ... to b,
// which is a builder for c.dtype. The switch runs once per call (a column, or
// a list's elements); the loops are typed.
func (c *codec) encode(st *encState, b array.Builder, p unsafe.Pointer, n int, stride uintptr) error {
	switch c.kind {
	case kindBool:
		bb := b.(*array.BooleanBuilder)
		bb.Reserve(n)
		for i := range n {
			bb.UnsafeAppend(*(*bool)(unsafe.Add(p, uintptr(i)*stride)))
		}
	case kindInt:
		encNum[int](st, b.(*array.Int64Builder).AppendValues, p, n, stride)
	case kindInt8:
		encNum[int8](st, b.(*array.Int8Builder).AppendValues, p, n, stride)
	case kindInt16:
		encNum[int16](st, b.(*array.Int16Builder).AppendValues, p, n, stride)
	case kindInt32:
		encNum[int32](st, b.(*array.Int32Builder).AppendValues, p, n, stride)
	case kindInt64:
		encNum[int64](st, b.(*array.Int64Builder).AppendValues, p, n, stride)
	case kindUint:
		encNum[uint](st, b.(*array.Uint64Builder).AppendValues, p, n, stride)
	case kindUint8:
		encNum[uint8](st, b.(*array.Uint8Builder).AppendValues, p, n, stride)
	case kindUint16:
		encNum[uint16](st, b.(*array.Uint16Builder).AppendValues, p, n, stride)
	case kindUint32:
		encNum[uint32](st, b.(*array.Uint32Builder).AppendValues, p, n, stride)
	case kindUint64:
		encNum[uint64](st, b.(*array.Uint64Builder).AppendValues, p, n, stride)
	case kindFloat32:
		encNum[float32](st, b.(*array.Float32Builder).AppendValues, p, n, stride)
	case kindFloat64:
		encNum[float64](st, b.(*array.Float64Builder).AppendValues, p, n, stride)
	case kindString:
		sb := b.(*array.StringBuilder)
		total := int64(sb.DataLen())
		for i := range n {
			total += int64(len(*(*string)(unsafe.Add(p, uintptr(i)*stride))))
		}
		if total > maxInt32 {
			// 32-bit offsets cannot address more; Arrow's builder would
			// overflow them rather than fail.
			return fmt.Errorf("more than %d bytes of string data in one array: %w", maxInt32, ErrOutOfRange)
		}
		sb.Reserve(n)
		sb.ReserveData(int(total) - sb.DataLen())
		for i := range n {
			sb.Append(*(*string)(unsafe.Add(p, uintptr(i)*stride)))
		}
	case kindBytes:
		bb := b.(*array.BinaryBuilder)
		total := int64(bb.DataLen())
		for i := range n {
			total += int64(len(*(*[]byte)(unsafe.Add(p, uintptr(i)*stride))))
		}
		if total > maxInt32 {
			return fmt.Errorf("more than %d bytes of binary data in one array: %w", maxInt32, ErrOutOfRange)
		}
		bb.Reserve(n)
		bb.ReserveData(int(total) - bb.DataLen())
		for i := range n {
			if v := *(*[]byte)(unsafe.Add(p, uintptr(i)*stride)); v != nil {
				bb.Append(v)
			} else {
				bb.AppendNull()
			}
		}
	case kindTime:
		tb := b.(*array.TimestampBuilder)
		tb.Reserve(n)
		for i := range n {
			v, err := timeToUnit(*(*time.Time)(unsafe.Add(p, uintptr(i)*stride)), c.unit)
			if err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			tb.UnsafeAppend(v)
		}
	case kindDate:
		db := b.(*array.Date32Builder)
		db.Reserve(n)
		for i := range n {
			v, err := timeToDate32(*(*time.Time)(unsafe.Add(p, uintptr(i)*stride)))
			if err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			db.UnsafeAppend(v)
		}
	case kindPtr:
		return c.encodePtr(st, b, p, n, stride)
	case kindStruct:
		sb := b.(*array.StructBuilder)
		for range n {
			sb.Append(true)
		}
		for k, fp := range c.plan.fields {
			if err := fp.codec.encode(st, sb.FieldBuilder(k), unsafe.Add(p, fp.offset), n, stride); err != nil {
				return fmt.Errorf("%s: %w", fp.goName, err)
			}
		}
	case kindList:
		return c.encodeList(st, b, p, n, stride)
	default:
		return fmt.Errorf("codec kind %d: %w", c.kind, ErrUnsupportedType)
	}
	return nil
}

// sliceHeader is the runtime layout of a Go slice, used to read and write
// slices of a type known only through reflect.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// encodeList appends n []E values: first all offsets and validity in one
// call, then each row's elements as one contiguous run.
func (c *codec) encodeList(st *encState, b array.Builder, p unsafe.Pointer, n int, stride uintptr) error {
	lb := b.(*array.ListBuilder)
	vb := lb.ValueBuilder()
	offsets, valid := scratch[int32](st, n), st.scratchValid(n)
	next := int64(vb.Len())
	for i := range n {
		h := (*sliceHeader)(unsafe.Add(p, uintptr(i)*stride))
		offsets[i], valid[i] = int32(next), h.data != nil
		next += int64(h.len)
		if next > maxInt32 {
			return fmt.Errorf("row %d: more than %d list elements in one array: %w", i, maxInt32, ErrOutOfRange)
		}
	}
	lb.AppendValues(offsets, valid)
	esize := c.elem.goType.Size()
	for i := range n {
		h := (*sliceHeader)(unsafe.Add(p, uintptr(i)*stride))
		if h.len > 0 {
			if err := c.elem.encode(st, vb, h.data, h.len, esize); err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
		}
	}
	return nil
}

// encodePtr appends n *E values, nil being null. Pointers to numbers get a
// typed loop; the rest encode each non-nil pointee as a run of one.
func (c *codec) encodePtr(st *encState, b array.Builder, p unsafe.Pointer, n int, stride uintptr) error {
	switch c.elem.kind {
	case kindInt:
		encPtrNum[int](st, b.(*array.Int64Builder).AppendValues, p, n, stride)
	case kindInt8:
		encPtrNum[int8](st, b.(*array.Int8Builder).AppendValues, p, n, stride)
	case kindInt16:
		encPtrNum[int16](st, b.(*array.Int16Builder).AppendValues, p, n, stride)
	case kindInt32:
		encPtrNum[int32](st, b.(*array.Int32Builder).AppendValues, p, n, stride)
	case kindInt64:
		encPtrNum[int64](st, b.(*array.Int64Builder).AppendValues, p, n, stride)
	case kindUint:
		encPtrNum[uint](st, b.(*array.Uint64Builder).AppendValues, p, n, stride)
	case kindUint8:
		encPtrNum[uint8](st, b.(*array.Uint8Builder).AppendValues, p, n, stride)
	case kindUint16:
		encPtrNum[uint16](st, b.(*array.Uint16Builder).AppendValues, p, n, stride)
	case kindUint32:
		encPtrNum[uint32](st, b.(*array.Uint32Builder).AppendValues, p, n, stride)
	case kindUint64:
		encPtrNum[uint64](st, b.(*array.Uint64Builder).AppendValues, p, n, stride)
	case kindFloat32:
		encPtrNum[float32](st, b.(*array.Float32Builder).AppendValues, p, n, stride)
	case kindFloat64:
		encPtrNum[float64](st, b.(*array.Float64Builder).AppendValues, p, n, stride)
	default:
		for i := range n {
			ptr := *(*unsafe.Pointer)(unsafe.Add(p, uintptr(i)*stride))
			if ptr == nil {
				b.AppendNull()
				continue
			}
			if err := c.elem.encode(st, b, ptr, 1, 0); err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
		}
	}
	return nil
}

// decodeFunc writes arr's values into Go memory at p, p+stride, ...; values
// under nulls are unspecified and the caller decides whether nulls are
// allowed.
type decodeFunc func(arr arrow.Array, p unsafe.Pointer, stride uintptr) error

// ToStructs converts the frame to one T per row, matching struct fields to
// columns by name with the rules of FromStructs. Extra columns are ignored;
// a field without a column is ErrColumnNotFound. A column converts to a
// field when no value can be lost: same type, a wider integer of the same
// signedness (or a signed one wider than an unsigned column), float32 to
// float64, string/large_string to string, binary/large_binary to []byte,
// timestamp (any unit and zone, returned in that zone) or date to time.Time,
// and struct and list columns recursively. Otherwise it is ErrTypeMismatch
// naming the column and field. A null into a field that cannot hold one (not
// a pointer, slice or []byte) is ErrNullValue naming the column and row.
//
// Strings share one allocation per Arrow chunk, like Values; pointer and
// slice fields point into one backing array per chunk.
func ToStructs[T any](f *Frame) ([]T, error) {
	t := reflect.TypeFor[T]()
	plan, err := planFor(t)
	if err != nil {
		return nil, fmt.Errorf("frame: to structs %s: %w", t, err)
	}
	out := make([]T, f.NumRows())
	base := unsafe.Pointer(unsafe.SliceData(out))
	for _, fp := range plan.fields {
		col, err := f.Column(fp.name)
		if err != nil {
			return nil, fmt.Errorf("frame: to structs %s: field %s: column %q: %w", t, fp.goName, fp.name, ErrColumnNotFound)
		}
		dec, err := decoderFor(fp.codec, col.DataType())
		if err != nil {
			return nil, fmt.Errorf("frame: to structs %s: column %q (%s) into field %s (%s): %w", t, fp.name, col.DataType(), fp.goName, fp.codec.goType, err)
		}
		row := 0
		for _, chunk := range col.Chunks() {
			if chunk.Len() == 0 {
				// An empty chunk has nothing to decode, and its row pointer
				// could lie past the end of out; its buffers may also be
				// absent (nil offsets), which Arrow allows at length 0.
				continue
			}
			if !fp.codec.nullable() {
				if i := firstNull(chunk, nil); i >= 0 {
					return nil, fmt.Errorf("frame: to structs %s: column %q row %d: null into field %s of type %s, use a pointer: %w",
						t, fp.name, row+i, fp.goName, fp.codec.goType, ErrNullValue)
				}
			}
			if err := dec(chunk, unsafe.Add(base, uintptr(row)*t.Size()+fp.offset), t.Size()); err != nil {
				return nil, fmt.Errorf("frame: to structs %s: column %q rows %d..%d: %w", t, fp.name, row, row+chunk.Len(), err)
			}
			row += chunk.Len()
		}
	}
	runtime.KeepAlive(out)
	return out, nil
}

// firstNull returns the first row of arr that is null while parent (if
// given) is valid there, or -1. Values under a null parent struct do not
// matter, so they are not reported.
func firstNull(arr arrow.Array, parent arrow.Array) int {
	if arr.NullN() == 0 {
		return -1
	}
	for i := range arr.Len() {
		if arr.IsNull(i) && (parent == nil || parent.IsValid(i)) {
			return i
		}
	}
	return -1
}

// decoderFor picks, once per column, how Arrow type dt fills c's Go type.
func decoderFor(c *codec, dt arrow.DataType) (decodeFunc, error) {
	switch c.kind {
	case kindBool:
		if dt.ID() == arrow.BOOL {
			return decBool, nil
		}
	case kindInt:
		return orMismatch(intDecoder[int](dt, bits.UintSize, true))
	case kindInt8:
		return orMismatch(intDecoder[int8](dt, 8, true))
	case kindInt16:
		return orMismatch(intDecoder[int16](dt, 16, true))
	case kindInt32:
		return orMismatch(intDecoder[int32](dt, 32, true))
	case kindInt64:
		return orMismatch(intDecoder[int64](dt, 64, true))
	case kindUint:
		return orMismatch(intDecoder[uint](dt, bits.UintSize, false))
	case kindUint8:
		return orMismatch(intDecoder[uint8](dt, 8, false))
	case kindUint16:
		return orMismatch(intDecoder[uint16](dt, 16, false))
	case kindUint32:
		return orMismatch(intDecoder[uint32](dt, 32, false))
	case kindUint64:
		return orMismatch(intDecoder[uint64](dt, 64, false))
	case kindFloat32:
		if dt.ID() == arrow.FLOAT32 {
			return decNum[float32, float32], nil
		}
	case kindFloat64:
		switch dt.ID() {
		case arrow.FLOAT32:
			return decNum[float32, float64], nil
		case arrow.FLOAT64:
			return decNum[float64, float64], nil
		}
	case kindString:
		if dt.ID() == arrow.STRING || dt.ID() == arrow.LARGE_STRING {
			return decString, nil
		}
	case kindBytes:
		if dt.ID() == arrow.BINARY || dt.ID() == arrow.LARGE_BINARY {
			return decBytes, nil
		}
	case kindTime, kindDate:
		if id := dt.ID(); id == arrow.TIMESTAMP || id == arrow.DATE32 || id == arrow.DATE64 {
			return decTime, nil
		}
	case kindPtr:
		elem, err := decoderFor(c.elem, dt)
		if err != nil {
			return nil, err
		}
		return ptrDecoder(c.elem.goType, elem), nil
	case kindStruct:
		return structDecoder(c.plan, dt)
	case kindList:
		return listDecoder(c, dt)
	}
	return nil, ErrTypeMismatch
}

func orMismatch(d decodeFunc) (decodeFunc, error) {
	if d == nil {
		return nil, ErrTypeMismatch
	}
	return d, nil
}

// intDecoder returns the decoder from an integer column to a Go integer of
// the given width and signedness, or nil when values could be lost.
func intDecoder[D number](dt arrow.DataType, width int, signed bool) decodeFunc {
	fits := func(colWidth int, colSigned bool) bool {
		if colSigned {
			return signed && colWidth <= width
		}
		return colWidth < width || (!signed && colWidth == width)
	}
	switch dt.ID() {
	case arrow.INT8:
		if fits(8, true) {
			return decNum[int8, D]
		}
	case arrow.INT16:
		if fits(16, true) {
			return decNum[int16, D]
		}
	case arrow.INT32:
		if fits(32, true) {
			return decNum[int32, D]
		}
	case arrow.INT64:
		if fits(64, true) {
			return decNum[int64, D]
		}
	case arrow.UINT8:
		if fits(8, false) {
			return decNum[uint8, D]
		}
	case arrow.UINT16:
		if fits(16, false) {
			return decNum[uint16, D]
		}
	case arrow.UINT32:
		if fits(32, false) {
			return decNum[uint32, D]
		}
	case arrow.UINT64:
		if fits(64, false) {
			return decNum[uint64, D]
		}
	}
	return nil
}

// decNum converts a fixed-width column of S into Go values of D.
func decNum[S arrowNumber, D number](arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
	v, ok := arr.(interface{ Values() []S })
	if !ok {
		return chunkTypeError(arr, []S(nil))
	}
	for i, x := range v.Values() {
		*(*D)(unsafe.Add(p, uintptr(i)*stride)) = D(x)
	}
	return nil
}

func decBool(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
	a, ok := arr.(*array.Boolean)
	if !ok {
		return chunkTypeError(arr, []bool(nil))
	}
	for i := range a.Len() {
		*(*bool)(unsafe.Add(p, uintptr(i)*stride)) = a.Value(i)
	}
	return nil
}

// decString slices every value out of one copy of the chunk's text: one
// allocation per chunk instead of one per row.
func decString(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
	if arr.Len() == 0 {
		return nil // its offsets buffer may be absent
	}
	switch a := arr.(type) {
	case *array.String:
		stringsAt(a.ValueOffsets(), string(a.ValueBytes()), p, stride)
	case *array.LargeString:
		stringsAt(a.ValueOffsets(), string(a.ValueBytes()), p, stride)
	default:
		return chunkTypeError(arr, []string(nil))
	}
	return nil
}

// stringsAt writes data[offs[i]-offs[0]:offs[i+1]-offs[0]] for each row i.
func stringsAt[O int32 | int64](offs []O, data string, p unsafe.Pointer, stride uintptr) {
	base := offs[0]
	for i := range len(offs) - 1 {
		*(*string)(unsafe.Add(p, uintptr(i)*stride)) = data[offs[i]-base : offs[i+1]-base]
	}
}

// decBytes slices every value out of one copy of the chunk's data, capacity
// capped; nulls become nil and valid empty values a non-nil empty slice.
func decBytes(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
	if arr.Len() == 0 {
		return nil // its offsets buffer may be absent
	}
	switch a := arr.(type) {
	case *array.Binary:
		bytesAt(arr, a.ValueOffsets(), append([]byte{}, a.ValueBytes()...), p, stride)
	case *array.LargeBinary:
		bytesAt(arr, a.ValueOffsets(), append([]byte{}, a.ValueBytes()...), p, stride)
	default:
		return chunkTypeError(arr, [][]byte(nil))
	}
	return nil
}

// bytesAt writes each row's window of data, or nil for nulls.
func bytesAt[O int32 | int64](arr arrow.Array, offs []O, data []byte, p unsafe.Pointer, stride uintptr) {
	base, valid := offs[0], bitmapOf(arr)
	for i := range len(offs) - 1 {
		dst := (*[]byte)(unsafe.Add(p, uintptr(i)*stride))
		if !valid.at(i) {
			*dst = nil
			continue
		}
		lo, hi := offs[i]-base, offs[i+1]-base
		*dst = data[lo:hi:hi]
	}
}

func decTime(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
	switch a := arr.(type) {
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		loc, err := timestampLocation(tt)
		if err != nil {
			return err
		}
		toTime := unitToTime(tt.Unit)
		for i, v := range a.Values() {
			*(*time.Time)(unsafe.Add(p, uintptr(i)*stride)) = toTime(int64(v)).In(loc)
		}
	case *array.Date32:
		for i, v := range a.Values() {
			*(*time.Time)(unsafe.Add(p, uintptr(i)*stride)) = time.Unix(int64(v)*86400, 0).UTC()
		}
	case *array.Date64:
		for i, v := range a.Values() {
			*(*time.Time)(unsafe.Add(p, uintptr(i)*stride)) = time.UnixMilli(int64(v)).UTC()
		}
	default:
		return chunkTypeError(arr, []time.Time(nil))
	}
	return nil
}

// ptrDecoder decodes a chunk into one backing array of E and points each
// valid row's field at its element, nil for nulls: one allocation per chunk.
func ptrDecoder(elemType reflect.Type, elem decodeFunc) decodeFunc {
	esize := elemType.Size()
	return func(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
		n := arr.Len()
		if n == 0 {
			return nil
		}
		backing := reflect.MakeSlice(reflect.SliceOf(elemType), n, n)
		bp := backing.UnsafePointer()
		if err := elem(arr, bp, esize); err != nil {
			return err
		}
		valid := bitmapOf(arr)
		for i := range n {
			dst := (*unsafe.Pointer)(unsafe.Add(p, uintptr(i)*stride))
			if valid.at(i) {
				*dst = unsafe.Add(bp, uintptr(i)*esize)
			} else {
				*dst = nil
			}
		}
		runtime.KeepAlive(backing)
		return nil
	}
}

// structDecoder matches the plan's fields to the struct column's children by
// name and decodes each child in place.
func structDecoder(plan *structPlan, dt arrow.DataType) (decodeFunc, error) {
	st, ok := dt.(*arrow.StructType)
	if !ok {
		return nil, ErrTypeMismatch
	}
	idx := make([]int, len(plan.fields))
	decs := make([]decodeFunc, len(plan.fields))
	for k, fp := range plan.fields {
		i, found := st.FieldIdx(fp.name)
		if !found {
			return nil, fmt.Errorf("struct has no field %q for %s: %w", fp.name, fp.goName, ErrColumnNotFound)
		}
		d, err := decoderFor(fp.codec, st.Field(i).Type)
		if err != nil {
			return nil, fmt.Errorf("struct field %q (%s) into %s (%s): %w", fp.name, st.Field(i).Type, fp.goName, fp.codec.goType, err)
		}
		idx[k], decs[k] = i, d
	}
	return func(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
		a, ok := arr.(*array.Struct)
		if !ok {
			return chunkTypeError(arr, "struct")
		}
		if a.Len() == 0 {
			return nil // p may not point into any allocation
		}
		for k, fp := range plan.fields {
			child := a.Field(idx[k])
			if !fp.codec.nullable() {
				if i := firstNull(child, a); i >= 0 {
					return fmt.Errorf("struct field %q row %d: null into %s of type %s, use a pointer: %w", fp.name, i, fp.goName, fp.codec.goType, ErrNullValue)
				}
			}
			if err := decs[k](child, unsafe.Add(p, fp.offset), stride); err != nil {
				return fmt.Errorf("struct field %q: %w", fp.name, err)
			}
		}
		return nil
	}, nil
}

// listDecoder decodes all of a chunk's elements into one backing array and
// makes each row's slice a capacity-capped window of it.
func listDecoder(c *codec, dt arrow.DataType) (decodeFunc, error) {
	var elemType arrow.DataType
	switch lt := dt.(type) {
	case *arrow.ListType:
		elemType = lt.Elem()
	case *arrow.LargeListType:
		elemType = lt.Elem()
	default:
		return nil, ErrTypeMismatch
	}
	elem, err := decoderFor(c.elem, elemType)
	if err != nil {
		return nil, fmt.Errorf("list element %s into %s: %w", elemType, c.elem.goType, err)
	}
	sliceType := c.goType
	return func(arr arrow.Array, p unsafe.Pointer, stride uintptr) error {
		if arr.Len() == 0 {
			return nil // its offsets buffer may be absent
		}
		switch a := arr.(type) {
		case *array.List:
			off := a.Data().Offset()
			return decodeList(a, a.ListValues(), a.Offsets()[off:off+a.Len()+1], c, elem, sliceType, p, stride)
		case *array.LargeList:
			off := a.Data().Offset()
			return decodeList(a, a.ListValues(), a.Offsets()[off:off+a.Len()+1], c, elem, sliceType, p, stride)
		}
		return chunkTypeError(arr, "list")
	}, nil
}

// decodeList is listDecoder's body for one chunk, generic over the offset
// width. offs has one entry per row plus one.
func decodeList[O int32 | int64](arr, values arrow.Array, offs []O, c *codec, elem decodeFunc, sliceType reflect.Type, p unsafe.Pointer, stride uintptr) error {
	n := arr.Len()
	if n == 0 {
		return nil
	}
	first, last := int64(offs[0]), int64(offs[n])
	elems := array.NewSlice(values, first, last)
	defer elems.Release()
	valid := bitmapOf(arr)
	if !c.elem.nullable() && elems.NullN() > 0 {
		// Only elements of valid rows count: a null row's offsets may
		// still span elements, whatever they hold.
		for i := range n {
			if !valid.at(i) {
				continue
			}
			for k := int64(offs[i]); k < int64(offs[i+1]); k++ {
				if elems.IsNull(int(k - first)) {
					return fmt.Errorf("row %d: list element %d: null into %s, use a pointer element: %w", i, k-int64(offs[i]), c.elem.goType, ErrNullValue)
				}
			}
		}
	}
	esize := c.elem.goType.Size()
	total := int(last - first)
	backing := reflect.MakeSlice(sliceType, total, total)
	bp := backing.UnsafePointer()
	if total > 0 {
		// With no elements there is nothing to decode, and bp points at no
		// allocation that element offsets could be added to.
		if err := elem(elems, bp, esize); err != nil {
			return err
		}
	}
	for i := range n {
		h := (*sliceHeader)(unsafe.Add(p, uintptr(i)*stride))
		ln := int(offs[i+1] - offs[i])
		switch {
		case !valid.at(i):
			*h = sliceHeader{}
		case ln == 0:
			// Point empty slices at the start of the backing array, never
			// past its end, which the garbage collector would not allow.
			*h = sliceHeader{data: bp}
		default:
			*h = sliceHeader{data: unsafe.Add(bp, uintptr(int64(offs[i])-first)*esize), len: ln, cap: ln}
		}
	}
	runtime.KeepAlive(backing)
	return nil
}

// bitmap reads an array's validity without an interface call per row.
type bitmap struct {
	bits []byte
	off  int
	all  bool // no nulls: every row is valid
}

func bitmapOf(arr arrow.Array) bitmap {
	if arr.NullN() == 0 {
		return bitmap{all: true}
	}
	return bitmap{bits: arr.NullBitmapBytes(), off: arr.Data().Offset()}
}

// at reports whether row i is valid. An array whose nulls have no bitmap
// (the null type) has no valid rows.
func (b bitmap) at(i int) bool {
	return b.all || b.bits != nil && bitutil.BitIsSet(b.bits, b.off+i)
}
