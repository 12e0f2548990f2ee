package athena_test

import (
	"context"
	"fmt"

	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

func ExampleClient_Query() {
	ctx := context.Background()
	// An in-process Athena; with real AWS, build the clients from your
	// aws.Config instead.
	stack, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"results"} })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close()
	q := athena.New(sdkathena.NewFromConfig(stack.Config()),
		s3io.New(s3.NewFromConfig(stack.Config(), localaws.PathStyle)),
		athena.MaxConcurrent(20), athena.OutputLocation("s3://results/athena/"))

	sql, err := athena.FormatQuery(`SELECT city, CAST(temp AS decimal(4,1)) AS temp
		FROM (VALUES ('Oslo', -3.5), ('Lima', 18.25), (:other, NULL)) AS t(city, temp)
		ORDER BY city`, map[string]any{"other": "Ålesund"})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := q.Query(ctx, sql)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f)
	// Output:
	// shape: (3, 2)
	// ┌─────────┬──────────────┐
	// │ city    ┆ temp         │
	// │ ---     ┆ ---          │
	// │ str     ┆ decimal[4,1] │
	// ╞═════════╪══════════════╡
	// │ Lima    ┆         18.3 │
	// │ Oslo    ┆         -3.5 │
	// │ Ålesund ┆         null │
	// └─────────┴──────────────┘
}

// Arrays, maps and rows come as Athena's text through the API and the
// result CSV, and as nested Arrow columns through UNLOAD (or CTAS) to
// Parquet.
func ExampleReadResults() {
	ctx := context.Background()
	stack, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"results"} })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close()
	q := athena.New(sdkathena.NewFromConfig(stack.Config()),
		s3io.New(s3.NewFromConfig(stack.Config(), localaws.PathStyle)), athena.OutputLocation("s3://results/athena/"))
	for _, path := range []athena.ResultPath{athena.ResultsCSV, athena.ResultsUnload} {
		f, err := q.Query(ctx, "SELECT ARRAY[1, 2] AS a", athena.ReadResults(path))
		if err != nil {
			fmt.Println(err)
			return
		}
		col, _ := f.Column("a")
		fmt.Printf("%s: %s %v\n", path, col.DataType(), col.Chunk(0))
	}
	// Output:
	// csv: utf8 ["[1, 2]"]
	// unload: list<element: int32, nullable> [[1 2]]
}
