package glue

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// Format is the file format of a table's data.
type Format int

const (
	// Parquet files, read with ParquetHiveSerDe.
	Parquet Format = iota + 1
	// CSV text files: LazySimpleSerDe, or OpenCSVSerde when values are
	// quoted (CSVOptions.Quoted).
	CSV
	// JSONLines files, one JSON object per line, read with the Hive JSON
	// SerDe that Athena's CTAS also writes.
	JSONLines
)

// String names the format.
func (f Format) String() string {
	switch f {
	case Parquet:
		return "parquet"
	case CSV:
		return "csv"
	case JSONLines:
		return "json"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// SerDe and format classes Athena expects (AWS-FACTS.md 1.13).
const (
	parquetSerDe        = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	parquetInputFormat  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	parquetOutputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
	lazySimpleSerDe     = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	openCSVSerDe        = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
	hiveJSONSerDe       = "org.apache.hive.hcatalog.data.JsonSerDe"
	textInputFormat     = "org.apache.hadoop.mapred.TextInputFormat"
	textOutputFormat    = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
)

// CSVOptions describe CSV files. The zero value is comma-separated,
// unquoted values, no header.
type CSVOptions struct {
	// Delimiter separates fields; 0 means ','.
	Delimiter rune
	// Quoted selects OpenCSVSerde, which reads "quoted, values" but treats
	// every column as a string and casts (AWS-FACTS.md 1.13); otherwise
	// LazySimpleSerDe, which cannot parse quotes.
	Quoted bool
	// Header skips the first line of every file.
	Header bool
}

// Partition is one partition: its values in the order of the partition
// keys, and where its files are.
type Partition struct {
	Values   []string
	Location string
}

// TableSpec describes a table as a writer knows it: where the data is, in
// what format, with what columns and partitions.
type TableSpec struct {
	Name     string
	Location string // s3://bucket/prefix/
	Format   Format
	CSV      CSVOptions
	// Schema holds the data columns, without the partition keys.
	Schema *arrow.Schema
	// PartitionKeys are the partition columns in path order; only
	// primitive types (AWS-FACTS.md 2.3).
	PartitionKeys []arrow.Field
	// Partitions to add (or move, when their location changed).
	Partitions []Partition
	// Compression of the files: "snappy", "gzip", "zstd" or "" for none.
	// For Parquet it is the codec inside the files (table property
	// parquet.compression); for text formats it means whole-file gzip.
	Compression    string
	Description    string
	ColumnComments map[string]string
	// Parameters are extra table properties, such as partition projection
	// (see ProjectionParameters); they override the ones set here.
	Parameters map[string]string
}

func (s TableSpec) validate() error {
	switch {
	case s.Name == "":
		return fmt.Errorf("table spec: no name: %w", ErrInvalidName)
	case !strings.HasPrefix(s.Location, "s3://"):
		return fmt.Errorf("table %q: location %q is not an s3:// URL", s.Name, s.Location)
	case s.Format < Parquet || s.Format > JSONLines:
		return fmt.Errorf("table %q: unknown format %v", s.Name, s.Format)
	case s.Schema == nil:
		return fmt.Errorf("table %q: no schema", s.Name)
	}
	for _, k := range s.PartitionKeys {
		if !arrow.IsPrimitive(k.Type.ID()) && k.Type.ID() != arrow.STRING && k.Type.ID() != arrow.DECIMAL128 {
			return fmt.Errorf("table %q: partition key %q is %s; partition keys must be primitive: %w", s.Name, k.Name, k.Type, ErrUnsupportedType)
		}
	}
	for _, p := range s.Partitions {
		if len(p.Values) != len(s.PartitionKeys) {
			return fmt.Errorf("table %q: partition %v has %d values for %d partition keys", s.Name, p.Values, len(p.Values), len(s.PartitionKeys))
		}
	}
	return nil
}

// storageDescriptor is the table's storage descriptor with the given
// columns and location.
func (s TableSpec) storageDescriptor(cols []types.Column, location string) *types.StorageDescriptor {
	sd := &types.StorageDescriptor{
		Columns:      cols,
		Location:     aws.String(location),
		Compressed:   s.Compression != "" && s.Format != Parquet,
		SerdeInfo:    &types.SerDeInfo{Parameters: map[string]string{}},
		InputFormat:  aws.String(textInputFormat),
		OutputFormat: aws.String(textOutputFormat),
	}
	switch s.Format {
	case Parquet:
		sd.InputFormat, sd.OutputFormat = aws.String(parquetInputFormat), aws.String(parquetOutputFormat)
		sd.SerdeInfo.SerializationLibrary = aws.String(parquetSerDe)
		sd.SerdeInfo.Parameters["serialization.format"] = "1"
	case CSV:
		delim := ","
		if s.CSV.Delimiter != 0 {
			delim = string(s.CSV.Delimiter)
		}
		if s.CSV.Quoted {
			sd.SerdeInfo.SerializationLibrary = aws.String(openCSVSerDe)
			sd.SerdeInfo.Parameters["separatorChar"] = delim
			sd.SerdeInfo.Parameters["quoteChar"] = `"`
			sd.SerdeInfo.Parameters["escapeChar"] = `\`
		} else {
			sd.SerdeInfo.SerializationLibrary = aws.String(lazySimpleSerDe)
			sd.SerdeInfo.Parameters["field.delim"] = delim
			sd.SerdeInfo.Parameters["serialization.format"] = delim
		}
	case JSONLines:
		sd.SerdeInfo.SerializationLibrary = aws.String(hiveJSONSerDe)
	}
	return sd
}

// tableInput builds the TableInput Athena needs for the spec.
func (s TableSpec) tableInput(cols, partitionKeys []types.Column) *types.TableInput {
	params := map[string]string{
		"EXTERNAL":       "TRUE",
		"classification": s.Format.String(),
	}
	if s.Format == CSV && s.CSV.Header {
		params["skip.header.line.count"] = "1"
	}
	switch {
	case s.Format == Parquet && s.Compression != "":
		params["parquet.compression"] = strings.ToUpper(s.Compression)
	case s.Format != Parquet && s.Compression != "":
		params["compressionType"] = strings.ToLower(s.Compression)
	}
	maps.Copy(params, s.Parameters)
	if partitionKeys == nil {
		// Athena needs the list even when empty (AWS-FACTS.md 2.3).
		partitionKeys = []types.Column{}
	}
	in := &types.TableInput{
		Name:              aws.String(strings.ToLower(s.Name)),
		TableType:         aws.String("EXTERNAL_TABLE"),
		Parameters:        params,
		PartitionKeys:     partitionKeys,
		StorageDescriptor: s.storageDescriptor(cols, s.Location),
	}
	if s.Description != "" {
		in.Description = aws.String(s.Description)
	}
	return in
}

// Projection describes partition projection for one partition column
// (AWS-FACTS.md 2.3): Athena computes partitions from these properties
// instead of reading them from the catalog.
type Projection struct {
	Column string
	// Type is "enum", "integer", "date" or "injected".
	Type string
	// Values lists an enum's values.
	Values []string
	// Range is "min,max" for integer and date ("NOW-3YEARS,NOW").
	Range string
	// Format is a date's Java DateTimeFormatter pattern ("yyyy-MM-dd").
	Format string
	// Interval and IntervalUnit step integers and dates ("1", "DAYS").
	Interval     string
	IntervalUnit string
	// Digits zero-pads integers.
	Digits int
}

// ProjectionParameters returns the table properties that enable partition
// projection; template is storage.location.template, such as
// "s3://lake/sales/dt=${dt}/" ("" to keep Hive layout).
func ProjectionParameters(template string, cols ...Projection) map[string]string {
	p := map[string]string{"projection.enabled": "true"}
	if template != "" {
		p["storage.location.template"] = template
	}
	for _, c := range cols {
		prefix := "projection." + strings.ToLower(c.Column) + "."
		p[prefix+"type"] = c.Type
		set := func(k, v string) {
			if v != "" {
				p[prefix+k] = v
			}
		}
		set("values", strings.Join(c.Values, ","))
		set("range", c.Range)
		set("format", c.Format)
		set("interval", c.Interval)
		set("interval.unit", c.IntervalUnit)
		if c.Digits > 0 {
			p[prefix+"digits"] = strconv.Itoa(c.Digits)
		}
	}
	return p
}
