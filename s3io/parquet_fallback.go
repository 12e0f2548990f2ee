package s3io

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// Two gaps in arrow-go v18.8.0's Parquet reader are filled here, process-wide,
// by registering codecs with arrow-go's codec table when the package loads:
//
//   - The deprecated LZ4 codec (CompressionCodec 5, which parquet-mr wrote
//     with Hadoop's block framing and some other writers as a bare LZ4 block)
//     is not implemented at all: "compression for LZ4 unimplemented". The
//     codec below reads both forms, as Arrow C++ does, and the LZ4 frame
//     format besides. It writes the Hadoop form, which every reader of the
//     deprecated codec accepts.
//   - A DataPage V2 whose values are all null has zero bytes of compressed
//     data, which arrow-go hands to the snappy decoder, and zero bytes is not
//     a valid snappy block ("s2: corrupt input"). The Parquet spec has the
//     reader skip decompression then; the wrapper below decodes an empty
//     block as empty and leaves every other block to arrow-go's snappy.
//
// RegisterCodec writes a plain map, so it may only run during package
// initialisation, before any reader runs.
func init() {
	compress.RegisterCodec(compress.Codecs.Lz4, legacyLZ4Codec{})
	if snappy, err := compress.GetCodec(compress.Codecs.Snappy); err == nil {
		compress.RegisterCodec(compress.Codecs.Snappy, wrapEmptyBlock(snappy))
	}
}

// legacyLZ4Codec is Parquet's deprecated LZ4 codec.
type legacyLZ4Codec struct{}

// hadoopFrameHeader is the 8-byte header of one Hadoop LZ4 block: the
// decompressed and the compressed size, both big-endian uint32.
const hadoopFrameHeader = 8

func (c legacyLZ4Codec) Encode(dst, src []byte) []byte {
	bound := int(c.CompressBound(int64(len(src))))
	if cap(dst) < bound {
		dst = make([]byte, bound)
	}
	dst = dst[:bound]
	var lc lz4.Compressor
	n, err := lc.CompressBlock(src, dst[hadoopFrameHeader:])
	if err != nil {
		panic(fmt.Errorf("s3io: LZ4 compress: %w", err)) // only on a too small dst, which the bound rules out
	}
	if n == 0 && len(src) > 0 {
		// Incompressible: CompressBlock declines, so store a literal-only
		// block, which any LZ4 decoder accepts.
		n = literalLZ4Block(dst[hadoopFrameHeader:], src)
	}
	binary.BigEndian.PutUint32(dst[0:4], uint32(len(src)))
	binary.BigEndian.PutUint32(dst[4:8], uint32(n))
	return dst[:hadoopFrameHeader+n]
}

// literalLZ4Block writes src as one LZ4 sequence of literals only and
// returns its length.
func literalLZ4Block(dst, src []byte) int {
	n := len(src)
	i := 0
	if n < 15 {
		dst[i] = byte(n << 4)
		i++
	} else {
		dst[i] = 0xF0
		i++
		for rest := n - 15; ; rest -= 255 {
			if rest < 255 {
				dst[i] = byte(rest)
				i++
				break
			}
			dst[i] = 255
			i++
		}
	}
	return i + copy(dst[i:], src)
}

func (c legacyLZ4Codec) EncodeLevel(dst, src []byte, _ int) []byte { return c.Encode(dst, src) }

func (legacyLZ4Codec) CompressBound(n int64) int64 {
	// The larger of LZ4's own bound and a literal-only block.
	return hadoopFrameHeader + max(int64(lz4.CompressBlockBound(int(n))), n+n/255+16)
}

func (c legacyLZ4Codec) Decode(dst, src []byte) []byte {
	out, err := c.DecodeWithError(dst, src)
	if err != nil {
		panic(err) // arrow-go calls DecodeWithError; Decode exists for the interface
	}
	return out
}

// DecodeWithError tries the three forms in the order Arrow C++ does: Hadoop
// framing, then a bare LZ4 block; then the LZ4 frame format. dst is sized
// to the page's uncompressed size by the page reader.
func (legacyLZ4Codec) DecodeWithError(dst, src []byte) ([]byte, error) {
	if out, ok := decodeHadoopLZ4(dst, src); ok {
		return out, nil
	}
	if n, err := lz4.UncompressBlock(src, dst[:cap(dst)]); err == nil && (len(dst) == 0 || n == len(dst)) {
		return dst[:n], nil
	}
	if len(src) >= 4 && binary.LittleEndian.Uint32(src) == 0x184D2204 {
		out, err := io.ReadAll(io.LimitReader(lz4.NewReader(bytes.NewReader(src)), int64(max(len(dst), 1)<<8)))
		if err == nil {
			return append(dst[:0], out...), nil
		}
	}
	return nil, fmt.Errorf("legacy LZ4 page is neither Hadoop-framed, a bare LZ4 block nor an LZ4 frame: %w", ErrCorrupt)
}

// decodeHadoopLZ4 decodes src as a sequence of Hadoop LZ4 blocks filling
// dst exactly; ok is false if src is not in that form.
func decodeHadoopLZ4(dst, src []byte) ([]byte, bool) {
	want := len(dst)
	if want == 0 {
		want = cap(dst)
	}
	out := dst[:0]
	for len(src) > 0 {
		if len(src) < hadoopFrameHeader {
			return nil, false
		}
		raw := int(binary.BigEndian.Uint32(src[0:4]))
		comp := int(binary.BigEndian.Uint32(src[4:8]))
		if comp > len(src)-hadoopFrameHeader || raw > want-len(out) {
			return nil, false
		}
		block := src[hadoopFrameHeader : hadoopFrameHeader+comp]
		n, err := lz4.UncompressBlock(block, dst[len(out):len(out)+raw])
		if err != nil || n != raw {
			return nil, false
		}
		out = dst[:len(out)+raw]
		src = src[hadoopFrameHeader+comp:]
	}
	return out, len(out) == want
}

// emptyBlockCodec decodes an empty block as empty and passes everything
// else to the codec it wraps.
type emptyBlockCodec struct{ compress.Codec }

// emptyBlockStreamingCodec is emptyBlockCodec over a codec that also
// streams, so that arrow-go's streaming paths keep working.
type emptyBlockStreamingCodec struct {
	emptyBlockCodec
	compress.StreamingCodec
}

func wrapEmptyBlock(c compress.Codec) compress.Codec {
	if sc, ok := c.(compress.StreamingCodec); ok {
		return emptyBlockStreamingCodec{emptyBlockCodec{c}, sc}
	}
	return emptyBlockCodec{c}
}

func (c emptyBlockCodec) Decode(dst, src []byte) []byte {
	if len(src) == 0 {
		return dst[:0]
	}
	return c.Codec.Decode(dst, src)
}

func (c emptyBlockCodec) DecodeWithError(dst, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return dst[:0], nil
	}
	return compress.Decode(c.Codec, dst, src)
}

// pqarrow error classes the parquet-go fallback handles. Only these: a file
// pqarrow refuses for any other reason (all of the fixtures in bad/) keeps
// pqarrow's verdict, because parquet-go accepts some corrupt files
// silently.
var parquetFallbackErrors = []string{
	// A MAP whose key field is optional: the shape Hive and Athena CTAS
	// write. Arrow maps need non-null keys, so pqarrow refuses the schema;
	// the fallback reads it as a map and refuses a null key if one occurs.
	"MAP keys must be required",
	// A logical type from a newer format version: arrow-go panics parsing
	// the footer (the panic is recovered by protect); the spec says to
	// ignore the annotation and read the physical type.
	"invalid logical type",
}

// needsParquetFallback reports whether pqarrow's error on opening a file is
// one the parquet-go fallback handles.
func needsParquetFallback(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range parquetFallbackErrors {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// parquetGoObject reads one Parquet object with parquet-go, assembling
// Arrow record batches from its rows. It serves the files pqarrow refuses
// for a reason in parquetFallbackErrors. It reads rows, not columns, so it
// fetches every column of the selected row groups whatever the projection;
// it is for the rare files pqarrow cannot read, not the common path.
type parquetGoObject struct {
	file   *pq.File
	fields []fallbackField // projected top-level fields, in output order
	schema *arrow.Schema
}

// fallbackField is one node of the Parquet schema with what assembly needs.
type fallbackField struct {
	name     string
	node     pq.Node
	arrow    arrow.DataType
	nullable bool
	// def and rep are the definition and repetition levels at which this
	// node is present.
	def, rep int
	kind     fallbackKind
	children []fallbackField // struct fields; list element; map key, value
	// leaves are the column indices under this node, in order.
	leaves []int
	// column is the leaf's column index.
	column int
	// repeated is set on a list or map: the levels of the repeated node.
	repDef, repRep int
}

type fallbackKind int

const (
	fallbackLeaf fallbackKind = iota
	fallbackStruct
	fallbackList
	fallbackMap
)

// openParquetGo opens r with parquet-go and maps its schema to Arrow,
// keeping only columns (all when empty).
func openParquetGo(r io.ReaderAt, size int64, u URL, columns []string) (*parquetGoObject, error) {
	f, err := pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("parquet-go: %w: %w", ErrCorrupt, err)
	}
	paths := map[string]int{}
	for i, p := range f.Schema().Columns() {
		paths[strings.Join(p, "\x00")] = i
	}
	var all []fallbackField
	for _, fl := range f.Schema().Fields() {
		ff, err := mapFallbackNode(fl.Name(), fl, nil, 0, 0, paths)
		if err != nil {
			return nil, fmt.Errorf("parquet-go: column %q: %w", fl.Name(), err)
		}
		all = append(all, ff)
	}
	po := &parquetGoObject{file: f}
	if len(columns) == 0 {
		po.fields = all
	} else {
		for _, name := range columns {
			i := slicesIndexFunc(all, func(ff fallbackField) bool { return ff.name == name })
			if i < 0 {
				return nil, &SchemaError{URL: u.String(), Column: name, Want: "a column of the file", Got: "no such column"}
			}
			po.fields = append(po.fields, all[i])
		}
	}
	afs := make([]arrow.Field, len(po.fields))
	for i, ff := range po.fields {
		afs[i] = arrow.Field{Name: ff.name, Type: ff.arrow, Nullable: ff.nullable}
	}
	po.schema = arrow.NewSchema(afs, nil)
	return po, nil
}

func slicesIndexFunc[T any](s []T, f func(T) bool) int {
	for i, v := range s {
		if f(v) {
			return i
		}
	}
	return -1
}

// mapFallbackNode maps a Parquet node, whose parent is at levels (def,
// rep), to Arrow, following the LIST and MAP rules of the format's
// LogicalTypes.md including the backward-compatibility ones.
func mapFallbackNode(name string, n pq.Node, path []string, def, rep int, paths map[string]int) (fallbackField, error) {
	path = append(path[:len(path):len(path)], name)
	ff := fallbackField{name: name, node: n, nullable: n.Optional()}
	switch {
	case n.Optional():
		def++
	case n.Repeated():
		// A repeated node outside LIST or MAP is a required list of itself.
		elem, err := mapFallbackRepeated(name, n, path, def, rep, paths)
		if err != nil {
			return ff, err
		}
		return fallbackField{
			name: name, node: n, kind: fallbackList, def: def, rep: rep,
			repDef: def + 1, repRep: rep + 1, children: []fallbackField{elem}, leaves: elem.leaves,
			arrow: arrow.ListOfField(arrow.Field{Name: "element", Type: elem.arrow, Nullable: elem.nullable}),
		}, nil
	}
	ff.def, ff.rep = def, rep
	if n.Leaf() {
		t, err := fallbackLeafType(n.Type())
		if err != nil {
			return ff, err
		}
		col, ok := paths[strings.Join(path, "\x00")]
		if !ok {
			return ff, fmt.Errorf("no column for path %q", strings.Join(path, "."))
		}
		ff.kind, ff.arrow, ff.column, ff.leaves = fallbackLeaf, t, col, []int{col}
		return ff, nil
	}
	lt, ct := n.Type().LogicalType(), n.Type().ConvertedType()
	isMap := (lt != nil && isType[*format.MapType](lt.Value)) || (ct != nil && (*ct == deprecated.Map || *ct == deprecated.MapKeyValue))
	isList := (lt != nil && isType[*format.ListType](lt.Value)) || (ct != nil && *ct == deprecated.List)
	fields := n.Fields()
	switch {
	case isMap && len(fields) == 1 && fields[0].Repeated() && !fields[0].Leaf() && len(fields[0].Fields()) == 2:
		kv := fields[0]
		kvPath := append(path[:len(path):len(path)], kv.Name())
		key, err := mapFallbackNode(kv.Fields()[0].Name(), kv.Fields()[0], kvPath, def+1, rep+1, paths)
		if err != nil {
			return ff, err
		}
		val, err := mapFallbackNode(kv.Fields()[1].Name(), kv.Fields()[1], kvPath, def+1, rep+1, paths)
		if err != nil {
			return ff, err
		}
		if key.kind != fallbackLeaf {
			return ff, fmt.Errorf("map key of nested type %s: %w", key.arrow, ErrCorrupt)
		}
		mt := arrow.MapOf(key.arrow, val.arrow)
		mt.SetItemNullable(val.nullable)
		ff.kind, ff.arrow = fallbackMap, mt
		ff.repDef, ff.repRep = def+1, rep+1
		ff.children = []fallbackField{key, val}
		ff.leaves = append(append([]int(nil), key.leaves...), val.leaves...)
		return ff, nil
	case isMap && len(fields) == 1 && fields[0].Repeated() && !fields[0].Leaf() && len(fields[0].Fields()) == 1:
		// A MAP without values reads as the list of its keys, as pqarrow
		// reads it.
		kv := fields[0]
		kvPath := append(path[:len(path):len(path)], kv.Name())
		key, err := mapFallbackNode(kv.Fields()[0].Name(), kv.Fields()[0], kvPath, def+1, rep+1, paths)
		if err != nil {
			return ff, err
		}
		ff.kind = fallbackList
		ff.arrow = arrow.ListOfField(arrow.Field{Name: "element", Type: key.arrow, Nullable: key.nullable})
		ff.repDef, ff.repRep = def+1, rep+1
		ff.children, ff.leaves = []fallbackField{key}, key.leaves
		return ff, nil
	case isList && len(fields) == 1 && fields[0].Repeated():
		r := fields[0]
		rPath := append(path[:len(path):len(path)], r.Name())
		var elem fallbackField
		var err error
		if listRepeatedIsElement(name, r) {
			elem, err = mapFallbackRepeated(r.Name(), r, rPath, def, rep, paths)
		} else {
			elem, err = mapFallbackNode(r.Fields()[0].Name(), r.Fields()[0], rPath, def+1, rep+1, paths)
		}
		if err != nil {
			return ff, err
		}
		ff.kind = fallbackList
		ff.arrow = arrow.ListOfField(arrow.Field{Name: "element", Type: elem.arrow, Nullable: elem.nullable})
		ff.repDef, ff.repRep = def+1, rep+1
		ff.children, ff.leaves = []fallbackField{elem}, elem.leaves
		return ff, nil
	}
	ff.kind = fallbackStruct
	var afs []arrow.Field
	for _, c := range fields {
		cf, err := mapFallbackNode(c.Name(), c, path, def, rep, paths)
		if err != nil {
			return ff, err
		}
		ff.children = append(ff.children, cf)
		ff.leaves = append(ff.leaves, cf.leaves...)
		afs = append(afs, arrow.Field{Name: cf.name, Type: cf.arrow, Nullable: cf.nullable})
	}
	if len(afs) == 0 {
		return ff, fmt.Errorf("group with no fields: %w", ErrCorrupt)
	}
	ff.arrow = arrow.StructOf(afs...)
	return ff, nil
}

// mapFallbackRepeated maps a repeated node as the element of its list: the
// node itself, required, one level deeper.
func mapFallbackRepeated(name string, n pq.Node, path []string, def, rep int, paths map[string]int) (fallbackField, error) {
	ff := fallbackField{name: name, node: n, def: def + 1, rep: rep + 1}
	if n.Leaf() {
		t, err := fallbackLeafType(n.Type())
		if err != nil {
			return ff, err
		}
		col, ok := paths[strings.Join(path, "\x00")]
		if !ok {
			return ff, fmt.Errorf("no column for path %q", strings.Join(path, "."))
		}
		ff.kind, ff.arrow, ff.column, ff.leaves = fallbackLeaf, t, col, []int{col}
		return ff, nil
	}
	if lt, ct := n.Type().LogicalType(), n.Type().ConvertedType(); ((lt != nil && isType[*format.ListType](lt.Value)) || (ct != nil && *ct == deprecated.List)) &&
		len(n.Fields()) == 1 && n.Fields()[0].Repeated() {
		// A repeated group annotated LIST is a list itself, its repeated
		// child the element (old_list_structure.parquet: list<list<int32>>;
		// parquet_legacy.go repairs the same shape on the pqarrow path).
		c := n.Fields()[0]
		elem, err := mapFallbackRepeated(c.Name(), c, append(path[:len(path):len(path)], c.Name()), def+1, rep+1, paths)
		if err != nil {
			return ff, err
		}
		return fallbackField{
			name: name, node: n, kind: fallbackList, def: def + 1, rep: rep + 1,
			repDef: def + 2, repRep: rep + 2, children: []fallbackField{elem}, leaves: elem.leaves,
			arrow: arrow.ListOfField(arrow.Field{Name: c.Name(), Type: elem.arrow, Nullable: elem.nullable}),
		}, nil
	}
	ff.kind = fallbackStruct
	var afs []arrow.Field
	for _, c := range n.Fields() {
		cf, err := mapFallbackNode(c.Name(), c, path, def+1, rep+1, paths)
		if err != nil {
			return ff, err
		}
		ff.children = append(ff.children, cf)
		ff.leaves = append(ff.leaves, cf.leaves...)
		afs = append(afs, arrow.Field{Name: cf.name, Type: cf.arrow, Nullable: cf.nullable})
	}
	ff.arrow = arrow.StructOf(afs...)
	return ff, nil
}

// listRepeatedIsElement applies LogicalTypes.md's backward-compatibility
// rules: the repeated field of a LIST is itself the element when it is a
// primitive, a group of several fields, or named "array" or
// "<list>_tuple".
func listRepeatedIsElement(listName string, r pq.Field) bool {
	return r.Leaf() || len(r.Fields()) != 1 || r.Name() == "array" || r.Name() == listName+"_tuple"
}

func isType[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

// fallbackLeafType maps a primitive Parquet type and its annotation to
// Arrow, as pqarrow does; an annotation it does not know is ignored, as the
// format says, and the physical type read.
func fallbackLeafType(t pq.Type) (arrow.DataType, error) {
	var lv any
	if lt := t.LogicalType(); lt != nil {
		lv = lt.Value
	}
	ct := t.ConvertedType()
	converted := func(c deprecated.ConvertedType) bool { return ct != nil && *ct == c }
	switch t.Kind() {
	case pq.Boolean:
		return arrow.FixedWidthTypes.Boolean, nil
	case pq.Int32:
		switch v := lv.(type) {
		case *format.IntType:
			switch {
			case v.BitWidth == 8 && v.IsSigned:
				return arrow.PrimitiveTypes.Int8, nil
			case v.BitWidth == 8:
				return arrow.PrimitiveTypes.Uint8, nil
			case v.BitWidth == 16 && v.IsSigned:
				return arrow.PrimitiveTypes.Int16, nil
			case v.BitWidth == 16:
				return arrow.PrimitiveTypes.Uint16, nil
			case !v.IsSigned:
				return arrow.PrimitiveTypes.Uint32, nil
			}
		case *format.DateType:
			return arrow.FixedWidthTypes.Date32, nil
		case *format.DecimalType:
			return fallbackDecimal(v)
		case *format.TimeType:
			return arrow.FixedWidthTypes.Time32ms, nil
		}
		if converted(deprecated.Date) {
			return arrow.FixedWidthTypes.Date32, nil
		}
		return arrow.PrimitiveTypes.Int32, nil
	case pq.Int64:
		switch v := lv.(type) {
		case *format.IntType:
			if !v.IsSigned {
				return arrow.PrimitiveTypes.Uint64, nil
			}
		case *format.DecimalType:
			return fallbackDecimal(v)
		case *format.TimestampType:
			tz := ""
			if v.IsAdjustedToUTC {
				tz = "UTC"
			}
			return &arrow.TimestampType{Unit: fallbackUnit(v.Unit), TimeZone: tz}, nil
		case *format.TimeType:
			if isType[*format.NanoSeconds](v.Unit.Value) {
				return arrow.FixedWidthTypes.Time64ns, nil
			}
			return arrow.FixedWidthTypes.Time64us, nil
		}
		return arrow.PrimitiveTypes.Int64, nil
	case pq.Int96:
		// Microseconds rather than pqarrow's nanoseconds: INT96 (Spark,
		// Impala) holds dates far outside the nanosecond range, and a
		// coarser unit reads them where nanoseconds would wrap.
		return &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case pq.Float:
		return arrow.PrimitiveTypes.Float32, nil
	case pq.Double:
		return arrow.PrimitiveTypes.Float64, nil
	case pq.ByteArray:
		switch v := lv.(type) {
		case *format.StringType, *format.EnumType, *format.JsonType:
			return arrow.BinaryTypes.String, nil
		case *format.DecimalType:
			return fallbackDecimal(v)
		}
		if converted(deprecated.UTF8) || converted(deprecated.Enum) || converted(deprecated.Json) {
			return arrow.BinaryTypes.String, nil
		}
		return arrow.BinaryTypes.Binary, nil
	case pq.FixedLenByteArray:
		switch v := lv.(type) {
		case *format.DecimalType:
			return fallbackDecimal(v)
		case *format.Float16Type:
			if t.Length() == 2 {
				return arrow.FixedWidthTypes.Float16, nil
			}
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: t.Length()}, nil
	}
	return nil, fmt.Errorf("physical type %v: %w", t.Kind(), ErrCorrupt)
}

func fallbackDecimal(d *format.DecimalType) (arrow.DataType, error) {
	if d.Precision < 1 || d.Precision > 38 || d.Scale < 0 || d.Scale > d.Precision {
		return nil, fmt.Errorf("DECIMAL(%d,%d) outside what decimal128 holds: %w", d.Precision, d.Scale, ErrCorrupt)
	}
	return &arrow.Decimal128Type{Precision: d.Precision, Scale: d.Scale}, nil
}

func fallbackUnit(u format.TimeUnit) arrow.TimeUnit {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return arrow.Millisecond
	case *format.NanoSeconds:
		return arrow.Nanosecond
	}
	return arrow.Microsecond
}

// numRowGroups is the file's row group count.
func (po *parquetGoObject) numRowGroups() int { return len(po.file.RowGroups()) }

// decodeRowGroup reads row group g in batches of batchSize rows and emits
// each as a record batch of po.schema. It reports whether emit asked to
// stop.
func (po *parquetGoObject) decodeRowGroup(ctx context.Context, g, batchSize int, mem memory.Allocator, emit func(arrow.RecordBatch) bool) (stopped bool, err error) {
	rg := po.file.RowGroups()[g]
	rows := rg.Rows()
	defer rows.Close()
	buf := make([]pq.Row, min(batchSize, 4096))
	bld := array.NewRecordBuilder(mem, po.schema)
	defer bld.Release()
	var total, inBatch int64
	flush := func() bool {
		if inBatch == 0 {
			return true
		}
		rec := bld.NewRecordBatch()
		inBatch = 0
		return emit(rec)
	}
	perColumn := make([][]pq.Value, len(po.file.Schema().Columns()))
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		n, rerr := rows.ReadRows(buf)
		for _, row := range buf[:n] {
			for i := range perColumn {
				perColumn[i] = perColumn[i][:0]
			}
			for _, v := range row {
				c := v.Column()
				if c < 0 || c >= len(perColumn) {
					return false, fmt.Errorf("row %d: value of column %d of %d: %w", total, c, len(perColumn), ErrCorrupt)
				}
				perColumn[c] = append(perColumn[c], v)
			}
			for i, ff := range po.fields {
				if err := appendFallback(bld.Field(i), ff, perColumn); err != nil {
					return false, fmt.Errorf("row %d column %q: %w", total, ff.name, err)
				}
			}
			total++
			if inBatch++; inBatch == int64(batchSize) && !flush() {
				return true, nil
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return false, fmt.Errorf("%w: %w", ErrCorrupt, rerr)
		}
		if n == 0 {
			return false, fmt.Errorf("parquet-go read no rows and no error: %w", ErrCorrupt)
		}
	}
	if !flush() {
		return true, nil
	}
	if want := rg.NumRows(); total != want {
		return false, fmt.Errorf("decoded %d rows, the metadata declares %d: %w", total, want, ErrCorrupt)
	}
	return false, nil
}

// appendFallback appends one occurrence of ff, whose leaf values are
// cols[leaf] (the values of this occurrence only), to b.
func appendFallback(b array.Builder, ff fallbackField, cols [][]pq.Value) error {
	first, ok := firstValue(ff, cols)
	if !ok {
		return fmt.Errorf("no values for %q: %w", ff.name, ErrCorrupt)
	}
	if ff.nullable && first.DefinitionLevel() < ff.def {
		b.AppendNull()
		return nil
	}
	switch ff.kind {
	case fallbackLeaf:
		v := cols[ff.column][0]
		if v.IsNull() {
			if !ff.nullable {
				return fmt.Errorf("null in required column %q: %w", ff.name, ErrCorrupt)
			}
			b.AppendNull()
			return nil
		}
		return appendFallbackValue(b, v)
	case fallbackStruct:
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		for i, c := range ff.children {
			if err := appendFallback(sb.FieldBuilder(i), c, cols); err != nil {
				return err
			}
		}
		return nil
	case fallbackList, fallbackMap:
		elems := splitRepeated(ff, cols)
		switch lb := b.(type) {
		case *array.ListBuilder:
			lb.Append(true)
			for _, e := range elems {
				if err := appendFallback(lb.ValueBuilder(), ff.children[0], e); err != nil {
					return err
				}
			}
		case *array.MapBuilder:
			lb.Append(true)
			for _, e := range elems {
				key, _ := firstValue(ff.children[0], e)
				if key.IsNull() || key.DefinitionLevel() < ff.children[0].def {
					return fmt.Errorf("map %q has a null key, which Arrow maps cannot hold: %w", ff.name, ErrCorrupt)
				}
				if err := appendFallbackValue(lb.KeyBuilder(), key); err != nil {
					return err
				}
				if err := appendFallback(lb.ItemBuilder(), ff.children[1], e); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("builder %T for %s", b, ff.arrow)
		}
		return nil
	}
	return nil
}

// firstValue is the first value of ff's first leaf in cols.
func firstValue(ff fallbackField, cols [][]pq.Value) (pq.Value, bool) {
	if len(ff.leaves) == 0 || len(cols[ff.leaves[0]]) == 0 {
		return pq.Value{}, false
	}
	return cols[ff.leaves[0]][0], true
}

// splitRepeated splits one occurrence of a list or map into its elements:
// for each element, the values of each leaf under it. An occurrence whose
// first value is defined only up to the list itself is empty.
func splitRepeated(ff fallbackField, cols [][]pq.Value) [][][]pq.Value {
	first, _ := firstValue(ff, cols)
	if first.DefinitionLevel() < ff.repDef {
		return nil
	}
	var elems [][][]pq.Value
	for _, leaf := range ff.leaves {
		e := -1
		for i, v := range cols[leaf] {
			// A value at the list's own repetition level starts a new
			// element; deeper levels continue the current one.
			if i == 0 || v.RepetitionLevel() <= ff.repRep {
				e++
			}
			for len(elems) <= e {
				elems = append(elems, make([][]pq.Value, len(cols)))
			}
			elems[e][leaf] = append(elems[e][leaf], v)
		}
	}
	return elems
}

// appendFallbackValue appends one non-null leaf value to b.
func appendFallbackValue(b array.Builder, v pq.Value) error {
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(v.Boolean())
	case *array.Int8Builder:
		b.Append(int8(v.Int32()))
	case *array.Uint8Builder:
		b.Append(uint8(v.Int32()))
	case *array.Int16Builder:
		b.Append(int16(v.Int32()))
	case *array.Uint16Builder:
		b.Append(uint16(v.Int32()))
	case *array.Int32Builder:
		b.Append(v.Int32())
	case *array.Uint32Builder:
		b.Append(uint32(v.Int32()))
	case *array.Int64Builder:
		b.Append(v.Int64())
	case *array.Uint64Builder:
		b.Append(uint64(v.Int64()))
	case *array.Float16Builder:
		raw := v.ByteArray()
		if len(raw) != 2 {
			return fmt.Errorf("FLOAT16 of %d bytes: %w", len(raw), ErrCorrupt)
		}
		b.Append(float16.FromBits(binary.LittleEndian.Uint16(raw)))
	case *array.Float32Builder:
		b.Append(v.Float())
	case *array.Float64Builder:
		b.Append(v.Double())
	case *array.StringBuilder:
		b.BinaryBuilder.Append(v.ByteArray())
	case *array.BinaryBuilder:
		b.Append(v.ByteArray())
	case *array.FixedSizeBinaryBuilder:
		b.Append(v.ByteArray())
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.Int32()))
	case *array.Time32Builder:
		b.Append(arrow.Time32(v.Int32()))
	case *array.Time64Builder:
		b.Append(arrow.Time64(v.Int64()))
	case *array.TimestampBuilder:
		if v.Kind() != pq.Int96 {
			b.Append(arrow.Timestamp(v.Int64()))
			return nil
		}
		ts, err := int96Micros(v.Int96())
		if err != nil {
			return err
		}
		b.Append(ts)
	case *array.Decimal128Builder:
		d, err := fallbackDecimalValue(v)
		if err != nil {
			return err
		}
		b.Append(d)
	default:
		return fmt.Errorf("no conversion of %v to %T", v.Kind(), b)
	}
	return nil
}

// julianUnixEpoch is the Julian day number of 1970-01-01.
const julianUnixEpoch = 2440588

// int96Micros converts an INT96 timestamp (nanoseconds within the day, then
// the Julian day) to microseconds since the Unix epoch. Every INT96 value
// fits: 2^31 days is about 5.9 million years, and int64 microseconds span
// about 292,000 years either side of 1970; a value past that is an error,
// never a wrap.
func int96Micros(i deprecated.Int96) (arrow.Timestamp, error) {
	nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
	days := int64(int32(i[2])) - julianUnixEpoch
	const dayMicros = int64(24 * time.Hour / time.Microsecond)
	if days > (1<<63-1)/dayMicros-1 || days < -(1<<63-1)/dayMicros+1 {
		return 0, fmt.Errorf("INT96 timestamp %d days from 1970 is outside the int64 microsecond range: %w", days, ErrCorrupt)
	}
	return arrow.Timestamp(days*dayMicros + nanos/1000), nil
}

// fallbackDecimalValue reads a decimal from INT32, INT64 or a big-endian
// two's-complement byte array.
func fallbackDecimalValue(v pq.Value) (decimal128.Num, error) {
	switch v.Kind() {
	case pq.Int32:
		return decimal128.FromI64(int64(v.Int32())), nil
	case pq.Int64:
		return decimal128.FromI64(v.Int64()), nil
	}
	raw := v.ByteArray()
	if len(raw) > 16 {
		return decimal128.Num{}, fmt.Errorf("decimal of %d bytes: %w", len(raw), ErrCorrupt)
	}
	n := new(big.Int).SetBytes(raw)
	if len(raw) > 0 && raw[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(raw))))
	}
	return decimal128.FromBigInt(n), nil
}

// errNoFallback is returned when a file pqarrow refused for a fallback
// class cannot be read by parquet-go either.
var errNoFallback = errors.New("the parquet-go fallback could not read it either")
