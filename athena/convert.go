package athena

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Column describes one result column: its name and Athena type, as a
// ColumnInfo gives them.
type Column struct {
	Name      string
	Type      string
	Precision int32
	Scale     int32
}

// Schema returns the Arrow schema of result columns, typed by ArrowType.
// An empty result keeps its schema: the types come from the metadata, not
// from values.
func Schema(cols []Column) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		dt, err := ArrowType(c.Type, c.Precision, c.Scale)
		if err != nil {
			return nil, fmt.Errorf("athena: column %q: %w", c.Name, err)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: dt, Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// textAppender appends Athena's text rendering of one value (AWS-FACTS.md
// 1.4) to a typed builder; the builder type is chosen once per column.
type textAppender func(s string) error

// newTextAppender returns the appender for a builder of type dt.
func newTextAppender(b array.Builder) (textAppender, error) {
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		return func(s string) error {
			switch s {
			case "true":
				bb.Append(true)
			case "false":
				bb.Append(false)
			default:
				return fmt.Errorf("%q is not a boolean", s)
			}
			return nil
		}, nil
	case *array.Int8Builder:
		return intAppender(8, func(v int64) { bb.Append(int8(v)) }), nil
	case *array.Int16Builder:
		return intAppender(16, func(v int64) { bb.Append(int16(v)) }), nil
	case *array.Int32Builder:
		return intAppender(32, func(v int64) { bb.Append(int32(v)) }), nil
	case *array.Int64Builder:
		return intAppender(64, bb.Append), nil
	case *array.Float32Builder:
		return func(s string) error {
			f, err := parseDouble(s, 32)
			bb.Append(float32(f))
			return err
		}, nil
	case *array.Float64Builder:
		return func(s string) error {
			f, err := parseDouble(s, 64)
			bb.Append(f)
			return err
		}, nil
	case *array.Decimal128Builder:
		dt := bb.Type().(*arrow.Decimal128Type)
		return func(s string) error {
			n, err := decimal128.FromString(s, dt.Precision, dt.Scale)
			if err != nil {
				return fmt.Errorf("%q is not a %s: %w", s, dt, err)
			}
			bb.Append(n)
			return nil
		}, nil
	case *array.StringBuilder:
		return func(s string) error { bb.Append(s); return nil }, nil
	case *array.BinaryBuilder:
		// varbinary renders as space-separated hex bytes ("00 0a ff").
		return func(s string) error {
			raw, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
			if err != nil {
				return fmt.Errorf("%q is not hex bytes: %w", s, err)
			}
			bb.Append(raw)
			return nil
		}, nil
	case *array.Date32Builder:
		return func(s string) error {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return fmt.Errorf("%q is not a date: %w", s, err)
			}
			bb.Append(arrow.Date32FromTime(t))
			return nil
		}, nil
	case *array.TimestampBuilder:
		return func(s string) error {
			t, err := parseTimestamp(s)
			if err != nil {
				return err
			}
			bb.Append(arrow.Timestamp(t.UnixMilli()))
			return nil
		}, nil
	case *array.Time32Builder:
		return func(s string) error {
			// "03:04:05.321", with a zone suffix for time with time zone,
			// which is dropped: Arrow's time has no zone.
			clock, _, _ := strings.Cut(s, " ")
			t, err := time.Parse("15:04:05.999999999", clock)
			if err != nil {
				return fmt.Errorf("%q is not a time: %w", s, err)
			}
			ms := (t.Hour()*3600+t.Minute()*60+t.Second())*1000 + t.Nanosecond()/1e6
			bb.Append(arrow.Time32(ms))
			return nil
		}, nil
	case *array.NullBuilder:
		return func(s string) error { return fmt.Errorf("%q in a column of type unknown, which holds only NULL", s) }, nil
	}
	return nil, fmt.Errorf("no text conversion to %s (complex values arrive as text; read them as varchar): %w", b.Type(), ErrInvalidType)
}

func intAppender(bits int, add func(int64)) textAppender {
	return func(s string) error {
		v, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return fmt.Errorf("%q is not an int%d", s, bits)
		}
		add(v)
		return nil
	}
}

// parseDouble reads Athena's rendering of real and double values,
// including NaN and the infinities.
func parseDouble(s string, bits int) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// parseTimestamp reads "2001-08-22 03:04:05.321", optionally followed by a
// zone name or offset ("UTC", "America/Los_Angeles", "+02:00") for
// timestamp with time zone; the result is in UTC.
func parseTimestamp(s string) (time.Time, error) {
	datePart, rest, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
	}
	clock, zone, _ := strings.Cut(rest, " ")
	loc := time.UTC
	if zone != "" {
		var err error
		if loc, err = parseZone(zone); err != nil {
			return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
		}
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", datePart+" "+clock, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a timestamp: %w", s, err)
	}
	return t.UTC(), nil
}

func parseZone(zone string) (*time.Location, error) {
	if zone == "UTC" || zone == "Z" {
		return time.UTC, nil
	}
	if zone[0] == '+' || zone[0] == '-' {
		t, err := time.Parse("-07:00", zone)
		if err != nil {
			return nil, fmt.Errorf("zone offset %q: %w", zone, err)
		}
		_, offset := t.Zone()
		return time.FixedZone(zone, offset), nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q (a program without the system zone database can import time/tzdata): %w", zone, err)
	}
	return loc, nil
}

// textBatch builds a record batch from rows of text values, typed by
// schema. It is the shared step of the paged-API and result-CSV paths.
type textBatch struct {
	schema    *arrow.Schema
	builders  []array.Builder
	appenders []textAppender
	rows      int
}

func newTextBatch(mem memory.Allocator, schema *arrow.Schema) (*textBatch, error) {
	tb := &textBatch{schema: schema}
	for _, f := range schema.Fields() {
		b := array.NewBuilder(mem, f.Type)
		app, err := newTextAppender(b)
		if err != nil {
			b.Release()
			tb.release()
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		tb.builders = append(tb.builders, b)
		tb.appenders = append(tb.appenders, app)
	}
	return tb, nil
}

// add appends one row; valid[i] false is NULL. The error names the column.
func (tb *textBatch) add(values []string, valid []bool) error {
	if len(values) != len(tb.builders) {
		return fmt.Errorf("row has %d values for %d columns: %w", len(values), len(tb.builders), ErrResultFormat)
	}
	for i, v := range values {
		if !valid[i] {
			tb.builders[i].AppendNull()
			continue
		}
		if err := tb.appenders[i](v); err != nil {
			tb.builders[i].AppendNull()
			return fmt.Errorf("column %q: %w", tb.schema.Field(i).Name, err)
		}
	}
	tb.rows++
	return nil
}

// flush returns the rows added since the last flush as a record batch.
func (tb *textBatch) flush() arrow.RecordBatch {
	cols := make([]arrow.Array, len(tb.builders))
	for i, b := range tb.builders {
		cols[i] = b.NewArray()
	}
	rec := array.NewRecordBatch(tb.schema, cols, int64(tb.rows))
	for _, c := range cols {
		c.Release()
	}
	tb.rows = 0
	return rec
}

func (tb *textBatch) release() {
	for _, b := range tb.builders {
		b.Release()
	}
}
