package localaws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// glueDayValues returns n partition value lists: one date per day from
// 2024-01-01.
func glueDayValues(n int) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = []string{fmt.Sprintf("2024-%02d-%02d", 1+i/28, 1+i%28), fmt.Sprint(i % 7)}
	}
	return out
}

func TestGluePartitionPaging(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("events", "dt", "date", "shard", "int"))
	values := glueDayValues(250)
	mustBatchCreateGluePartitions(t, c, "lake", "events", gluePartitionInputs(values...))

	tests := []struct {
		name      string
		max       *int32
		wantPages int
	}{
		{"default page", nil, 1},
		{"MaxResults 100", aws.Int32(100), 3},
		{"MaxResults 1", aws.Int32(1), 250},
		{"MaxResults 1000", aws.Int32(1000), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, pages := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"), MaxResults: tc.max})
			if pages != tc.wantPages {
				t.Errorf("pages: got %d, want %d", pages, tc.wantPages)
			}
			if len(parts) != len(values) {
				t.Fatalf("partitions: got %d, want %d", len(parts), len(values))
			}
			for i, p := range parts {
				if !slices.Equal(p.Values, values[i]) {
					t.Fatalf("partition %d: got %v, want %v (creation order)", i, p.Values, values[i])
				}
			}
		})
	}
	t.Run("MaxResults 1001 is refused", func(t *testing.T) {
		_, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"), MaxResults: aws.Int32(1001)})
		glueErrorAs[*types.ValidationException](t, err)
	})
	t.Run("segments are disjoint and complete", func(t *testing.T) {
		seen := map[string]int{}
		for seg := range int32(4) {
			parts, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"),
				MaxResults: aws.Int32(30), Segment: &types.Segment{SegmentNumber: seg, TotalSegments: aws.Int32(4)}})
			for _, p := range parts {
				seen[strings.Join(p.Values, "/")]++
			}
		}
		if len(seen) != 250 {
			t.Errorf("partitions over all segments: got %d, want 250", len(seen))
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("partition %s: got it in %d segments, want 1", k, n)
			}
		}
		_, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"),
			Segment: &types.Segment{SegmentNumber: 4, TotalSegments: aws.Int32(4)}})
		glueErrorAs[*types.InvalidInputException](t, err)
	})
	t.Run("ExcludeColumnSchema", func(t *testing.T) {
		out, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"),
			MaxResults: aws.Int32(1), ExcludeColumnSchema: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		sd := out.Partitions[0].StorageDescriptor
		if sd == nil || sd.Columns != nil || aws.ToString(sd.Location) != "s3://lake/p/0/" {
			t.Errorf("StorageDescriptor: got %+v, want the location without columns", sd)
		}
	})
}

func TestGlueBatchCreatePartition(t *testing.T) {
	ctx := context.Background()
	g, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("events", "dt", "string", "shard", "int"))
	batch := func(values ...[]string) (*glue.BatchCreatePartitionOutput, error) {
		return c.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"),
			PartitionInputList: gluePartitionInputs(values...)})
	}
	t.Run("101 entries are refused", func(t *testing.T) {
		values := make([][]string, 101)
		for i := range values {
			values[i] = []string{fmt.Sprint(i), "0"}
		}
		_, err := batch(values...)
		e := glueErrorAs[*types.ValidationException](t, err)
		if want := "'partitionInputList' failed to satisfy constraint: Member must have length less than or equal to 100"; !strings.Contains(e.ErrorMessage(), want) {
			t.Errorf("message: got %q, want it to contain %q", e.ErrorMessage(), want)
		}
		parts, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("events")})
		if len(parts) != 0 {
			t.Errorf("partitions after a refused batch: got %d, want 0", len(parts))
		}
	})
	t.Run("100 entries are accepted", func(t *testing.T) {
		values := make([][]string, 100)
		for i := range values {
			values[i] = []string{fmt.Sprint("a", i), "0"}
		}
		out, err := batch(values...)
		if err != nil || len(out.Errors) != 0 {
			t.Fatalf("got %v, %v, want success", out, err)
		}
	})
	t.Run("per-entry errors", func(t *testing.T) {
		out, err := batch([]string{"a0", "0"}, []string{"new", "1"}, []string{"new", "1"}, []string{"short"}, []string{"x", "1", "extra"})
		if err != nil {
			t.Fatalf("BatchCreatePartition: %v", err)
		}
		type perEntry struct{ values, code string }
		var got []perEntry
		for _, e := range out.Errors {
			got = append(got, perEntry{strings.Join(e.PartitionValues, "/"), aws.ToString(e.ErrorDetail.ErrorCode)})
			if aws.ToString(e.ErrorDetail.ErrorMessage) == "" {
				t.Errorf("entry %v: got no ErrorMessage, want one", e.PartitionValues)
			}
		}
		want := []perEntry{
			{"a0/0", "AlreadyExistsException"},
			{"new/1", "AlreadyExistsException"},
			{"short", "InvalidInputException"},
			{"x/1/extra", "InvalidInputException"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("Errors: got %v, want %v", got, want)
		}
		if _, err := c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"),
			PartitionValues: []string{"new", "1"}}); err != nil {
			t.Errorf("GetPartition(new/1) after the batch: %v, want it created", err)
		}
	})
	t.Run("partition value too long", func(t *testing.T) {
		_, err := batch([]string{strings.Repeat("v", 1025), "0"})
		glueErrorAs[*types.ValidationException](t, err)
	})
	t.Run("missing table", func(t *testing.T) {
		_, err := c.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("lake"), TableName: aws.String("nope"),
			PartitionInputList: gluePartitionInputs([]string{"a", "1"})})
		glueErrorAs[*types.EntityNotFoundException](t, err)
	})
	t.Run("partition quota", func(t *testing.T) {
		g.mu.Lock()
		g.limits.partitionsPerTable = 102
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.limits.partitionsPerTable = glueMaxPartitionsPerTable; g.mu.Unlock() }()
		out, err := batch([]string{"q1", "1"}, []string{"q2", "1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "ResourceNumberLimitExceededException" {
			t.Errorf("Errors: got %+v, want one ResourceNumberLimitExceededException", out.Errors)
		}
		_, err = c.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: aws.String("lake"), TableName: aws.String("events"),
			PartitionInput: &gluePartitionInputs([]string{"q3", "1"})[0]})
		glueErrorAs[*types.ResourceNumberLimitExceededException](t, err)
	})
}

func TestGluePartitionOperations(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("events", "dt", "string", "shard", "int"))
	db, tb := aws.String("lake"), aws.String("events")
	values := make([][]string, 40)
	for i := range values {
		values[i] = []string{fmt.Sprint("d", i), fmt.Sprint(i)}
	}
	mustBatchCreateGluePartitions(t, c, "lake", "events", gluePartitionInputs(values...))

	t.Run("CreatePartition and GetPartition", func(t *testing.T) {
		in := types.PartitionInput{Values: []string{"single", "1"}, Parameters: map[string]string{"k": "v"},
			StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://lake/single/")}}
		if _, err := c.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: db, TableName: tb, PartitionInput: &in}); err != nil {
			t.Fatalf("CreatePartition: %v", err)
		}
		_, err := c.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: db, TableName: tb, PartitionInput: &in})
		e := glueErrorAs[*types.AlreadyExistsException](t, err)
		if want := "Partition already exists."; e.ErrorMessage() != want {
			t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
		}
		out, err := c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: aws.String("EVENTS"), PartitionValues: []string{"single", "1"}})
		if err != nil {
			t.Fatalf("GetPartition: %v", err)
		}
		p := out.Partition
		got := fmt.Sprint(p.Values, aws.ToString(p.DatabaseName), aws.ToString(p.TableName), p.Parameters["k"],
			aws.ToString(p.StorageDescriptor.Location), p.CreationTime != nil, aws.ToString(p.CatalogId))
		if want := fmt.Sprint([]string{"single", "1"}, "lake", "events", "v", "s3://lake/single/", true, glueTestAccount); got != want {
			t.Errorf("partition: got %s, want %s", got, want)
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tb, PartitionValues: []string{"none", "1"}})
		e := glueErrorAs[*types.EntityNotFoundException](t, err)
		if want := "Cannot find partition."; e.ErrorMessage() != want {
			t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
		}
		_, err = c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tb, PartitionValues: []string{"d1"}})
		glueErrorAs[*types.InvalidInputException](t, err)
		_, err = c.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: db, TableName: tb,
			PartitionInput: &types.PartitionInput{Values: []string{"only-one"}}})
		e2 := glueErrorAs[*types.InvalidInputException](t, err)
		if want := "The number of partition keys do not match the number of partition values"; e2.ErrorMessage() != want {
			t.Errorf("message: got %q, want %q", e2.ErrorMessage(), want)
		}
		_, err = c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: db, TableName: aws.String("nope")})
		glueErrorAs[*types.EntityNotFoundException](t, err)
		_, err = c.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: db, TableName: tb, PartitionValues: []string{"none", "1"}})
		glueErrorAs[*types.EntityNotFoundException](t, err)
		_, err = c.UpdatePartition(ctx, &glue.UpdatePartitionInput{DatabaseName: db, TableName: tb, PartitionValueList: []string{"none", "1"},
			PartitionInput: &types.PartitionInput{Values: []string{"none", "1"}}})
		glueErrorAs[*types.EntityNotFoundException](t, err)
	})
	t.Run("BatchGetPartition", func(t *testing.T) {
		out, err := c.BatchGetPartition(ctx, &glue.BatchGetPartitionInput{DatabaseName: db, TableName: tb, PartitionsToGet: []types.PartitionValueList{
			{Values: []string{"d3", "3"}}, {Values: []string{"missing", "0"}}, {Values: []string{"d1", "1"}},
		}})
		if err != nil {
			t.Fatalf("BatchGetPartition: %v", err)
		}
		var got []string
		for _, p := range out.Partitions {
			got = append(got, strings.Join(p.Values, "/"))
		}
		if want := []string{"d3/3", "d1/1"}; !slices.Equal(got, want) {
			t.Errorf("partitions: got %v, want %v (the missing one left out)", got, want)
		}
		if len(out.UnprocessedKeys) != 0 {
			t.Errorf("UnprocessedKeys: got %v, want none", out.UnprocessedKeys)
		}
		many := make([]types.PartitionValueList, 1001)
		for i := range many {
			many[i] = types.PartitionValueList{Values: []string{fmt.Sprint("d", i), fmt.Sprint(i)}}
		}
		_, err = c.BatchGetPartition(ctx, &glue.BatchGetPartitionInput{DatabaseName: db, TableName: tb, PartitionsToGet: many})
		glueErrorAs[*types.ValidationException](t, err)
		out, err = c.BatchGetPartition(ctx, &glue.BatchGetPartitionInput{DatabaseName: db, TableName: tb, PartitionsToGet: many[:1000]})
		if err != nil || len(out.Partitions) != 40 {
			t.Errorf("BatchGetPartition of 1000: got %d partitions, err %v, want 40", len(out.Partitions), err)
		}
	})
	t.Run("UpdatePartition", func(t *testing.T) {
		before, err := c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tb, PartitionValues: []string{"d5", "5"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdatePartition(ctx, &glue.UpdatePartitionInput{DatabaseName: db, TableName: tb, PartitionValueList: []string{"d5", "5"},
			PartitionInput: &types.PartitionInput{Values: []string{"d5", "5"}, Parameters: map[string]string{"updated": "yes"},
				StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://lake/moved/")}}})
		if err != nil {
			t.Fatalf("UpdatePartition: %v", err)
		}
		after, err := c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: db, TableName: tb, PartitionValues: []string{"d5", "5"}})
		if err != nil {
			t.Fatal(err)
		}
		p := after.Partition
		if p.Parameters["updated"] != "yes" || aws.ToString(p.StorageDescriptor.Location) != "s3://lake/moved/" || !p.CreationTime.Equal(*before.Partition.CreationTime) {
			t.Errorf("updated partition: got %+v, want new parameters and location, same creation time", p)
		}
		_, err = c.UpdatePartition(ctx, &glue.UpdatePartitionInput{DatabaseName: db, TableName: tb, PartitionValueList: []string{"d5", "5"},
			PartitionInput: &types.PartitionInput{Values: []string{"d5", "6"}}})
		glueErrorAs[*types.InvalidInputException](t, err)
		// The partition keeps its place in GetPartitions order.
		parts, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: db, TableName: tb})
		if got := strings.Join(parts[5].Values, "/"); got != "d5/5" {
			t.Errorf("partition 5 after update: got %s, want d5/5", got)
		}
	})
	t.Run("BatchDeletePartition", func(t *testing.T) {
		many := make([]types.PartitionValueList, 26)
		for i := range many {
			many[i] = types.PartitionValueList{Values: []string{fmt.Sprint("d", i), fmt.Sprint(i)}}
		}
		_, err := c.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{DatabaseName: db, TableName: tb, PartitionsToDelete: many})
		e := glueErrorAs[*types.ValidationException](t, err)
		if want := "'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25"; !strings.Contains(e.ErrorMessage(), want) {
			t.Errorf("message: got %q, want it to contain %q", e.ErrorMessage(), want)
		}
		out, err := c.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{DatabaseName: db, TableName: tb, PartitionsToDelete: append(many[:24:24],
			types.PartitionValueList{Values: []string{"gone", "0"}})})
		if err != nil {
			t.Fatalf("BatchDeletePartition: %v", err)
		}
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" ||
			!slices.Equal(out.Errors[0].PartitionValues, []string{"gone", "0"}) {
			t.Errorf("Errors: got %+v, want one EntityNotFoundException for gone/0", out.Errors)
		}
		if _, err := c.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: db, TableName: tb, PartitionValues: []string{"d30", "30"}}); err != nil {
			t.Fatalf("DeletePartition: %v", err)
		}
		parts, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: db, TableName: tb})
		// 40 + "single" - 24 - 1.
		if len(parts) != 16 {
			t.Errorf("partitions left: got %d, want 16", len(parts))
		}
	})
}
