package localaws

// A lexer for the Athena (Trino / Hive DDL) SQL the emulator accepts. It
// keeps every token's source text, so that the translator can rewrite a few
// tokens and hand the rest to DuckDB unchanged.

import (
	"fmt"
	"strings"
)

// sqlTokKind is the kind of a SQL token.
type sqlTokKind int

const (
	sqlIdent  sqlTokKind = iota + 1 // bare identifier or keyword
	sqlQuoted                       // "quoted" or `backquoted` identifier
	sqlString                       // 'string literal'
	sqlNumber                       // numeric literal
	sqlPunct                        // operator or punctuation
	sqlParam                        // ? placeholder
)

// sqlToken is one token: its kind, its source text and, for identifiers and
// strings, its value (unquoted, with doubled quotes undone).
type sqlToken struct {
	kind  sqlTokKind
	text  string
	value string
	pos   int // byte offset in the statement
}

// is reports whether t is the keyword kw (case-insensitive).
func (t sqlToken) is(kw string) bool {
	return t.kind == sqlIdent && strings.EqualFold(t.text, kw)
}

// isPunct reports whether t is the punctuation p.
func (t sqlToken) isPunct(p string) bool { return t.kind == sqlPunct && t.text == p }

// name is the identifier a token names, folded to lowercase as Athena folds
// names; ok is false for a token that is not an identifier.
func (t sqlToken) name() (string, bool) {
	switch t.kind {
	case sqlIdent, sqlQuoted:
		return strings.ToLower(t.value), true
	}
	return "", false
}

// sqlLex splits a statement into tokens, dropping comments and white space.
// It fails on an unterminated string, quoted identifier or block comment.
func sqlLex(src string) ([]sqlToken, error) {
	var toks []sqlToken
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", sqlLine(src, i))
			}
			i += end + 4
		case c == '\'':
			v, n, ok := sqlQuotedText(src[i:], '\'')
			if !ok {
				return nil, fmt.Errorf("line %d: unterminated string literal", sqlLine(src, i))
			}
			toks = append(toks, sqlToken{kind: sqlString, text: src[i : i+n], value: v, pos: i})
			i += n
		case c == '"' || c == '`':
			v, n, ok := sqlQuotedText(src[i:], c)
			if !ok {
				return nil, fmt.Errorf("line %d: unterminated quoted identifier", sqlLine(src, i))
			}
			if v == "" {
				return nil, fmt.Errorf("line %d: zero-length delimited identifier", sqlLine(src, i))
			}
			toks = append(toks, sqlToken{kind: sqlQuoted, text: src[i : i+n], value: v, pos: i})
			i += n
		case isSQLIdentStart(c):
			j := i + 1
			for j < len(src) && isSQLIdentPart(src[j]) {
				j++
			}
			toks = append(toks, sqlToken{kind: sqlIdent, text: src[i:j], value: src[i:j], pos: i})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			toks = append(toks, sqlToken{kind: sqlNumber, text: src[i:j], value: src[i:j], pos: i})
			i = j
		case c == '?':
			toks = append(toks, sqlToken{kind: sqlParam, text: "?", pos: i})
			i++
		default:
			n := 1
			if i+1 < len(src) {
				switch src[i : i+2] {
				case "<=", ">=", "<>", "!=", "||", "->", "=>", "::":
					n = 2
				}
			}
			if c >= 0x80 {
				return nil, fmt.Errorf("line %d: unexpected character %q", sqlLine(src, i), []rune(src[i:])[0])
			}
			toks = append(toks, sqlToken{kind: sqlPunct, text: src[i : i+n], pos: i})
			i += n
		}
	}
	return toks, nil
}

func isSQLIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isSQLIdentPart(c byte) bool {
	return isSQLIdentStart(c) || c >= '0' && c <= '9' || c == '$' || c == '@'
}

// sqlQuotedText reads a quoted token at the start of s, where a doubled
// quote stands for one. It returns the value and the token's length.
func sqlQuotedText(s string, q byte) (value string, n int, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// sqlLine is the 1-based line of a byte offset.
func sqlLine(src string, pos int) int {
	return strings.Count(src[:min(pos, len(src))], "\n") + 1
}

// sqlQuoteString writes s as a SQL string literal.
func sqlQuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sqlQuoteIdent writes s as a double-quoted identifier.
func sqlQuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// sqlJoin renders tokens back to SQL text, one space between tokens except
// where that would change the meaning (none in SQL: spaces between tokens
// are always allowed).
func sqlJoin(toks []sqlToken) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}
