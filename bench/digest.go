package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// digest summarises a read of the generated data: the generator computes
// it while writing, every reader computes it from what it read, and the two
// must agree. It is what stops a fast reader that drops rows, misparses a
// column or loses nulls from winning a comparison.
type digest struct {
	rows      int64
	idSum     int64 // sum of id
	cityBytes int64 // total length of the city strings

	// typed is set by readers that type the columns (all but encoding/csv,
	// which yields untyped text); the fields below are compared only then.
	typed    bool
	vSum     float64 // sum of v
	tsSum    int64   // sum of ts in microseconds since the epoch
	qtyValid int64   // non-null qty values
	qtySum   int64   // sum of the non-null qty values
}

// check reports how got differs from want, the generator's digest.
func (want digest) check(got digest) error {
	var errs []error
	diff := func(what string, w, g any) { errs = append(errs, fmt.Errorf("%s: got %v, want %v", what, g, w)) }
	if got.rows != want.rows {
		diff("rows", want.rows, got.rows)
	}
	if got.idSum != want.idSum {
		diff("sum(id)", want.idSum, got.idSum)
	}
	if got.cityBytes != want.cityBytes {
		diff("total length of city", want.cityBytes, got.cityBytes)
	}
	if got.typed {
		// Summing in another order (DuckDB sums in parallel) changes the
		// last bits of a float64 sum, nothing more.
		if math.Abs(got.vSum-want.vSum) > 1e-9*math.Abs(want.vSum) {
			diff("sum(v)", want.vSum, got.vSum)
		}
		if got.tsSum != want.tsSum {
			diff("sum(ts) in µs", want.tsSum, got.tsSum)
		}
		if got.qtyValid != want.qtyValid {
			diff("count(qty)", want.qtyValid, got.qtyValid)
		}
		if got.qtySum != want.qtySum {
			diff("sum(qty)", want.qtySum, got.qtySum)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("read differs from the generated data: %w", errors.Join(errs...))
	}
	return nil
}

// addRow adds one generated row.
func (d *digest) addRow(r row) {
	d.rows++
	d.idSum += r.id
	d.cityBytes += int64(len(r.city))
	d.typed = true
	d.vSum += r.v
	d.tsSum += r.tsMicros
	if r.qtyValid {
		d.qtyValid++
		d.qtySum += r.qty
	}
}

// addBatch adds an Arrow record batch with the generated columns.
func (d *digest) addBatch(rec arrow.RecordBatch) error {
	for i, f := range rec.Schema().Fields() {
		if err := d.addColumn(f.Name, rec.Column(i)); err != nil {
			return err
		}
	}
	d.rows += rec.NumRows()
	d.typed = true
	return nil
}

// addTable adds an Arrow table with the generated columns.
func (d *digest) addTable(tbl arrow.Table) error {
	for i, f := range tbl.Schema().Fields() {
		for _, chunk := range tbl.Column(i).Data().Chunks() {
			if err := d.addColumn(f.Name, chunk); err != nil {
				return err
			}
		}
	}
	d.rows += tbl.NumRows()
	d.typed = true
	return nil
}

// tableDigest is the digest of an Arrow table.
func tableDigest(tbl arrow.Table) (digest, error) {
	var d digest
	err := d.addTable(tbl)
	return d, err
}

// addColumn adds one column's values; rows are counted by the caller.
func (d *digest) addColumn(name string, a arrow.Array) error {
	bad := func() error {
		return fmt.Errorf("column %s: unexpected %s with %d nulls", name, a.DataType(), a.NullN())
	}
	switch name {
	case "id":
		ids, ok := a.(*array.Int64)
		if !ok || ids.NullN() > 0 {
			return bad()
		}
		for _, v := range ids.Int64Values() {
			d.idSum += v
		}
	case "v":
		vs, ok := a.(*array.Float64)
		if !ok || vs.NullN() > 0 {
			return bad()
		}
		for _, v := range vs.Float64Values() {
			d.vSum += v
		}
	case "city":
		if a.NullN() > 0 {
			return bad()
		}
		switch s := a.(type) {
		case *array.String:
			if offs := s.ValueOffsets(); len(offs) > 0 {
				d.cityBytes += int64(offs[len(offs)-1] - offs[0])
			}
		case *array.LargeString:
			if offs := s.ValueOffsets(); len(offs) > 0 {
				d.cityBytes += offs[len(offs)-1] - offs[0]
			}
		default:
			return bad()
		}
	case "ts":
		ts, ok := a.(*array.Timestamp)
		if !ok || ts.NullN() > 0 {
			return bad()
		}
		toMicros, err := microsFactor(ts.DataType().(*arrow.TimestampType).Unit)
		if err != nil {
			return fmt.Errorf("column ts: %w", err)
		}
		for _, v := range ts.TimestampValues() {
			d.tsSum += toMicros(int64(v))
		}
	case "qty":
		qs, ok := a.(*array.Int64)
		if !ok {
			return bad()
		}
		for i, v := range qs.Int64Values() {
			if qs.IsValid(i) {
				d.qtyValid++
				d.qtySum += v
			}
		}
	default:
		return fmt.Errorf("unexpected column %q", name)
	}
	return nil
}

// microsFactor converts a timestamp unit's values to microseconds.
func microsFactor(u arrow.TimeUnit) (func(int64) int64, error) {
	switch u {
	case arrow.Second:
		return func(v int64) int64 { return v * 1_000_000 }, nil
	case arrow.Millisecond:
		return func(v int64) int64 { return v * 1_000 }, nil
	case arrow.Microsecond:
		return func(v int64) int64 { return v }, nil
	case arrow.Nanosecond:
		return func(v int64) int64 { return v / 1_000 }, nil
	}
	return nil, fmt.Errorf("unknown time unit %v", u)
}
