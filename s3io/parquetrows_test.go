package s3io

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type order struct {
	ID     int64     `parquet:"id"`
	Amount float64   `parquet:"amount"`
	City   string    `parquet:"city"`
	At     time.Time `parquet:"at,timestamp(microsecond)"`
	Note   *string   `parquet:"note,optional"`
}

func TestParquetRowsRoundTrip(t *testing.T) {
	_, _, c := startS3(t)
	ctx := context.Background()
	note := "gift"
	var want []order
	for i := range 5000 {
		o := order{ID: int64(i), Amount: float64(i) / 4, City: fmt.Sprintf("c%d", i%7), At: time.Unix(int64(i)*60, 0).UTC()}
		if i%3 == 0 {
			o.Note = &note
		}
		want = append(want, o)
	}
	if err := WriteParquetRows(ctx, c, want, "s3://lake/orders.parquet", RowGroupRows(1000)); err != nil {
		t.Fatal(err)
	}
	got, err := ReadParquetRows[order](ctx, c, "s3://lake/orders.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Amount != w.Amount || g.City != w.City || !g.At.Equal(w.At) || (g.Note == nil) != (w.Note == nil) {
			t.Fatalf("row %d: got %+v, want %+v", i, g, w)
		}
	}
	// The same object through the Arrow reader.
	f, err := c.ReadParquet(ctx, "s3://lake/orders.parquet", Columns("city"))
	if err != nil || f.NumRows() != 5000 {
		t.Fatalf("arrow read: %v rows, %v", f.NumRows(), err)
	}
	part, err := ReadParquetRows[order](ctx, c, "s3://lake/orders.parquet", RowGroups(3))
	if err != nil || len(part) != 1000 || part[0].ID != 3000 {
		t.Fatalf("row group 3: got %d rows, %v", len(part), err)
	}
}

func TestParquetRowsRefusesBadFiles(t *testing.T) {
	_, sc, c := startS3(t)
	files, _ := filepath.Glob(filepath.Join(parquetFixtures, "bad", "*.parquet"))
	type anyRow struct {
		X int64 `parquet:"x,optional"`
	}
	for _, p := range files {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			b, _ := os.ReadFile(p)
			putObject(t, sc, "lake", name, b)
			// Must not panic; an error or rows (parquet-go accepts some of
			// these, see the report) are both survivable here.
			_, err := ReadParquetRows[anyRow](context.Background(), c, "s3://lake/"+name)
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Logf("error not wrapping ErrCorrupt: %v", err)
			}
		})
	}
}
