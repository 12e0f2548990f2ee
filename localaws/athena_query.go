package localaws

// Translation of an Athena (Trino) query to DuckDB SQL. DuckDB accepts most
// of Trino's query syntax as is (ARRAY[...], ROW(...), MAP(...), CAST,
// TRY_CAST, date and timestamp literals, window functions, WITH, UNION); the
// translator rewrites the rest token by token:
//
//   - X'0A0B' binary literals become from_hex('0A0B');
//   - Trino functions DuckDB names differently are renamed (athenaFunctions);
//     date_format's MySQL-style format letters are mapped to strftime's;
//   - types in CAST and TRY_CAST are Trino's (array(T), row(a T), char(n),
//     ipaddress, interval year to month ...) and become DuckDB types, with
//     the declared Athena type kept as a hint for the result metadata.
//
// It also collects every identifier chain that may name a table, for the
// executor to resolve against the catalog.

import (
	"strconv"
	"strings"
)

// athenaFunctions maps Trino function names to their DuckDB equivalents
// where the arguments are the same.
var athenaFunctions = map[string]string{
	"approx_distinct":     "approx_count_distinct",
	"regexp_like":         "regexp_matches",
	"cardinality":         "len",
	"from_unixtime":       "to_timestamp",
	"to_unixtime":         "epoch",
	"date_format":         "strftime",
	"format_datetime":     "strftime",
	"json_extract_scalar": "json_extract_string",
	"json_parse":          "json",
	"arbitrary":           "any_value",
	"array_join":          "array_to_string",
	"contains":            "list_contains",
	"json_array_length":   "json_array_length",
	"array_distinct":      "list_distinct",
	"array_max":           "list_max",
	"array_min":           "list_min",
	"array_sort":          "list_sort",
	"array_position":      "list_position",
	"filter":              "list_filter",
	"transform":           "list_transform",
	"is_nan":              "isnan",
	"is_finite":           "isfinite",
	"is_infinite":         "isinf",
	"char_length":         "length",
	"codepoint":           "unicode",
	"log10":               "log10",
	"typeof":              "typeof",
}

// mysqlDateFormat maps date_format's MySQL-style specifiers to strftime's.
var mysqlDateFormat = map[byte]string{
	'Y': "%Y", 'y': "%y", 'm': "%m", 'c': "%-m", 'd': "%d", 'e': "%-d", 'H': "%H", 'k': "%-H",
	'h': "%I", 'I': "%I", 'l': "%-I", 'i': "%M", 's': "%S", 'S': "%S", 'f': "%f", 'p': "%p",
	'M': "%B", 'b': "%b", 'W': "%A", 'a': "%a", 'j': "%j", 'T': "%H:%M:%S", 'r': "%I:%M:%S %p", '%': "%%",
}

// translatedQuery is a query in DuckDB SQL.
type translatedQuery struct {
	sql   string
	hints map[int]athenaTypeHint
	refs  []athenaName
}

// translateQuery translates the tokens of a query (SELECT, WITH, VALUES or a
// parenthesised query).
func translateQuery(toks []sqlToken) (translatedQuery, error) {
	if len(toks) == 0 {
		return translatedQuery{}, syntaxErr("expected a query")
	}
	if t := toks[0]; !(t.is("select") || t.is("with") || t.is("values") || t.isPunct("(")) {
		return translatedQuery{}, syntaxErr("expected SELECT, WITH or VALUES at %q", t.text)
	}
	depth := 0
	for _, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		}
		if depth < 0 {
			return translatedQuery{}, syntaxErr("unbalanced parentheses at %q", t.text)
		}
	}
	if depth != 0 {
		return translatedQuery{}, syntaxErr("unbalanced parentheses")
	}
	hints := selectHints(toks)
	out, err := rewriteTokens(toks)
	if err != nil {
		return translatedQuery{}, err
	}
	return translatedQuery{sql: sqlJoin(out), hints: hints, refs: tableRefs(toks)}, nil
}

// rewriteTokens applies the token rewrites.
func rewriteTokens(toks []sqlToken) ([]sqlToken, error) {
	out := make([]sqlToken, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := sqlToken{}
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case t.kind == sqlIdent && (t.text == "X" || t.text == "x") && next.kind == sqlString && next.pos == t.pos+1:
			out = append(out, sqlToken{kind: sqlIdent, text: "from_hex"}, sqlToken{kind: sqlPunct, text: "("},
				next, sqlToken{kind: sqlPunct, text: ")"})
			i++
		case (t.is("cast") || t.is("try_cast")) && next.isPunct("("):
			end := matchingParen(toks, i+1)
			as := -1
			depth := 0
			for j := i + 1; j < end; j++ {
				switch {
				case toks[j].isPunct("(") || toks[j].isPunct("["):
					depth++
				case toks[j].isPunct(")") || toks[j].isPunct("]"):
					depth--
				case depth == 1 && toks[j].is("as"):
					as = j
				}
			}
			if as < 0 {
				return nil, syntaxErr("CAST without AS at %q", t.text)
			}
			inner, err := rewriteTokens(toks[i+2 : as])
			if err != nil {
				return nil, err
			}
			duck, _, err := trinoType(toks[as+1 : end])
			if err != nil {
				return nil, err
			}
			out = append(out, t, next)
			out = append(out, inner...)
			out = append(out, sqlToken{kind: sqlIdent, text: "AS"}, sqlToken{kind: sqlIdent, text: duck}, toks[end])
			i = end
		case t.kind == sqlIdent && next.isPunct("(") && (i == 0 || !toks[i-1].isPunct(".")):
			name := strings.ToLower(t.text)
			if to, ok := athenaFunctions[name]; ok {
				t.text = to
			}
			out = append(out, t)
			if name == "date_format" {
				// Map the format literal when it is the last argument.
				end := matchingParen(toks, i+1)
				if end > i+2 && toks[end-1].kind == sqlString && toks[end-2].isPunct(",") {
					inner, err := rewriteTokens(toks[i+1 : end-1])
					if err != nil {
						return nil, err
					}
					out = append(out, inner...)
					f := mysqlToStrftime(toks[end-1].value)
					out = append(out, sqlToken{kind: sqlString, text: sqlQuoteString(f), value: f}, toks[end])
					i = end
				}
			}
		default:
			out = append(out, t)
		}
	}
	return out, nil
}

// mysqlToStrftime maps a date_format pattern to strftime's.
func mysqlToStrftime(f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '%' && i+1 < len(f) {
			if s, ok := mysqlDateFormat[f[i+1]]; ok {
				b.WriteString(s)
				i++
				continue
			}
		}
		b.WriteByte(f[i])
	}
	return b.String()
}

// trinoType translates a Trino DML type to a DuckDB type, with the Athena
// hint when DuckDB cannot carry the type itself.
func trinoType(toks []sqlToken) (duck string, hint athenaTypeHint, err error) {
	p := &sqlParser{toks: toks}
	duck, hint, err = p.trinoType(0)
	if err == nil && !p.eof() {
		err = syntaxErr("unexpected %q in type", p.peek().text)
	}
	return duck, hint, err
}

// maxTypeDepth bounds nesting of types, so hostile input cannot exhaust the
// stack.
const maxTypeDepth = 64

func (p *sqlParser) typeParams() ([]int, error) {
	if !p.peek().isPunct("(") {
		return nil, nil
	}
	p.at++
	var ns []int
	for {
		t := p.peek()
		if t.kind != sqlNumber {
			return nil, syntaxErr("expected a number in type parameters %s", p.where())
		}
		n, err := strconv.Atoi(t.text)
		if err != nil || n < 0 || n > 1<<31-1 {
			return nil, syntaxErr("bad type parameter %q", t.text)
		}
		ns = append(ns, n)
		p.at++
		if p.peek().isPunct(")") {
			p.at++
			return ns, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

func (p *sqlParser) trinoType(depth int) (string, athenaTypeHint, error) {
	if depth > maxTypeDepth {
		return "", athenaTypeHint{}, syntaxErr("type nested too deeply")
	}
	name, err := p.ident()
	if err != nil {
		return "", athenaTypeHint{}, err
	}
	simple := map[string]string{
		"boolean": "BOOLEAN", "tinyint": "TINYINT", "smallint": "SMALLINT", "integer": "INTEGER", "int": "INTEGER",
		"bigint": "BIGINT", "real": "FLOAT", "float": "FLOAT", "date": "DATE", "varbinary": "BLOB", "json": "JSON",
		"uuid": "UUID",
	}
	if d, ok := simple[name]; ok {
		return d, athenaTypeHint{}, nil
	}
	switch name {
	case "double":
		p.accept("precision")
		return "DOUBLE", athenaTypeHint{}, nil
	case "varchar", "string":
		ps, err := p.typeParams()
		if err != nil {
			return "", athenaTypeHint{}, err
		}
		if len(ps) == 1 {
			return "VARCHAR", athenaTypeHint{Type: "varchar", Precision: ps[0]}, nil
		}
		return "VARCHAR", athenaTypeHint{}, nil
	case "char":
		ps, err := p.typeParams()
		if err != nil {
			return "", athenaTypeHint{}, err
		}
		n := 1
		if len(ps) == 1 {
			n = ps[0]
		}
		return "VARCHAR", athenaTypeHint{Type: "char", Precision: n}, nil
	case "ipaddress":
		return "VARCHAR", athenaTypeHint{Type: "ipaddress"}, nil
	case "decimal", "numeric":
		ps, err := p.typeParams()
		if err != nil {
			return "", athenaTypeHint{}, err
		}
		switch len(ps) {
		case 0:
			return "DECIMAL(38,0)", athenaTypeHint{}, nil
		case 1:
			ps = append(ps, 0)
		}
		if len(ps) != 2 || ps[0] < 1 || ps[0] > 38 || ps[1] > ps[0] {
			return "", athenaTypeHint{}, syntaxErr("bad DECIMAL precision or scale")
		}
		return "DECIMAL(" + strconv.Itoa(ps[0]) + "," + strconv.Itoa(ps[1]) + ")", athenaTypeHint{}, nil
	case "time", "timestamp":
		if _, err := p.typeParams(); err != nil {
			return "", athenaTypeHint{}, err
		}
		if p.accept("with", "time", "zone") {
			return strings.ToUpper(name) + " WITH TIME ZONE", athenaTypeHint{}, nil
		}
		p.accept("without", "time", "zone")
		return strings.ToUpper(name), athenaTypeHint{}, nil
	case "interval":
		switch {
		case p.accept("year", "to", "month"):
			return "INTERVAL", athenaTypeHint{Type: "interval year to month"}, nil
		case p.accept("day", "to", "second"):
			return "INTERVAL", athenaTypeHint{Type: "interval day to second"}, nil
		}
		return "", athenaTypeHint{}, syntaxErr("expected YEAR TO MONTH or DAY TO SECOND after INTERVAL")
	case "array":
		if err := p.expectPunct("("); err != nil {
			return "", athenaTypeHint{}, err
		}
		elem, _, err := p.trinoType(depth + 1)
		if err != nil {
			return "", athenaTypeHint{}, err
		}
		if err := p.expectPunct(")"); err != nil {
			return "", athenaTypeHint{}, err
		}
		return elem + "[]", athenaTypeHint{}, nil
	case "map":
		if err := p.expectPunct("("); err != nil {
			return "", athenaTypeHint{}, err
		}
		k, _, err := p.trinoType(depth + 1)
		if err != nil {
			return "", athenaTypeHint{}, err
		}
		if err := p.expectPunct(","); err != nil {
			return "", athenaTypeHint{}, err
		}
		v, _, err := p.trinoType(depth + 1)
		if err != nil {
			return "", athenaTypeHint{}, err
		}
		if err := p.expectPunct(")"); err != nil {
			return "", athenaTypeHint{}, err
		}
		return "MAP(" + k + ", " + v + ")", athenaTypeHint{}, nil
	case "row":
		if err := p.expectPunct("("); err != nil {
			return "", athenaTypeHint{}, err
		}
		var fields []string
		for i := 1; ; i++ {
			// A field is "name type" or just "type" (named field<i> as
			// Trino renders anonymous fields).
			fname := "field" + strconv.Itoa(i-1)
			if t := p.peek(); (t.kind == sqlIdent || t.kind == sqlQuoted) && p.at+1 < len(p.toks) {
				if nt := p.toks[p.at+1]; nt.kind == sqlIdent || nt.kind == sqlQuoted {
					fname, _ = t.name()
					p.at++
				}
			}
			ft, _, err := p.trinoType(depth + 1)
			if err != nil {
				return "", athenaTypeHint{}, err
			}
			fields = append(fields, sqlQuoteIdent(fname)+" "+ft)
			if p.peek().isPunct(")") {
				p.at++
				break
			}
			if err := p.expectPunct(","); err != nil {
				return "", athenaTypeHint{}, err
			}
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", athenaTypeHint{}, nil
	}
	return "", athenaTypeHint{}, syntaxErr("Unknown type: %s", name)
}

// selectHints finds the output columns of the outermost SELECT whose
// declared Athena type DuckDB cannot carry: CAST(... AS char(n)) and the
// like, a bare NULL (Athena's "unknown") and interval literals.
func selectHints(toks []sqlToken) map[int]athenaTypeHint {
	// The outermost SELECT: the first one at depth 0 (WITH bodies are in
	// parentheses).
	start, depth := -1, 0
	for i, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case depth == 0 && t.is("select"):
			start = i + 1
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 {
		return nil
	}
	if start < len(toks) && (toks[start].is("distinct") || toks[start].is("all")) {
		start++
	}
	var items [][]sqlToken
	itemStart := start
	depth = 0
	end := len(toks)
loop:
	for i := start; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case depth == 0 && t.isPunct(","):
			items = append(items, toks[itemStart:i])
			itemStart = i + 1
		case depth == 0 && (t.is("from") || t.is("where") || t.is("group") || t.is("having") || t.is("order") ||
			t.is("limit") || t.is("union") || t.is("intersect") || t.is("except") || t.is("window") ||
			t.is("offset") || t.is("fetch")):
			end = i
			break loop
		}
	}
	items = append(items, toks[itemStart:end])
	hints := map[int]athenaTypeHint{}
	for i, item := range items {
		// A * expands to an unknown number of columns: positions after it
		// are unknown.
		for _, t := range item {
			if t.isPunct("*") && len(item) <= 3 {
				return hints
			}
		}
		// Drop the alias.
		if n := len(item); n >= 2 && item[n-2].is("as") {
			item = item[:n-2]
		} else if n >= 2 && (item[n-1].kind == sqlIdent || item[n-1].kind == sqlQuoted) && !item[n-2].is("interval") &&
			!item[n-1].is("month") && !item[n-1].is("year") && !item[n-1].is("day") && !item[n-1].is("hour") &&
			!item[n-1].is("minute") && !item[n-1].is("second") {
			if prev := item[n-2]; prev.isPunct(")") || prev.kind == sqlString || prev.kind == sqlNumber || prev.kind == sqlIdent || prev.kind == sqlQuoted {
				item = item[:n-1]
			}
		}
		switch {
		case len(item) == 1 && item[0].is("null"):
			hints[i] = athenaTypeHint{Type: "unknown"}
		case len(item) >= 3 && item[0].is("interval"):
			last := item[len(item)-1]
			if last.is("year") || last.is("month") {
				hints[i] = athenaTypeHint{Type: "interval year to month"}
			} else {
				hints[i] = athenaTypeHint{Type: "interval day to second"}
			}
		case len(item) >= 4 && (item[0].is("cast") || item[0].is("try_cast")) && item[1].isPunct("(") && matchingParen(item, 1) == len(item)-1:
			depth := 0
			for j := 1; j < len(item)-1; j++ {
				switch {
				case item[j].isPunct("(") || item[j].isPunct("["):
					depth++
				case item[j].isPunct(")") || item[j].isPunct("]"):
					depth--
				case depth == 1 && item[j].is("as"):
					if _, h, err := trinoType(item[j+1 : len(item)-1]); err == nil && h.Type != "" {
						hints[i] = h
					}
				}
			}
		}
	}
	return hints
}

// tableRefs lists the identifier chains of a query that may name tables:
// every chain of one to three names that is not a function call, a
// qualified column (after a dot) or the alias after AS.
func tableRefs(toks []sqlToken) []athenaName {
	var refs []athenaName
	seen := map[athenaName]bool{}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != sqlIdent && t.kind != sqlQuoted {
			continue
		}
		if i > 0 && (toks[i-1].isPunct(".") || toks[i-1].is("as")) {
			continue
		}
		parts := []string{}
		j := i
		for j < len(toks) {
			n, ok := toks[j].name()
			if !ok {
				break
			}
			parts = append(parts, n)
			if j+2 < len(toks) && toks[j+1].isPunct(".") {
				j += 2
				continue
			}
			break
		}
		if j+1 < len(toks) && toks[j+1].isPunct("(") {
			i = j
			continue
		}
		i = j
		var n athenaName
		switch len(parts) {
		case 1:
			n = athenaName{Table: parts[0]}
		case 2:
			n = athenaName{Database: parts[0], Table: parts[1]}
		case 3:
			n = athenaName{Database: parts[1], Table: parts[2]}
		default:
			continue
		}
		if !seen[n] {
			seen[n] = true
			refs = append(refs, n)
		}
	}
	return refs
}
