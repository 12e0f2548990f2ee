package s3io_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

// Example writes a CSV object through a streaming Writer and reads it back
// as a frame, against an in-process S3.
func Example() {
	ctx := context.Background()
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"lake"} })
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	c := s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))

	w, err := c.NewWriter(ctx, "s3://lake/sales/2026-11-25.csv")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprint(w, "id,amount,city\n1,9.5,\"Paris, FR\"\n2,12,Oslo\n")
	if err := w.Close(); err != nil { // the object appears only now
		log.Fatal(err)
	}

	f, err := c.ReadCSV(ctx, "s3://lake/sales/*.csv")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Schema().Field(1).Type, f.NumRows())
	cities, _, _ := frame.Values[string](f, "city")
	fmt.Println(cities)
	// Output:
	// float64 2
	// [Paris, FR Oslo]
}

// ExampleClient_ScanCSV streams batches; each is valid during the loop body.
func ExampleClient_ScanCSV() {
	ctx := context.Background()
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"raw"} })
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	c := s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))
	for _, day := range []string{"24", "25"} {
		if _, err := c.Upload(ctx, "s3://raw/2026/11/"+day+".csv", strings.NewReader("n\n1\n2\n3\n")); err != nil {
			log.Fatal(err)
		}
	}
	rows := int64(0)
	for batch, err := range c.ScanCSV(ctx, "s3://raw/2026/11/*.csv", s3io.BatchSize(2)) {
		if err != nil {
			log.Fatal(err)
		}
		rows += batch.NumRows()
	}
	fmt.Println(rows, "rows")
	// Output: 6 rows
}

// ExampleWhere reads only the rows that satisfy conditions from a Parquet
// object written in row groups sorted by id: the row groups whose
// statistics rule the conditions out are never fetched.
func ExampleWhere() {
	ctx := context.Background()
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"lake"} })
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	c := s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))

	ids := make([]int64, 200_000)
	cities := make([]string, len(ids))
	for i := range ids {
		ids[i], cities[i] = int64(i), []string{"Oslo", "Paris", "Lima"}[i%3]
	}
	f, err := frame.New(frame.Int64("id", ids), frame.String("city", cities))
	if err != nil {
		log.Fatal(err)
	}
	if err := c.WriteParquet(ctx, f, "s3://lake/orders.parquet", s3io.RowGroupRows(20_000)); err != nil {
		log.Fatal(err)
	}

	st.ResetCounters()
	got, err := c.ReadParquet(ctx, "s3://lake/orders.parquet", s3io.Columns("city"),
		s3io.Where(s3io.Ge("id", 199_995), s3io.Ne("city", "Paris")))
	if err != nil {
		log.Fatal(err)
	}
	names, _, _ := frame.Values[string](got, "city")
	fmt.Println(got.ColumnNames(), names)
	// One GET for the footer, one for the last of the ten row groups.
	fmt.Println(st.Calls("s3:GetObject"), "GETs")
	// Output:
	// [city] [Oslo Lima Oslo]
	// 2 GETs
}
