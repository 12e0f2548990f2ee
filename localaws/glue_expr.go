package localaws

// The GetPartitions Expression language (AWS-FACTS.md 2.4): a SQL WHERE
// clause over the partition keys, which AWS parses with JSQLParser.
//
//	expr      = or
//	or        = and { OR and }
//	and       = unary { AND unary }
//	unary     = NOT unary | primary
//	primary   = "(" expr ")" | predicate
//	predicate = operand ( cmpop operand
//	                    | [NOT] IN "(" operand { "," operand } ")"
//	                    | [NOT] BETWEEN operand AND operand
//	                    | [NOT] LIKE operand
//	                    | IS [NOT] NULL )
//	cmpop     = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//	operand   = key | 'string' | number | DATE 'yyyy-mm-dd' | TIMESTAMP '…'
//	key       = identifier | `quoted` | "quoted"
//
// Keywords are case-insensitive; key names match case-insensitively (Glue
// stores them lowercased). A string literal doubles a quote to contain one
// ('it''s'). A comparison puts a key against a literal, on either side.
//
// Typing follows the partition key's declared type, as AWS does:
//   - string, char(n), varchar(n) (and keys without a type): text order;
//   - int, integer, bigint, long, smallint, tinyint: numeric (int64);
//   - decimal(p,s): exact decimal order;
//   - date ('yyyy-mm-dd') and timestamp ('yyyy-mm-dd hh:mm:ss[.f…]'): time
//     order.
//
// AWS supports no other key types in expressions; naming a key of another
// type is InvalidInputException. A literal that is not a value of its key's
// type (year > 'abc' for an int key) is InvalidInputException at compile
// time. LIKE matches the partition value's text with % (any run) and _ (one
// character), case-sensitively, whatever the key type.
//
// Partition values are never NULL in Glue (they are strings), so IS NULL is
// false and IS NOT NULL true; NULL is accepted only there. Evaluation uses
// SQL's three-valued logic for a partition that has fewer values than the
// table has keys (possible after an UpdateTable changed the keys): the
// missing value is NULL.
//
// Guesses, as AWS documents none of them:
//   - a numeric literal against a string key compares as the literal's text
//     (year = 2024 matches the value "2024");
//   - a stored value that is not a value of its key's type (an int key
//     holding "null") fails the call with InvalidStateException, the error
//     real Glue answers with (third-party report: aws/aws-sdk#670, message
//     `For input string: "null" is not an integer.`);
//   - error messages name the problem and its 1-based character position.

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// glueExprMaxDepth bounds the nesting of parentheses and NOT, far beyond
// any real filter; the 2048-character limit would bound it anyway.
const glueExprMaxDepth = 100

// gxType is the comparison type of a partition key.
type gxType int

const (
	gxString gxType = iota
	gxInt
	gxDecimal
	gxDate
	gxTimestamp
	gxUnsupported
)

// gxKeyType maps a Hive type name to its comparison type.
func gxKeyType(hiveType *string) gxType {
	if hiveType == nil {
		return gxString
	}
	t := strings.ToLower(strings.TrimSpace(*hiveType))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "", "string", "char", "varchar":
		return gxString
	case "int", "integer", "bigint", "long", "smallint", "tinyint":
		return gxInt
	case "decimal":
		return gxDecimal
	case "date":
		return gxDate
	case "timestamp":
		return gxTimestamp
	}
	return gxUnsupported
}

// String names a comparison type in messages.
func (t gxType) String() string {
	switch t {
	case gxString:
		return "string"
	case gxInt:
		return "an integer"
	case gxDecimal:
		return "a decimal"
	case gxDate:
		return "a date"
	case gxTimestamp:
		return "a timestamp"
	}
	return "unsupported"
}

// gxValue is a typed value: the member matching its type is set.
type gxValue struct {
	s string
	i int64
	d *big.Rat
	t time.Time
}

// gxDecimalPattern is a plain decimal number; big.Rat would also accept
// fractions such as "1/2", which are no SQL literals.
var gxDecimalPattern = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?$`)

// gxParse converts text to a value of type typ.
func gxParse(typ gxType, text string) (gxValue, bool) {
	switch typ {
	case gxString:
		return gxValue{s: text}, true
	case gxInt:
		n, err := strconv.ParseInt(text, 10, 64)
		return gxValue{i: n}, err == nil
	case gxDecimal:
		m := gxDecimalPattern.FindStringSubmatch(text)
		if m == nil {
			return gxValue{}, false
		}
		// Bound the exponent: big.Rat would build 10^n digit by digit.
		if m[1] != "" {
			exp, err := strconv.Atoi(m[1])
			if err != nil || exp > 400 || exp < -400 {
				return gxValue{}, false
			}
		}
		r, ok := new(big.Rat).SetString(text)
		return gxValue{d: r}, ok
	case gxDate:
		t, err := time.Parse("2006-01-02", text)
		return gxValue{t: t}, err == nil
	case gxTimestamp:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
			if t, err := time.Parse(layout, text); err == nil {
				return gxValue{t: t}, true
			}
		}
	}
	return gxValue{}, false
}

// gxCompare orders two values of type typ.
func gxCompare(typ gxType, a, b gxValue) int {
	switch typ {
	case gxInt:
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	case gxDecimal:
		return a.d.Cmp(b.d)
	case gxDate, gxTimestamp:
		return a.t.Compare(b.t)
	}
	return strings.Compare(a.s, b.s)
}

// gxKey is a partition key as the expression sees it.
type gxKey struct {
	name     string
	typ      gxType
	typeName string
}

// glueExpression is a compiled GetPartitions expression.
type glueExpression struct {
	keys []gxKey
	root *gxNode
}

// gxKind is the kind of an expression node.
type gxKind int

const (
	gxAnd gxKind = iota
	gxOr
	gxNot
	gxCmp     // key op lits[0]
	gxIn      // key IN lits
	gxBetween // key BETWEEN lits[0] AND lits[1]
	gxLike    // key LIKE like
	gxIsNull  // key IS NULL
)

// gxNode is one node of a compiled expression.
type gxNode struct {
	kind        gxKind
	left, right *gxNode // gxAnd, gxOr; gxNot uses left
	key         int     // index into the partition values
	op          string  // gxCmp: = <> < <= > >=
	lits        []gxValue
	like        []rune
	negate      bool // NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL
}

// gxTri is a three-valued truth value.
type gxTri int

const (
	gxFalse gxTri = iota
	gxTrue
	gxUnknown
)

// compileGlueExpression parses src against the table's partition keys. A
// blank expression compiles to nil: no filter.
func compileGlueExpression(src string, partitionKeys []glueColumn) (*glueExpression, *awsError) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	keys := make([]gxKey, len(partitionKeys))
	for i, k := range partitionKeys {
		typeName := "string"
		if k.Type != nil {
			typeName = *k.Type
		}
		keys[i] = gxKey{name: strings.ToLower(k.Name), typ: gxKeyType(k.Type), typeName: typeName}
	}
	toks, err := gxLex(src)
	if err != nil {
		return nil, err
	}
	p := &gxParser{src: src, toks: toks, keys: keys}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != gxTokEOF {
		return nil, p.errorAt(t, "unexpected %s; expected AND, OR or the end of the expression", t.describe())
	}
	return &glueExpression{keys: keys, root: root}, nil
}

// match reports whether a partition with these values passes the filter.
func (e *glueExpression) match(values []string) (bool, *awsError) {
	v, err := e.eval(e.root, values)
	return v == gxTrue, err
}

func (e *glueExpression) eval(n *gxNode, values []string) (gxTri, *awsError) {
	switch n.kind {
	case gxAnd, gxOr:
		l, err := e.eval(n.left, values)
		if err != nil {
			return gxFalse, err
		}
		if n.kind == gxAnd && l == gxFalse {
			return gxFalse, nil
		}
		if n.kind == gxOr && l == gxTrue {
			return gxTrue, nil
		}
		r, err := e.eval(n.right, values)
		if err != nil {
			return gxFalse, err
		}
		switch {
		case r == l:
			return r, nil
		case n.kind == gxAnd && r == gxFalse, n.kind == gxOr && r == gxTrue:
			return r, nil
		}
		return gxUnknown, nil
	case gxNot:
		v, err := e.eval(n.left, values)
		if err != nil || v == gxUnknown {
			return v, err
		}
		return 1 - v, nil
	}
	if n.key >= len(values) {
		// A missing value is NULL.
		if n.kind == gxIsNull {
			return gxBool(!n.negate), nil
		}
		return gxUnknown, nil
	}
	raw := values[n.key]
	key := e.keys[n.key]
	var result bool
	switch n.kind {
	case gxIsNull:
		result = false
	case gxLike:
		result = gxLikeMatch([]rune(raw), n.like)
	default:
		val, ok := gxParse(key.typ, raw)
		if !ok {
			return gxFalse, newAWSError("InvalidStateException",
				"For input string: %q is not %s.", raw, key.typ)
		}
		switch n.kind {
		case gxCmp:
			c := gxCompare(key.typ, val, n.lits[0])
			switch n.op {
			case "=":
				result = c == 0
			case "<>":
				result = c != 0
			case "<":
				result = c < 0
			case "<=":
				result = c <= 0
			case ">":
				result = c > 0
			case ">=":
				result = c >= 0
			}
		case gxIn:
			for _, lit := range n.lits {
				if gxCompare(key.typ, val, lit) == 0 {
					result = true
					break
				}
			}
		case gxBetween:
			result = gxCompare(key.typ, val, n.lits[0]) >= 0 && gxCompare(key.typ, val, n.lits[1]) <= 0
		}
	}
	if n.negate {
		result = !result
	}
	return gxBool(result), nil
}

// gxBool converts a bool.
func gxBool(b bool) gxTri {
	if b {
		return gxTrue
	}
	return gxFalse
}

// gxLikeMatch matches s against a LIKE pattern: % matches any run of
// characters, _ exactly one. It backtracks only to the last %, so it runs in
// O(len(s)·len(p)) at worst.
func gxLikeMatch(s, p []rune) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '_' || p[pi] == s[si]) && p[pi] != '%':
			si++
			pi++
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// gxTokKind is the kind of a lexical token.
type gxTokKind int

const (
	gxTokEOF gxTokKind = iota
	gxTokIdent
	gxTokQuoted
	gxTokString
	gxTokNumber
	gxTokOp     // = != <> < <= > >=
	gxTokLParen // (
	gxTokRParen // )
	gxTokComma  // ,
)

// gxToken is one lexical token; pos is its byte offset in the source.
type gxToken struct {
	kind gxTokKind
	text string // identifier, literal value or operator
	pos  int
}

// describe names a token in an error message.
func (t gxToken) describe() string {
	switch t.kind {
	case gxTokEOF:
		return "end of expression"
	case gxTokString:
		return fmt.Sprintf("string '%s'", strings.ReplaceAll(t.text, "'", "''"))
	case gxTokNumber:
		return "number " + t.text
	case gxTokQuoted:
		return fmt.Sprintf("identifier %q", t.text)
	case gxTokIdent:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// gxError builds the InvalidInputException for a problem at byte offset
// pos of src.
func gxError(src string, pos int, format string, args ...any) *awsError {
	if pos > len(src) {
		pos = len(src)
	}
	col := utf8.RuneCountInString(src[:pos]) + 1
	return newAWSError("InvalidInputException", "Invalid partition expression: %s at position %d",
		fmt.Sprintf(format, args...), col)
}

// gxLex splits an expression into tokens.
func gxLex(src string) ([]gxToken, *awsError) {
	var toks []gxToken
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, gxToken{kind: gxTokLParen, text: "(", pos: i})
			i++
		case c == ')':
			toks = append(toks, gxToken{kind: gxTokRParen, text: ")", pos: i})
			i++
		case c == ',':
			toks = append(toks, gxToken{kind: gxTokComma, text: ",", pos: i})
			i++
		case c == '=':
			toks = append(toks, gxToken{kind: gxTokOp, text: "=", pos: i})
			i++
		case c == '!':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, gxToken{kind: gxTokOp, text: "<>", pos: i})
				i += 2
				continue
			}
			return nil, gxError(src, i, "unexpected character '!' (did you mean '!='?)")
		case c == '<':
			switch {
			case i+1 < len(src) && src[i+1] == '=':
				toks = append(toks, gxToken{kind: gxTokOp, text: "<=", pos: i})
				i += 2
			case i+1 < len(src) && src[i+1] == '>':
				toks = append(toks, gxToken{kind: gxTokOp, text: "<>", pos: i})
				i += 2
			default:
				toks = append(toks, gxToken{kind: gxTokOp, text: "<", pos: i})
				i++
			}
		case c == '>':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, gxToken{kind: gxTokOp, text: ">=", pos: i})
				i += 2
			} else {
				toks = append(toks, gxToken{kind: gxTokOp, text: ">", pos: i})
				i++
			}
		case c == '\'' || c == '"' || c == '`':
			text, next, ok := gxQuoted(src, i)
			if !ok {
				return nil, gxError(src, i, "unterminated quoted text starting with %c", c)
			}
			kind := gxTokQuoted
			if c == '\'' {
				kind = gxTokString
			}
			toks = append(toks, gxToken{kind: kind, text: text, pos: i})
			i = next
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			start := i
			i = gxScanNumber(src, i)
			toks = append(toks, gxToken{kind: gxTokNumber, text: src[start:i], pos: start})
		case c == '-' || c == '+':
			// A sign belongs to the number that follows it.
			if j := i + 1; j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				end := gxScanNumber(src, j)
				if end > j && strings.ContainsAny(src[j:end], "0123456789") {
					toks = append(toks, gxToken{kind: gxTokNumber, text: src[i:end], pos: i})
					i = end
					continue
				}
			}
			return nil, gxError(src, i, "unexpected character '%c': arithmetic is not supported", c)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			start := i
			for i < len(src) && (src[i] == '_' || src[i] == '$' || src[i] >= 'a' && src[i] <= 'z' ||
				src[i] >= 'A' && src[i] <= 'Z' || src[i] >= '0' && src[i] <= '9') {
				i++
			}
			toks = append(toks, gxToken{kind: gxTokIdent, text: src[start:i], pos: start})
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, gxError(src, i, "unexpected character %q", r)
		}
	}
	toks = append(toks, gxToken{kind: gxTokEOF, pos: len(src)})
	return toks, nil
}

// gxQuoted reads quoted text starting at src[i]; a doubled quote stands for
// one. It returns the text, the offset after the closing quote, and whether
// the quote was closed.
func gxQuoted(src string, i int) (string, int, bool) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		if src[j] != q {
			b.WriteByte(src[j])
			continue
		}
		if j+1 < len(src) && src[j+1] == q {
			b.WriteByte(q)
			j++
			continue
		}
		return b.String(), j + 1, true
	}
	return "", len(src), false
}

// gxScanNumber returns the end of the number starting at src[i]: digits, an
// optional fraction and an optional exponent.
func gxScanNumber(src string, i int) int {
	digits := func() {
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	digits()
	if i < len(src) && src[i] == '.' {
		i++
		digits()
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && src[j] >= '0' && src[j] <= '9' {
			i = j
			digits()
		}
	}
	return i
}

// gxParser is a recursive-descent parser over the tokens.
type gxParser struct {
	src  string
	toks []gxToken
	at   int
	keys []gxKey
}

func (p *gxParser) peek() gxToken { return p.toks[p.at] }

func (p *gxParser) next() gxToken {
	t := p.toks[p.at]
	if t.kind != gxTokEOF {
		p.at++
	}
	return t
}

// isKeyword reports whether t is the bare keyword kw.
func (t gxToken) isKeyword(kw string) bool {
	return t.kind == gxTokIdent && strings.EqualFold(t.text, kw)
}

// gxReserved are the keywords that cannot name a key unquoted.
var gxReserved = map[string]bool{"and": true, "or": true, "not": true, "in": true, "between": true,
	"like": true, "is": true, "null": true}

func (p *gxParser) errorAt(t gxToken, format string, args ...any) *awsError {
	return gxError(p.src, t.pos, format, args...)
}

func (p *gxParser) parseOr(depth int) (*gxNode, *awsError) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().isKeyword("or") {
		p.next()
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &gxNode{kind: gxOr, left: left, right: right}
	}
	return left, nil
}

func (p *gxParser) parseAnd(depth int) (*gxNode, *awsError) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().isKeyword("and") {
		p.next()
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		left = &gxNode{kind: gxAnd, left: left, right: right}
	}
	return left, nil
}

func (p *gxParser) parseUnary(depth int) (*gxNode, *awsError) {
	if depth > glueExprMaxDepth {
		return nil, p.errorAt(p.peek(), "expression nested more than %d levels deep", glueExprMaxDepth)
	}
	t := p.peek()
	if t.isKeyword("not") {
		p.next()
		inner, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &gxNode{kind: gxNot, left: inner}, nil
	}
	if t.kind == gxTokLParen {
		p.next()
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if closing := p.next(); closing.kind != gxTokRParen {
			return nil, p.errorAt(closing, "expected ')' to close the '(' at position %d, found %s",
				utf8.RuneCountInString(p.src[:t.pos])+1, closing.describe())
		}
		return inner, nil
	}
	return p.parsePredicate()
}

// gxOperand is a parsed operand: a key (key >= 0) or a literal.
type gxOperand struct {
	tok     gxToken
	key     int // -1 for a literal
	literal string
	isNull  bool
	isText  bool // a quoted string (or a typed DATE/TIMESTAMP literal)
}

func (p *gxParser) parseOperand() (gxOperand, *awsError) {
	t := p.next()
	switch t.kind {
	case gxTokString:
		return gxOperand{tok: t, key: -1, literal: t.text, isText: true}, nil
	case gxTokNumber:
		return gxOperand{tok: t, key: -1, literal: t.text}, nil
	case gxTokQuoted:
		return p.resolveKey(t)
	case gxTokIdent:
		lower := strings.ToLower(t.text)
		if (lower == "date" || lower == "timestamp") && p.peek().kind == gxTokString {
			lit := p.next()
			return gxOperand{tok: t, key: -1, literal: lit.text, isText: true}, nil
		}
		if lower == "null" {
			return gxOperand{tok: t, key: -1, isNull: true}, nil
		}
		if gxReserved[lower] {
			return gxOperand{}, p.errorAt(t, "expected a partition key or a value, found keyword %s", strings.ToUpper(t.text))
		}
		return p.resolveKey(t)
	}
	return gxOperand{}, p.errorAt(t, "expected a partition key or a value, found %s", t.describe())
}

// resolveKey finds the partition key an identifier names.
func (p *gxParser) resolveKey(t gxToken) (gxOperand, *awsError) {
	name := strings.ToLower(t.text)
	for i, k := range p.keys {
		if k.name == name {
			if k.typ == gxUnsupported {
				return gxOperand{}, p.errorAt(t, "partition key %s has type %s, which expressions do not support "+
					"(supported: string, char, varchar, date, timestamp, int, bigint, long, tinyint, smallint, decimal)",
					k.name, k.typeName)
			}
			return gxOperand{tok: t, key: i}, nil
		}
	}
	names := make([]string, len(p.keys))
	for i, k := range p.keys {
		names[i] = k.name
	}
	if len(names) == 0 {
		return gxOperand{}, p.errorAt(t, "%q is not a partition key: the table has no partition keys", t.text)
	}
	return gxOperand{}, p.errorAt(t, "%q is not a partition key (the partition keys are %s)", t.text, strings.Join(names, ", "))
}

// literal converts a literal operand to the type of key k.
func (p *gxParser) literal(o gxOperand, k gxKey) (gxValue, *awsError) {
	if o.key >= 0 {
		return gxValue{}, p.errorAt(o.tok, "expected a value to compare %s with, found partition key %s", k.name, p.keys[o.key].name)
	}
	if o.isNull {
		return gxValue{}, p.errorAt(o.tok, "NULL can only be tested with IS NULL or IS NOT NULL")
	}
	if !o.isText && k.typ == gxString {
		// Guess: a bare number against a string key compares as its text.
		return gxValue{s: o.literal}, nil
	}
	v, ok := gxParse(k.typ, o.literal)
	if !ok {
		return gxValue{}, p.errorAt(o.tok, "'%s' is not %s, the type of partition key %s (%s)",
			o.literal, k.typ, k.name, k.typeName)
	}
	return v, nil
}

// gxFlipped gives the operator with its operands swapped: 5 < x is x > 5.
var gxFlipped = map[string]string{"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (p *gxParser) parsePredicate() (*gxNode, *awsError) {
	left, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == gxTokOp {
		p.next()
		right, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		keyOp, litOp, op := left, right, t.text
		if left.key < 0 {
			if right.key < 0 {
				return nil, p.errorAt(left.tok, "a comparison needs a partition key on one side")
			}
			keyOp, litOp, op = right, left, gxFlipped[t.text]
		}
		k := p.keys[keyOp.key]
		lit, err := p.literal(litOp, k)
		if err != nil {
			return nil, err
		}
		return &gxNode{kind: gxCmp, key: keyOp.key, op: op, lits: []gxValue{lit}}, nil
	}
	if t.isKeyword("is") {
		p.next()
		negate := false
		if p.peek().isKeyword("not") {
			p.next()
			negate = true
		}
		if n := p.next(); !n.isKeyword("null") {
			return nil, p.errorAt(n, "expected NULL after IS, found %s", n.describe())
		}
		if left.key < 0 {
			return nil, p.errorAt(left.tok, "IS NULL needs a partition key on its left")
		}
		return &gxNode{kind: gxIsNull, key: left.key, negate: negate}, nil
	}
	negate := false
	if t.isKeyword("not") {
		p.next()
		negate = true
		t = p.peek()
	}
	switch {
	case t.isKeyword("in"), t.isKeyword("between"), t.isKeyword("like"):
		p.next()
	case negate:
		return nil, p.errorAt(t, "expected IN, BETWEEN or LIKE after NOT, found %s", t.describe())
	case left.key < 0:
		return nil, p.errorAt(t, "expected a comparison operator after %s, found %s", left.tok.describe(), t.describe())
	default:
		return nil, p.errorAt(t, "expected a comparison operator (=, <>, <, <=, >, >=, IN, BETWEEN, LIKE, IS) after partition key %s, found %s",
			p.keys[left.key].name, t.describe())
	}
	if left.key < 0 {
		return nil, p.errorAt(left.tok, "%s needs a partition key on its left", strings.ToUpper(t.text))
	}
	k := p.keys[left.key]
	switch strings.ToLower(t.text) {
	case "in":
		if open := p.next(); open.kind != gxTokLParen {
			return nil, p.errorAt(open, "expected '(' after IN, found %s", open.describe())
		}
		var lits []gxValue
		for {
			o, err := p.parseOperand()
			if err != nil {
				return nil, err
			}
			v, err := p.literal(o, k)
			if err != nil {
				return nil, err
			}
			lits = append(lits, v)
			sep := p.next()
			if sep.kind == gxTokRParen {
				break
			}
			if sep.kind != gxTokComma {
				return nil, p.errorAt(sep, "expected ',' or ')' in the IN list, found %s", sep.describe())
			}
		}
		return &gxNode{kind: gxIn, key: left.key, lits: lits, negate: negate}, nil
	case "between":
		lo, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		loV, err := p.literal(lo, k)
		if err != nil {
			return nil, err
		}
		if and := p.next(); !and.isKeyword("and") {
			return nil, p.errorAt(and, "expected AND in BETWEEN, found %s", and.describe())
		}
		hi, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		hiV, err := p.literal(hi, k)
		if err != nil {
			return nil, err
		}
		return &gxNode{kind: gxBetween, key: left.key, lits: []gxValue{loV, hiV}, negate: negate}, nil
	}
	// LIKE
	o, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if o.key >= 0 || o.isNull || !o.isText {
		return nil, p.errorAt(o.tok, "LIKE needs a quoted pattern, found %s", o.tok.describe())
	}
	return &gxNode{kind: gxLike, key: left.key, like: []rune(o.literal), negate: negate}, nil
}
