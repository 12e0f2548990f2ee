package localaws

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func TestGluePersistenceAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, c := newGlueTestService(t, dir)
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueDatabase(t, c, "dropped")
	mustCreateGlueTable(t, c, "dropped", glueTestTableInput("gone"))
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("sales", "dt", "string"))
	// A name no file system would take as a file name.
	odd := "../odd/" + strings.Repeat("x", 240)
	mustCreateGlueTable(t, c, "lake", glueTestTableInput(odd))
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("temp"))
	in := glueTestTableInput("sales", "dt", "string")
	in.Description = aws.String("v2")
	if _, err := c.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("lake"), TableInput: in, VersionId: aws.String("1")}); err != nil {
		t.Fatalf("UpdateTable: %v", err)
	}
	var values [][]string
	for i := range 150 {
		values = append(values, []string{fmt.Sprintf("d%03d", i)})
	}
	mustBatchCreateGluePartitions(t, c, "lake", "sales", gluePartitionInputs(values...))
	if _, err := c.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales"), PartitionValues: []string{"d007"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("lake"), Name: aws.String("temp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("dropped")}); err != nil {
		t.Fatal(err)
	}
	before, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("lake"), Name: aws.String("sales")})
	if err != nil {
		t.Fatal(err)
	}

	// A second service on the same directory sees the same catalog.
	_, c2 := newGlueTestService(t, dir)
	dbs, err := c2.GetDatabases(ctx, &glue.GetDatabasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dbs.DatabaseList) != 1 || aws.ToString(dbs.DatabaseList[0].Name) != "lake" {
		t.Errorf("databases after restart: got %d, want only lake", len(dbs.DatabaseList))
	}
	tables, err := c2.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("lake")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables.TableList {
		names = append(names, aws.ToString(tb.Name))
	}
	if want := fmt.Sprint([]string{odd, "sales"}); fmt.Sprint(names) != want {
		t.Errorf("tables after restart: got %v, want %v", names, want)
	}
	after, err := c2.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("lake"), Name: aws.String("sales")})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"VersionId", aws.ToString(after.Table.VersionId), "2"},
		{"Description", aws.ToString(after.Table.Description), "v2"},
		{"CreateTime", after.Table.CreateTime.UnixMilli(), before.Table.CreateTime.UnixMilli()},
		{"UpdateTime", after.Table.UpdateTime.UnixMilli(), before.Table.UpdateTime.UnixMilli()},
		{"Location", aws.ToString(after.Table.StorageDescriptor.Location), "s3://lake/sales/"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s after restart: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	parts, _ := allGluePartitions(t, c2, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales"), MaxResults: aws.Int32(100)})
	if len(parts) != 149 || parts[0].Values[0] != "d000" || parts[7].Values[0] != "d008" || parts[148].Values[0] != "d149" {
		t.Errorf("partitions after restart: got %d, want 149 in creation order", len(parts))
	}
	// The restarted catalog keeps counting: versions and partition order.
	in.Description = aws.String("v3")
	if _, err := c2.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("lake"), TableInput: in, VersionId: aws.String("1")}); err == nil {
		t.Errorf("UpdateTable with stale VersionId 1 after restart: got success, want ConcurrentModificationException")
	}
	if _, err := c2.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("lake"), TableInput: in, VersionId: aws.String("2")}); err != nil {
		t.Fatalf("UpdateTable after restart: %v", err)
	}
	vs, err := c2.GetTableVersions(ctx, &glue.GetTableVersionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales")})
	if err != nil || len(vs.TableVersions) != 3 || aws.ToString(vs.TableVersions[0].VersionId) != "3" {
		t.Errorf("versions after restart: got %v (err %v), want 3, newest 3", vs, err)
	}
	mustBatchCreateGluePartitions(t, c2, "lake", "sales", gluePartitionInputs([]string{"a-new-one"}))
	parts, _ = allGluePartitions(t, c2, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("sales")})
	if last := parts[len(parts)-1].Values[0]; last != "a-new-one" {
		t.Errorf("last partition: got %s, want the one created after the restart", last)
	}

	// Writes are atomic: no temporary files are left behind.
	err = filepath.WalkDir(filepath.Join(dir, "glue"), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(filepath.Join(dir, "glue", "tables"))
	if len(files) != 2 {
		t.Errorf("table files: got %d, want 2 (sales and the odd name)", len(files))
	}
}

func TestGluePersistenceErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"corrupt database list", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "glue"), 0o755)
			os.WriteFile(filepath.Join(dir, "glue", "databases.json"), []byte(`{"Databases": [`), 0o644)
		}},
		{"corrupt table file", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "glue", "tables"), 0o755)
			os.WriteFile(filepath.Join(dir, "glue", "tables", "x.json"), []byte(`not json`), 0o644)
		}},
		{"glue is a file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "glue"), []byte("x"), 0o644)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			if g, err := newGlueService(dir, "us-east-1", glueTestAccount); err == nil {
				t.Errorf("newGlueService: got %v, want an error", g)
			}
		})
	}
	t.Run("orphaned table files are dropped", func(t *testing.T) {
		dir := t.TempDir()
		_, c := newGlueTestService(t, dir)
		mustCreateGlueDatabase(t, c, "db")
		mustCreateGlueTable(t, c, "db", glueTestTableInput("t"))
		// Simulate a crash after the database list was rewritten.
		os.WriteFile(filepath.Join(dir, "glue", "databases.json"), []byte(`{"Databases":[]}`), 0o644)
		_, c2 := newGlueTestService(t, dir)
		mustCreateGlueDatabase(t, c2, "db")
		_, err := c2.GetTable(context.Background(), &glue.GetTableInput{DatabaseName: aws.String("db"), Name: aws.String("t")})
		glueErrorAs[*types.EntityNotFoundException](t, err)
	})
}
