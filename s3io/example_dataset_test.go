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

// ExampleClient_WriteDataset writes a partitioned dataset in Hive layout
// and reads one partition back, the partition column typed.
func ExampleClient_WriteDataset() {
	ctx := context.Background()
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"lake"} })
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	c := s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))

	f, _ := frame.New(
		frame.Int64("id", []int64{1, 2, 3}),
		frame.String("city", []string{"Paris", "Oslo", "Lima"}),
		frame.Int64("year", []int64{2025, 2026, 2026}),
		frame.String("region", []string{"eu/west", "eu/north", "sa"}),
	)
	res, err := c.WriteDataset(ctx, f, "s3://lake/cities/", s3io.PartitionBy("year", "region"),
		s3io.Mode(s3io.Overwrite), func(o *s3io.DatasetOptions) { o.WriteID = "example" })
	if err != nil {
		log.Fatal(err)
	}
	for _, file := range res.Files {
		fmt.Println(strings.TrimPrefix(file.URL, res.URL), file.Rows)
	}

	back, err := c.ReadDataset(ctx, "s3://lake/cities/",
		s3io.PartitionFilter(func(p s3io.Partition) bool { return p["year"] == "2026" }))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Schema().Field(2), back.NumRows())
	// Output:
	// year=2025/region=eu%2Fwest/part-example-00000.snappy.parquet 1
	// year=2026/region=eu%2Fnorth/part-example-00001.snappy.parquet 1
	// year=2026/region=sa/part-example-00002.snappy.parquet 1
	// year: type=int64, nullable 2
}
