package localaws

// Tables as DuckDB sees them. Each Glue table a query names becomes a view
// in a per-query DuckDB database, in a schema named after the Glue
// database, so "db"."table", db.table and (with the query's database as the
// current schema) table all resolve. The view reads the files under the
// table's StorageDescriptor.Location (s3://bucket/prefix maps to
// <Dir>/buckets/bucket/prefix) with read_parquet, read_csv or read_json,
// casts every column to its catalog type, and adds the partition columns of
// the partitions registered in the catalog (as Athena does, an unregistered
// Hive directory is invisible until MSCK REPAIR TABLE or ALTER TABLE ADD
// PARTITION registers it).

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// hiveDefaultPartition is Hive's name for a NULL partition value.
const hiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// localPath maps an s3:// URL to its file under the data directory.
func (a *athenaService) localPath(s3url string) (string, error) {
	bucket, key, err := parseS3URL(s3url)
	if err != nil {
		return "", err
	}
	for _, seg := range strings.Split(strings.Trim(key, "/"), "/") {
		if seg == ".." || seg == "." {
			return "", fmt.Errorf("location %s has a %q path segment", s3url, seg)
		}
	}
	if strings.ContainsAny(bucket, `/\`) || bucket == ".." || bucket == "." {
		return "", fmt.Errorf("location %s has a bad bucket name", s3url)
	}
	return filepath.Join(a.dataDir, "buckets", bucket, filepath.FromSlash(strings.Trim(key, "/"))), nil
}

// s3URLOf maps a file under the data directory back to its s3:// URL.
func (a *athenaService) s3URLOf(path string) string {
	rel, err := filepath.Rel(filepath.Join(a.dataDir, "buckets"), path)
	if err != nil {
		return path
	}
	return "s3://" + filepath.ToSlash(rel)
}

// dataFiles lists the data files under dir, recursively, skipping the
// files Hive and Athena ignore (names starting with _ or ., and
// $folder$ markers). A missing directory holds no files.
func dataFiles(dir string) ([]string, int64, error) {
	var files []string
	var size int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		name := d.Name()
		if path != dir && (strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasSuffix(name, "$folder$") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, path)
		size += info.Size()
		return nil
	})
	sort.Strings(files)
	return files, size, err
}

// tableFormat is how a table's files are read.
type tableFormat struct {
	kind      string // parquet, json, csv
	delim     string
	quote     string
	escape    string
	nullStr   string
	skipLines int
}

// formatOf derives the format from the SerDe and input format
// (AWS-FACTS.md 1.13).
func formatOf(t *glueTable) (tableFormat, error) {
	sd := t.StorageDescriptor
	var lib, input string
	params := map[string]string{}
	if sd.SerdeInfo != nil {
		if sd.SerdeInfo.SerializationLibrary != nil {
			lib = *sd.SerdeInfo.SerializationLibrary
		}
		params = sd.SerdeInfo.Parameters
	}
	if sd.InputFormat != nil {
		input = *sd.InputFormat
	}
	var f tableFormat
	if n, err := strconv.Atoi(t.Parameters["skip.header.line.count"]); err == nil && n > 0 {
		f.skipLines = n
	}
	lower := strings.ToLower(lib + " " + input)
	switch {
	case strings.Contains(lower, "parquet"):
		f.kind = "parquet"
	case strings.Contains(lower, "json"):
		f.kind = "json"
	case strings.Contains(lib, "OpenCSVSerde"):
		f.kind, f.delim, f.quote, f.escape = "csv", ",", `"`, `\`
		if v, ok := params["separatorChar"]; ok {
			f.delim = v
		}
		if v, ok := params["quoteChar"]; ok {
			f.quote = v
		}
		if v, ok := params["escapeChar"]; ok {
			f.escape = v
		}
	case strings.Contains(lower, "orc"), strings.Contains(lower, "avro"), strings.Contains(lower, "ion"):
		return f, fmt.Errorf("NOT_SUPPORTED: localaws cannot read the format of table %s.%s (%s)", t.DatabaseName, t.Name, lib)
	case lib == "" || strings.Contains(lib, "LazySimpleSerDe") || strings.Contains(input, "TextInputFormat"):
		// LazySimpleSerDe: ^A by default, no quoting, \N for NULL.
		f.kind, f.delim, f.nullStr = "csv", "\x01", `\N`
		if v, ok := params["field.delim"]; ok {
			f.delim = v
		} else if v, ok := params["serialization.format"]; ok && v != "1" {
			f.delim = v
		}
		if v, ok := params["escape.delim"]; ok {
			f.escape = v
		}
		if v, ok := params["serialization.null.format"]; ok {
			f.nullStr = v
		}
	default:
		return f, fmt.Errorf("NOT_SUPPORTED: localaws cannot read the SerDe %s of table %s.%s", lib, t.DatabaseName, t.Name)
	}
	return f, nil
}

// scanColumn is a column of a view: its name and types.
type scanColumn struct {
	name string
	hive string
	typ  *sqlType
}

func scanColumns(cols []glueColumn) ([]scanColumn, error) {
	out := make([]scanColumn, 0, len(cols))
	for _, c := range cols {
		if c.Type == nil {
			return nil, fmt.Errorf("column %s has no type", c.Name)
		}
		t, err := parseHiveType(*c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", c.Name, err)
		}
		out = append(out, scanColumn{name: strings.ToLower(c.Name), hive: *c.Type, typ: t})
	}
	return out, nil
}

// fileSet is the files of one partition (or of an unpartitioned table)
// with its partition values.
type fileSet struct {
	files  []string
	values []string
}

// tableViewSQL builds the SELECT a table's view runs, and the bytes of
// the files it reads.
func (a *athenaService) tableViewSQL(ctx context.Context, conn *sql.Conn, snap *athenaTableSnapshot) (string, int64, error) {
	t := &snap.Table
	if t.TableType != nil && strings.EqualFold(*t.TableType, "VIRTUAL_VIEW") {
		return "", 0, fmt.Errorf("NOT_SUPPORTED: %s.%s is a view; localaws does not run views", t.DatabaseName, t.Name)
	}
	if t.StorageDescriptor == nil || t.StorageDescriptor.Location == nil || *t.StorageDescriptor.Location == "" {
		return "", 0, fmt.Errorf("table %s.%s has no storage location", t.DatabaseName, t.Name)
	}
	format, err := formatOf(t)
	if err != nil {
		return "", 0, err
	}
	cols, err := scanColumns(t.StorageDescriptor.Columns)
	if err != nil {
		return "", 0, fmt.Errorf("table %s.%s: %v", t.DatabaseName, t.Name, err)
	}
	keys, err := scanColumns(t.PartitionKeys)
	if err != nil {
		return "", 0, fmt.Errorf("table %s.%s: %v", t.DatabaseName, t.Name, err)
	}
	tableLoc := *t.StorageDescriptor.Location
	var sets []fileSet
	var scanned int64
	if len(keys) == 0 {
		dir, err := a.localPath(tableLoc)
		if err != nil {
			return "", 0, err
		}
		files, size, err := dataFiles(dir)
		if err != nil {
			return "", 0, err
		}
		scanned += size
		sets = append(sets, fileSet{files: files})
	} else {
		for _, p := range snap.Partitions {
			loc := ""
			if p.StorageDescriptor != nil && p.StorageDescriptor.Location != nil {
				loc = *p.StorageDescriptor.Location
			}
			if loc == "" {
				loc = strings.TrimSuffix(tableLoc, "/") + "/" + hivePartitionPath(keys, p.Values)
			}
			dir, err := a.localPath(loc)
			if err != nil {
				return "", 0, err
			}
			files, size, err := dataFiles(dir)
			if err != nil {
				return "", 0, err
			}
			scanned += size
			if len(files) > 0 {
				sets = append(sets, fileSet{files: files, values: p.Values})
			}
		}
	}
	var all []string
	fileValues := map[string][]string{}
	for _, s := range sets {
		for _, f := range s.files {
			all = append(all, f)
			fileValues[f] = s.values
		}
	}
	var sel []string
	for _, c := range cols {
		sel = append(sel, "CAST(NULL AS "+c.typ.Duck()+") AS "+sqlQuoteIdent(c.name))
	}
	for _, k := range keys {
		sel = append(sel, "CAST(NULL AS "+k.typ.Duck()+") AS "+sqlQuoteIdent(k.name))
	}
	if len(all) == 0 {
		return "SELECT " + strings.Join(sel, ", ") + " WHERE false", scanned, nil
	}
	// Files are read in groups of one compression each: Athena writes
	// gzip text without a .gz suffix, and DuckDB only sniffs suffixes.
	groups := map[string][]string{}
	for _, f := range all {
		c, err := sniffCompression(f)
		if err != nil {
			return "", 0, err
		}
		groups[c] = append(groups[c], f)
	}
	var branches []string
	for _, comp := range sortedKeys(groups) {
		b, err := a.readBranch(ctx, conn, format, cols, keys, groups[comp], comp, fileValues)
		if err != nil {
			return "", 0, fmt.Errorf("table %s.%s: %w", t.DatabaseName, t.Name, err)
		}
		branches = append(branches, b)
	}
	return strings.Join(branches, " UNION ALL "), scanned, nil
}

// sniffCompression tells gzip files by their magic number.
func sniffCompression(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var magic [2]byte
	if _, err := io.ReadFull(bufio.NewReader(f), magic[:]); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		return "gzip", nil
	}
	return "none", nil
}

// hivePartitionPath renders k1=v1/k2=v2 with Hive's escaping.
func hivePartitionPath(keys []scanColumn, values []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		parts[i] = k.name + "=" + hiveEscape(v)
	}
	return strings.Join(parts, "/")
}

// hiveEscape escapes a partition value as Hive does in paths.
func hiveEscape(v string) string {
	var b strings.Builder
	for _, c := range []byte(v) {
		if c < 0x20 || strings.IndexByte("\"#%'*/:=?\\\x7f{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// hiveUnescape undoes hiveEscape.
func hiveUnescape(v string) string {
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// readBranch is the SELECT over one group of files.
func (a *athenaService) readBranch(ctx context.Context, conn *sql.Conn, f tableFormat, cols, keys []scanColumn, files []string, comp string, fileValues map[string][]string) (string, error) {
	list := make([]string, len(files))
	for i, p := range files {
		list[i] = sqlQuoteString(p)
	}
	fileList := "[" + strings.Join(list, ", ") + "]"
	var from string
	present := map[string]string{} // lowercased name -> column name in the files
	switch f.kind {
	case "parquet":
		from = "read_parquet(" + fileList + ", union_by_name = true, filename = '__localaws_file')"
		rows, err := conn.QueryContext(ctx, "DESCRIBE SELECT * FROM "+from)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var name, typ string
			var x1, x2, x3, x4 sql.NullString
			if err := rows.Scan(&name, &typ, &x1, &x2, &x3, &x4); err != nil {
				rows.Close()
				return "", err
			}
			present[strings.ToLower(name)] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	case "json":
		var defs []string
		for _, c := range cols {
			defs = append(defs, sqlQuoteString(c.name)+": "+sqlQuoteString(c.typ.Duck()))
			present[c.name] = c.name
		}
		if len(defs) == 0 {
			return "", fmt.Errorf("a JSON table needs columns")
		}
		jsonComp := comp
		if jsonComp == "none" {
			jsonComp = "uncompressed"
		}
		from = "read_json(" + fileList + ", format = 'newline_delimited', compression = " + sqlQuoteString(jsonComp) +
			", columns = {" + strings.Join(defs, ", ") + "}, filename = '__localaws_file')"
	case "csv":
		var defs []string
		for i := range cols {
			defs = append(defs, sqlQuoteString("c"+strconv.Itoa(i))+": 'VARCHAR'")
		}
		if len(defs) == 0 {
			return "", fmt.Errorf("a text table needs columns")
		}
		opts := []string{
			"delim = " + sqlQuoteString(f.delim),
			"header = false",
			"auto_detect = false",
			"compression = " + sqlQuoteString(comp),
			"columns = {" + strings.Join(defs, ", ") + "}",
			"null_padding = true",
			"strict_mode = false",
			"filename = '__localaws_file'",
			"quote = " + sqlQuoteString(f.quote),
			"escape = " + sqlQuoteString(f.escape),
		}
		if f.skipLines > 0 {
			opts = append(opts, "skip = "+strconv.Itoa(f.skipLines))
		}
		if f.nullStr != "" {
			opts = append(opts, "nullstr = "+sqlQuoteString(f.nullStr))
		} else {
			opts = append(opts, "nullstr = '\x00localaws-no-null\x00'")
		}
		from = "read_csv(" + fileList + ", " + strings.Join(opts, ", ") + ")"
	}
	var sel []string
	for i, c := range cols {
		switch f.kind {
		case "csv":
			src := sqlQuoteIdent("c" + strconv.Itoa(i))
			if c.typ.Base == "VARCHAR" {
				sel = append(sel, src+" AS "+sqlQuoteIdent(c.name))
			} else {
				// Text SerDes turn values they cannot parse, and empty
				// fields, into NULL.
				sel = append(sel, "TRY_CAST(NULLIF(trim("+src+"), '') AS "+c.typ.Duck()+") AS "+sqlQuoteIdent(c.name))
			}
		default:
			if name, ok := present[c.name]; ok {
				sel = append(sel, "CAST("+sqlQuoteIdent(name)+" AS "+c.typ.Duck()+") AS "+sqlQuoteIdent(c.name))
			} else {
				// A column no file has reads as NULL, as in Athena.
				sel = append(sel, "CAST(NULL AS "+c.typ.Duck()+") AS "+sqlQuoteIdent(c.name))
			}
		}
	}
	if len(keys) == 0 {
		return "SELECT " + strings.Join(sel, ", ") + " FROM " + from, nil
	}
	// Partition values join by file name.
	var vals []string
	for _, file := range files {
		row := []string{sqlQuoteString(file)}
		for i := range keys {
			v := fileValues[file][i]
			if v == hiveDefaultPartition {
				row = append(row, "NULL")
			} else {
				row = append(row, sqlQuoteString(v))
			}
		}
		vals = append(vals, "("+strings.Join(row, ", ")+")")
	}
	alias := []string{"__localaws_file"}
	for i, k := range keys {
		alias = append(alias, "__localaws_p"+strconv.Itoa(i))
		sel = append(sel, "CAST(p.__localaws_p"+strconv.Itoa(i)+" AS "+k.typ.Duck()+") AS "+sqlQuoteIdent(k.name))
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + from + " AS f JOIN (VALUES " + strings.Join(vals, ", ") +
		") AS p(" + strings.Join(alias, ", ") + ") ON f.__localaws_file = p.__localaws_file", nil
}
