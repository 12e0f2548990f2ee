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
