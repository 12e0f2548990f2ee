package s3io

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/gowrangler/wrangler/frame"
)

// CompareOp is the operator of a Condition.
type CompareOp int

// The operators of a Condition. A null never satisfies a comparison or In,
// as in SQL; IsNull and IsNotNull test for it.
const (
	OpEq CompareOp = iota + 1
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn
	OpIsNull
	OpIsNotNull
)

var opNames = [...]string{OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=", OpIn: "IN", OpIsNull: "IS NULL", OpIsNotNull: "IS NOT NULL"}

// String is the operator as SQL writes it.
func (op CompareOp) String() string {
	if op > 0 && int(op) < len(opNames) {
		return opNames[op]
	}
	return fmt.Sprintf("CompareOp(%d)", int(op))
}

// A Condition compares one column with a value. Values are Go values of
// the kind the column holds: any integer or float for numeric columns,
// string or []byte for strings and binary, bool, and time.Time for dates
// and timestamps. Build conditions with Eq, Ne, Lt, Le, Gt, Ge, In, IsNull
// and IsNotNull, and read with them through Where.
type Condition struct {
	Column string
	Op     CompareOp
	// Value is the operand of a comparison; Values the list of In.
	Value  any
	Values []any
}

// String renders the condition as SQL would, for error messages.
func (c Condition) String() string {
	switch c.Op {
	case OpIsNull, OpIsNotNull:
		return fmt.Sprintf("%q %s", c.Column, c.Op)
	case OpIn:
		return fmt.Sprintf("%q IN %v", c.Column, c.Values)
	}
	return fmt.Sprintf("%q %s %v", c.Column, c.Op, c.Value)
}

// Eq is the condition column = value.
func Eq(column string, value any) Condition { return Condition{Column: column, Op: OpEq, Value: value} }

// Ne is the condition column <> value.
func Ne(column string, value any) Condition { return Condition{Column: column, Op: OpNe, Value: value} }

// Lt is the condition column < value.
func Lt(column string, value any) Condition { return Condition{Column: column, Op: OpLt, Value: value} }

// Le is the condition column <= value.
func Le(column string, value any) Condition { return Condition{Column: column, Op: OpLe, Value: value} }

// Gt is the condition column > value.
func Gt(column string, value any) Condition { return Condition{Column: column, Op: OpGt, Value: value} }

// Ge is the condition column >= value.
func Ge(column string, value any) Condition { return Condition{Column: column, Op: OpGe, Value: value} }

// In is the condition column IN (values...).
func In(column string, values ...any) Condition {
	return Condition{Column: column, Op: OpIn, Values: values}
}

// IsNull is the condition column IS NULL.
func IsNull(column string) Condition { return Condition{Column: column, Op: OpIsNull} }

// IsNotNull is the condition column IS NOT NULL.
func IsNotNull(column string) Condition { return Condition{Column: column, Op: OpIsNotNull} }

// Where returns a ReadOptions function that keeps only the rows for which
// every condition holds, in every reader that yields frames or batches
// (CSV, JSON lines, Parquet, datasets). A condition may name a column that
// Columns leaves out: it is read for the filter and dropped. Parquet reads
// skip, without fetching them, the row groups whose column statistics
// prove that no row can match; dataset reads skip the partitions whose
// values do; the rows of what is read are then filtered exactly. The
// typed-row readers (ReadParquetRows and the like) refuse Where with
// ErrInvalidOption.
func Where(conds ...Condition) func(*ReadOptions) {
	return func(o *ReadOptions) { o.Where = append(o.Where, conds...) }
}

// rowFilter is a read's Where, bound to the columns of one schema.
type rowFilter struct {
	expr frame.Expr
	keep int // columns of the output; the rest were read for the filter
	mem  memory.Allocator
}

// checkConditions validates conditions before any request is made.
func checkConditions(conds []Condition) error {
	for _, c := range conds {
		if c.Column == "" {
			return fmt.Errorf("condition %v names no column: %w", c, ErrInvalidOption)
		}
		switch c.Op {
		case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
			if c.Value == nil {
				return fmt.Errorf("condition %v compares with nil (use IsNull): %w", c, ErrInvalidOption)
			}
		case OpIn:
			for _, v := range c.Values {
				if v == nil {
					return fmt.Errorf("condition %v lists nil (use IsNull): %w", c, ErrInvalidOption)
				}
			}
		case OpIsNull, OpIsNotNull:
		default:
			return fmt.Errorf("condition on %q has unknown operator %v: %w", c.Column, c.Op, ErrInvalidOption)
		}
	}
	return nil
}

// conditionsExpr is the frame expression of the conjunction of conds.
func conditionsExpr(conds []Condition) frame.Expr {
	exprs := make([]frame.Expr, len(conds))
	for i, c := range conds {
		col := frame.Col(c.Column)
		switch c.Op {
		case OpEq:
			exprs[i] = col.Eq(c.Value)
		case OpNe:
			exprs[i] = col.Ne(c.Value)
		case OpLt:
			exprs[i] = col.Lt(c.Value)
		case OpLe:
			exprs[i] = col.Le(c.Value)
		case OpGt:
			exprs[i] = col.Gt(c.Value)
		case OpGe:
			exprs[i] = col.Ge(c.Value)
		case OpIn:
			exprs[i] = col.In(c.Values...)
		case OpIsNull:
			exprs[i] = col.IsNull()
		case OpIsNotNull:
			exprs[i] = col.IsNotNull()
		}
	}
	return frame.And(exprs...)
}

// apply filters one batch, drops the columns read only for the filter,
// and passes what is left to emit (which takes its reference), stopping
// when emit returns false. The caller keeps its reference to rec.
func (rf *rowFilter) apply(rec arrow.RecordBatch, emit func(arrow.RecordBatch) bool) (bool, error) {
	f, err := frame.FromRecords(rec)
	if err != nil {
		return false, err
	}
	defer f.Release()
	kept, err := f.Filter(rf.expr, func(o *frame.Options) { o.Allocator = rf.mem })
	if err != nil {
		return false, err
	}
	defer kept.Release()
	if kept.NumRows() == 0 {
		return true, nil
	}
	rdr := kept.Records(kept.NumRows())
	defer rdr.Release()
	for rdr.Next() {
		out := rdr.RecordBatch()
		if int(out.NumCols()) == rf.keep {
			out.Retain()
		} else {
			out = array.NewRecordBatch(arrow.NewSchema(out.Schema().Fields()[:rf.keep], nil), out.Columns()[:rf.keep], out.NumRows())
		}
		if !emit(out) {
			return false, nil
		}
	}
	return true, rdr.Err()
}

// statsRuleOut reports whether a column chunk's statistics prove that no
// row of its row group satisfies c. rows is the row group's row count and
// dt the column's Arrow type. Any doubt (no statistics, a type or value it
// does not know how to compare) keeps the row group.
func statsRuleOut(c Condition, st metadata.TypedStatistics, rows int64, dt arrow.DataType) bool {
	if st == nil {
		return false
	}
	allNull := st.HasNullCount() && st.NullCount() >= rows
	switch c.Op {
	case OpIsNull:
		return st.HasNullCount() && st.NullCount() == 0
	case OpIsNotNull:
		return allNull
	}
	if allNull {
		return true // a null satisfies no comparison
	}
	if !st.HasMinMax() {
		return false
	}
	lo, hi, ok := statBounds(st, dt)
	// Statistics leave NaNs out, and a NaN differs from everything.
	return ok && rangeRuleOut(c, lo, hi, dt, isFloat(dt))
}

// rangeRuleOut reports whether no value in [lo, hi] satisfies the
// comparison c (c is not IsNull or IsNotNull). nanHidden says that values
// outside the ordinals (NaNs) may be there too, which Ne would match.
// Condition values it cannot compare exactly rule nothing out.
func rangeRuleOut(c Condition, lo, hi ordinalValue, dt arrow.DataType, nanHidden bool) bool {
	// cmpTo reports v against lo and hi.
	cmpTo := func(v any) (vsLo, vsHi int, ok bool) {
		x, ok := ordinal(v, dt)
		if !ok {
			return 0, 0, false
		}
		return compareOrdinal(x, lo), compareOrdinal(x, hi), true
	}
	if c.Op == OpIn {
		for _, v := range c.Values {
			l, h, ok := cmpTo(v)
			if !ok || (l >= 0 && h <= 0) {
				return false
			}
		}
		return true
	}
	l, h, ok := cmpTo(c.Value)
	if !ok {
		return false
	}
	switch c.Op {
	case OpEq:
		return l < 0 || h > 0
	case OpNe:
		return l == 0 && h == 0 && !nanHidden // every value equals v
	case OpLt:
		return l <= 0 // min >= v
	case OpLe:
		return l < 0 // min > v
	case OpGt:
		return h >= 0 // max <= v
	case OpGe:
		return h > 0 // max < v
	}
	return false
}

// An ordinal value: *big.Float for numbers and instants (exact for every
// int64, uint64 and non-NaN float), []byte for strings and binary.
type ordinalValue any

func compareOrdinal(a, b ordinalValue) int {
	switch a := a.(type) {
	case *big.Float:
		return a.Cmp(b.(*big.Float))
	case []byte:
		return bytes.Compare(a, b.([]byte))
	}
	return 0
}

// statBounds turns a chunk's min and max into ordinals of the column's
// type, as ordinal does for condition values.
func statBounds(st metadata.TypedStatistics, dt arrow.DataType) (lo, hi ordinalValue, ok bool) {
	unsigned := false
	switch dt.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		unsigned = true
	}
	num := func(x int64) ordinalValue { return new(big.Float).SetInt64(x) }
	inst := func(x int64) ordinalValue {
		return new(big.Float).SetInt(new(big.Int).Mul(big.NewInt(x), big.NewInt(tickNanos(dt))))
	}
	switch st := st.(type) {
	case *metadata.BooleanStatistics:
		if dt.ID() != arrow.BOOL {
			return nil, nil, false
		}
		b := func(v bool) ordinalValue {
			if v {
				return num(1)
			}
			return num(0)
		}
		return b(st.Min()), b(st.Max()), true
	case *metadata.Int32Statistics:
		switch {
		case unsigned:
			return num(int64(uint32(st.Min()))), num(int64(uint32(st.Max()))), true
		case isInteger(dt):
			return num(int64(st.Min())), num(int64(st.Max())), true
		case dt.ID() == arrow.DATE32:
			return inst(int64(st.Min())), inst(int64(st.Max())), true
		}
	case *metadata.Int64Statistics:
		switch {
		case unsigned:
			return new(big.Float).SetUint64(uint64(st.Min())), new(big.Float).SetUint64(uint64(st.Max())), true
		case isInteger(dt):
			return num(st.Min()), num(st.Max()), true
		case dt.ID() == arrow.TIMESTAMP:
			return inst(st.Min()), inst(st.Max()), true
		}
	case *metadata.Float32Statistics:
		lo, hi := float64(st.Min()), float64(st.Max())
		if isFloat(dt) && !math.IsNaN(lo) && !math.IsNaN(hi) {
			return big.NewFloat(lo), big.NewFloat(hi), true
		}
	case *metadata.Float64Statistics:
		lo, hi := st.Min(), st.Max()
		if isFloat(dt) && !math.IsNaN(lo) && !math.IsNaN(hi) {
			return big.NewFloat(lo), big.NewFloat(hi), true
		}
	case *metadata.ByteArrayStatistics:
		switch dt.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
			// Byte order is the Parquet order of UTF-8 and binary columns;
			// a truncated bound stays a bound (its prefix, or rounded up).
			return []byte(st.Min()), []byte(st.Max()), true
		}
	}
	return nil, nil, false
}

// ordinal turns a condition value into an ordinal comparable with the
// column's statistics, when the comparison is exact: a time that falls
// between two values of the column's unit, a NaN, or a value of another
// kind than the column's give false.
func ordinal(v any, dt arrow.DataType) (ordinalValue, bool) {
	switch {
	case dt.ID() == arrow.BOOL:
		if b, ok := v.(bool); ok {
			if b {
				return new(big.Float).SetInt64(1), true
			}
			return new(big.Float).SetInt64(0), true
		}
		return nil, false
	case isInteger(dt) || isFloat(dt):
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return new(big.Float).SetInt64(rv.Int()), true
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return new(big.Float).SetUint64(rv.Uint()), true
		case reflect.Float32, reflect.Float64:
			f := rv.Float()
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, false
			}
			return big.NewFloat(f), true
		}
		return nil, false
	}
	switch dt := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType:
		switch v := v.(type) {
		case string:
			return []byte(v), true
		case []byte:
			return v, true
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
			return []byte(rv.String()), true
		}
		return nil, false
	case *arrow.TimestampType, *arrow.Date32Type:
		t, ok := v.(time.Time)
		if !ok {
			return nil, false
		}
		ns := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(1e9))
		ns.Add(ns, big.NewInt(int64(t.Nanosecond())))
		if new(big.Int).Mod(ns, big.NewInt(tickNanos(dt))).Sign() != 0 {
			return nil, false // between two values of the column
		}
		return new(big.Float).SetInt(ns), true
	}
	return nil, false
}

func isInteger(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isFloat(dt arrow.DataType) bool {
	return dt.ID() == arrow.FLOAT32 || dt.ID() == arrow.FLOAT64
}

// tickNanos is the nanoseconds between two values of a timestamp or date32
// column: statistics and condition values are compared as nanoseconds.
func tickNanos(dt arrow.DataType) int64 {
	switch dt := dt.(type) {
	case *arrow.TimestampType:
		return int64(dt.Unit.Multiplier())
	case *arrow.Date32Type:
		return 86_400 * 1e9
	}
	return 1
}

// conditionColumns lists the distinct columns conds name, in order.
func conditionColumns(conds []Condition) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range conds {
		if !seen[c.Column] {
			seen[c.Column] = true
			out = append(out, c.Column)
		}
	}
	return out
}

// describeConditions renders conds for error messages.
func describeConditions(conds []Condition) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = c.String()
	}
	return strings.Join(parts, " AND ")
}

// withConditionColumns is columns plus the columns conds name that it
// lacks; nil columns (all of them) stays nil.
func withConditionColumns(columns []string, conds []Condition) []string {
	if len(columns) == 0 {
		return nil
	}
	out := slices.Clone(columns)
	for _, name := range conditionColumns(conds) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// unfiltered is the read that a filtered read wraps: the Where conditions
// become prune hints and their columns are added to the projection.
func (ro ReadOptions) unfiltered() ReadOptions {
	inner := ro
	inner.Where = nil
	inner.prune = slices.Concat(ro.prune, ro.Where)
	inner.Columns = withConditionColumns(ro.Columns, ro.Where)
	return inner
}

// checkWhere validates Where before any request is made.
func (ro ReadOptions) checkWhere() error {
	if err := checkConditions(ro.Where); err != nil {
		return fmt.Errorf("s3io: %w", err)
	}
	return nil
}

// conditionsPresent checks that the columns of conds are in schema.
func conditionsPresent(u string, schema *arrow.Schema, conds []Condition) error {
	for _, name := range conditionColumns(conds) {
		if len(schema.FieldIndices(name)) == 0 {
			return fmt.Errorf("s3io: %w", &SchemaError{URL: u, Column: name, Want: "a column for the condition", Got: "no such column"})
		}
	}
	return nil
}

// scanFunc and readFunc are a format's streaming and whole-frame reads.
type (
	scanFunc func(ctx context.Context, url string, ro ReadOptions) iter.Seq2[arrow.RecordBatch, error]
	readFunc func(ctx context.Context, url string, ro ReadOptions) (*frame.Frame, error)
)

// formatScan is the body of a format's Scan entry point: a dataset read of
// that format when a partition option is set, the format's own scan
// otherwise, with Where applied either way.
func (c *Client) formatScan(ctx context.Context, url string, ro ReadOptions, format FileFormat, scan scanFunc) iter.Seq2[arrow.RecordBatch, error] {
	if ro.partitioned() {
		ro.Format, scan = format, c.scanDataset
	}
	return filteredScan(ctx, url, ro, scan)
}

// formatRead is formatScan's whole-frame twin.
func (c *Client) formatRead(ctx context.Context, url string, ro ReadOptions, format FileFormat, read readFunc) (*frame.Frame, error) {
	if ro.partitioned() {
		ro.Format, read = format, c.readDataset
	}
	return filteredRead(ctx, url, ro, read)
}

// filteredScan is scan with ro.Where applied: scan runs with the unfiltered
// options (so Parquet and datasets prune with the conditions) and its
// batches are filtered here, once, for every format.
func filteredScan(ctx context.Context, u string, ro ReadOptions, scan scanFunc) iter.Seq2[arrow.RecordBatch, error] {
	if len(ro.Where) == 0 {
		return scan(ctx, u, ro)
	}
	return func(yield func(arrow.RecordBatch, error) bool) {
		if err := ro.checkWhere(); err != nil {
			yield(nil, err)
			return
		}
		rf := &rowFilter{expr: conditionsExpr(ro.Where), keep: len(ro.Columns), mem: ro.Allocator}
		checked := false
		for b, err := range scan(ctx, u, ro.unfiltered()) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !checked {
				if err := conditionsPresent(u, b.Schema(), ro.Where); err != nil {
					yield(nil, err)
					return
				}
				checked = true
			}
			if len(ro.Columns) == 0 {
				rf.keep = int(b.NumCols())
			}
			stopped := false
			more, err := rf.apply(b, func(out arrow.RecordBatch) bool {
				ok := yield(out, nil)
				out.Release()
				stopped = !ok
				return ok
			})
			if stopped {
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("s3io: read %s: filter %s: %w", u, describeConditions(ro.Where), err))
				return
			}
			if !more {
				return
			}
		}
	}
}

// filteredRead is read with ro.Where applied to the frame it returns.
func filteredRead(ctx context.Context, u string, ro ReadOptions, read readFunc) (*frame.Frame, error) {
	if len(ro.Where) == 0 {
		return read(ctx, u, ro)
	}
	if err := ro.checkWhere(); err != nil {
		return nil, err
	}
	f, err := read(ctx, u, ro.unfiltered())
	if err != nil {
		return nil, err
	}
	defer f.Release()
	if err := conditionsPresent(u, f.Schema(), ro.Where); err != nil {
		return nil, err
	}
	opts := func(o *frame.Options) { o.Allocator = ro.Allocator }
	kept, err := f.Filter(conditionsExpr(ro.Where), opts)
	if err != nil {
		return nil, fmt.Errorf("s3io: read %s: filter %s: %w", u, describeConditions(ro.Where), err)
	}
	if len(ro.Columns) == 0 || len(ro.Columns) == kept.NumCols() {
		return kept, nil
	}
	defer kept.Release()
	return kept.Select(ro.Columns...)
}

// refuseWhere is the check of the typed-row readers, which neither filter
// rows nor read datasets.
func (ro ReadOptions) refuseWhere(reader string) error {
	if len(ro.Where) > 0 {
		return fmt.Errorf("s3io: %s does not filter rows (Where): %w", reader, ErrInvalidOption)
	}
	if ro.partitioned() {
		return fmt.Errorf("s3io: %s does not read datasets (PartitionFilter, PartitionKeys, Partitions): %w", reader, ErrInvalidOption)
	}
	return nil
}

// partitionRuleOut reports whether a partition whose value for the
// condition's column is v (nil for the default partition) fails c. Values
// it cannot compare exactly keep the partition; the rows are filtered
// afterwards in any case.
func partitionRuleOut(c Condition, v any, dt arrow.DataType) bool {
	switch c.Op {
	case OpIsNull:
		return v != nil
	case OpIsNotNull:
		return v == nil
	}
	if v == nil {
		return true
	}
	switch x := v.(type) {
	case arrow.Date32:
		v = x.ToTime()
	case arrow.Timestamp:
		v = x.ToTime(dt.(*arrow.TimestampType).Unit)
	}
	pv, ok := ordinal(v, dt)
	// One value is the range [pv, pv]; a NaN does not get this far.
	return ok && rangeRuleOut(c, pv, pv, dt, false)
}
