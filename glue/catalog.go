package glue

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gowrangler/wrangler/retry"
)

// Catalog manages databases, tables and partitions of a Glue Data Catalog.
// It is safe for concurrent use.
type Catalog struct {
	client  API
	options Options
}

// New returns a Catalog over an SDK Glue client.
func New(client API, optFns ...func(*Options)) *Catalog {
	c := &Catalog{client: client}
	for _, f := range optFns {
		f(&c.options)
	}
	return c
}

// call runs one Glue request under the retry policy.
func call[T any](ctx context.Context, o Options, fn func(context.Context) (T, error)) (T, error) {
	return retry.DoValue(ctx, o.Retry, fn)
}

func (o Options) catalogID() *string {
	if o.CatalogID == "" {
		return nil
	}
	return aws.String(o.CatalogID)
}

// notFound wraps Glue's EntityNotFoundException as ErrNotFound, keeping the
// SDK error in the chain.
func notFound(err error) error {
	var nf *types.EntityNotFoundException
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

func isAlreadyExists(err error) bool {
	var ae *types.AlreadyExistsException
	return errors.As(err, &ae)
}

// CreateDatabase creates a database unless it exists; created reports
// whether this call made it.
func (c *Catalog) CreateDatabase(ctx context.Context, name string, optFns ...func(*Options)) (created bool, err error) {
	o := c.resolve(optFns)
	name = strings.ToLower(name)
	_, err = call(ctx, o, func(ctx context.Context) (*glue.CreateDatabaseOutput, error) {
		return c.client.CreateDatabase(ctx, &glue.CreateDatabaseInput{CatalogId: o.catalogID(), DatabaseInput: &types.DatabaseInput{Name: aws.String(name)}})
	})
	switch {
	case err == nil:
		c.log(o, "created database", slog.String("database", name))
		return true, nil
	case isAlreadyExists(err):
		return false, nil
	}
	return false, fmt.Errorf("glue: create database %q: %w", name, err)
}

// DeleteDatabase deletes a database and, as Glue does, its tables.
func (c *Catalog) DeleteDatabase(ctx context.Context, name string, optFns ...func(*Options)) error {
	o := c.resolve(optFns)
	_, err := call(ctx, o, func(ctx context.Context) (*glue.DeleteDatabaseOutput, error) {
		return c.client.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{CatalogId: o.catalogID(), Name: aws.String(strings.ToLower(name))})
	})
	if err != nil {
		return fmt.Errorf("glue: delete database %q: %w", name, notFound(err))
	}
	return nil
}

// Databases lists the database names, following pages.
func (c *Catalog) Databases(ctx context.Context, optFns ...func(*Options)) iter.Seq2[string, error] {
	o := c.resolve(optFns)
	return func(yield func(string, error) bool) {
		var token *string
		for {
			out, err := call(ctx, o, func(ctx context.Context) (*glue.GetDatabasesOutput, error) {
				return c.client.GetDatabases(ctx, &glue.GetDatabasesInput{CatalogId: o.catalogID(), NextToken: token})
			})
			if err != nil {
				yield("", fmt.Errorf("glue: list databases: %w", err))
				return
			}
			for _, d := range out.DatabaseList {
				if !yield(aws.ToString(d.Name), nil) {
					return
				}
			}
			if token = out.NextToken; token == nil || *token == "" {
				return
			}
		}
	}
}

// Table is a catalog table as this package reads it.
type Table struct {
	Database, Name string
	Location       string
	// Format is 0 when the SerDe is not one this package writes.
	Format Format
	// Schema has the data columns, PartitionKeys the partition columns.
	Schema        *arrow.Schema
	PartitionKeys []arrow.Field
	Parameters    map[string]string
	VersionID     string
	// Raw is the table as Glue returned it.
	Raw *types.Table
}

// Table reads a table; a missing one is an error wrapping ErrNotFound.
func (c *Catalog) Table(ctx context.Context, db, name string, optFns ...func(*Options)) (*Table, error) {
	o := c.resolve(optFns)
	raw, err := c.getTable(ctx, o, db, name)
	if err != nil {
		return nil, err
	}
	return tableFromGlue(raw)
}

// TableExists reports whether a table exists.
func (c *Catalog) TableExists(ctx context.Context, db, name string, optFns ...func(*Options)) (bool, error) {
	_, err := c.getTable(ctx, c.resolve(optFns), db, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

func (c *Catalog) getTable(ctx context.Context, o Options, db, name string) (*types.Table, error) {
	out, err := call(ctx, o, func(ctx context.Context) (*glue.GetTableOutput, error) {
		return c.client.GetTable(ctx, &glue.GetTableInput{CatalogId: o.catalogID(),
			DatabaseName: aws.String(strings.ToLower(db)), Name: aws.String(strings.ToLower(name))})
	})
	if err != nil {
		return nil, fmt.Errorf("glue: get table %s.%s: %w", db, name, notFound(err))
	}
	return out.Table, nil
}

// tableFromGlue reads the parts of a Glue table this package understands.
func tableFromGlue(raw *types.Table) (*Table, error) {
	t := &Table{
		Database:   aws.ToString(raw.DatabaseName),
		Name:       aws.ToString(raw.Name),
		Parameters: raw.Parameters,
		VersionID:  aws.ToString(raw.VersionId),
		Raw:        raw,
	}
	var cols []types.Column
	if sd := raw.StorageDescriptor; sd != nil {
		t.Location = aws.ToString(sd.Location)
		cols = sd.Columns
		if sd.SerdeInfo != nil {
			switch aws.ToString(sd.SerdeInfo.SerializationLibrary) {
			case parquetSerDe:
				t.Format = Parquet
			case lazySimpleSerDe, openCSVSerDe:
				t.Format = CSV
			case hiveJSONSerDe, "org.openx.data.jsonserde.JsonSerDe":
				t.Format = JSONLines
			}
		}
	}
	schema, err := Schema(cols)
	if err != nil {
		return nil, fmt.Errorf("table %s.%s: %w", t.Database, t.Name, err)
	}
	t.Schema = schema
	keys, err := Schema(raw.PartitionKeys)
	if err != nil {
		return nil, fmt.Errorf("table %s.%s partition keys: %w", t.Database, t.Name, err)
	}
	t.PartitionKeys = keys.Fields()
	return t, nil
}

// DeleteTable deletes a table.
func (c *Catalog) DeleteTable(ctx context.Context, db, name string, optFns ...func(*Options)) error {
	o := c.resolve(optFns)
	_, err := call(ctx, o, func(ctx context.Context) (*glue.DeleteTableOutput, error) {
		return c.client.DeleteTable(ctx, &glue.DeleteTableInput{CatalogId: o.catalogID(),
			DatabaseName: aws.String(strings.ToLower(db)), Name: aws.String(strings.ToLower(name))})
	})
	if err != nil {
		return fmt.Errorf("glue: delete table %s.%s: %w", db, name, notFound(err))
	}
	return nil
}

// Partitions lists a table's partitions, following pages. expression is a
// Glue partition filter such as "dt >= '2026-11-01'"; "" lists all.
func (c *Catalog) Partitions(ctx context.Context, db, table, expression string, optFns ...func(*Options)) iter.Seq2[Partition, error] {
	o := c.resolve(optFns)
	return func(yield func(Partition, error) bool) {
		var token *string
		for {
			in := &glue.GetPartitionsInput{CatalogId: o.catalogID(), DatabaseName: aws.String(strings.ToLower(db)),
				TableName: aws.String(strings.ToLower(table)), NextToken: token}
			if expression != "" {
				in.Expression = aws.String(expression)
			}
			out, err := call(ctx, o, func(ctx context.Context) (*glue.GetPartitionsOutput, error) {
				return c.client.GetPartitions(ctx, in)
			})
			if err != nil {
				yield(Partition{}, fmt.Errorf("glue: partitions of %s.%s: %w", db, table, notFound(err)))
				return
			}
			for _, p := range out.Partitions {
				part := Partition{Values: p.Values}
				if p.StorageDescriptor != nil {
					part.Location = aws.ToString(p.StorageDescriptor.Location)
				}
				if !yield(part, nil) {
					return
				}
			}
			if token = out.NextToken; token == nil || *token == "" {
				return
			}
		}
	}
}

// DeletePartitions deletes partitions by their values, in batches of 25.
// Partitions that do not exist are not an error; any other per-partition
// failure is returned, naming the partition.
func (c *Catalog) DeletePartitions(ctx context.Context, db, table string, values [][]string, optFns ...func(*Options)) error {
	o := c.resolve(optFns)
	var errs []error
	for start := 0; start < len(values); start += MaxDeletePartitionBatch {
		batch := values[start:min(start+MaxDeletePartitionBatch, len(values))]
		in := &glue.BatchDeletePartitionInput{CatalogId: o.catalogID(), DatabaseName: aws.String(strings.ToLower(db)),
			TableName: aws.String(strings.ToLower(table))}
		for _, v := range batch {
			in.PartitionsToDelete = append(in.PartitionsToDelete, types.PartitionValueList{Values: v})
		}
		out, err := call(ctx, o, func(ctx context.Context) (*glue.BatchDeletePartitionOutput, error) {
			return c.client.BatchDeletePartition(ctx, in)
		})
		if err != nil {
			return fmt.Errorf("glue: delete partitions of %s.%s: %w", db, table, notFound(err))
		}
		for _, e := range out.Errors {
			if e.ErrorDetail != nil && aws.ToString(e.ErrorDetail.ErrorCode) == "EntityNotFoundException" {
				continue
			}
			errs = append(errs, fmt.Errorf("partition %v: %s", e.PartitionValues, errorDetail(e.ErrorDetail)))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("glue: delete partitions of %s.%s: %w", db, table, errors.Join(errs...))
	}
	return nil
}

func errorDetail(d *types.ErrorDetail) string {
	if d == nil {
		return "unknown error"
	}
	return aws.ToString(d.ErrorCode) + ": " + aws.ToString(d.ErrorMessage)
}

func (c *Catalog) log(o Options, msg string, attrs ...slog.Attr) {
	if o.Logger != nil {
		o.Logger.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
	}
}
