package glue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gowrangler/wrangler/retry"
)

// SyncReport says what SyncTable changed.
type SyncReport struct {
	// Created is true when the table did not exist.
	Created bool
	// AddedColumns and WidenedColumns name the columns the table gained or
	// whose type widened (int to bigint, float to double).
	AddedColumns, WidenedColumns []string
	// AddedPartitions counts new partitions; MovedPartitions those that
	// existed with another location and were updated.
	AddedPartitions, MovedPartitions int
	// RemovedPartitions counts partitions SyncDataset deleted from the
	// catalog after an overwrite whose data no longer has them.
	RemovedPartitions int
	// Conflicts counts table updates that lost a race with another writer
	// and were re-read and applied again.
	Conflicts int
}

// SyncTable makes the catalog describe what a writer wrote: it creates the
// table (and its database) if missing; otherwise appends the spec's new
// columns and widens compatible types, refusing other changes with a
// *SchemaChangeError; then adds the spec's partitions, updating any whose
// location changed. Columns the spec lacks are kept, since older files have
// them, and the table's location and format stay as they are.
//
// Concurrent writers are safe: each table update names the VersionId it
// read, and an update that loses the race (ConcurrentModificationException)
// re-reads the table and merges again, up to Options.SyncAttempts times, so
// no writer's columns are lost. Partitions of different writers never
// conflict.
func (c *Catalog) SyncTable(ctx context.Context, db string, spec TableSpec, optFns ...func(*Options)) (*SyncReport, error) {
	o := c.resolve(optFns)
	db, spec.Name = strings.ToLower(db), strings.ToLower(spec.Name)
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("glue: sync %s: %w", db, err)
	}
	cols, err := Columns(spec.Schema.Fields(), o.TypeOverrides, spec.ColumnComments)
	if err != nil {
		return nil, fmt.Errorf("glue: sync %s.%s: %w", db, spec.Name, err)
	}
	keys, err := Columns(spec.PartitionKeys, o.TypeOverrides, spec.ColumnComments)
	if err != nil {
		return nil, fmt.Errorf("glue: sync %s.%s partition keys: %w", db, spec.Name, err)
	}
	report := &SyncReport{}
	merged, err := c.syncTableDefinition(ctx, o, db, spec, cols, keys, report)
	if err != nil {
		return report, err
	}
	if err := c.syncPartitions(ctx, o, db, spec, merged, report); err != nil {
		return report, err
	}
	return report, nil
}

// syncTableDefinition creates or evolves the table and returns its data
// columns as they now stand.
func (c *Catalog) syncTableDefinition(ctx context.Context, o Options, db string, spec TableSpec, cols, keys []types.Column, report *SyncReport) ([]types.Column, error) {
	for attempt := 1; attempt <= o.SyncAttempts; attempt++ {
		raw, err := c.getTable(ctx, o, db, spec.Name)
		if errors.Is(err, ErrNotFound) {
			created, err := c.createTable(ctx, o, db, spec.tableInput(cols, keys))
			switch {
			case err != nil:
				return nil, err
			case created:
				report.Created = true
				c.log(o, "created table", slog.String("table", db+"."+spec.Name))
				return cols, nil
			}
			// Another writer created it first: evolve theirs.
			report.Conflicts++
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := samePartitionKeys(db, spec.Name, raw.PartitionKeys, keys); err != nil {
			return nil, err
		}
		var have []types.Column
		if raw.StorageDescriptor != nil {
			have = raw.StorageDescriptor.Columns
		}
		merged, added, widened, err := evolveColumns(db, spec.Name, have, cols)
		if err != nil {
			return nil, err
		}
		if len(added) == 0 && len(widened) == 0 {
			return merged, nil
		}
		in := tableInputOf(raw)
		in.StorageDescriptor.Columns = merged
		// A conflict is not retried as it is: the update names a version
		// that is gone. The loop re-reads and merges instead.
		once := o
		once.Retry.Retryable = func(err error) bool { return !isConflict(err) && retry.IsRetryable(err) }
		_, err = call(ctx, once, func(ctx context.Context) (*glue.UpdateTableOutput, error) {
			return c.client.UpdateTable(ctx, &glue.UpdateTableInput{CatalogId: o.catalogID(), DatabaseName: aws.String(db),
				TableInput: in, VersionId: raw.VersionId})
		})
		switch {
		case err == nil:
			report.AddedColumns = append(report.AddedColumns, added...)
			report.WidenedColumns = append(report.WidenedColumns, widened...)
			c.log(o, "evolved table", slog.String("table", db+"."+spec.Name),
				slog.Any("added", added), slog.Any("widened", widened))
			return merged, nil
		case isConflict(err):
			report.Conflicts++
			continue
		}
		return nil, fmt.Errorf("glue: update table %s.%s: %w", db, spec.Name, err)
	}
	return nil, fmt.Errorf("glue: sync %s.%s: lost the race with other writers %d times in a row", db, spec.Name, o.SyncAttempts)
}

// createTable creates a table, and its database when that is missing.
// created is false when another writer created the table first.
func (c *Catalog) createTable(ctx context.Context, o Options, db string, in *types.TableInput) (created bool, err error) {
	create := func() error {
		_, err := call(ctx, o, func(ctx context.Context) (*glue.CreateTableOutput, error) {
			return c.client.CreateTable(ctx, &glue.CreateTableInput{CatalogId: o.catalogID(), DatabaseName: aws.String(db), TableInput: in})
		})
		return err
	}
	err = create()
	var missing *types.EntityNotFoundException
	if errors.As(err, &missing) {
		if _, err := c.CreateDatabase(ctx, db, func(x *Options) { *x = o }); err != nil {
			return false, err
		}
		err = create()
	}
	switch {
	case err == nil:
		return true, nil
	case isAlreadyExists(err):
		return false, nil
	}
	return false, fmt.Errorf("glue: create table %s.%s: %w", db, aws.ToString(in.Name), err)
}

func samePartitionKeys(db, table string, have, want []types.Column) error {
	same := len(have) == len(want)
	for i := 0; same && i < len(have); i++ {
		same = strings.EqualFold(aws.ToString(have[i].Name), aws.ToString(want[i].Name)) &&
			normalType(aws.ToString(have[i].Type)) == normalType(aws.ToString(want[i].Type))
	}
	if same {
		return nil
	}
	describe := func(cols []types.Column) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = aws.ToString(c.Name) + " " + aws.ToString(c.Type)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return &SchemaChangeError{Database: db, Table: table, Column: "partition keys", Was: describe(have), Now: describe(want),
		Reason: "partition keys cannot change; write to a new table"}
}

// tableInputOf turns a table read from Glue back into the input that
// updates it, keeping every field the writer does not change.
func tableInputOf(t *types.Table) *types.TableInput {
	in := &types.TableInput{
		Name:             t.Name,
		Description:      t.Description,
		Owner:            t.Owner,
		LastAccessTime:   t.LastAccessTime,
		LastAnalyzedTime: t.LastAnalyzedTime,
		Retention:        t.Retention,
		PartitionKeys:    t.PartitionKeys,
		ViewOriginalText: t.ViewOriginalText,
		ViewExpandedText: t.ViewExpandedText,
		TableType:        t.TableType,
		Parameters:       t.Parameters,
		TargetTable:      t.TargetTable,
	}
	if t.StorageDescriptor != nil {
		sd := *t.StorageDescriptor
		in.StorageDescriptor = &sd
	} else {
		in.StorageDescriptor = &types.StorageDescriptor{}
	}
	if in.PartitionKeys == nil {
		in.PartitionKeys = []types.Column{}
	}
	return in
}

// syncPartitions adds the spec's partitions in batches of 100; one that
// exists with another location is moved there.
func (c *Catalog) syncPartitions(ctx context.Context, o Options, db string, spec TableSpec, cols []types.Column, report *SyncReport) error {
	var errs []error
	for start := 0; start < len(spec.Partitions); start += MaxCreatePartitionBatch {
		batch := spec.Partitions[start:min(start+MaxCreatePartitionBatch, len(spec.Partitions))]
		in := &glue.BatchCreatePartitionInput{CatalogId: o.catalogID(), DatabaseName: aws.String(db), TableName: aws.String(spec.Name)}
		for _, p := range batch {
			in.PartitionInputList = append(in.PartitionInputList, types.PartitionInput{
				Values: p.Values, StorageDescriptor: spec.storageDescriptor(cols, p.Location)})
		}
		out, err := call(ctx, o, func(ctx context.Context) (*glue.BatchCreatePartitionOutput, error) {
			return c.client.BatchCreatePartition(ctx, in)
		})
		if err != nil {
			return fmt.Errorf("glue: add partitions to %s.%s: %w", db, spec.Name, err)
		}
		failed := map[string]bool{}
		for _, e := range out.Errors {
			failed[strings.Join(e.PartitionValues, "\x00")] = true
			if e.ErrorDetail == nil || aws.ToString(e.ErrorDetail.ErrorCode) != "AlreadyExistsException" {
				errs = append(errs, fmt.Errorf("partition %v: %s", e.PartitionValues, errorDetail(e.ErrorDetail)))
				continue
			}
			i := slices.IndexFunc(batch, func(p Partition) bool { return slices.Equal(p.Values, e.PartitionValues) })
			if i < 0 {
				continue
			}
			moved, err := c.movePartition(ctx, o, db, spec, cols, batch[i])
			if err != nil {
				errs = append(errs, err)
			} else if moved {
				report.MovedPartitions++
			}
		}
		report.AddedPartitions += len(batch) - len(failed)
	}
	if len(errs) > 0 {
		return fmt.Errorf("glue: partitions of %s.%s: %w", db, spec.Name, errors.Join(errs...))
	}
	return nil
}

// movePartition points an existing partition at p.Location if it is
// elsewhere, and reports whether it did.
func (c *Catalog) movePartition(ctx context.Context, o Options, db string, spec TableSpec, cols []types.Column, p Partition) (bool, error) {
	out, err := call(ctx, o, func(ctx context.Context) (*glue.GetPartitionOutput, error) {
		return c.client.GetPartition(ctx, &glue.GetPartitionInput{CatalogId: o.catalogID(), DatabaseName: aws.String(db),
			TableName: aws.String(spec.Name), PartitionValues: p.Values})
	})
	if err != nil {
		return false, fmt.Errorf("partition %v: %w", p.Values, notFound(err))
	}
	if sd := out.Partition.StorageDescriptor; sd != nil && aws.ToString(sd.Location) == p.Location {
		return false, nil
	}
	_, err = call(ctx, o, func(ctx context.Context) (*glue.UpdatePartitionOutput, error) {
		return c.client.UpdatePartition(ctx, &glue.UpdatePartitionInput{CatalogId: o.catalogID(), DatabaseName: aws.String(db),
			TableName: aws.String(spec.Name), PartitionValueList: p.Values,
			PartitionInput: &types.PartitionInput{Values: p.Values, StorageDescriptor: spec.storageDescriptor(cols, p.Location),
				Parameters: out.Partition.Parameters}})
	})
	if err != nil {
		return false, fmt.Errorf("partition %v: move to %s: %w", p.Values, p.Location, err)
	}
	return true, nil
}

func isConflict(err error) bool {
	var conflict *types.ConcurrentModificationException
	return errors.As(err, &conflict)
}
