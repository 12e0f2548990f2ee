package frame

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

const benchRows = 1_000_000

type benchRow struct {
	ID     int64     `frame:"id"`
	Amount float64   `frame:"amount"`
	Name   string    `frame:"name"`
	OK     bool      `frame:"ok"`
	At     time.Time `frame:"at"`
	Note   *string   `frame:"note"`
	Qty    *int32    `frame:"qty"`
}

func benchStructs() []benchRow {
	rng := rand.New(rand.NewPCG(1, 1))
	names := make([]string, 1000)
	for i := range names {
		names[i] = "name-" + strconv.Itoa(i)
	}
	rows := make([]benchRow, benchRows)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = benchRow{
			ID: int64(i), Amount: rng.Float64() * 1000, Name: names[i%len(names)], OK: i%3 == 0,
			At: base.Add(time.Duration(i) * time.Second),
		}
		if i%2 == 0 {
			rows[i].Note = &names[i%len(names)]
			q := int32(i)
			rows[i].Qty = &q
		}
	}
	return rows
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFromStructs(b *testing.B) {
	rows := benchStructs()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := FromStructs(rows); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, benchRows)
}

func BenchmarkToStructs(b *testing.B) {
	f, err := FromStructs(benchStructs())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ToStructs[benchRow](f); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, benchRows)
}

func BenchmarkFilterMask(b *testing.B) {
	f, err := FromStructs(benchStructs())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	mask := make([]bool, benchRows)
	for i := range mask {
		mask[i] = rng.IntN(2) == 0
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.FilterMask(mask); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, benchRows)
}

func BenchmarkValuesInt64(b *testing.B) {
	f, err := FromStructs(benchStructs())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Values[int64](f, "id"); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, benchRows)
}
