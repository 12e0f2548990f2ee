package localaws

// Execution of a parsed statement: a fresh in-memory DuckDB database per
// query (so queries share nothing and Stop interrupts exactly one), views
// for the catalog tables the query names, and the result files Athena
// writes (AWS-FACTS.md 1.6).

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// athenaQueryError is why a query FAILED: Athena's AthenaError fields
// (AWS-FACTS.md 1.3).
type athenaQueryError struct {
	category  int32 // 1 SYSTEM, 2 USER, 3 OTHER
	errType   int32
	retryable bool
	msg       string
}

func (e *athenaQueryError) Error() string { return e.msg }

// userError is a USER (2) error of the given type.
func userError(errType int32, format string, args ...any) *athenaQueryError {
	return &athenaQueryError{category: 2, errType: errType, msg: fmt.Sprintf(format, args...)}
}

// Athena error types used here (AWS-FACTS.md 1.3).
const (
	athErrUser          = 1000
	athErrSchema        = 1004
	athErrSyntax        = 1006
	athErrTableNotFound = 1110
	athErrNotFound      = 1300
	athErrBucketMissing = 1306
	athErrInternal      = 100
)

// classifyError maps an error of the parser, the catalog or DuckDB to
// Athena's error shape. Messages carry Trino's error names
// (SYNTAX_ERROR, TABLE_NOT_FOUND ...), as Athena's do.
func classifyError(err error) *athenaQueryError {
	var qe *athenaQueryError
	var se *athenaSyntaxError
	var ue *athenaUnsupportedError
	var de *duckdb.Error
	switch {
	case errors.As(err, &qe):
		return qe
	case errors.As(err, &se):
		return userError(athErrSyntax, "SYNTAX_ERROR: %s", se.msg)
	case errors.As(err, &ue):
		return userError(athErrUser, "NOT_SUPPORTED: %s", ue.msg)
	case errors.As(err, &de):
		msg := de.Msg
		switch de.Type {
		case duckdb.ErrorTypeParser:
			return userError(athErrSyntax, "SYNTAX_ERROR: %s", msg)
		case duckdb.ErrorTypeCatalog:
			if strings.Contains(msg, "Table with name") || strings.Contains(msg, "does not exist") {
				return userError(athErrTableNotFound, "TABLE_NOT_FOUND: %s", msg)
			}
			return userError(athErrSchema, "SCHEMA_ERROR: %s", msg)
		case duckdb.ErrorTypeBinder:
			return userError(athErrSchema, "COLUMN_NOT_FOUND or TYPE_MISMATCH: %s", msg)
		case duckdb.ErrorTypeInterrupt:
			return userError(1011, "Query cancelled: %s", msg)
		case duckdb.ErrorTypeIO:
			return userError(athErrNotFound, "HIVE_CURSOR_ERROR: %s", msg)
		case duckdb.ErrorTypeInternal, duckdb.ErrorTypeFatal:
			return &athenaQueryError{category: 1, errType: athErrInternal, retryable: true, msg: "GENERIC_INTERNAL_ERROR: " + msg}
		}
		return userError(athErrUser, "INVALID_FUNCTION_ARGUMENT or GENERIC_USER_ERROR: %s", msg)
	case errors.Is(err, context.Canceled):
		return userError(1011, "Query cancelled")
	}
	return userError(athErrUser, "GENERIC_USER_ERROR: %v", err)
}

// execute runs a query and writes its result files. Panics of the engine
// are turned into a SYSTEM error, never a crash of the stack.
func (a *athenaService) execute(ctx context.Context, q *athenaQuery) (res *athenaResult, qerr *athenaQueryError) {
	defer func() {
		if r := recover(); r != nil {
			res, qerr = nil, &athenaQueryError{category: 1, errType: athErrInternal, msg: fmt.Sprintf("GENERIC_INTERNAL_ERROR: localaws: %v", r)}
		}
	}()
	if q.parseErr != nil {
		return nil, classifyError(q.parseErr)
	}
	x := &athenaExec{a: a, q: q, st: q.stmt, res: &athenaResult{}}
	if err := x.run(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, userError(1011, "Query cancelled")
		}
		return nil, classifyError(err)
	}
	if err := x.writeResultFiles(); err != nil {
		return nil, classifyError(err)
	}
	return x.res, nil
}

// athenaExec is the state of one execution.
type athenaExec struct {
	a   *athenaService
	q   *athenaQuery
	st  *athenaStatement
	res *athenaResult

	db       *sql.DB
	conn     *sql.Conn
	viewErrs map[string]error
	// text is the plain-text result of DDL and utility statements.
	text []string
}

func (x *athenaExec) run(ctx context.Context) error {
	defer x.closeDuck()
	switch x.st.Kind {
	case athSelect:
		return x.runSelect(ctx)
	case athCTAS:
		return x.runCTAS(ctx)
	case athInsert:
		return x.runInsert(ctx)
	case athUnload:
		return x.runUnload(ctx)
	case athCreateDatabase:
		return x.runCreateDatabase()
	case athDropDatabase:
		return x.runDropDatabase()
	case athCreateExternalTable:
		return x.runCreateExternalTable()
	case athDropTable:
		return x.runDropTable()
	case athMSCKRepair:
		return x.runMSCKRepair()
	case athAddPartition, athDropPartition:
		return x.runAlterPartitions()
	case athShowTables, athShowDatabases, athShowPartitions, athShowColumns, athDescribe:
		return x.runShow()
	}
	return unsupportedErr("statement kind %d", x.st.Kind)
}

// openDuck opens the query's DuckDB database with views for the catalog
// tables the query may name.
func (x *athenaExec) openDuck(ctx context.Context) error {
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return fmt.Errorf("GENERIC_INTERNAL_ERROR: open DuckDB: %w", err)
	}
	x.db = sql.OpenDB(connector)
	if x.conn, err = x.db.Conn(ctx); err != nil {
		return err
	}
	setup := []string{
		// No extension downloads: everything needed is bundled.
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET threads = 2",
		"ATTACH ':memory:' AS awsdatacatalog",
		"USE awsdatacatalog",
	}
	for _, s := range setup {
		if _, err := x.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("GENERIC_INTERNAL_ERROR: DuckDB setup %q: %w", s, err)
		}
	}
	x.viewErrs = map[string]error{}
	schemas := map[string]bool{}
	created := map[athenaName]bool{}
	for _, ref := range x.st.Refs {
		db := ref.Database
		if db == "" {
			db = x.q.database
		}
		name := athenaName{Database: db, Table: ref.Table}
		if created[name] {
			continue
		}
		snap, aerr := x.a.glue.athenaTable(db, ref.Table)
		if aerr != nil {
			continue
		}
		created[name] = true
		body, scanned, err := x.a.tableViewSQL(ctx, x.conn, snap)
		if err == nil {
			if !schemas[db] {
				_, err = x.conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+sqlQuoteIdent(db))
				schemas[db] = true
			}
			if err == nil {
				_, err = x.conn.ExecContext(ctx, "CREATE VIEW "+sqlQuoteIdent(db)+"."+sqlQuoteIdent(ref.Table)+" AS "+body)
			}
		}
		if err != nil {
			x.viewErrs[ref.Table] = err
			continue
		}
		x.res.scanned += scanned
	}
	if !schemas[x.q.database] {
		if _, err := x.conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+sqlQuoteIdent(x.q.database)); err != nil {
			return err
		}
	}
	_, err = x.conn.ExecContext(ctx, "USE awsdatacatalog."+sqlQuoteIdent(x.q.database))
	return err
}

func (x *athenaExec) closeDuck() {
	if x.conn != nil {
		x.conn.Close()
	}
	if x.db != nil {
		x.db.Close()
	}
}

// explain turns a DuckDB error about a missing table into the error that
// kept its view from being made, if any.
func (x *athenaExec) explain(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) && de.Type == duckdb.ErrorTypeCatalog {
		for name, verr := range x.viewErrs {
			if strings.Contains(strings.ToLower(de.Msg), strings.ToLower(name)) {
				return verr
			}
		}
		if m := regexp.MustCompile(`Table with name (\S+) does not exist`).FindStringSubmatch(de.Msg); m != nil {
			return userError(athErrTableNotFound, "TABLE_NOT_FOUND: Table 'awsdatacatalog.%s.%s' does not exist", x.q.database, strings.Trim(m[1], `"!`))
		}
	}
	return err
}

// describe returns the output columns of a DuckDB query.
func (x *athenaExec) describe(ctx context.Context, query string) ([]string, []*sqlType, error) {
	rows, err := x.conn.QueryContext(ctx, "DESCRIBE "+query)
	if err != nil {
		return nil, nil, x.explain(err)
	}
	defer rows.Close()
	var names []string
	var types []*sqlType
	for rows.Next() {
		var name, typ string
		var x1, x2, x3, x4 sql.NullString
		if err := rows.Scan(&name, &typ, &x1, &x2, &x3, &x4); err != nil {
			return nil, nil, err
		}
		t, err := parseDuckType(typ)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		types = append(types, t)
	}
	return names, types, rows.Err()
}

// runSelect runs a SELECT: rows for GetQueryResults, the CSV and its
// metadata for S3.
func (x *athenaExec) runSelect(ctx context.Context) error {
	if err := x.openDuck(ctx); err != nil {
		return err
	}
	names, types, err := x.describe(ctx, x.st.Query)
	if err != nil {
		return err
	}
	query := x.st.Query
	cast := false
	for _, t := range types {
		if t.needsCast() {
			cast = true
		}
	}
	if cast {
		// Positional aliases keep duplicate output names apart.
		alias := make([]string, len(names))
		sel := make([]string, len(names))
		for i, t := range types {
			alias[i] = sqlQuoteIdent("c" + strconv.Itoa(i))
			sel[i] = alias[i]
			if t.needsCast() {
				sel[i] = "CAST(" + alias[i] + " AS " + t.Duck() + ")"
			}
			sel[i] += " AS " + sqlQuoteIdent(names[i])
		}
		query = "SELECT " + strings.Join(sel, ", ") + " FROM (" + query + ") AS q(" + strings.Join(alias, ", ") + ")"
	}
	rows, err := x.conn.QueryContext(ctx, query)
	if err != nil {
		return x.explain(err)
	}
	defer rows.Close()
	var values [][]any
	intervalMonths := make([]bool, len(types))
	sawInterval := make([]bool, len(types))
	for i := range intervalMonths {
		intervalMonths[i] = true
	}
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if iv, ok := v.(duckdb.Interval); ok {
				sawInterval[i] = true
				if iv.Days != 0 || iv.Micros != 0 {
					intervalMonths[i] = false
				}
			}
		}
		values = append(values, vals)
	}
	if err := rows.Err(); err != nil {
		return x.explain(err)
	}
	cols := make([]athenaColumn, len(names))
	header := make([]*string, len(names))
	for i := range names {
		cols[i] = athenaColumnOf(types[i], x.st.Hints[i], sawInterval[i] && intervalMonths[i])
		x.res.columns = append(x.res.columns, athenaInfo(names[i], cols[i]))
		n := names[i]
		header[i] = &n
	}
	// The header row comes first, on the first page only (AWS-FACTS.md 1.4).
	x.res.rows = append(x.res.rows, header)
	for _, vals := range values {
		row := make([]*string, len(vals))
		for i, v := range vals {
			if s, ok := renderAthena(v, types[i], cols[i]); ok {
				row[i] = &s
			}
		}
		x.res.rows = append(x.res.rows, row)
	}
	x.res.outputRows = int64(len(values))
	return nil
}

// writeResultFiles writes what Athena writes to the output location:
// <id>.csv (DML) or <id>.txt (DDL, utility), the metadata next to it, and
// the manifest of CTAS, INSERT and UNLOAD.
func (x *athenaExec) writeResultFiles() error {
	base := x.q.outputDir + x.q.id
	var body []byte
	var ext, contentType string
	if x.st.StatementType == "DML" {
		ext, contentType = ".csv", "text/csv"
		if x.st.Kind == athSelect {
			body = athenaCSV(x.res.rows)
		}
		// Guess: CTAS, INSERT and UNLOAD leave an empty result object.
	} else {
		ext, contentType = ".txt", "text/plain"
		for _, line := range x.text {
			body = append(body, line...)
			body = append(body, '\n')
		}
	}
	x.res.outputBytes = int64(len(body))
	if err := x.a.putObject(base+ext, body, contentType); err != nil {
		return err
	}
	if err := x.a.putObject(base+ext+".metadata", athenaMetadataFile(x.res.columns), "application/octet-stream"); err != nil {
		return err
	}
	if x.st.Kind == athCTAS || x.st.Kind == athInsert || x.st.Kind == athUnload {
		var m []byte
		for _, f := range x.res.manifest {
			m = append(m, f...)
			m = append(m, '\n')
		}
		x.res.manifestURL = base + "-manifest.csv"
		if err := x.a.putObject(x.res.manifestURL, m, "text/csv"); err != nil {
			return err
		}
	}
	return nil
}

// athenaCSV renders rows as Athena's result CSV: every non-NULL value,
// the header included, double-quoted with quotes doubled, NULL as an empty
// unquoted field, \n line ends (AWS-FACTS.md 1.6, the moto fixture).
func athenaCSV(rows [][]*string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if v != nil {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(*v, `"`, `""`))
				b.WriteByte('"')
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// athenaMetadataFile is localaws's <id>.csv.metadata. Athena's own file is
// an undocumented binary (fixtures/athena/MANIFEST.md: no public sample
// exists), so localaws writes what is documented about it instead: the
// result's ColumnInfo, as the JSON of GetQueryResults' ResultSetMetadata.
// No client should parse this file; its existence is what matches Athena.
func athenaMetadataFile(cols []athenaColumnInfo) []byte {
	if cols == nil {
		cols = []athenaColumnInfo{}
	}
	var b bytes.Buffer
	b.WriteString(`{"ColumnInfo":[`)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"CatalogName":%q,"SchemaName":%q,"TableName":%q,"Name":%q,"Label":%q,"Type":%q,"Precision":%d,"Scale":%d,"Nullable":%q,"CaseSensitive":%t}`,
			c.CatalogName, c.SchemaName, c.TableName, c.Name, c.Label, c.Type, c.Precision, c.Scale, c.Nullable, c.CaseSensitive)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// putObject stores an object through the S3 backend, so S3 sees it with
// its metadata at once.
func (a *athenaService) putObject(s3url string, body []byte, contentType string) error {
	bucket, key, err := parseS3URL(s3url)
	if err != nil {
		return userError(athErrUser, "%v", err)
	}
	if reason := unsafeKey(key); reason != "" {
		return userError(athErrUser, "localaws cannot store the result object %s: %s", s3url, reason)
	}
	exists, err := a.s3.backend.BucketExists(bucket)
	if err != nil {
		return err
	}
	if !exists {
		return userError(athErrBucketMissing, "Unable to verify/create output bucket %s", bucket)
	}
	_, err = a.s3.backend.PutObject(bucket, key, map[string]string{"Content-Type": contentType}, bytes.NewReader(body), int64(len(body)), nil)
	return err
}

// putFile stores a local file as an object through the S3 backend.
func (a *athenaService) putFile(s3url, path string) error {
	bucket, key, err := parseS3URL(s3url)
	if err != nil {
		return userError(athErrUser, "%v", err)
	}
	if reason := unsafeKey(key); reason != "" {
		return userError(athErrUser, "localaws cannot store %s: %s", s3url, reason)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = a.s3.backend.PutObject(bucket, key, map[string]string{"Content-Type": "application/octet-stream"}, f, info.Size(), nil)
	return err
}

// tableDB is the database a statement's table is in.
func (x *athenaExec) tableDB() string {
	if x.st.Table.Database != "" {
		return x.st.Table.Database
	}
	return x.q.database
}

// catalogError maps a Glue error to Athena's.
func catalogError(err *awsError) error {
	switch err.Code {
	case "EntityNotFoundException":
		if strings.HasPrefix(err.Message, "Database") {
			return userError(athErrSchema, "SCHEMA_NOT_FOUND: %s", err.Message)
		}
		return userError(athErrTableNotFound, "TABLE_NOT_FOUND: %s", err.Message)
	case "AlreadyExistsException":
		return userError(athErrUser, "AlreadyExistsException: %s", err.Message)
	}
	return userError(athErrUser, "%s: %s", err.Code, err.Message)
}

func (x *athenaExec) runCreateDatabase() error {
	in := glueDatabaseInput{Name: x.st.Database}
	if x.st.Comment != "" {
		c := x.st.Comment
		in.Description = &c
	}
	if x.st.Location != "" {
		l := x.st.Location
		in.LocationUri = &l
	}
	in.Parameters = x.st.TableParams
	err := x.a.glue.athenaCreateDatabase(in)
	if err != nil && !(err.Code == "AlreadyExistsException" && x.st.IfNotExists) {
		if err.Code == "AlreadyExistsException" {
			return userError(athErrUser, "Database %s already exists", x.st.Database)
		}
		return catalogError(err)
	}
	return nil
}

func (x *athenaExec) runDropDatabase() error {
	err := x.a.glue.athenaDropDatabase(x.st.Database, x.st.Cascade)
	if err != nil && !(err.Code == "EntityNotFoundException" && x.st.IfExists) {
		return catalogError(err)
	}
	return nil
}

func (x *athenaExec) runCreateExternalTable() error {
	st := x.st
	db := x.tableDB()
	for _, c := range append(slicesClone(st.Columns), st.PartitionCols...) {
		if _, err := parseHiveType(c.Type); err != nil {
			return syntaxErr("%v", err)
		}
	}
	if _, _, err := parseS3URL(st.Location); err != nil {
		return userError(athErrUser, "%v", err)
	}
	lib, loc := st.SerDe, st.Location
	in := glueTableInput{
		Name: st.Table.Table,
		StorageDescriptor: &glueStorageDescriptor{
			Columns:      hiveColumns(st.Columns),
			Location:     &loc,
			InputFormat:  strPtr(st.InputFormat),
			OutputFormat: strPtr(st.OutputFormat),
			SerdeInfo:    &glueSerDeInfo{SerializationLibrary: &lib, Parameters: st.SerDeParams},
		},
		PartitionKeys: hiveColumns(st.PartitionCols),
		TableType:     strPtr("EXTERNAL_TABLE"),
		Parameters:    map[string]string{"EXTERNAL": "TRUE"},
	}
	for k, v := range st.TableParams {
		in.Parameters[k] = v
	}
	if st.Comment != "" {
		in.Description = strPtr(st.Comment)
	}
	err := x.a.glue.athenaCreateTable(db, in)
	if err != nil && !(err.Code == "AlreadyExistsException" && st.IfNotExists) {
		if err.Code == "AlreadyExistsException" {
			return userError(athErrUser, "AlreadyExistsException: Table %s.%s already exists", db, st.Table.Table)
		}
		return catalogError(err)
	}
	return nil
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

// runDropTable removes the table from the catalog; its files stay, as for
// any external table in Athena.
func (x *athenaExec) runDropTable() error {
	err := x.a.glue.athenaDropTable(x.tableDB(), x.st.Table.Table)
	if err != nil && !(err.Code == "EntityNotFoundException" && x.st.IfExists) {
		return catalogError(err)
	}
	return nil
}

// tableSnapshot reads the statement's table from the catalog.
func (x *athenaExec) tableSnapshot() (*athenaTableSnapshot, error) {
	snap, err := x.a.glue.athenaTable(x.tableDB(), x.st.Table.Table)
	if err != nil {
		return nil, catalogError(err)
	}
	return snap, nil
}

// partitionInput builds a Glue partition for values at loc, with the
// table's storage descriptor.
func partitionInput(t *glueTable, values []string, loc string) gluePartitionInput {
	sd := glueStorageDescriptor{}
	if t.StorageDescriptor != nil {
		sd = *t.StorageDescriptor
	}
	sd.Location = &loc
	return gluePartitionInput{Values: values, StorageDescriptor: &sd}
}

var hivePartDir = regexp.MustCompile(`^([^=]+)=(.*)$`)

// discoverPartitions walks a table location for Hive partition directories
// k1=v1/k2=v2/... (keys in the table's order) that hold files.
func (a *athenaService) discoverPartitions(t *glueTable, keys []scanColumn) ([][]string, error) {
	root, err := a.localPath(*t.StorageDescriptor.Location)
	if err != nil {
		return nil, err
	}
	var found [][]string
	var walk func(dir string, depth int, values []string) error
	walk = func(dir string, depth int, values []string) error {
		if depth == len(keys) {
			files, _, err := dataFiles(dir)
			if err != nil {
				return err
			}
			if len(files) > 0 {
				found = append(found, slicesClone(values))
			}
			return nil
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		for _, e := range entries {
			m := hivePartDir.FindStringSubmatch(e.Name())
			if !e.IsDir() || m == nil || !strings.EqualFold(m[1], keys[depth].name) {
				continue
			}
			if err := walk(filepath.Join(dir, e.Name()), depth+1, append(values, hiveUnescape(m[2]))); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, 0, nil); err != nil {
		return nil, err
	}
	return found, nil
}

// runMSCKRepair registers the Hive partitions found under the table's
// location. Its text output follows Hive's (Guess: Athena prints the same
// lines).
func (x *athenaExec) runMSCKRepair() error {
	snap, err := x.tableSnapshot()
	if err != nil {
		return err
	}
	t := &snap.Table
	keys, perr := scanColumns(t.PartitionKeys)
	if perr != nil {
		return userError(athErrSchema, "%v", perr)
	}
	if len(keys) == 0 || t.StorageDescriptor == nil || t.StorageDescriptor.Location == nil {
		return nil
	}
	found, ferr := x.a.discoverPartitions(t, keys)
	if ferr != nil {
		return ferr
	}
	known := map[string]bool{}
	for _, p := range snap.Partitions {
		known[gluePartitionKey(p.Values)] = true
	}
	var inputs []gluePartitionInput
	var missing []string
	for _, vals := range found {
		if known[gluePartitionKey(vals)] {
			continue
		}
		path := hivePartitionPath(keys, vals)
		inputs = append(inputs, partitionInput(t, vals, strings.TrimSuffix(*t.StorageDescriptor.Location, "/")+"/"+path))
		missing = append(missing, t.Name+":"+path)
	}
	if len(missing) == 0 {
		return nil
	}
	x.text = append(x.text, "Partitions not in metastore:\t"+strings.Join(missing, "\t"))
	added, aerr := x.a.glue.athenaAddPartitions(t.DatabaseName, t.Name, inputs, true)
	for _, vals := range added {
		x.text = append(x.text, "Repair: Added partition to metastore "+t.Name+":"+hivePartitionPath(keys, vals))
	}
	if aerr != nil {
		return catalogError(aerr)
	}
	return nil
}

// runAlterPartitions runs ALTER TABLE ADD / DROP PARTITION.
func (x *athenaExec) runAlterPartitions() error {
	snap, err := x.tableSnapshot()
	if err != nil {
		return err
	}
	t := &snap.Table
	keys, perr := scanColumns(t.PartitionKeys)
	if perr != nil {
		return userError(athErrSchema, "%v", perr)
	}
	var values [][]string
	for _, spec := range x.st.Partitions {
		if len(spec.Keys) != len(keys) {
			return userError(athErrSchema, "HIVE_METASTORE_ERROR: the partition spec names %d of the %d partition columns of %s", len(spec.Keys), len(keys), t.Name)
		}
		vals := make([]string, len(keys))
		for i, k := range keys {
			found := false
			for j, sk := range spec.Keys {
				if sk == k.name {
					vals[i], found = spec.Values[j], true
				}
			}
			if !found {
				return userError(athErrSchema, "HIVE_METASTORE_ERROR: the partition spec does not name partition column %s", k.name)
			}
		}
		values = append(values, vals)
	}
	if x.st.Kind == athDropPartition {
		if err := x.a.glue.athenaDropPartitions(t.DatabaseName, t.Name, values, x.st.IfExists); err != nil {
			return catalogError(err)
		}
		return nil
	}
	var inputs []gluePartitionInput
	for i, spec := range x.st.Partitions {
		loc := spec.Location
		if loc == "" {
			loc = strings.TrimSuffix(*t.StorageDescriptor.Location, "/") + "/" + hivePartitionPath(keys, values[i])
		}
		inputs = append(inputs, partitionInput(t, values[i], loc))
	}
	if _, err := x.a.glue.athenaAddPartitions(t.DatabaseName, t.Name, inputs, x.st.IfNotExists); err != nil {
		if err.Code == "AlreadyExistsException" {
			return userError(athErrUser, "HIVE_METASTORE_ERROR: Partition already exists")
		}
		return catalogError(err)
	}
	return nil
}

// runShow answers SHOW and DESCRIBE: one row per line, fields joined by
// tabs in one column, as Athena returns them (AWS-FACTS.md 1.4).
func (x *athenaExec) runShow() error {
	col := func(name string) {
		x.res.columns = append(x.res.columns, athenaInfo(name, athenaColumn{Type: "string", CaseSensitive: false}))
	}
	switch x.st.Kind {
	case athShowTables:
		db := x.st.Database
		if db == "" {
			db = x.q.database
		}
		names, err := x.a.glue.athenaTables(db)
		if err != nil {
			return catalogError(err)
		}
		x.text = filterNames(names, x.st.Pattern)
		col("tab_name")
	case athShowDatabases:
		x.text = filterNames(x.a.glue.athenaDatabases(), x.st.Pattern)
		col("database_name")
	case athShowPartitions:
		snap, err := x.tableSnapshot()
		if err != nil {
			return err
		}
		keys, perr := scanColumns(snap.Table.PartitionKeys)
		if perr != nil {
			return userError(athErrSchema, "%v", perr)
		}
		if len(keys) == 0 {
			return userError(athErrUser, "Table %s is not partitioned", snap.Table.Name)
		}
		var lines []string
		for _, p := range snap.Partitions {
			lines = append(lines, hivePartitionPath(keys, p.Values))
		}
		sort.Strings(lines)
		x.text = lines
		col("partition")
	case athShowColumns:
		snap, err := x.tableSnapshot()
		if err != nil {
			return err
		}
		for _, c := range allColumns(&snap.Table) {
			x.text = append(x.text, c.Name)
		}
		col("field")
	case athDescribe:
		snap, err := x.tableSnapshot()
		if err != nil {
			return err
		}
		t := &snap.Table
		line := func(c glueColumn) string {
			typ, comment := "", ""
			if c.Type != nil {
				typ = *c.Type
			}
			if c.Comment != nil {
				comment = *c.Comment
			}
			// Hive's DESCRIBE layout: name and type padded to 20.
			return fmt.Sprintf("%-20s\t%-20s\t%s", c.Name, typ, comment)
		}
		for _, c := range allColumns(t) {
			x.text = append(x.text, line(c))
		}
		if len(t.PartitionKeys) > 0 {
			x.text = append(x.text, "", "# Partition Information", fmt.Sprintf("%-20s\t%-20s\t%s", "# col_name", "data_type", "comment"), "")
			for _, c := range t.PartitionKeys {
				x.text = append(x.text, line(c))
			}
		}
		col("col_name")
		col("data_type")
		col("comment")
	}
	for i := range x.text {
		v := x.text[i]
		x.res.rows = append(x.res.rows, []*string{&v})
	}
	return nil
}

func allColumns(t *glueTable) []glueColumn {
	var cols []glueColumn
	if t.StorageDescriptor != nil {
		cols = append(cols, t.StorageDescriptor.Columns...)
	}
	return append(cols, t.PartitionKeys...)
}

// filterNames keeps the names a SHOW pattern matches.
func filterNames(names []string, pattern string) []string {
	if pattern == "" {
		return names
	}
	re, err := hivePattern(pattern)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		if re.MatchString(n) {
			out = append(out, n)
		}
	}
	return out
}
