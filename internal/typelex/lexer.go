// Package typelex reads the tokens of type strings, such as Glue's
// "array<struct<a:int>>" and Athena's "map(varchar, array(double))", for
// the recursive-descent parsers of the glue and athena packages:
// identifiers, single-byte punctuation and numbers, with spaces between
// them ignored, and errors that say where in the string they are.
package typelex

import (
	"fmt"
	"strconv"
)

// MaxDepth bounds nesting, so that a hostile string cannot exhaust the
// stack of a recursive parser.
const MaxDepth = 64

// Lexer is the reading state of one type string.
type Lexer struct {
	// S is the string and Pos the offset of the next byte to read.
	S   string
	Pos int
	// Kind names the grammar in errors ("Hive type"); every error wraps
	// Sentinel.
	Kind     string
	Sentinel error
	depth    int
}

// Errorf reports a problem at the current offset.
func (l *Lexer) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s %q at offset %d: %s: %w", l.Kind, l.S, l.Pos, fmt.Sprintf(format, args...), l.Sentinel)
}

// Space skips spaces, tabs and line breaks.
func (l *Lexer) Space() {
	for l.Pos < len(l.S) && (l.S[l.Pos] == ' ' || l.S[l.Pos] == '\t' || l.S[l.Pos] == '\n' || l.S[l.Pos] == '\r') {
		l.Pos++
	}
}

// Word reads an identifier (letters, digits, underscores) after any space;
// "" if there is none.
func (l *Lexer) Word() string {
	l.Space()
	start := l.Pos
	for l.Pos < len(l.S) {
		c := l.S[l.Pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			l.Pos++
			continue
		}
		break
	}
	return l.S[start:l.Pos]
}

// Peek returns the next byte after any space without reading it, or 0 at
// the end.
func (l *Lexer) Peek() byte {
	l.Space()
	if l.Pos >= len(l.S) {
		return 0
	}
	return l.S[l.Pos]
}

// Expect reads the byte c, or reports what is there instead.
func (l *Lexer) Expect(c byte) error {
	l.Space()
	if l.Pos >= len(l.S) {
		return l.Errorf("expected %q, found the end", c)
	}
	if l.S[l.Pos] != c {
		return l.Errorf("expected %q, found %q", c, l.S[l.Pos])
	}
	l.Pos++
	return nil
}

// Number reads a non-negative decimal integer up to limit.
func (l *Lexer) Number(limit int) (int, error) {
	l.Space()
	start := l.Pos
	for l.Pos < len(l.S) && l.S[l.Pos] >= '0' && l.S[l.Pos] <= '9' {
		l.Pos++
	}
	if start == l.Pos {
		return 0, l.Errorf("expected a number")
	}
	n, err := strconv.Atoi(l.S[start:l.Pos])
	if err != nil || n > limit {
		return 0, l.Errorf("number %q out of range", l.S[start:l.Pos])
	}
	return n, nil
}

// Enter starts a nested type; pair it with Leave.
func (l *Lexer) Enter() error {
	l.depth++
	if l.depth > MaxDepth {
		return l.Errorf("nested deeper than %d levels", MaxDepth)
	}
	return nil
}

// Leave ends a nested type.
func (l *Lexer) Leave() { l.depth-- }

// Rest reports an error if anything but space is left.
func (l *Lexer) Rest() error {
	l.Space()
	if l.Pos != len(l.S) {
		return l.Errorf("unexpected %q after the type", l.S[l.Pos:])
	}
	return nil
}
