package s3io

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// A list of lists written by old parquet-avro and parquet-thrift looks
// like
//
//	optional group a (LIST) { repeated group array (LIST) { repeated int32 array; } }
//
// By the backward-compatibility rules of the Parquet format's
// LogicalTypes.md, the repeated group is the element of a, and being
// annotated LIST it is itself a list (of the repeated int32): a is
// list<list<int32>>. arrow-go v18.8.0 ignores the element's annotation and
// reads list<struct<array: list<int32>>>. legacyListRepair undoes that, on
// the type and on each batch, without copying values: the struct has one
// field and no nulls of its own (a repeated group has none), so its field
// is the element.

// legacyListRepair is the repair of one top-level column.
type legacyListRepair struct {
	column int
	typ    arrow.DataType
}

// findLegacyLists returns the repairs the file's top-level columns need.
func findLegacyLists(full *arrow.Schema, root *schema.GroupNode) []legacyListRepair {
	var out []legacyListRepair
	for i, f := range full.Fields() {
		if i >= root.NumFields() {
			break
		}
		if typ, ok := repairedListType(f.Type, root.Field(i)); ok {
			out = append(out, legacyListRepair{column: i, typ: typ})
		}
	}
	return out
}

// repairedListType is dt with the legacy shape fixed, when node (the
// column's Parquet node) has it.
func repairedListType(dt arrow.DataType, node schema.Node) (arrow.DataType, bool) {
	lt, ok := dt.(*arrow.ListType)
	if !ok {
		return nil, false
	}
	g, ok := node.(*schema.GroupNode)
	if !ok || !isListAnnotated(g) || g.NumFields() != 1 {
		return nil, false
	}
	rep, ok := g.Field(0).(*schema.GroupNode)
	if !ok || rep.RepetitionType() != parquet.Repetitions.Repeated || !isListAnnotated(rep) || rep.NumFields() != 1 {
		return nil, false
	}
	st, ok := lt.Elem().(*arrow.StructType)
	if !ok || st.NumFields() != 1 {
		return nil, false
	}
	inner := st.Field(0)
	if _, ok := inner.Type.(*arrow.ListType); !ok {
		return nil, false
	}
	elem := lt.ElemField()
	return arrow.ListOfField(arrow.Field{Name: elem.Name, Type: inner.Type, Nullable: elem.Nullable}), true
}

func isListAnnotated(g *schema.GroupNode) bool {
	if _, ok := g.LogicalType().(schema.ListLogicalType); ok {
		return true
	}
	return g.ConvertedType() == schema.ConvertedTypes.List
}

// repairSchema applies repairs to a schema.
func repairSchema(s *arrow.Schema, repairs []legacyListRepair) *arrow.Schema {
	if len(repairs) == 0 {
		return s
	}
	fields := s.Fields()
	for _, r := range repairs {
		if r.column < len(fields) {
			fields[r.column].Type = r.typ
		}
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

// repairBatch applies repairs to one batch decoded with the file's
// columns at the given positions (leafColumns maps a batch column to its
// top-level column). It takes rec's reference and returns one.
func repairBatch(rec arrow.RecordBatch, repairs []legacyListRepair, columns []int) (arrow.RecordBatch, error) {
	if len(repairs) == 0 {
		return rec, nil
	}
	defer rec.Release()
	cols := make([]arrow.Array, rec.NumCols())
	fields := rec.Schema().Fields()
	for i := range cols {
		cols[i] = rec.Column(i)
		cols[i].Retain()
	}
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for _, r := range repairs {
		for i, col := range columns {
			if col != r.column || i >= len(cols) {
				continue
			}
			fixed, err := repairListArray(cols[i], r.typ)
			if err != nil {
				release()
				return nil, fmt.Errorf("column %q: %w", fields[i].Name, err)
			}
			cols[i].Release()
			cols[i] = fixed
			fields[i].Type = r.typ
		}
	}
	md := rec.Schema().Metadata()
	out := array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, rec.NumRows())
	release()
	return out, nil
}

// repairListArray turns list<struct<x: list<T>>> into list<list<T>>
// sharing the buffers.
func repairListArray(arr arrow.Array, typ arrow.DataType) (arrow.Array, error) {
	list, ok := arr.(*array.List)
	if !ok {
		return nil, fmt.Errorf("legacy list repair: got %s, want a list: %w", arr.DataType(), ErrCorrupt)
	}
	st, ok := list.ListValues().(*array.Struct)
	if !ok || st.NumField() != 1 {
		return nil, fmt.Errorf("legacy list repair: element is %s, want a one-field struct: %w", list.ListValues().DataType(), ErrCorrupt)
	}
	if st.NullN() > 0 {
		return nil, fmt.Errorf("legacy list repair: %d null elements in a repeated group: %w", st.NullN(), ErrCorrupt)
	}
	data := list.Data()
	fixed := array.NewData(typ, data.Len(), data.Buffers(), []arrow.ArrayData{st.Field(0).Data()}, data.NullN(), data.Offset())
	defer fixed.Release()
	return array.MakeFromData(fixed), nil
}
