package glue_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/glue"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

// datasetStack starts localaws with the lake and results buckets and
// returns the clients of every layer over the unmodified SDK clients.
func datasetStack(t *testing.T) (*localaws.Stack, *s3io.Client, *glue.Catalog, *athena.Client) {
	t.Helper()
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) { o.Buckets = []string{"lake", "results"} })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s3c := s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))
	cat := glue.New(sdkglue.NewFromConfig(st.Config()))
	q := athena.New(sdkathena.NewFromConfig(st.Config()), s3c, athena.OutputLocation("s3://results/q/"))
	return st, s3c, cat, q
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

type saleRow struct {
	id     int64
	amount float64
	name   string
	dt     string
	region string // "" is null
}

func salesOf(t *testing.T, rows []saleRow) *frame.Frame {
	t.Helper()
	n := len(rows)
	ids, amounts, names := make([]int64, n), make([]float64, n), make([]string, n)
	days, regions, valid := make([]time.Time, n), make([]string, n), make([]bool, n)
	for i, r := range rows {
		ids[i], amounts[i], names[i], days[i], regions[i], valid[i] = r.id, r.amount, r.name, date(r.dt), r.region, r.region != ""
	}
	f, err := frame.New(frame.Int64("id", ids), frame.Float64("amount", amounts), frame.String("name", names),
		frame.Date32("dt", days), frame.String("region", regions, valid))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// render turns rows of (id, amount, name, dt, region) into sorted strings,
// independent of column types' Go representation.
func render(t *testing.T, f *frame.Frame) []string {
	t.Helper()
	sel, err := f.Select("id", "amount", "name", "dt", "region")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range sel.NumRows() {
		row, err := sel.Row(i)
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(row))
		for j, v := range row {
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC().Format(time.DateOnly)
			}
			cells[j] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	slices.Sort(out)
	return out
}

// TestSyncDatasetEndToEnd writes a partitioned dataset, syncs it and
// queries it through Athena, then overwrites it and checks that the catalog
// lost the partitions the overwrite removed.
func TestSyncDatasetEndToEnd(t *testing.T) {
	ctx := context.Background()
	_, s3c, cat, q := datasetStack(t)
	first := []saleRow{
		{1, 9.5, "Paris, FR", "2026-11-25", "eu/west"},
		{2, 12, "Oslo", "2026-11-25", "eu:north"},
		{3, 7.25, `say "hi"`, "2026-11-26", "eu/west"},
		{4, 1, "nowhere", "2026-11-26", ""},
		{5, 100, "Lima", "2026-11-27", "sa=1"},
	}
	want := salesOf(t, first)
	res, err := s3c.WriteDataset(ctx, want, "s3://lake/sales/", s3io.PartitionBy("dt", "region"))
	if err != nil {
		t.Fatal(err)
	}
	report, err := cat.SyncDataset(ctx, "analytics", "sales", res)
	if err != nil {
		t.Fatal(err)
	}
	if !report.Created || report.AddedPartitions != 5 {
		t.Errorf("sync report %+v, want a created table with 5 partitions", report)
	}
	table, err := cat.Table(ctx, "analytics", "sales")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(table.PartitionKeys); !strings.Contains(got, "dt: type=date32") || !strings.Contains(got, "region: type=utf8") {
		t.Errorf("partition keys %s, want dt date and region string", got)
	}

	got, err := q.Query(ctx, "SELECT id, amount, name, dt, region FROM analytics.sales")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := render(t, got), render(t, want); !slices.Equal(g, w) {
		t.Errorf("Athena returned\n%q\nwant\n%q", g, w)
	}

	// ReadTable pushes the expression to GetPartitions.
	some, err := cat.ReadTable(ctx, s3c, "analytics", "sales", "dt >= '2026-11-26'")
	if err != nil {
		t.Fatal(err)
	}
	wantSome := render(t, salesOf(t, first[2:]))
	if g := render(t, some); !slices.Equal(g, wantSome) {
		t.Errorf("ReadTable(dt >= 2026-11-26) = %q, want %q", g, wantSome)
	}
	if dt := some.Schema().Field(some.Schema().FieldIndices("dt")[0]).Type; dt.ID() != arrow.DATE32 {
		t.Errorf("ReadTable typed dt as %s, want date32 from the catalog", dt)
	}

	// An overwrite with other partitions: the catalog forgets the old ones.
	second := []saleRow{{10, 3, "Kyiv", "2026-12-01", "eu/east"}, {11, 4, "Rome", "2026-11-25", "eu/west"}}
	res, err = s3c.WriteDataset(ctx, salesOf(t, second), "s3://lake/sales/", s3io.PartitionBy("dt", "region"), s3io.Mode(s3io.Overwrite))
	if err != nil {
		t.Fatal(err)
	}
	report, err = cat.SyncDataset(ctx, "analytics", "sales", res)
	if err != nil {
		t.Fatal(err)
	}
	if report.RemovedPartitions != 4 || report.AddedPartitions != 1 {
		t.Errorf("overwrite sync report %+v, want 4 partitions removed and 1 added", report)
	}
	got, err = q.Query(ctx, "SELECT id, amount, name, dt, region FROM analytics.sales")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := render(t, got), render(t, salesOf(t, second)); !slices.Equal(g, w) {
		t.Errorf("after the overwrite Athena returned\n%q\nwant\n%q", g, w)
	}
	all, err := cat.ReadTable(ctx, s3c, "analytics", "sales", "")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := render(t, all), render(t, salesOf(t, second)); !slices.Equal(g, w) {
		t.Errorf("ReadTable after the overwrite = %q, want %q", g, w)
	}
	none, err := cat.ReadTable(ctx, s3c, "analytics", "sales", "dt > '2030-01-01'")
	if err != nil || none.NumRows() != 0 || none.NumCols() != 5 {
		t.Errorf("ReadTable with no partition matching: %v rows %d cols, %v; want an empty frame of 5 columns", none.NumRows(), none.NumCols(), err)
	}
}

func TestDatasetTableSpecFormats(t *testing.T) {
	for _, tc := range []struct {
		res  s3io.DatasetResult
		want glue.Format
		comp string
	}{
		{s3io.DatasetResult{Format: s3io.Parquet, Compression: s3io.Snappy}, glue.Parquet, "snappy"},
		{s3io.DatasetResult{Format: s3io.CSV, Compression: s3io.Gzip, Delimiter: ';', Header: true}, glue.CSV, "gzip"},
		{s3io.DatasetResult{Format: s3io.JSONLines, Compression: s3io.CompressionNone}, glue.JSONLines, ""},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			tc.res.URL = "s3://lake/x/"
			spec, err := glue.DatasetTableSpec("x", &tc.res)
			if err != nil {
				t.Fatal(err)
			}
			if spec.Format != tc.want || spec.Compression != tc.comp {
				t.Errorf("format %v compression %q, want %v %q", spec.Format, spec.Compression, tc.want, tc.comp)
			}
			if tc.want == glue.CSV && (spec.CSV.Delimiter != ';' || !spec.CSV.Header) {
				t.Errorf("CSV options %+v, want ';' with header", spec.CSV)
			}
		})
	}
}

func ExampleCatalog_SyncDataset() {
	ctx := context.Background()
	stack, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"lake"} })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close()
	s3c := s3io.New(s3.NewFromConfig(stack.Config(), localaws.PathStyle))
	cat := glue.New(sdkglue.NewFromConfig(stack.Config()))

	f, _ := frame.New(
		frame.Int64("id", []int64{1, 2, 3}),
		frame.Float64("amount", []float64{9.5, 12, 7.25}),
		frame.String("dt", []string{"2026-11-25", "2026-11-25", "2026-11-26"}),
	)
	res, err := s3c.WriteDataset(ctx, f, "s3://lake/sales/", s3io.PartitionBy("dt"))
	if err != nil {
		fmt.Println(err)
		return
	}
	report, err := cat.SyncDataset(ctx, "analytics", "sales", res)
	fmt.Println("created:", report.Created, "partitions:", report.AddedPartitions, err)

	back, err := cat.ReadTable(ctx, s3c, "analytics", "sales", "dt = '2026-11-25'")
	fmt.Println(back.NumRows(), back.ColumnNames(), err)
	// Output:
	// created: true partitions: 2 <nil>
	// 2 [id amount dt] <nil>
}
