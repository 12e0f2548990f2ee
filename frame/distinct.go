package frame

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Unique returns the rows whose values in the named columns (all columns
// when none is named) are distinct, keeping the first row of each distinct
// combination, in row order. Nulls equal each other and NaNs equal each
// other, as in GroupBy. It is UniqueWithOptions with the default options.
func (f *Frame) Unique(columns ...string) (*Frame, error) {
	return f.UniqueWithOptions(columns)
}

// Distinct returns the distinct rows of f: Unique over every column.
func (f *Frame) Distinct() (*Frame, error) {
	return f.UniqueWithOptions(nil)
}

// UniqueWithOptions is Unique with options, such as an allocator. When
// every row is already distinct the result shares every column with f.
func (f *Frame) UniqueWithOptions(columns []string, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	if len(columns) == 0 {
		columns = f.ColumnNames()
	}
	if len(columns) == 0 || f.NumRows() == 0 {
		return f.slice(0, f.NumRows()), nil
	}
	keys := make([]*arrow.Chunked, len(columns))
	for k, name := range columns {
		i, err := f.columnIndex(name)
		if err != nil {
			return nil, fmt.Errorf("frame: unique: %w", err)
		}
		keys[k] = f.cols[i]
	}
	codes, err := encodeKeys(columns, [][]*arrow.Chunked{keys}, false)
	if err != nil {
		return nil, fmt.Errorf("frame: unique: %w", err)
	}
	if codes.n == f.NumRows() {
		return f.slice(0, f.NumRows()), nil
	}
	seen := make([]bool, codes.n)
	rows := make([]int64, 0, codes.n)
	for row, id := range codes.ids[0] {
		if !seen[id] {
			seen[id] = true
			rows = append(rows, int64(row))
		}
	}
	cols, err := takeColumns(resolveOptions(optFns).Allocator, f.schema, f.cols, rows)
	if err != nil {
		return nil, fmt.Errorf("frame: unique: %w", err)
	}
	return newFrame(f.schema, cols, len(rows)), nil
}

// ValueCounts counts the rows of each distinct value of column. The result
// has two columns, the values (null counted as one value) and their
// counts as int64 in a column named "count" ("counts" if column is itself
// named "count"), sorted by count, largest first, and among equal counts by
// value, ascending with null last. Values of a type without an order
// (nested types, decimals) break ties by first appearance instead.
func (f *Frame) ValueCounts(column string, optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	i, err := f.columnIndex(column)
	if err != nil {
		return nil, fmt.Errorf("frame: value counts: %w", err)
	}
	if _, err := coderFor(column, f.cols[i].DataType()); err != nil {
		return nil, fmt.Errorf("frame: value counts: %w", err)
	}
	countName := "count"
	if column == countName {
		countName = "counts"
	}
	counts, err := f.GroupBy(column).AggWithOptions([]Agg{CountRows().As(countName)}, optFns...)
	if err != nil {
		return nil, err
	}
	defer counts.Release()
	keys := []SortKey{Desc(countName)}
	if orderable(f.cols[i].DataType()) {
		keys = append(keys, Asc(column))
	}
	return counts.SortWithOptions(keys, optFns...)
}
