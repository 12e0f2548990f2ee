package glue_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"

	"github.com/gowrangler/wrangler/glue"
	"github.com/gowrangler/wrangler/localaws"
)

func ExampleHiveType() {
	order := arrow.StructOf(
		arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	)
	hive, _ := glue.HiveType(order)
	fmt.Println(hive)
	back, _ := glue.ArrowType(hive)
	fmt.Println(back)
	_, err := glue.HiveType(arrow.PrimitiveTypes.Uint64)
	fmt.Println(err)
	// Output:
	// struct<id:bigint,amount:decimal(12,2),tags:array<string>>
	// struct<id: int64 nullable, amount: decimal(12, 2) nullable, tags: list<item: utf8, nullable> nullable>
	// uint64 has no Hive counterpart: no Glue type for this Arrow type
}

func ExampleCatalog_SyncTable() {
	ctx := context.Background()
	stack, err := localaws.Start(ctx) // an in-process Glue; use glue.NewFromConfig(cfg) for AWS
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close()
	cat := glue.New(sdkglue.NewFromConfig(stack.Config()))

	spec := glue.TableSpec{
		Name:     "sales",
		Location: "s3://lake/sales/",
		Format:   glue.Parquet,
		Schema: arrow.NewSchema([]arrow.Field{
			{Name: "id", Type: arrow.PrimitiveTypes.Int32},
			{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
		}, nil),
		PartitionKeys: []arrow.Field{{Name: "dt", Type: arrow.BinaryTypes.String}},
		Partitions:    []glue.Partition{{Values: []string{"2026-11-25"}, Location: "s3://lake/sales/dt=2026-11-25/"}},
	}
	report, err := cat.SyncTable(ctx, "analytics", spec)
	fmt.Println("created:", report.Created, "partitions added:", report.AddedPartitions, err)

	// A later writer brings a new column and a wider id.
	spec.Schema = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "region", Type: arrow.BinaryTypes.String},
	}, nil)
	spec.Partitions = []glue.Partition{{Values: []string{"2026-11-26"}, Location: "s3://lake/sales/dt=2026-11-26/"}}
	report, err = cat.SyncTable(ctx, "analytics", spec)
	fmt.Println("added:", report.AddedColumns, "widened:", report.WidenedColumns, err)

	table, _ := cat.Table(ctx, "analytics", "sales")
	fmt.Println(table.Schema)
	// Output:
	// created: true partitions added: 1 <nil>
	// added: [region] widened: [id] <nil>
	// schema:
	//   fields: 3
	//     - id: type=int64, nullable
	//     - amount: type=float64, nullable
	//     - region: type=utf8, nullable
}
