package localaws

// Classification and translation of the Athena SQL the emulator accepts.
// athenaTranslate is a pure function (no catalog, no files), so that it can
// be fuzzed: it parses a statement into an athenaStatement, whose SELECT
// parts are DuckDB SQL, and the executor (athena_exec.go) carries it out
// against the Glue catalog and the S3 files.

import (
	"fmt"
	"regexp"
	"strings"
)

// Statement kinds.
type athenaStmtKind int

const (
	athSelect athenaStmtKind = iota + 1
	athCTAS
	athInsert
	athUnload
	athCreateExternalTable
	athDropTable
	athCreateDatabase
	athDropDatabase
	athMSCKRepair
	athAddPartition
	athDropPartition
	athShowTables
	athShowDatabases
	athShowPartitions
	athShowColumns
	athDescribe
)

// athenaName is a possibly qualified table name, folded to lowercase.
// Database is "" when the statement did not name one.
type athenaName struct {
	Database string
	Table    string
}

func (n athenaName) String() string {
	if n.Database == "" {
		return n.Table
	}
	return n.Database + "." + n.Table
}

// athenaColumnDef is a column of CREATE EXTERNAL TABLE, with its Hive type.
type athenaColumnDef struct {
	Name    string
	Type    string
	Comment string
}

// athenaPartitionSpec is one PARTITION (k = v, ...) clause.
type athenaPartitionSpec struct {
	Keys     []string
	Values   []string
	Location string
}

// athenaTypeHint is the Athena type of an output column as the SQL
// declares it, where DuckDB has no type of its own to carry it (char(n),
// ipaddress, the two interval types, the type of a bare NULL).
type athenaTypeHint struct {
	Type      string
	Precision int
}

// athenaStatement is a parsed statement.
type athenaStatement struct {
	Kind athenaStmtKind
	// StatementType is DDL, DML or UTILITY; SubstatementType Athena's finer
	// name (AWS-FACTS.md 1.3).
	StatementType    string
	SubstatementType string

	// Query is the DuckDB SQL of the SELECT (SELECT, CTAS, INSERT, UNLOAD);
	// Hints the declared types of its output columns by position.
	Query string
	Hints map[int]athenaTypeHint
	// Refs are the names in Query that may be tables; the executor maps
	// those the catalog knows to views.
	Refs []athenaName

	Table       athenaName
	Database    string
	IfExists    bool
	IfNotExists bool
	Cascade     bool
	Comment     string
	Location    string

	// CREATE EXTERNAL TABLE.
	Columns       []athenaColumnDef
	PartitionCols []athenaColumnDef
	SerDe         string
	SerDeParams   map[string]string
	InputFormat   string
	OutputFormat  string
	TableParams   map[string]string

	// CTAS and UNLOAD WITH (...) properties, lowercased keys; ARRAY[...]
	// values are in ListProps.
	Props     map[string]string
	ListProps map[string][]string
	WithData  bool

	// INSERT INTO t (cols).
	InsertColumns []string
	// ALTER TABLE ADD/DROP PARTITION.
	Partitions []athenaPartitionSpec
	// SHOW ... LIKE pattern.
	Pattern string
}

// athenaSyntaxError is a statement the emulator cannot parse; Athena
// reports these with ErrorType 1006 (AWS-FACTS.md 1.3).
type athenaSyntaxError struct{ msg string }

func (e *athenaSyntaxError) Error() string { return e.msg }

// athenaUnsupportedError is a statement Athena accepts but the emulator
// does not implement.
type athenaUnsupportedError struct{ msg string }

func (e *athenaUnsupportedError) Error() string { return e.msg }

func syntaxErr(format string, args ...any) error {
	return &athenaSyntaxError{msg: fmt.Sprintf(format, args...)}
}

func unsupportedErr(format string, args ...any) error {
	return &athenaUnsupportedError{msg: fmt.Sprintf(format, args...)}
}

// maxAthenaStatementBytes is the longest query string Athena accepts.
const maxAthenaStatementBytes = 262_144 // AWS-FACTS.md 1.2

// athenaTranslate parses one statement. params are the ExecutionParameters,
// substituted for the ? placeholders in order as SQL text (AWS-FACTS.md
// 1.9: a string parameter is passed as a quoted literal).
func athenaTranslate(src string, params []string) (*athenaStatement, error) {
	if len(src) > maxAthenaStatementBytes {
		return nil, syntaxErr("query string exceeds %d bytes", maxAthenaStatementBytes)
	}
	toks, err := sqlLex(src)
	if err != nil {
		return nil, syntaxErr("%v", err)
	}
	if toks, err = substituteParams(toks, params); err != nil {
		return nil, err
	}
	// One statement; trailing semicolons are allowed (the moto fixture
	// sends one).
	for len(toks) > 0 && toks[len(toks)-1].isPunct(";") {
		toks = toks[:len(toks)-1]
	}
	for _, t := range toks {
		if t.isPunct(";") {
			return nil, syntaxErr("line %d: only one statement per query is allowed", sqlLine(src, t.pos))
		}
	}
	if len(toks) == 0 {
		return nil, syntaxErr("line 1:1: empty query")
	}
	p := &sqlParser{toks: toks}
	st, err := p.statement()
	if err != nil {
		return nil, err
	}
	return st, nil
}

// substituteParams replaces ? placeholders by the parameters' own tokens.
func substituteParams(toks []sqlToken, params []string) ([]sqlToken, error) {
	n := 0
	for _, t := range toks {
		if t.kind == sqlParam {
			n++
		}
	}
	if n != len(params) {
		return nil, syntaxErr("the query has %d parameter placeholders but %d execution parameters were given", n, len(params))
	}
	if n == 0 {
		return toks, nil
	}
	out := make([]sqlToken, 0, len(toks))
	i := 0
	for _, t := range toks {
		if t.kind != sqlParam {
			out = append(out, t)
			continue
		}
		pt, err := sqlLex(params[i])
		if err != nil || len(pt) == 0 {
			return nil, syntaxErr("execution parameter %d is not a SQL value", i+1)
		}
		for _, x := range pt {
			if x.kind == sqlParam || x.isPunct(";") {
				return nil, syntaxErr("execution parameter %d is not a SQL value", i+1)
			}
			x.pos = t.pos
			out = append(out, x)
		}
		i++
	}
	return out, nil
}

// sqlParser walks a token list.
type sqlParser struct {
	toks []sqlToken
	at   int
}

func (p *sqlParser) eof() bool { return p.at >= len(p.toks) }

func (p *sqlParser) peek() sqlToken {
	if p.eof() {
		return sqlToken{}
	}
	return p.toks[p.at]
}

func (p *sqlParser) peekIs(kws ...string) bool {
	for i, kw := range kws {
		if p.at+i >= len(p.toks) || !p.toks[p.at+i].is(kw) {
			return false
		}
	}
	return true
}

// accept consumes the keywords if they all follow.
func (p *sqlParser) accept(kws ...string) bool {
	if p.peekIs(kws...) {
		p.at += len(kws)
		return true
	}
	return false
}

func (p *sqlParser) where() string {
	if p.eof() {
		return "at end of statement"
	}
	return fmt.Sprintf("at %q", p.peek().text)
}

func (p *sqlParser) expect(kws ...string) error {
	if !p.accept(kws...) {
		return syntaxErr("expected %s %s", strings.ToUpper(strings.Join(kws, " ")), p.where())
	}
	return nil
}

func (p *sqlParser) expectPunct(s string) error {
	if !p.peek().isPunct(s) {
		return syntaxErr("expected %q %s", s, p.where())
	}
	p.at++
	return nil
}

func (p *sqlParser) expectEnd() error {
	if !p.eof() {
		return syntaxErr("unexpected %q after the end of the statement", p.peek().text)
	}
	return nil
}

func (p *sqlParser) stringLit() (string, error) {
	t := p.peek()
	if t.kind != sqlString {
		return "", syntaxErr("expected a string literal %s", p.where())
	}
	p.at++
	return t.value, nil
}

func (p *sqlParser) ident() (string, error) {
	name, ok := p.peek().name()
	if !ok {
		return "", syntaxErr("expected a name %s", p.where())
	}
	p.at++
	return name, nil
}

// tableName reads [catalog.]db.table or table.
func (p *sqlParser) tableName() (athenaName, error) {
	var parts []string
	for {
		n, err := p.ident()
		if err != nil {
			return athenaName{}, err
		}
		parts = append(parts, n)
		if !p.peek().isPunct(".") {
			break
		}
		p.at++
	}
	switch len(parts) {
	case 1:
		return athenaName{Table: parts[0]}, nil
	case 2:
		return athenaName{Database: parts[0], Table: parts[1]}, nil
	case 3:
		if parts[0] != "awsdatacatalog" {
			return athenaName{}, unsupportedErr("catalog %q: localaws serves the AwsDataCatalog only", parts[0])
		}
		return athenaName{Database: parts[1], Table: parts[2]}, nil
	}
	return athenaName{}, syntaxErr("table name %q has too many parts", strings.Join(parts, "."))
}

func (p *sqlParser) statement() (*athenaStatement, error) {
	t := p.peek()
	switch {
	case t.is("select"), t.is("with"), t.is("values"), t.isPunct("("):
		return p.selectStatement()
	case t.is("create"):
		return p.create()
	case t.is("drop"):
		return p.drop()
	case t.is("insert"):
		return p.insert()
	case t.is("unload"):
		return p.unload()
	case t.is("msck"):
		p.at++
		if err := p.expect("repair", "table"); err != nil {
			return nil, err
		}
		name, err := p.tableName()
		if err != nil {
			return nil, err
		}
		return &athenaStatement{Kind: athMSCKRepair, StatementType: "DDL", SubstatementType: "REPAIR_TABLE", Table: name}, p.expectEnd()
	case t.is("alter"):
		return p.alter()
	case t.is("show"):
		return p.show()
	case t.is("describe"), t.is("desc"):
		p.at++
		p.accept("formatted")
		p.accept("extended")
		name, err := p.tableName()
		if err != nil {
			return nil, err
		}
		return &athenaStatement{Kind: athDescribe, StatementType: "UTILITY", SubstatementType: "DESCRIBE_TABLE", Table: name}, p.expectEnd()
	}
	return nil, unsupportedErr("statement %q is not supported by localaws (see the package documentation for the supported statements)", strings.ToUpper(t.text))
}

func (p *sqlParser) selectStatement() (*athenaStatement, error) {
	q, err := translateQuery(p.toks[p.at:])
	if err != nil {
		return nil, err
	}
	p.at = len(p.toks)
	return &athenaStatement{Kind: athSelect, StatementType: "DML", SubstatementType: "SELECT",
		Query: q.sql, Hints: q.hints, Refs: q.refs}, nil
}

func (p *sqlParser) create() (*athenaStatement, error) {
	p.at++ // CREATE
	switch {
	case p.accept("database"), p.accept("schema"):
		st := &athenaStatement{Kind: athCreateDatabase, StatementType: "DDL", SubstatementType: "CREATE_DATABASE"}
		st.IfNotExists = p.accept("if", "not", "exists")
		var err error
		if st.Database, err = p.ident(); err != nil {
			return nil, err
		}
		for !p.eof() {
			switch {
			case p.accept("comment"):
				if st.Comment, err = p.stringLit(); err != nil {
					return nil, err
				}
			case p.accept("location"):
				if st.Location, err = p.stringLit(); err != nil {
					return nil, err
				}
			case p.accept("with", "dbproperties"), p.accept("with", "properties"):
				if st.TableParams, err = p.propertyList(); err != nil {
					return nil, err
				}
			default:
				return nil, syntaxErr("unexpected %q in CREATE DATABASE", p.peek().text)
			}
		}
		return st, nil
	case p.accept("external", "table"):
		return p.createExternalTable()
	case p.accept("table"):
		return p.ctas()
	case p.peekIs("view"), p.peekIs("or"):
		return nil, unsupportedErr("CREATE VIEW is not supported by localaws")
	}
	return nil, unsupportedErr("CREATE %s is not supported by localaws", strings.ToUpper(p.peek().text))
}

// columnList reads ( name type [COMMENT 'x'], ... ).
func (p *sqlParser) columnList() ([]athenaColumnDef, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var cols []athenaColumnDef
	for {
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		typ, err := p.hiveTypeText()
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		col := athenaColumnDef{Name: name, Type: typ}
		if p.accept("comment") {
			if col.Comment, err = p.stringLit(); err != nil {
				return nil, err
			}
		}
		cols = append(cols, col)
		if p.peek().isPunct(")") {
			p.at++
			return cols, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// hiveTypeText reads a Hive DDL type (int, decimal(10,2),
// array<struct<a:int>>) and returns it normalised, checked by the Hive type
// parser.
func (p *sqlParser) hiveTypeText() (string, error) {
	var b strings.Builder
	depth := 0
	start := p.at
	for !p.eof() {
		t := p.peek()
		if depth == 0 && (t.isPunct(",") || t.isPunct(")") || t.is("comment")) && p.at > start {
			break
		}
		switch {
		case t.isPunct("<"), t.isPunct("("):
			depth++
		case t.isPunct(">"), t.isPunct(")"):
			depth--
		}
		if depth < 0 {
			return "", syntaxErr("unbalanced type %s", p.where())
		}
		if t.kind == sqlQuoted {
			b.WriteString(t.value)
		} else {
			b.WriteString(strings.ToLower(t.text))
		}
		p.at++
	}
	if depth != 0 || b.Len() == 0 {
		return "", syntaxErr("incomplete column type %s", p.where())
	}
	text := b.String()
	if _, err := parseHiveType(text); err != nil {
		return "", syntaxErr("%v", err)
	}
	return text, nil
}

// propertyList reads ( 'k' = 'v', ... ).
func (p *sqlParser) propertyList() (map[string]string, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for {
		k, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		v, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		m[k] = v
		if p.peek().isPunct(")") {
			p.at++
			return m, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

func (p *sqlParser) createExternalTable() (*athenaStatement, error) {
	st := &athenaStatement{Kind: athCreateExternalTable, StatementType: "DDL", SubstatementType: "CREATE_TABLE",
		SerDeParams: map[string]string{}, TableParams: map[string]string{}}
	st.IfNotExists = p.accept("if", "not", "exists")
	var err error
	if st.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if st.Columns, err = p.columnList(); err != nil {
		return nil, err
	}
	delimited := map[string]string{}
	for !p.eof() {
		switch {
		case p.accept("comment"):
			if st.Comment, err = p.stringLit(); err != nil {
				return nil, err
			}
		case p.accept("partitioned", "by"):
			if st.PartitionCols, err = p.columnList(); err != nil {
				return nil, err
			}
		case p.accept("row", "format", "serde"):
			if st.SerDe, err = p.stringLit(); err != nil {
				return nil, err
			}
			if p.accept("with", "serdeproperties") {
				props, err := p.propertyList()
				if err != nil {
					return nil, err
				}
				for k, v := range props {
					st.SerDeParams[k] = v
				}
			}
		case p.accept("row", "format", "delimited"):
			st.SerDe = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
			for {
				var key string
				switch {
				case p.accept("fields", "terminated", "by"):
					key = "field.delim"
				case p.accept("escaped", "by"):
					key = "escape.delim"
				case p.accept("collection", "items", "terminated", "by"):
					key = "collection.delim"
				case p.accept("map", "keys", "terminated", "by"):
					key = "mapkey.delim"
				case p.accept("lines", "terminated", "by"):
					key = "line.delim"
				case p.accept("null", "defined", "as"):
					key = "serialization.null.format"
				}
				if key == "" {
					break
				}
				v, err := p.stringLit()
				if err != nil {
					return nil, err
				}
				delimited[key] = v
			}
		case p.accept("stored", "as", "inputformat"):
			if st.InputFormat, err = p.stringLit(); err != nil {
				return nil, err
			}
			if err := p.expect("outputformat"); err != nil {
				return nil, err
			}
			if st.OutputFormat, err = p.stringLit(); err != nil {
				return nil, err
			}
		case p.accept("stored", "as"):
			f, err := p.ident()
			if err != nil {
				return nil, err
			}
			lib, in, out, ok := hiveStoredAs(f)
			if !ok {
				return nil, unsupportedErr("STORED AS %s is not supported by localaws", strings.ToUpper(f))
			}
			if st.SerDe == "" || f != "textfile" {
				st.SerDe = lib
			}
			st.InputFormat, st.OutputFormat = in, out
		case p.accept("location"):
			if st.Location, err = p.stringLit(); err != nil {
				return nil, err
			}
		case p.accept("tblproperties"):
			props, err := p.propertyList()
			if err != nil {
				return nil, err
			}
			for k, v := range props {
				st.TableParams[k] = v
			}
		case p.peekIs("clustered"):
			return nil, unsupportedErr("bucketed tables (CLUSTERED BY) are not supported by localaws")
		default:
			return nil, syntaxErr("unexpected %q in CREATE EXTERNAL TABLE", p.peek().text)
		}
	}
	for k, v := range delimited {
		st.SerDeParams[k] = v
	}
	if d, ok := delimited["field.delim"]; ok {
		st.SerDeParams["serialization.format"] = d
	}
	if st.SerDe == "" {
		// Hive's default: ROW FORMAT DELIMITED with ^A.
		st.SerDe = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	}
	if st.InputFormat == "" {
		_, st.InputFormat, st.OutputFormat, _ = hiveStoredAs("textfile")
	}
	if st.Location == "" {
		// Guess: Athena requires LOCATION for external Hive tables.
		return nil, syntaxErr("CREATE EXTERNAL TABLE needs a LOCATION")
	}
	return st, nil
}

// hiveStoredAs gives the SerDe and formats of a STORED AS shorthand
// (AWS-FACTS.md 1.13).
func hiveStoredAs(f string) (serde, in, out string, ok bool) {
	switch strings.ToLower(f) {
	case "parquet":
		return "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
			"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
			"org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", true
	case "textfile":
		return "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
			"org.apache.hadoop.mapred.TextInputFormat",
			"org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", true
	}
	return "", "", "", false
}

// withProperties reads WITH ( name = value, ... ) of CTAS and UNLOAD: a
// value is a literal or ARRAY[literals].
func (p *sqlParser) withProperties(st *athenaStatement) error {
	if err := p.expectPunct("("); err != nil {
		return err
	}
	for {
		key, err := p.ident()
		if err != nil {
			return err
		}
		if err := p.expectPunct("="); err != nil {
			return err
		}
		if _, dup := st.Props[key]; dup {
			return syntaxErr("property %s is given twice", key)
		}
		if _, dup := st.ListProps[key]; dup {
			return syntaxErr("property %s is given twice", key)
		}
		switch t := p.peek(); {
		case t.is("array"):
			p.at++
			if err := p.expectPunct("["); err != nil {
				return err
			}
			var vals []string
			for !p.peek().isPunct("]") {
				v, err := p.stringLit()
				if err != nil {
					return err
				}
				vals = append(vals, strings.ToLower(v))
				if !p.peek().isPunct("]") {
					if err := p.expectPunct(","); err != nil {
						return err
					}
				}
			}
			p.at++
			st.ListProps[key] = vals
		case t.kind == sqlString, t.kind == sqlNumber, t.is("true"), t.is("false"):
			p.at++
			st.Props[key] = t.value
		default:
			return syntaxErr("property %s: expected a literal or ARRAY[...] %s", key, p.where())
		}
		if p.peek().isPunct(")") {
			p.at++
			return nil
		}
		if err := p.expectPunct(","); err != nil {
			return err
		}
	}
}

func (p *sqlParser) ctas() (*athenaStatement, error) {
	st := &athenaStatement{Kind: athCTAS, StatementType: "DML", SubstatementType: "CREATE_TABLE_AS_SELECT",
		Props: map[string]string{}, ListProps: map[string][]string{}, WithData: true}
	st.IfNotExists = p.accept("if", "not", "exists")
	var err error
	if st.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.peek().isPunct("(") {
		return nil, unsupportedErr("CREATE TABLE with a column list creates an Iceberg or managed table, which localaws does not support; use CREATE EXTERNAL TABLE")
	}
	if p.accept("with") {
		if err := p.withProperties(st); err != nil {
			return nil, err
		}
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	body := p.toks[p.at:]
	n := len(body)
	switch {
	case n >= 3 && body[n-3].is("with") && body[n-2].is("no") && body[n-1].is("data"):
		body, st.WithData = body[:n-3], false
	case n >= 2 && body[n-2].is("with") && body[n-1].is("data"):
		body = body[:n-2]
	}
	q, err := translateQuery(body)
	if err != nil {
		return nil, err
	}
	p.at = len(p.toks)
	st.Query, st.Hints, st.Refs = q.sql, q.hints, q.refs
	return st, nil
}

func (p *sqlParser) insert() (*athenaStatement, error) {
	p.at++
	if err := p.expect("into"); err != nil {
		return nil, err
	}
	st := &athenaStatement{Kind: athInsert, StatementType: "DML", SubstatementType: "INSERT"}
	var err error
	if st.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	// A column list, not a parenthesised query.
	if p.peek().isPunct("(") && p.at+1 < len(p.toks) && !p.toks[p.at+1].is("select") && !p.toks[p.at+1].is("with") {
		p.at++
		for {
			c, err := p.ident()
			if err != nil {
				return nil, err
			}
			st.InsertColumns = append(st.InsertColumns, c)
			if p.peek().isPunct(")") {
				p.at++
				break
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
	}
	q, err := translateQuery(p.toks[p.at:])
	if err != nil {
		return nil, err
	}
	p.at = len(p.toks)
	st.Query, st.Hints, st.Refs = q.sql, q.hints, q.refs
	return st, nil
}

func (p *sqlParser) unload() (*athenaStatement, error) {
	p.at++
	st := &athenaStatement{Kind: athUnload, StatementType: "DML", SubstatementType: "UNLOAD",
		Props: map[string]string{}, ListProps: map[string][]string{}}
	if !p.peek().isPunct("(") {
		return nil, syntaxErr("expected ( after UNLOAD %s", p.where())
	}
	end := matchingParen(p.toks, p.at)
	if end < 0 {
		return nil, syntaxErr("unbalanced parentheses in UNLOAD")
	}
	q, err := translateQuery(p.toks[p.at+1 : end])
	if err != nil {
		return nil, err
	}
	st.Query, st.Hints, st.Refs = q.sql, q.hints, q.refs
	p.at = end + 1
	if err := p.expect("to"); err != nil {
		return nil, err
	}
	if st.Location, err = p.stringLit(); err != nil {
		return nil, err
	}
	if err := p.expect("with"); err != nil {
		return nil, err
	}
	if err := p.withProperties(st); err != nil {
		return nil, err
	}
	if _, ok := st.Props["format"]; !ok {
		return nil, syntaxErr("UNLOAD needs WITH (format = ...)")
	}
	return st, p.expectEnd()
}

func (p *sqlParser) drop() (*athenaStatement, error) {
	p.at++
	switch {
	case p.accept("table"):
		st := &athenaStatement{Kind: athDropTable, StatementType: "DDL", SubstatementType: "DROP_TABLE"}
		st.IfExists = p.accept("if", "exists")
		var err error
		if st.Table, err = p.tableName(); err != nil {
			return nil, err
		}
		return st, p.expectEnd()
	case p.accept("database"), p.accept("schema"):
		st := &athenaStatement{Kind: athDropDatabase, StatementType: "DDL", SubstatementType: "DROP_DATABASE"}
		st.IfExists = p.accept("if", "exists")
		var err error
		if st.Database, err = p.ident(); err != nil {
			return nil, err
		}
		switch {
		case p.accept("cascade"):
			st.Cascade = true
		case p.accept("restrict"):
		}
		return st, p.expectEnd()
	}
	return nil, unsupportedErr("DROP %s is not supported by localaws", strings.ToUpper(p.peek().text))
}

// partitionSpec reads PARTITION (k = v, ...).
func (p *sqlParser) partitionSpec() (athenaPartitionSpec, error) {
	var spec athenaPartitionSpec
	if err := p.expect("partition"); err != nil {
		return spec, err
	}
	if err := p.expectPunct("("); err != nil {
		return spec, err
	}
	for {
		k, err := p.ident()
		if err != nil {
			return spec, err
		}
		if err := p.expectPunct("="); err != nil {
			return spec, err
		}
		t := p.peek()
		var v string
		switch {
		case t.kind == sqlString, t.kind == sqlNumber:
			v = t.value
			p.at++
		case t.is("date") || t.is("timestamp"):
			p.at++
			if v, err = p.stringLit(); err != nil {
				return spec, err
			}
		case t.isPunct("-") && p.at+1 < len(p.toks) && p.toks[p.at+1].kind == sqlNumber:
			v = "-" + p.toks[p.at+1].value
			p.at += 2
		default:
			return spec, syntaxErr("partition value of %s: expected a literal %s", k, p.where())
		}
		spec.Keys = append(spec.Keys, k)
		spec.Values = append(spec.Values, v)
		if p.peek().isPunct(")") {
			p.at++
			return spec, nil
		}
		if err := p.expectPunct(","); err != nil {
			return spec, err
		}
	}
}

func (p *sqlParser) alter() (*athenaStatement, error) {
	p.at++
	if err := p.expect("table"); err != nil {
		return nil, err
	}
	name, err := p.tableName()
	if err != nil {
		return nil, err
	}
	switch {
	case p.accept("add"):
		st := &athenaStatement{Kind: athAddPartition, StatementType: "DDL", SubstatementType: "ALTER_TABLE_ADD_PARTITION", Table: name}
		st.IfNotExists = p.accept("if", "not", "exists")
		for !p.eof() {
			spec, err := p.partitionSpec()
			if err != nil {
				return nil, err
			}
			if p.accept("location") {
				if spec.Location, err = p.stringLit(); err != nil {
					return nil, err
				}
			}
			st.Partitions = append(st.Partitions, spec)
		}
		if len(st.Partitions) == 0 {
			return nil, syntaxErr("ALTER TABLE ADD needs a PARTITION clause")
		}
		return st, nil
	case p.accept("drop"):
		st := &athenaStatement{Kind: athDropPartition, StatementType: "DDL", SubstatementType: "ALTER_TABLE_DROP_PARTITION", Table: name}
		st.IfExists = p.accept("if", "exists")
		for {
			spec, err := p.partitionSpec()
			if err != nil {
				return nil, err
			}
			st.Partitions = append(st.Partitions, spec)
			if p.eof() {
				return st, nil
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
	}
	return nil, unsupportedErr("ALTER TABLE %s is not supported by localaws (ADD PARTITION and DROP PARTITION are)", strings.ToUpper(p.peek().text))
}

func (p *sqlParser) show() (*athenaStatement, error) {
	p.at++
	switch {
	case p.accept("tables"):
		st := &athenaStatement{Kind: athShowTables, StatementType: "UTILITY", SubstatementType: "SHOW_TABLES"}
		if p.accept("in") || p.accept("from") {
			var err error
			if st.Database, err = p.ident(); err != nil {
				return nil, err
			}
		}
		if err := p.showPattern(st); err != nil {
			return nil, err
		}
		return st, p.expectEnd()
	case p.accept("databases"), p.accept("schemas"):
		st := &athenaStatement{Kind: athShowDatabases, StatementType: "UTILITY", SubstatementType: "SHOW_DATABASES"}
		if err := p.showPattern(st); err != nil {
			return nil, err
		}
		return st, p.expectEnd()
	case p.accept("partitions"):
		st := &athenaStatement{Kind: athShowPartitions, StatementType: "UTILITY", SubstatementType: "SHOW_PARTITIONS"}
		var err error
		if st.Table, err = p.tableName(); err != nil {
			return nil, err
		}
		return st, p.expectEnd()
	case p.accept("columns"):
		st := &athenaStatement{Kind: athShowColumns, StatementType: "UTILITY", SubstatementType: "SHOW_COLUMNS"}
		if !p.accept("in") && !p.accept("from") {
			return nil, syntaxErr("expected IN or FROM %s", p.where())
		}
		var err error
		if st.Table, err = p.tableName(); err != nil {
			return nil, err
		}
		return st, p.expectEnd()
	}
	return nil, unsupportedErr("SHOW %s is not supported by localaws", strings.ToUpper(p.peek().text))
}

// showPattern reads the optional 'regex' or LIKE 'regex' of SHOW TABLES and
// SHOW DATABASES: Hive's pattern where * is any text and | separates
// alternatives.
func (p *sqlParser) showPattern(st *athenaStatement) error {
	p.accept("like")
	if p.peek().kind == sqlString {
		st.Pattern = p.peek().value
		p.at++
		if _, err := hivePattern(st.Pattern); err != nil {
			return err
		}
	}
	return nil
}

// hivePattern compiles a SHOW pattern: * matches any text, | separates
// alternatives, everything else is literal; matching ignores case.
func hivePattern(pat string) (*regexp.Regexp, error) {
	var alts []string
	for _, alt := range strings.Split(pat, "|") {
		parts := strings.Split(strings.TrimSpace(alt), "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		alts = append(alts, strings.Join(parts, ".*"))
	}
	re, err := regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
	if err != nil {
		return nil, syntaxErr("bad pattern %q: %v", pat, err)
	}
	return re, nil
}

// matchingParen returns the index of the token closing the parenthesis at
// open, or -1.
func matchingParen(toks []sqlToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch {
		case toks[i].isPunct("(") || toks[i].isPunct("["):
			depth++
		case toks[i].isPunct(")") || toks[i].isPunct("]"):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
