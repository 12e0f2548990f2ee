package s3io

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/gowrangler/wrangler/frame"
)

// ScanCSVRows streams the rows of CSV objects as values of T, a struct type
// mapped to columns as frame.FromStructs maps it: the `frame:"name"` tag,
// else the `json:"name"` tag, else the field name. url is one object, a
// prefix or a glob, read as ScanCSV reads it (objects in key order,
// Concurrency at a time, compression by suffix).
//
// T's field types are the read schema, so no type is guessed: every value
// is parsed as its field's Arrow type (see frame.FromStructs for the
// mapping; time.Time reads dates and timestamps as ScanCSV does), and one
// that does not parse is a *SchemaError naming the object, the data row and
// the column. ReadOptions.Schema and Columns are ignored; columns T does
// not name are skipped. Without a header the columns are ColumnNames, or
// T's fields in order. A column missing from an object reads as null for a
// field that can hold null (a pointer, a slice, []byte) and is a
// *SchemaError naming it for any other field. An empty (unquoted) value,
// or one of NullValues, is null: nil for a pointer field, "" for a string
// field (CSV cannot tell the two apart), and a *SchemaError naming the
// row and column for any other field. An empty object has no rows.
//
// The yielded values are the caller's: they share no memory with the
// reader and stay valid after the loop. Rows are decoded BatchSize at a
// time, so memory is bounded by about 2 x Concurrency batches of Arrow
// data plus one batch of T, never by object size. The first error ends the
// sequence.
func ScanCSVRows[T any](ctx context.Context, c *Client, url string, optFns ...func(*ReadOptions)) iter.Seq2[T, error] {
	ro := c.readOptions(optFns)
	return func(yield func(T, error) bool) {
		var zero T
		plan, err := rowPlanFor[T]()
		if err != nil {
			yield(zero, err)
			return
		}
		if err := ro.refuseWhere("ScanCSVRows"); err != nil {
			yield(zero, err)
			return
		}
		if err := ro.checkCSV(); err != nil {
			yield(zero, err)
			return
		}
		for _, f := range plan.schema.Fields() {
			col, err := newTextColumn(ro.Allocator, f)
			if err != nil {
				yield(zero, fmt.Errorf("s3io: read %s as %s: %w", url, plan.goType, err))
				return
			}
			col.b.Release()
		}
		ro.Schema, ro.Columns = plan.schema, plan.names // other columns are skipped
		urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
		if err != nil {
			yield(zero, err)
			return
		}
		seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
			u := urls[i]
			d, err := c.openCSV(ctx, ro, u, 0)
			if err != nil {
				return err
			}
			defer d.close()
			if !ro.NoHeader && len(d.header) == 0 {
				return nil // an empty object: no columns, no rows
			}
			schema, err := plan.present(u, d.names(0))
			if err != nil {
				return fmt.Errorf("s3io: %w", err)
			}
			var rows int64
			var verr error
			err = d.decode(ctx, schema, func(rec arrow.RecordBatch) bool {
				full := plan.complete(ro.Allocator, rec, true)
				rec.Release()
				before := rows
				if se := plan.vet(u, full, func(r int) int64 { return before + int64(r) + 1 }); se != nil {
					full.Release()
					verr = se
					return false
				}
				rows += full.NumRows()
				return emit(full)
			})
			if verr != nil {
				return fmt.Errorf("s3io: %w", verr)
			}
			var se *SchemaError
			if errors.As(err, &se) && se.Err == errValueType {
				se.Err = errFieldType // the schema is T's, not a guess
			}
			return err
		})
		yieldRows(ro, urls, seq, yield)
	}
}

// errFieldType is the cause in a SchemaError for a CSV value that does not
// parse as its field's type.
var errFieldType = errors.New("value does not parse as the field's type")

// ReadCSVRows reads CSV objects into a slice of T; see ScanCSVRows.
func ReadCSVRows[T any](ctx context.Context, c *Client, url string, optFns ...func(*ReadOptions)) ([]T, error) {
	return collectRows(ScanCSVRows[T](ctx, c, url, optFns...))
}

// ScanJSONRows streams the rows of JSON lines objects as values of T, with
// the mapping, the sources and the memory bound of ScanCSVRows. T's field
// types are the read schema of ScanJSONLines, so no type is guessed: a
// value that does not fit its field's type is a *SchemaError naming the
// object, the line and the column, and a line that is not one JSON object
// is ErrCorrupt naming the line. Keys T does not name are ignored; a key
// absent from a line, or null, is nil for a pointer, slice or []byte field
// and a *SchemaError naming the line and column for any other field.
// ReadOptions.Schema and Columns are ignored. The yielded values are the
// caller's and stay valid after the loop; the first error ends the
// sequence.
func ScanJSONRows[T any](ctx context.Context, c *Client, url string, optFns ...func(*ReadOptions)) iter.Seq2[T, error] {
	ro := c.readOptions(optFns)
	return func(yield func(T, error) bool) {
		var zero T
		plan, err := rowPlanFor[T]()
		if err != nil {
			yield(zero, err)
			return
		}
		if err := ro.refuseWhere("ScanJSONRows"); err != nil {
			yield(zero, err)
			return
		}
		ro.Schema, ro.Columns = plan.schema, nil
		urls, err := c.resolveObjects(ctx, url, ro.Options, nil)
		if err != nil {
			yield(zero, err)
			return
		}
		seq := scanObjects(ctx, len(urls), ro.Concurrency, func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error {
			d, err := c.openJSON(ctx, ro, urls[i], 0)
			if err != nil {
				return err
			}
			defer d.close()
			d.check = func(rec arrow.RecordBatch, lines []int64) error {
				if se := plan.vet(urls[i], rec, func(r int) int64 { return lines[r] }); se != nil {
					return fmt.Errorf("s3io: read %s line %d: %w", urls[i], se.Row, se)
				}
				return nil
			}
			return d.decode(ctx, plan.schema, emit)
		})
		yieldRows(ro, urls, seq, yield)
	}
}

// ReadJSONRows reads JSON lines objects into a slice of T; see
// ScanJSONRows.
func ReadJSONRows[T any](ctx context.Context, c *Client, url string, optFns ...func(*ReadOptions)) ([]T, error) {
	return collectRows(ScanJSONRows[T](ctx, c, url, optFns...))
}

// collectRows gathers a row stream into a slice.
func collectRows[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var rows []T
	for row, err := range seq {
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// yieldRows converts the batches of seq, which have T's columns, to T
// with frame.ToStructs and yields them one by one.
func yieldRows[T any](ro ReadOptions, urls []URL, seq iter.Seq[objectBatch], yield func(T, error) bool) {
	var zero T
	var rows, objectRows int64
	last := -1
	for ob := range seq {
		if ob.err != nil {
			yield(zero, ob.err)
			return
		}
		if ob.object != last {
			last, objectRows = ob.object, 0
		}
		n := ob.batch.NumRows()
		values, err := batchStructs[T](ob.batch)
		ob.batch.Release()
		if err != nil {
			yield(zero, fmt.Errorf("s3io: read %s data rows %d to %d: %w", urls[ob.object], objectRows+1, objectRows+n, err))
			return
		}
		objectRows += n
		rows += n
		ro.report(Progress{Op: "scan", URL: urls[ob.object].String(), Objects: ob.object, Rows: rows})
		for _, v := range values {
			if !yield(v, nil) {
				return
			}
		}
	}
	ro.report(Progress{Op: "scan", Objects: len(urls), Rows: rows, Done: true})
}

// batchStructs converts one batch to T through a frame over it.
func batchStructs[T any](rec arrow.RecordBatch) ([]T, error) {
	f, err := frame.FromRecords(rec)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	return frame.ToStructs[T](f)
}

// rowPlan is the read schema a struct type implies, and which of its
// columns a null can go into.
type rowPlan struct {
	goType   reflect.Type
	schema   *arrow.Schema
	names    []string
	nullable []bool // per column: T's field can hold null
}

var rowPlans sync.Map // reflect.Type -> rowPlanEntry

type rowPlanEntry struct {
	plan *rowPlan
	err  error
}

// rowPlanFor returns T's plan, built once per type.
func rowPlanFor[T any]() (*rowPlan, error) {
	t := reflect.TypeFor[T]()
	if e, ok := rowPlans.Load(t); ok {
		return e.(rowPlanEntry).plan, e.(rowPlanEntry).err
	}
	p, err := buildRowPlan[T](t)
	if err != nil {
		err = fmt.Errorf("s3io: rows of %s: %w: %w", t, ErrInvalidOption, err)
	}
	e, _ := rowPlans.LoadOrStore(t, rowPlanEntry{p, err})
	return e.(rowPlanEntry).plan, e.(rowPlanEntry).err
}

// buildRowPlan takes the schema from frame.SchemaOf and learns which
// fields can hold null by asking frame.ToStructs itself: a one-row frame
// of non-null values decodes, and replacing one column with a null makes
// it fail with frame.ErrNullValue exactly when that column's field cannot
// hold one. The mapping rules thus stay frame's alone.
func buildRowPlan[T any](t reflect.Type) (*rowPlan, error) {
	schema, err := frame.SchemaOf[T]()
	if err != nil {
		return nil, err
	}
	mem := memory.DefaultAllocator
	fields := schema.Fields()
	p := &rowPlan{goType: t, schema: schema, names: fieldNames(schema), nullable: make([]bool, len(fields))}
	values := make([]arrow.Array, len(fields))
	nulls := make([]arrow.Array, len(fields))
	for i, f := range fields {
		b := array.NewBuilder(mem, f.Type)
		b.AppendEmptyValue()
		values[i] = b.NewArray()
		b.Release()
		nulls[i] = array.MakeArrayOfNull(mem, f.Type, 1)
	}
	defer func() {
		for i := range fields {
			values[i].Release()
			nulls[i].Release()
		}
	}()
	probe := func(null int) error {
		cols := make([]frame.Series, len(fields))
		for i, f := range fields {
			a := values[i]
			if i == null {
				a = nulls[i]
			}
			cols[i] = frame.Array(f.Name, a)
		}
		f, err := frame.New(cols...)
		if err != nil {
			return err
		}
		defer f.Release()
		_, err = frame.ToStructs[T](f)
		return err
	}
	if err := probe(-1); err != nil {
		return nil, err
	}
	for i := range fields {
		err := probe(i)
		if err != nil && !errors.Is(err, frame.ErrNullValue) {
			return nil, err
		}
		p.nullable[i] = err == nil
	}
	return p, nil
}

// present returns the schema of T's columns that names (an object's
// columns) has, in T's order. A column it lacks is a *SchemaError unless
// its field can hold null; complete fills such columns with nulls.
func (p *rowPlan) present(u URL, names []string) (*arrow.Schema, error) {
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	fields := make([]arrow.Field, 0, len(p.names))
	for i, f := range p.schema.Fields() {
		switch {
		case have[f.Name]:
			fields = append(fields, f)
		case !p.nullable[i]:
			return nil, &SchemaError{URL: u.String(), Column: f.Name,
				Want: fmt.Sprintf("a column for %s's field, which cannot hold null (use a pointer to allow a missing column)", p.goType),
				Got:  "no such column in the object"}
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

// complete returns rec with T's columns in T's order: the columns rec
// lacks are all null. With emptyStrings, nulls in a string column whose
// field cannot hold null become "". The caller keeps its reference to rec
// and owns the result.
func (p *rowPlan) complete(mem memory.Allocator, rec arrow.RecordBatch, emptyStrings bool) arrow.RecordBatch {
	n := rec.NumRows()
	cols := make([]arrow.Array, len(p.names))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, f := range p.schema.Fields() {
		idx := rec.Schema().FieldIndices(f.Name)
		switch {
		case len(idx) == 0:
			cols[i] = array.MakeArrayOfNull(mem, f.Type, int(n))
		case emptyStrings && !p.nullable[i] && f.Type.ID() == arrow.STRING && rec.Column(idx[0]).NullN() > 0:
			cols[i] = nullsAsEmpty(mem, rec.Column(idx[0]).(*array.String))
		default:
			cols[i] = rec.Column(idx[0])
			cols[i].Retain()
		}
	}
	return array.NewRecordBatch(p.schema, cols, n)
}

// nullsAsEmpty copies a string array with its nulls replaced by "".
func nullsAsEmpty(mem memory.Allocator, a *array.String) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(a.Len())
	b.ReserveData(len(a.ValueBytes()))
	for i := range a.Len() {
		b.Append(a.Value(i)) // "" under a null
	}
	return b.NewArray()
}

// vet returns a *SchemaError for the first null in a top-level column whose
// field cannot hold one; rowOf numbers a batch row in the object.
func (p *rowPlan) vet(u URL, rec arrow.RecordBatch, rowOf func(int) int64) *SchemaError {
	for i, f := range p.schema.Fields() {
		if p.nullable[i] {
			continue
		}
		col := rec.Column(i)
		if col.NullN() == 0 {
			continue
		}
		for r := range col.Len() {
			if col.IsNull(r) {
				return &SchemaError{URL: u.String(), Column: f.Name, Row: rowOf(r),
					Want: fmt.Sprintf("a value (%s's field cannot hold null; use a pointer)", p.goType),
					Got:  "null", Err: frame.ErrNullValue}
			}
		}
	}
	return nil
}
