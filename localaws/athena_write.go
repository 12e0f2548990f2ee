package localaws

// Statements that write data: CTAS, INSERT INTO and UNLOAD. DuckDB's COPY
// writes the files straight into the bucket directories (so S3 lists and
// serves them at once); partitioned writes use Hive layout k=v/.

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// athenaMaxWrittenPartitions is the limit of partitions one CTAS, INSERT
// or UNLOAD may write (AWS-FACTS.md 1.7, 1.8).
const athenaMaxWrittenPartitions = 100

// writeFormat is how files are written.
type writeFormat struct {
	name        string // parquet, json, textfile
	compression string // DuckDB's codec name
	delim       string // textfile
}

// writeFormatOf reads format and compression properties. Defaults follow
// AWS-FACTS.md 1.7/1.8: Parquet with GZIP; JSON and TEXTFILE gzip-written.
func writeFormatOf(props map[string]string, defaultDelim string) (writeFormat, error) {
	f := writeFormat{name: "parquet", delim: defaultDelim}
	if v, ok := props["format"]; ok {
		f.name = strings.ToLower(v)
	}
	comp := ""
	for _, k := range []string{"write_compression", "compression", "parquet_compression"} {
		if v, ok := props[k]; ok {
			comp = strings.ToLower(v)
		}
	}
	if v, ok := props["field_delimiter"]; ok {
		if len(v) != 1 {
			return f, userError(athErrUser, "field_delimiter must be a single character")
		}
		f.delim = v
	}
	switch f.name {
	case "parquet":
		switch comp {
		case "", "gzip":
			f.compression = "gzip"
		case "snappy", "zstd":
			f.compression = comp
		case "lz4":
			f.compression = "lz4_raw"
		case "none", "uncompressed":
			f.compression = "uncompressed"
		default:
			return f, userError(athErrUser, "NOT_SUPPORTED: compression %s for PARQUET", strings.ToUpper(comp))
		}
	case "json", "textfile":
		switch comp {
		case "", "gzip":
			f.compression = "gzip"
		case "zstd":
			f.compression = "zstd"
		case "none", "uncompressed":
			f.compression = "none"
		default:
			return f, userError(athErrUser, "NOT_SUPPORTED: localaws cannot write %s with %s compression", strings.ToUpper(f.name), strings.ToUpper(comp))
		}
	default:
		return f, userError(athErrUser, "NOT_SUPPORTED: localaws cannot write format %s (PARQUET, JSON and TEXTFILE are supported)", strings.ToUpper(f.name))
	}
	return f, nil
}

// copyOptions renders the COPY options of a format.
func (f writeFormat) copyOptions() string {
	switch f.name {
	case "json":
		return "FORMAT json, COMPRESSION " + sqlQuoteString(f.compression)
	case "textfile":
		return "FORMAT csv, HEADER false, DELIMITER " + sqlQuoteString(f.delim) +
			", QUOTE '', ESCAPE '', NULLSTR '\\N', COMPRESSION " + sqlQuoteString(f.compression)
	}
	return "FORMAT parquet, COMPRESSION " + sqlQuoteString(f.compression)
}

// serde gives the Glue storage members of a written format (AWS-FACTS.md
// 1.13).
func (f writeFormat) serde() (lib, in, out string, params map[string]string) {
	switch f.name {
	case "json":
		_, in, out, _ = hiveStoredAs("textfile")
		return "org.openx.data.jsonserde.JsonSerDe", in, out, nil
	case "textfile":
		lib, in, out, _ = hiveStoredAs("textfile")
		return lib, in, out, map[string]string{"field.delim": f.delim, "serialization.format": f.delim}
	}
	lib, in, out, _ = hiveStoredAs("parquet")
	return lib, in, out, nil
}

// writtenData is what a write produced.
type writtenData struct {
	rows       int64
	files      []string   // local paths
	partitions [][]string // distinct partition values, in file order
}

// writeData runs COPY of query into a staging directory, then stores each
// file through the S3 backend under target (an s3:// prefix), so S3 keeps
// its metadata and a file becomes visible only once complete. Files are
// named <query id>_<n>, without extension (AWS-FACTS.md 1.7).
func (x *athenaExec) writeData(ctx context.Context, query string, f writeFormat, target string, partCols []string) (*writtenData, error) {
	staging := filepath.Join(x.a.dataDir, "athena-staging", x.q.id)
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	prefix := x.q.id + "_"
	var stmt string
	if len(partCols) == 0 {
		stmt = "COPY (" + query + ") TO " + sqlQuoteString(filepath.Join(staging, prefix+"0")) + " (" + f.copyOptions() + ")"
	} else {
		quoted := make([]string, len(partCols))
		for i, c := range partCols {
			quoted[i] = sqlQuoteIdent(c)
		}
		stmt = "COPY (" + query + ") TO " + sqlQuoteString(staging) + " (" + f.copyOptions() +
			", PARTITION_BY (" + strings.Join(quoted, ", ") + "), FILENAME_PATTERN " + sqlQuoteString(prefix+"{i}") +
			", FILE_EXTENSION '', OVERWRITE_OR_IGNORE true)"
	}
	out := &writtenData{}
	if len(partCols) > 0 && f.name != "parquet" {
		// DuckDB partitions only its Parquet and CSV writers' output; JSON
		// (and text, for one code path) is written partition by partition.
		n, err := x.writePartitionsOneByOne(ctx, query, f, staging, prefix, partCols)
		if err != nil {
			return nil, err
		}
		out.rows = n
	} else {
		r, err := x.conn.ExecContext(ctx, stmt)
		if err != nil {
			return nil, x.explain(err)
		}
		out.rows, _ = r.RowsAffected()
	}
	files, _, err := dataFiles(staging)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, file := range files {
		rel, err := filepath.Rel(staging, file)
		if err != nil {
			return nil, err
		}
		var vals []string
		for _, seg := range strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/") {
			if m := hivePartDir.FindStringSubmatch(seg); m != nil {
				vals = append(vals, hiveUnescape(m[2]))
			}
		}
		if len(partCols) > 0 {
			key := gluePartitionKey(vals)
			if len(vals) == len(partCols) && !seen[key] {
				seen[key] = true
				out.partitions = append(out.partitions, vals)
			}
		}
	}
	if len(out.partitions) > athenaMaxWrittenPartitions {
		return nil, userError(athErrUser, "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of %d open writers for partitions/buckets", athenaMaxWrittenPartitions)
	}
	for _, file := range files {
		rel, _ := filepath.Rel(staging, file)
		url := strings.TrimSuffix(target, "/") + "/" + filepath.ToSlash(rel)
		if err := x.a.putFile(url, file); err != nil {
			return nil, err
		}
		out.files = append(out.files, url)
		x.res.manifest = append(x.res.manifest, url)
	}
	return out, nil
}

// writePartitionsOneByOne writes each partition of query with its own
// COPY into staging/k=v/..., the partition columns left out of the files.
func (x *athenaExec) writePartitionsOneByOne(ctx context.Context, query string, f writeFormat, staging, prefix string, partCols []string) (int64, error) {
	names, _, err := x.describe(ctx, query)
	if err != nil {
		return 0, err
	}
	isPart := map[string]bool{}
	quoted := make([]string, len(partCols))
	for i, c := range partCols {
		isPart[strings.ToLower(c)] = true
		quoted[i] = "CAST(" + sqlQuoteIdent(c) + " AS VARCHAR)"
	}
	var data []string
	for _, n := range names {
		if !isPart[strings.ToLower(n)] {
			data = append(data, sqlQuoteIdent(n))
		}
	}
	rows, err := x.conn.QueryContext(ctx, "SELECT DISTINCT "+strings.Join(quoted, ", ")+" FROM ("+query+") AS q")
	if err != nil {
		return 0, x.explain(err)
	}
	var parts [][]*string
	for rows.Next() {
		vals := make([]*string, len(partCols))
		ptrs := make([]any, len(partCols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, err
		}
		parts = append(parts, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(parts) > athenaMaxWrittenPartitions {
		return 0, userError(athErrUser, "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of %d open writers for partitions/buckets", athenaMaxWrittenPartitions)
	}
	var total int64
	for _, vals := range parts {
		var where, segs []string
		for i, c := range partCols {
			if vals[i] == nil {
				where = append(where, sqlQuoteIdent(c)+" IS NULL")
				segs = append(segs, c+"="+hiveDefaultPartition)
				continue
			}
			where = append(where, "CAST("+sqlQuoteIdent(c)+" AS VARCHAR) = "+sqlQuoteString(*vals[i]))
			segs = append(segs, c+"="+hiveEscape(*vals[i]))
		}
		dir := filepath.Join(staging, filepath.FromSlash(strings.Join(segs, "/")))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		stmt := "COPY (SELECT " + strings.Join(data, ", ") + " FROM (" + query + ") AS q WHERE " + strings.Join(where, " AND ") +
			") TO " + sqlQuoteString(filepath.Join(dir, prefix+"0")) + " (" + f.copyOptions() + ")"
		r, err := x.conn.ExecContext(ctx, stmt)
		if err != nil {
			return 0, x.explain(err)
		}
		n, _ := r.RowsAffected()
		total += n
	}
	return total, nil
}

// requireEmpty refuses a target location that holds files (CTAS
// external_location, UNLOAD TO; AWS-FACTS.md 1.7, 1.8).
func requireEmpty(dir, s3url, what string) error {
	files, _, err := dataFiles(dir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return userError(athErrUser, "HIVE_PATH_ALREADY_EXISTS: Target directory for %s already exists: %s", what, s3url)
	}
	return nil
}

// checkPartitionedBy checks that the partition columns are the last columns
// of the SELECT, in order, as Athena requires.
func checkPartitionedBy(names []string, parts []string) error {
	if len(parts) == 0 {
		return nil
	}
	if len(parts) >= len(names)+1 || len(parts) > len(names) {
		return userError(athErrUser, "partitioned_by names more columns than the query has")
	}
	tail := names[len(names)-len(parts):]
	for i, p := range parts {
		if !strings.EqualFold(tail[i], p) {
			return userError(athErrUser, "HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table and in the same order as the table properties: %s", strings.Join(parts, ", "))
		}
	}
	if len(parts) == len(names) {
		return userError(athErrUser, "a table cannot have only partition columns")
	}
	return nil
}

// rowsColumn is the single ColumnInfo of CTAS and INSERT results
// (AWS-FACTS.md 1.4).
var rowsColumn = athenaInfo("rows", athenaColumn{Type: "bigint", Precision: 19})

func (x *athenaExec) runCTAS(ctx context.Context) error {
	st := x.st
	db := x.tableDB()
	if !x.a.glue.athenaDatabaseExists(db) {
		return userError(athErrSchema, "SCHEMA_NOT_FOUND: Schema %s does not exist", db)
	}
	if _, err := x.a.glue.athenaTable(db, st.Table.Table); err == nil {
		if st.IfNotExists {
			return nil
		}
		return userError(athErrUser, "TABLE_ALREADY_EXISTS: Table awsdatacatalog.%s.%s already exists", db, st.Table.Table)
	}
	for _, k := range []string{"bucketed_by", "bucket_count"} {
		if _, ok := st.Props[k]; ok || st.ListProps[k] != nil {
			return unsupportedErr("bucketed CTAS tables are not supported by localaws")
		}
	}
	if tt, ok := st.Props["table_type"]; ok && !strings.EqualFold(tt, "hive") {
		return unsupportedErr("table_type %s is not supported by localaws", tt)
	}
	f, err := writeFormatOf(st.Props, "\x01")
	if err != nil {
		return err
	}
	loc, explicit := st.Props["external_location"]
	if explicit && x.q.enforced {
		return userError(athErrUser, "external_location cannot be used when the workgroup enforces its result location")
	}
	if !explicit {
		loc = x.q.outputDir + "tables/" + x.q.id
	}
	loc = strings.TrimSuffix(loc, "/")
	dir, perr := x.a.localPath(loc)
	if perr != nil {
		return userError(athErrUser, "%v", perr)
	}
	if err := x.checkBucket(loc); err != nil {
		return err
	}
	if err := requireEmpty(dir, loc, "table "+db+"."+st.Table.Table); err != nil {
		return err
	}
	if err := x.openDuck(ctx); err != nil {
		return err
	}
	names, types, err := x.describe(ctx, st.Query)
	if err != nil {
		return err
	}
	parts := st.ListProps["partitioned_by"]
	if err := checkPartitionedBy(names, parts); err != nil {
		return err
	}
	var cols, keys []glueColumn
	seen := map[string]bool{}
	for i, n := range names {
		n = strings.ToLower(n)
		if seen[n] {
			return userError(athErrUser, "HIVE_INVALID_METADATA: column name %s is given twice", n)
		}
		seen[n] = true
		h, err := types[i].Hive()
		if err != nil {
			return userError(athErrUser, "NOT_SUPPORTED: column %s: %v", n, err)
		}
		c := glueColumn{Name: n, Type: &h}
		if i >= len(names)-len(parts) {
			keys = append(keys, c)
		} else {
			cols = append(cols, c)
		}
	}
	written := &writtenData{}
	if st.WithData {
		if written, err = x.writeData(ctx, st.Query, f, loc, parts); err != nil {
			return err
		}
	}
	lib, in, out, params := f.serde()
	tin := glueTableInput{
		Name: st.Table.Table,
		StorageDescriptor: &glueStorageDescriptor{
			Columns: cols, Location: &loc, InputFormat: &in, OutputFormat: &out,
			SerdeInfo: &glueSerDeInfo{SerializationLibrary: &lib, Parameters: params},
		},
		PartitionKeys: keys,
		TableType:     strPtr("EXTERNAL_TABLE"),
		// Guess: the Parameters Athena writes for a CTAS table
		// (AWS-FACTS.md 1.8 says they are unverified).
		Parameters: map[string]string{"EXTERNAL": "TRUE", "has_encrypted_data": "false", "classification": f.name},
	}
	if keys == nil {
		tin.PartitionKeys = []glueColumn{}
	}
	if aerr := x.a.glue.athenaCreateTable(db, tin); aerr != nil {
		return catalogError(aerr)
	}
	if err := x.registerPartitions(db, st.Table.Table, loc, written.partitions); err != nil {
		return err
	}
	x.res.columns = []athenaColumnInfo{rowsColumn}
	x.res.updateCount = written.rows
	return nil
}

// registerPartitions adds written partitions to the catalog, keeping ones
// that exist.
func (x *athenaExec) registerPartitions(db, table, loc string, parts [][]string) error {
	if len(parts) == 0 {
		return nil
	}
	snap, aerr := x.a.glue.athenaTable(db, table)
	if aerr != nil {
		return catalogError(aerr)
	}
	keys, err := scanColumns(snap.Table.PartitionKeys)
	if err != nil {
		return userError(athErrSchema, "%v", err)
	}
	var inputs []gluePartitionInput
	for _, vals := range parts {
		inputs = append(inputs, partitionInput(&snap.Table, vals, strings.TrimSuffix(loc, "/")+"/"+hivePartitionPath(keys, vals)))
	}
	if _, aerr := x.a.glue.athenaAddPartitions(db, table, inputs, true); aerr != nil {
		return catalogError(aerr)
	}
	return nil
}

// checkBucket fails a write into a bucket that does not exist.
func (x *athenaExec) checkBucket(s3url string) error {
	bucket, _, err := parseS3URL(s3url)
	if err != nil {
		return userError(athErrUser, "%v", err)
	}
	ok, berr := x.a.s3.backend.BucketExists(bucket)
	if berr != nil {
		return berr
	}
	if !ok {
		return userError(athErrBucketMissing, "The specified bucket does not exist: %s", bucket)
	}
	return nil
}

func (x *athenaExec) runInsert(ctx context.Context) error {
	snap, err := x.tableSnapshot()
	if err != nil {
		return err
	}
	t := &snap.Table
	if t.StorageDescriptor == nil || t.StorageDescriptor.Location == nil {
		return userError(athErrUser, "table %s has no location", t.Name)
	}
	tf, ferr := formatOf(t)
	if ferr != nil {
		return userError(athErrUser, "%v", ferr)
	}
	var f writeFormat
	switch tf.kind {
	case "parquet":
		f = writeFormat{name: "parquet", compression: "gzip"}
	case "json":
		f = writeFormat{name: "json", compression: "gzip"}
	default:
		if tf.quote != "" {
			return unsupportedErr("INSERT INTO a table of OpenCSVSerde is not supported by localaws")
		}
		f = writeFormat{name: "textfile", compression: "gzip", delim: tf.delim}
	}
	cols, cerr := scanColumns(t.StorageDescriptor.Columns)
	if cerr != nil {
		return userError(athErrSchema, "%v", cerr)
	}
	keys, kerr := scanColumns(t.PartitionKeys)
	if kerr != nil {
		return userError(athErrSchema, "%v", kerr)
	}
	target := append(slicesClone(cols), keys...)
	if err := x.openDuck(ctx); err != nil {
		return err
	}
	names, _, err := x.describe(ctx, x.st.Query)
	if err != nil {
		return err
	}
	// Map target columns to query columns: all in order, or the named
	// ones (others NULL).
	source := make([]int, len(target))
	for i := range source {
		source[i] = -1
	}
	if len(x.st.InsertColumns) == 0 {
		if len(names) != len(target) {
			return userError(athErrSchema, "TYPE_MISMATCH: Insert query has %d columns but table %s has %d", len(names), t.Name, len(target))
		}
		for i := range source {
			source[i] = i
		}
	} else {
		if len(names) != len(x.st.InsertColumns) {
			return userError(athErrSchema, "TYPE_MISMATCH: Insert query has %d columns but %d are named", len(names), len(x.st.InsertColumns))
		}
		for j, n := range x.st.InsertColumns {
			found := false
			for i, c := range target {
				if c.name == n {
					if source[i] >= 0 {
						return userError(athErrSchema, "column %s is named twice", n)
					}
					source[i], found = j, true
				}
			}
			if !found {
				return userError(athErrSchema, "COLUMN_NOT_FOUND: Insert column name does not exist in target table: %s", n)
			}
		}
	}
	alias := make([]string, len(names))
	for i := range names {
		alias[i] = sqlQuoteIdent("c" + strconv.Itoa(i))
	}
	sel := make([]string, len(target))
	for i, c := range target {
		src := "NULL"
		if source[i] >= 0 {
			src = alias[source[i]]
		}
		sel[i] = "CAST(" + src + " AS " + c.typ.Duck() + ") AS " + sqlQuoteIdent(c.name)
	}
	query := "SELECT " + strings.Join(sel, ", ") + " FROM (" + x.st.Query + ") AS q(" + strings.Join(alias, ", ") + ")"
	partNames := make([]string, len(keys))
	for i, k := range keys {
		partNames[i] = k.name
	}
	written, err := x.writeData(ctx, query, f, *t.StorageDescriptor.Location, partNames)
	if err != nil {
		return err
	}
	if err := x.registerPartitions(t.DatabaseName, t.Name, *t.StorageDescriptor.Location, written.partitions); err != nil {
		return err
	}
	x.res.columns = []athenaColumnInfo{rowsColumn}
	x.res.updateCount = written.rows
	return nil
}

func (x *athenaExec) runUnload(ctx context.Context) error {
	st := x.st
	f, err := writeFormatOf(st.Props, "\x01")
	if err != nil {
		return err
	}
	loc := strings.TrimSuffix(st.Location, "/")
	dir, perr := x.a.localPath(loc)
	if perr != nil {
		return userError(athErrUser, "%v", perr)
	}
	if err := x.checkBucket(loc); err != nil {
		return err
	}
	if err := requireEmpty(dir, st.Location, "UNLOAD"); err != nil {
		return err
	}
	if err := x.openDuck(ctx); err != nil {
		return err
	}
	names, _, err := x.describe(ctx, st.Query)
	if err != nil {
		return err
	}
	parts := st.ListProps["partitioned_by"]
	if err := checkPartitionedBy(names, parts); err != nil {
		return err
	}
	written, err := x.writeData(ctx, st.Query, f, loc, parts)
	if err != nil {
		return err
	}
	// Guess: UNLOAD reports the rows written in UpdateCount and the
	// "rows" column, as CTAS does.
	x.res.columns = []athenaColumnInfo{rowsColumn}
	x.res.updateCount = written.rows
	return nil
}
