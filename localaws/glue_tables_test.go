package localaws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func TestGlueTableRoundTrip(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	in := glueTestTableInput("Sales", "DT", "date", "region", "string")
	in.Description = aws.String("daily sales")
	in.Owner = aws.String("team-a")
	in.Retention = 7
	in.ViewOriginalText = aws.String("")
	in.LastAccessTime = aws.Time(time.Unix(0, 0))
	in.StorageDescriptor.Columns = append(in.StorageDescriptor.Columns, types.Column{
		Name: aws.String("CustomerName"), Type: aws.String("string"), Parameters: map[string]string{"pii": "true"}})
	in.StorageDescriptor.Compressed = true
	in.StorageDescriptor.NumberOfBuckets = 4
	in.StorageDescriptor.BucketColumns = []string{"id"}
	in.StorageDescriptor.SortColumns = []types.Order{{Column: aws.String("id"), SortOrder: 1}}
	in.StorageDescriptor.StoredAsSubDirectories = true
	in.StorageDescriptor.AdditionalLocations = []string{"s3://lake/extra/"}
	in.StorageDescriptor.SkewedInfo = &types.SkewedInfo{SkewedColumnNames: []string{"region"},
		SkewedColumnValueLocationMaps: map[string]string{"eu": "s3://lake/eu/"}}
	in.StorageDescriptor.Parameters = map[string]string{"compression": "zstd"}
	mustCreateGlueTable(t, c, "LAKE", in)

	out, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("lake"), Name: aws.String("SALES")})
	if err != nil {
		t.Fatalf("GetTable: %v", err)
	}
	tb := out.Table
	sd := tb.StorageDescriptor
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name", aws.ToString(tb.Name), "sales"},
		{"DatabaseName", aws.ToString(tb.DatabaseName), "lake"},
		{"Description", aws.ToString(tb.Description), "daily sales"},
		{"Owner", aws.ToString(tb.Owner), "team-a"},
		{"Retention", tb.Retention, int32(7)},
		{"TableType", aws.ToString(tb.TableType), "EXTERNAL_TABLE"},
		{"ViewOriginalText present and empty", tb.ViewOriginalText != nil && *tb.ViewOriginalText == "", true},
		{"ViewExpandedText absent", tb.ViewExpandedText == nil, true},
		{"LastAccessTime", tb.LastAccessTime != nil && tb.LastAccessTime.Unix() == 0, true},
		{"Parameters", fmt.Sprint(tb.Parameters), "map[EXTERNAL:TRUE classification:parquet]"},
		{"PartitionKeys folded", fmt.Sprint(glueColumnNames(tb.PartitionKeys)), "[dt region]"},
		{"PartitionKey type", aws.ToString(tb.PartitionKeys[0].Type), "date"},
		{"CatalogId", aws.ToString(tb.CatalogId), glueTestAccount},
		{"VersionId", aws.ToString(tb.VersionId), "1"},
		{"CreatedBy", aws.ToString(tb.CreatedBy), "arn:aws:iam::" + glueTestAccount + ":root"},
		{"IsRegisteredWithLakeFormation", tb.IsRegisteredWithLakeFormation, false},
		{"CreateTime = UpdateTime", tb.CreateTime != nil && tb.UpdateTime != nil && tb.CreateTime.Equal(*tb.UpdateTime), true},
		{"Columns folded", fmt.Sprint(glueColumnNames(sd.Columns)), "[id amount customername]"},
		{"Column comment", aws.ToString(sd.Columns[1].Comment), "in EUR"},
		{"Column parameters", sd.Columns[2].Parameters["pii"], "true"},
		{"Location", aws.ToString(sd.Location), "s3://lake/Sales/"},
		{"InputFormat", aws.ToString(sd.InputFormat), "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"},
		{"SerializationLibrary", aws.ToString(sd.SerdeInfo.SerializationLibrary), "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
		{"SerDe parameters", sd.SerdeInfo.Parameters["serialization.format"], "1"},
		{"Compressed", sd.Compressed, true},
		{"NumberOfBuckets", sd.NumberOfBuckets, int32(4)},
		{"BucketColumns", fmt.Sprint(sd.BucketColumns), "[id]"},
		{"SortColumns", fmt.Sprintf("%s/%d", aws.ToString(sd.SortColumns[0].Column), sd.SortColumns[0].SortOrder), "id/1"},
		{"StoredAsSubDirectories", sd.StoredAsSubDirectories, true},
		{"AdditionalLocations", fmt.Sprint(sd.AdditionalLocations), "[s3://lake/extra/]"},
		{"SkewedInfo", fmt.Sprint(sd.SkewedInfo.SkewedColumnNames, sd.SkewedInfo.SkewedColumnValueLocationMaps), "[region] map[eu:s3://lake/eu/]"},
		{"SD Parameters", sd.Parameters["compression"], "zstd"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

// glueColumnNames lists column names.
func glueColumnNames(cols []types.Column) []string {
	var names []string
	for _, c := range cols {
		names = append(names, aws.ToString(c.Name))
	}
	return names
}

func TestGlueTableErrors(t *testing.T) {
	ctx := context.Background()
	g, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("sales"))
	tests := []struct {
		name string
		call func() error
		want func(t *testing.T, err error)
	}{
		{"create existing", func() error {
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: glueTestTableInput("SALES")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.AlreadyExistsException](t, err) }},
		{"create in a missing database", func() error {
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("nowhere"), TableInput: glueTestTableInput("t")})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.EntityNotFoundException](t, err)
			if want := "Database nowhere not found."; e.ErrorMessage() != want {
				t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
			}
		}},
		{"get missing", func() error {
			_, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("lake"), Name: aws.String("nope")})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.EntityNotFoundException](t, err)
			if want := "Table nope not found."; e.ErrorMessage() != want {
				t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
			}
		}},
		{"delete missing", func() error {
			_, err := c.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("lake"), Name: aws.String("nope")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.EntityNotFoundException](t, err) }},
		{"update missing", func() error {
			_, err := c.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("lake"), TableInput: glueTestTableInput("nope")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.EntityNotFoundException](t, err) }},
		{"complex partition key", func() error {
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: glueTestTableInput("t2", "tags", "array<string>")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.InvalidInputException](t, err) }},
		{"column name too long", func() error {
			in := glueTestTableInput("t3")
			in.StorageDescriptor.Columns[1].Name = aws.String(strings.Repeat("c", 256))
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: in})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.ValidationException](t, err)
			if want := "'tableInput.storageDescriptor.columns.2.member.name'"; !strings.Contains(e.ErrorMessage(), want) {
				t.Errorf("message: got %q, want it to name %s", e.ErrorMessage(), want)
			}
		}},
		{"two violations", func() error {
			in := glueTestTableInput("t4")
			in.StorageDescriptor.Columns[0].Comment = aws.String("bad\ncomment")
			in.StorageDescriptor.InputFormat = aws.String(strings.Repeat("x", 129))
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: in})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.ValidationException](t, err)
			if !strings.HasPrefix(e.ErrorMessage(), "2 validation errors detected: ") {
				t.Errorf("message: got %q, want 2 violations", e.ErrorMessage())
			}
		}},
		{"table name too long", func() error {
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: glueTestTableInput(strings.Repeat("t", 256))})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.ValidationException](t, err) }},
		{"no TableInput", func() error {
			_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), Name: aws.String("iceberg")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.InvalidInputException](t, err) }},
		{"GetTables bad pattern", func() error {
			_, err := c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("lake"), Expression: aws.String("sales(")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.InvalidInputException](t, err) }},
		{"GetTables missing database", func() error {
			_, err := c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("nowhere")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.EntityNotFoundException](t, err) }},
		{"BatchDeleteTable of 101", func() error {
			names := make([]string, 101)
			for i := range names {
				names[i] = fmt.Sprint("t", i)
			}
			_, err := c.BatchDeleteTable(ctx, &glue.BatchDeleteTableInput{DatabaseName: aws.String("lake"), TablesToDelete: names})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.ValidationException](t, err)
			if want := "'tablesToDelete' failed to satisfy constraint: Member must have length less than or equal to 100"; !strings.Contains(e.ErrorMessage(), want) {
				t.Errorf("message: got %q, want it to contain %q", e.ErrorMessage(), want)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.call()) })
	}

	t.Run("tables per database quota", func(t *testing.T) {
		g.mu.Lock()
		g.limits.tablesPerDatabase = 1
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.limits.tablesPerDatabase = glueMaxTablesPerDatabase; g.mu.Unlock() }()
		_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: glueTestTableInput("second")})
		glueErrorAs[*types.ResourceNumberLimitExceededException](t, err)
	})
	t.Run("tables per account quota", func(t *testing.T) {
		g.mu.Lock()
		g.limits.tables = g.tableCount
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.limits.tables = glueMaxTables; g.mu.Unlock() }()
		_, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("lake"), TableInput: glueTestTableInput("second")})
		glueErrorAs[*types.ResourceNumberLimitExceededException](t, err)
	})
}

func TestGlueGetTablesPagingAndExpression(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	var all []string
	for i := range 250 {
		name := fmt.Sprintf("events_%03d", i)
		if i%50 == 0 {
			name = fmt.Sprintf("orders_%03d", i)
		}
		all = append(all, name)
		in := glueTestTableInput(name)
		if i%2 == 1 {
			in.TableType = aws.String("VIRTUAL_VIEW")
		}
		mustCreateGlueTable(t, c, "lake", in)
	}
	slices.Sort(all)
	list := func(t *testing.T, expr *string, max *int32) ([]string, int) {
		t.Helper()
		var names []string
		pages := 0
		p := glue.NewGetTablesPaginator(c, &glue.GetTablesInput{DatabaseName: aws.String("lake"), Expression: expr, MaxResults: max})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("GetTables page %d: %v", pages+1, err)
			}
			pages++
			for _, tb := range out.TableList {
				names = append(names, aws.ToString(tb.Name))
			}
		}
		return names, pages
	}
	t.Run("paging", func(t *testing.T) {
		names, pages := list(t, nil, nil)
		if pages != 3 {
			t.Errorf("pages: got %d, want 3", pages)
		}
		if !slices.Equal(names, all) {
			t.Errorf("names: got %d names %v..., want the %d tables in order", len(names), names[:min(3, len(names))], len(all))
		}
		names, pages = list(t, nil, aws.Int32(40))
		if pages != 7 || len(names) != 250 {
			t.Errorf("MaxResults 40: got %d pages, %d tables, want 7 pages, 250 tables", pages, len(names))
		}
	})
	tests := []struct {
		expr string
		want int
	}{
		{"orders_*", 5},
		{"ORDERS_.*", 5},
		{"*_000", 1},
		{"orders_000|events_001", 2},
		{"orders*|events_00*", 14},
		{"events_0[0-4]9", 5},
		{"nothing*", 0},
		{"events", 0}, // anchored: a prefix is not a match
		{"*", 250},
		{"", 250},
	}
	for _, tc := range tests {
		t.Run("Expression "+tc.expr, func(t *testing.T) {
			names, _ := list(t, aws.String(tc.expr), aws.Int32(3))
			if len(names) != tc.want {
				t.Errorf("got %d tables %v, want %d", len(names), names[:min(5, len(names))], tc.want)
			}
		})
	}
	t.Run("AttributesToGet NAME, TABLE_TYPE", func(t *testing.T) {
		out, err := c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("lake"), MaxResults: aws.Int32(2),
			AttributesToGet: []types.TableAttributes{types.TableAttributesName, types.TableAttributesTableType}})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(aws.ToString(out.TableList[0].Name), " ", aws.ToString(out.TableList[0].TableType), " ", out.TableList[0].StorageDescriptor == nil)
		if want := "events_001 VIRTUAL_VIEW true"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestGlueUpdateTableVersions(t *testing.T) {
	ctx := context.Background()
	g, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("sales", "dt", "string"))
	update := func(version *string, skipArchive bool, desc string) error {
		in := glueTestTableInput("sales", "dt", "string")
		in.Description = aws.String(desc)
		_, err := c.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("lake"), TableInput: in,
			VersionId: version, SkipArchive: aws.Bool(skipArchive)})
		return err
	}
	get := func() types.Table {
		out, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("lake"), Name: aws.String("sales")})
		if err != nil {
			t.Fatalf("GetTable: %v", err)
		}
		return *out.Table
	}
	created := get()
	time.Sleep(5 * time.Millisecond) // UpdateTime must move on

	steps := []struct {
		name        string
		version     *string
		skipArchive bool
		wantErr     bool
		wantVersion string
	}{
		{"current version", aws.String("1"), false, false, "2"},
		{"stale version", aws.String("1"), false, true, "2"},
		{"no version check", nil, false, false, "3"},
		{"future version", aws.String("9"), false, true, "3"},
		{"current again", aws.String("3"), false, false, "4"},
		{"skip archive", aws.String("4"), true, false, "5"},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := update(st.version, st.skipArchive, fmt.Sprint("step ", i))
			if st.wantErr {
				e := glueErrorAs[*types.ConcurrentModificationException](t, err)
				if want := "Update table failed due to concurrent modifications."; e.ErrorMessage() != want {
					t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
				}
			} else if err != nil {
				t.Fatalf("UpdateTable: %v", err)
			}
			if got := aws.ToString(get().VersionId); got != st.wantVersion {
				t.Errorf("VersionId: got %s, want %s", got, st.wantVersion)
			}
		})
	}
	now := get()
	if !now.CreateTime.Equal(*created.CreateTime) || !now.UpdateTime.After(*created.UpdateTime) {
		t.Errorf("times: got create %v update %v, want create %v and a later update", now.CreateTime, now.UpdateTime, created.CreateTime)
	}
	if d := aws.ToString(now.Description); d != "step 5" {
		t.Errorf("Description: got %q, want %q", d, "step 5")
	}

	// Version 4 was replaced without archiving: 1, 2, 3, 5 remain.
	var versions []string
	var descs []string
	pages := 0
	p := glue.NewGetTableVersionsPaginator(c, &glue.GetTableVersionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales"), MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("GetTableVersions: %v", err)
		}
		pages++
		for _, v := range out.TableVersions {
			versions = append(versions, aws.ToString(v.VersionId))
			if aws.ToString(v.Table.VersionId) != aws.ToString(v.VersionId) {
				t.Errorf("version %s holds a table of version %s", aws.ToString(v.VersionId), aws.ToString(v.Table.VersionId))
			}
			descs = append(descs, aws.ToString(v.Table.Description))
		}
	}
	if got, want := fmt.Sprint(versions), "[5 3 2 1]"; got != want {
		t.Errorf("versions: got %s, want %s (newest first)", got, want)
	}
	if got, want := fmt.Sprint(descs), "[step 5 step 2 step 0 ]"; got != want {
		t.Errorf("descriptions: got %q, want %q", got, want)
	}
	if pages != 2 {
		t.Errorf("pages: got %d, want 2", pages)
	}

	gv := []struct {
		version  *string
		wantDesc string
		wantErr  bool
	}{
		{nil, "step 5", false},
		{aws.String("2"), "step 0", false},
		{aws.String("4"), "", true},
		{aws.String("x"), "", true},
	}
	for _, tc := range gv {
		t.Run(fmt.Sprint("GetTableVersion ", aws.ToString(tc.version)), func(t *testing.T) {
			out, err := c.GetTableVersion(ctx, &glue.GetTableVersionInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales"), VersionId: tc.version})
			if tc.wantErr {
				glueErrorAs[*types.EntityNotFoundException](t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := aws.ToString(out.TableVersion.Table.Description); d != tc.wantDesc {
				t.Errorf("Description: got %q, want %q", d, tc.wantDesc)
			}
		})
	}

	t.Run("version quota", func(t *testing.T) {
		g.mu.Lock()
		g.limits.versionsPerTable = 4
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.limits.versionsPerTable = glueMaxVersionsPerTable; g.mu.Unlock() }()
		glueErrorAs[*types.ResourceNumberLimitExceededException](t, update(nil, false, "too many"))
		if err := update(nil, true, "skip archive needs no new version slot"); err != nil {
			t.Errorf("UpdateTable with SkipArchive at the quota: got %v, want success", err)
		}
	})
}

func TestGlueDeleteTables(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	for _, name := range []string{"a", "b", "c"} {
		mustCreateGlueTable(t, c, "lake", glueTestTableInput(name, "dt", "string"))
	}
	mustBatchCreateGluePartitions(t, c, "lake", "a", gluePartitionInputs([]string{"1"}, []string{"2"}))

	if _, err := c.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("lake"), Name: aws.String("A")}); err != nil {
		t.Fatalf("DeleteTable: %v", err)
	}
	// A table recreated under the same name starts without partitions or
	// old versions.
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("a", "dt", "string"))
	parts, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("a")})
	if len(parts) != 0 {
		t.Errorf("partitions of the recreated table: got %d, want 0", len(parts))
	}
	vs, err := c.GetTableVersions(ctx, &glue.GetTableVersionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("a")})
	if err != nil || len(vs.TableVersions) != 1 {
		t.Errorf("versions of the recreated table: got %v (err %v), want 1", vs, err)
	}

	out, err := c.BatchDeleteTable(ctx, &glue.BatchDeleteTableInput{DatabaseName: aws.String("lake"), TablesToDelete: []string{"a", "missing", "B"}})
	if err != nil {
		t.Fatalf("BatchDeleteTable: %v", err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].TableName) != "missing" ||
		aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" {
		t.Errorf("Errors: got %+v, want one EntityNotFoundException for missing", out.Errors)
	}
	tables, err := c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("lake")})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tables.TableList); got != 1 || aws.ToString(tables.TableList[0].Name) != "c" {
		t.Errorf("remaining tables: got %d, want only c", got)
	}
	_, err = c.BatchDeleteTable(ctx, &glue.BatchDeleteTableInput{DatabaseName: aws.String("nowhere"), TablesToDelete: []string{"c"}})
	glueErrorAs[*types.EntityNotFoundException](t, err)
}

// TestGlueConcurrentWriters races writers holding the same VersionId:
// exactly one wins, the others get ConcurrentModificationException, and
// concurrent partition batches all land.
func TestGlueConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, t.TempDir())
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("sales", "dt", "string"))
	const writers = 8
	results := make(chan error, writers)
	for i := range writers {
		go func() {
			in := glueTestTableInput("sales", "dt", "string")
			in.Description = aws.String(fmt.Sprint("writer ", i))
			_, err := c.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("lake"), TableInput: in, VersionId: aws.String("1")})
			results <- err
		}()
	}
	wins := 0
	for range writers {
		if err := <-results; err == nil {
			wins++
		} else {
			glueErrorAs[*types.ConcurrentModificationException](t, err)
		}
	}
	if wins != 1 {
		t.Errorf("winning writers: got %d, want 1", wins)
	}
	done := make(chan struct{})
	for w := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			var values [][]string
			for i := range 20 {
				values = append(values, []string{fmt.Sprintf("w%d-%02d", w, i)})
			}
			out, err := c.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales"),
				PartitionInputList: gluePartitionInputs(values...)})
			if err != nil || len(out.Errors) != 0 {
				t.Errorf("writer %d: got %v, %v, want success", w, out, err)
			}
		}()
	}
	for range writers {
		<-done
	}
	parts, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales")})
	if len(parts) != writers*20 {
		t.Errorf("partitions: got %d, want %d", len(parts), writers*20)
	}
}
