package glue

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// Columns returns the Glue columns for the fields of an Arrow schema, in
// order, names lowercased as Glue stores them. overrides gives the Glue type
// of a column by name (for types HiveType refuses); comments gives column
// comments. A field that cannot map is an error naming it.
func Columns(fields []arrow.Field, overrides, comments map[string]string) ([]types.Column, error) {
	cols := make([]types.Column, 0, len(fields))
	seen := map[string]bool{}
	for _, f := range fields {
		name := strings.ToLower(f.Name)
		if seen[name] {
			return nil, fmt.Errorf("glue: column %q appears twice (Glue names are case-insensitive): %w", f.Name, ErrInvalidName)
		}
		seen[name] = true
		hive, ok := overrides[f.Name]
		if !ok {
			var err error
			if hive, err = HiveType(f.Type); err != nil {
				return nil, fmt.Errorf("glue: column %q: %w (give its Glue type in Options.TypeOverrides)", f.Name, err)
			}
		} else if _, err := ArrowType(hive); err != nil {
			return nil, fmt.Errorf("glue: type override for column %q: %w", f.Name, err)
		}
		col := types.Column{Name: aws.String(name), Type: aws.String(hive)}
		if c := comments[f.Name]; c != "" {
			col.Comment = aws.String(c)
		}
		cols = append(cols, col)
	}
	return cols, nil
}

// Schema returns the Arrow schema of Glue columns, as ArrowType reads each
// type; every field is nullable.
func Schema(cols []types.Column) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		dt, err := ArrowType(aws.ToString(c.Type))
		if err != nil {
			return nil, fmt.Errorf("glue: column %q: %w", aws.ToString(c.Name), err)
		}
		fields[i] = arrow.Field{Name: aws.ToString(c.Name), Type: dt, Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// widenings are the column type changes old files can still be read as:
// Athena reads a Parquet int32 column declared bigint, and a float declared
// double. Everything else that differs is refused.
var widenings = map[[2]string]bool{
	{hiveTinyint, hiveSmallint}: true, {hiveTinyint, hiveInt}: true, {hiveTinyint, hiveBigint}: true,
	{hiveSmallint, hiveInt}: true, {hiveSmallint, hiveBigint}: true,
	{hiveInt, hiveBigint}:   true,
	{hiveFloat, hiveDouble}: true,
}

// evolveColumns merges the columns a write brings into the table's: known
// columns keep their place (a type widens where widenings allows), new ones
// are appended, and columns the write lacks stay (older files have them).
// It reports the names added and widened.
func evolveColumns(db, table string, have, want []types.Column) (merged []types.Column, added, widened []string, err error) {
	index := make(map[string]int, len(have))
	merged = make([]types.Column, len(have))
	for i, c := range have {
		merged[i] = c
		index[strings.ToLower(aws.ToString(c.Name))] = i
	}
	for _, c := range want {
		name := strings.ToLower(aws.ToString(c.Name))
		i, ok := index[name]
		if !ok {
			index[name] = len(merged)
			merged = append(merged, c)
			added = append(added, name)
			continue
		}
		was, now := normalType(aws.ToString(merged[i].Type)), normalType(aws.ToString(c.Type))
		switch {
		case was == now:
		case widenings[[2]string{was, now}]:
			merged[i].Type = c.Type
			widened = append(widened, name)
		case widenings[[2]string{now, was}]:
			// The write is narrower than the table: the table type already
			// reads it.
		default:
			return nil, nil, nil, &SchemaChangeError{Database: db, Table: table, Column: name, Was: was, Now: now,
				Reason: "files already written with the old type could no longer be read"}
		}
	}
	return merged, added, widened, nil
}

// normalType canonicalises a Glue type string for comparison: lowercased,
// spaces removed, integer spelled int.
func normalType(t string) string {
	t = strings.ToLower(strings.Join(strings.Fields(t), ""))
	if t == "integer" {
		return hiveInt
	}
	return t
}
