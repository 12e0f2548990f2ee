package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// The generated data: the same columns in the Parquet and the CSV files.
//
//	id   int64, sequential from 1,000,000,000, never null
//	v    float64, uniform in [0, 1000) rounded to cents, never null
//	city string, 48 distinct values, half of them with a comma (quoted in CSV)
//	ts   timestamp[us, UTC], whole seconds in 2026
//	qty  int64 in [0, 100), null in about 10% of the rows
var dataSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.PrimitiveTypes.Float64},
	{Name: "city", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// csvSchema is dataSchema with every column nullable, as the CSV readers
// build it (a CSV column can always hold an empty field).
var csvSchema = func() *arrow.Schema {
	fields := dataSchema.Fields()
	for i := range fields {
		fields[i].Nullable = true
	}
	return arrow.NewSchema(fields, nil)
}()

// arrowCSVSchema is csvSchema for arrow-go's csv reader, which refuses a
// zone-less timestamp for a type with a time zone: ts is timestamp[us]
// without one, read as UTC all the same.
var arrowCSVSchema = func() *arrow.Schema {
	fields := csvSchema.Fields()
	fields[3].Type = &arrow.TimestampType{Unit: arrow.Microsecond}
	return arrow.NewSchema(fields, nil)
}()

var cities = func() []string {
	names := []string{
		"Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem",
		"Madison", "Georgetown", "Arlington", "Ashland", "Dover", "Oxford", "Jackson", "Burlington",
		"Manchester", "Milton", "Newport", "Auburn", "Dayton", "Lexington", "Milford", "Winchester",
	}
	states := []string{"IL", "CA", "TN", "SC", "CT", "IA", "NJ", "OR", "WI", "KY", "VA", "OH", "DE", "MS", "VT", "NH", "MA", "NY", "AL", "MI", "ME", "PA", "IN", "MN"}
	var out []string
	for i, n := range names {
		out = append(out, n, n+", "+states[i])
	}
	return out
}()

// tsBase is the first timestamp of the generated data.
var tsBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// row is one generated row.
type row struct {
	id       int64
	v        float64
	city     string
	tsMicros int64
	qty      int64
	qtyValid bool
}

// rowGen generates the rows, the same sequence every run.
type rowGen struct {
	rng  *rand.Rand
	next int64
}

func newRowGen() *rowGen { return &rowGen{rng: rand.New(rand.NewPCG(42, 7)), next: 1_000_000_000} }

func (g *rowGen) row() row {
	r := row{
		id:       g.next,
		v:        math.Round(g.rng.Float64()*100_000) / 100,
		city:     cities[g.rng.IntN(len(cities))],
		tsMicros: tsBase + g.rng.Int64N(365*86400)*1_000_000,
	}
	if g.rng.IntN(10) != 0 {
		r.qty, r.qtyValid = g.rng.Int64N(100), true
	}
	g.next++
	return r
}

// writeParquetFile writes rows generated rows to path as Parquet: snappy,
// rowGroupRows rows per row group, arrow-go's default encodings
// (dictionary pages where they pay, as for city), no stored Arrow schema,
// as a non-Arrow writer would leave it.
func writeParquetFile(path string, rows, rowGroupRows int) (digest, error) {
	var d digest
	out, err := os.Create(path)
	if err != nil {
		return d, err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(int64(rowGroupRows)),
	)
	fw, err := pqarrow.NewFileWriter(dataSchema, bw, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return d, err
	}
	gen := newRowGen()
	b := array.NewRecordBuilder(memory.DefaultAllocator, dataSchema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	vs := b.Field(1).(*array.Float64Builder)
	cs := b.Field(2).(*array.StringBuilder)
	ts := b.Field(3).(*array.TimestampBuilder)
	qs := b.Field(4).(*array.Int64Builder)
	for written := 0; written < rows; {
		n := min(rowGroupRows, rows-written)
		for range n {
			r := gen.row()
			d.addRow(r)
			ids.Append(r.id)
			vs.Append(r.v)
			cs.Append(r.city)
			ts.Append(arrow.Timestamp(r.tsMicros))
			if r.qtyValid {
				qs.Append(r.qty)
			} else {
				qs.AppendNull()
			}
		}
		rec := b.NewRecordBatch()
		// Write makes each batch its own row group.
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return d, err
		}
		written += n
	}
	if err := fw.Close(); err != nil {
		return d, err
	}
	if err := bw.Flush(); err != nil {
		return d, err
	}
	return d, out.Close()
}

// csvHeader is the first line of the generated CSV.
const csvHeader = "id,v,city,ts,qty\n"

// writeCSV writes generated rows as CSV to w until at least size bytes are
// written, and returns the digest of the rows and the bytes written. ts is
// written "2006-01-02 15:04:05" (UTC, no zone), a null qty as an empty field,
// a city with a comma quoted.
func writeCSV(w io.Writer, size int64) (digest, int64, error) {
	var d digest
	bw := bufio.NewWriterSize(w, 1<<20)
	gen := newRowGen()
	written, err := bw.WriteString(csvHeader)
	if err != nil {
		return d, 0, err
	}
	total := int64(written)
	line := make([]byte, 0, 128)
	for total < size {
		r := gen.row()
		d.addRow(r)
		line = appendCSVRow(line[:0], r)
		n, err := bw.Write(line)
		if err != nil {
			return d, total, err
		}
		total += int64(n)
	}
	if err := bw.Flush(); err != nil {
		return d, total, err
	}
	return d, total, nil
}

func appendCSVRow(b []byte, r row) []byte {
	b = strconv.AppendInt(b, r.id, 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.v, 'f', -1, 64)
	b = append(b, ',')
	if needsQuotes(r.city) {
		b = strconv.AppendQuote(b, r.city) // no quotes or escapes inside the names
	} else {
		b = append(b, r.city...)
	}
	b = append(b, ',')
	b = time.UnixMicro(r.tsMicros).UTC().AppendFormat(b, time.DateTime)
	b = append(b, ',')
	if r.qtyValid {
		b = strconv.AppendInt(b, r.qty, 10)
	}
	return append(b, '\n')
}

func needsQuotes(s string) bool {
	for i := range len(s) {
		switch s[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}

// mb formats a byte count in MB (2^20 bytes).
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
