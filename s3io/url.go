package s3io

import (
	"fmt"
	"net"
	"strings"
	"unicode/utf8"
)

// maxKeyBytes is S3's limit on the length of a key in UTF-8 bytes.
const maxKeyBytes = 1024

// URL is a parsed s3://bucket/key. Key may be empty (the whole bucket), end
// in "/" (a prefix), or be a glob pattern.
//
// Glob syntax, matched against whole keys:
//
//   - any run of characters except "/"
//     **     any run of characters, "/" included; "**/" also matches nothing,
//     so s3://b/a/**/x.csv matches a/x.csv and a/1/2/x.csv
//     ?      one character except "/"
//     [abc]  one character of the class; ranges [a-z]; negation [!a-z] or [^a-z]
//     \c     the character c literally (\*, \?, \[, \\)
type URL struct {
	Bucket string
	// Key is the key or pattern as written, escapes included.
	Key string

	glob []globToken // nil when Key has no wildcard
}

// ParseURL parses s3://bucket/key, s3://bucket/prefix/ or a glob. It
// checks the bucket name against S3's naming rules, the key's length (at
// most 1,024 UTF-8 bytes) and encoding, and the glob syntax, and returns an
// error wrapping ErrInvalidURL that says what is wrong.
func ParseURL(s string) (URL, error) {
	fail := func(format string, args ...any) (URL, error) {
		return URL{}, fmt.Errorf("s3io: parse %q: %s: %w", s, fmt.Sprintf(format, args...), ErrInvalidURL)
	}
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		if i := strings.Index(s, "://"); i >= 0 {
			return fail("scheme %q is not s3", s[:i])
		}
		return fail("missing s3:// scheme")
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if reason := badBucket(bucket); reason != "" {
		return fail("bucket %q %s", bucket, reason)
	}
	if !utf8.ValidString(key) {
		return fail("key is not valid UTF-8")
	}
	if len(key) > maxKeyBytes {
		return fail("key is %d bytes, S3 allows %d", len(key), maxKeyBytes)
	}
	u := URL{Bucket: bucket, Key: key}
	toks, isGlob, err := compileGlob(key)
	if err != nil {
		return fail("%v", err)
	}
	if isGlob {
		u.glob = toks
	}
	return u, nil
}

// MustParseURL is ParseURL for constants in tests and examples: it panics
// on a malformed URL.
func MustParseURL(s string) URL {
	u, err := ParseURL(s)
	if err != nil {
		panic(err)
	}
	return u
}

// badBucket says why name breaks S3's bucket naming rules, or "" if it
// does not.
func badBucket(name string) string {
	switch {
	case name == "":
		return "is empty"
	case len(name) < 3 || len(name) > 63:
		return fmt.Sprintf("is %d characters long, want 3 to 63", len(name))
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '.' || r == '-':
			if i == 0 || i == len(name)-1 {
				return "must begin and end with a lowercase letter or digit"
			}
		case r >= 'A' && r <= 'Z':
			return "has an uppercase letter (bucket names are lowercase)"
		case strings.ContainsRune("*?[]", r):
			return "has a wildcard (globs apply to keys only)"
		default:
			return fmt.Sprintf("has the character %q (allowed: a-z 0-9 . -)", r)
		}
	}
	switch {
	case strings.Contains(name, ".."):
		return "has two adjacent periods"
	case net.ParseIP(name) != nil:
		return "is formatted as an IP address"
	case strings.HasPrefix(name, "xn--"):
		return `begins with the reserved prefix "xn--"`
	case strings.HasSuffix(name, "-s3alias"), strings.HasSuffix(name, "--ol-s3"):
		return "ends with a reserved access-point alias suffix"
	}
	return ""
}

// String returns the URL as s3://bucket/key.
func (u URL) String() string { return "s3://" + u.Bucket + "/" + u.Key }

// IsGlob reports whether the key has wildcards.
func (u URL) IsGlob() bool { return u.glob != nil }

// IsPrefix reports whether the URL names a prefix rather than one object:
// an empty key or one ending in "/".
func (u URL) IsPrefix() bool { return !u.IsGlob() && (u.Key == "" || strings.HasSuffix(u.Key, "/")) }

// Prefix returns the longest literal prefix of the key, with escapes
// removed: the whole key for a plain URL, the text before the first wildcard
// for a glob. Listing this prefix finds every key the glob can match.
func (u URL) Prefix() string {
	if u.glob == nil {
		return u.Key
	}
	var b strings.Builder
	for _, t := range u.glob {
		if t.kind != tokLiteral {
			break
		}
		b.WriteRune(t.r)
	}
	return b.String()
}

// Match reports whether key matches the URL: the glob for a glob, the
// prefix for a prefix URL, equality otherwise.
func (u URL) Match(key string) bool {
	switch {
	case u.glob != nil:
		return matchGlob(u.glob, key)
	case u.IsPrefix():
		return strings.HasPrefix(key, u.Key)
	}
	return key == u.Key
}

// WithKey returns the URL of another key in the same bucket.
func (u URL) WithKey(key string) URL { return URL{Bucket: u.Bucket, Key: key} }

type tokKind uint8

const (
	tokLiteral    tokKind = iota
	tokAny                // ?
	tokStar               // *
	tokDoubleStar         // ** not followed by /
	tokDirs               // **/ : zero or more whole path segments
	tokClass              // [...]
)

type globToken struct {
	kind   tokKind
	r      rune      // tokLiteral
	negate bool      // tokClass
	ranges [][2]rune // tokClass, inclusive
}

// compileGlob tokenises a key pattern. isGlob is false when the key has no
// wildcard, escapes included (an escaped character is still a literal).
func compileGlob(p string) (toks []globToken, isGlob bool, err error) {
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		switch r {
		case '\\':
			if i+w >= len(p) {
				return nil, false, fmt.Errorf("pattern ends in an unfinished escape %q", `\`)
			}
			r2, w2 := utf8.DecodeRuneInString(p[i+w:])
			toks = append(toks, globToken{kind: tokLiteral, r: r2})
			isGlob = true // escapes only mean something in a pattern
			i += w + w2
		case '?':
			toks = append(toks, globToken{kind: tokAny})
			isGlob = true
			i += w
		case '*':
			isGlob = true
			if strings.HasPrefix(p[i:], "**") {
				if strings.HasPrefix(p[i:], "***") {
					return nil, false, fmt.Errorf("pattern has %q at byte %d; use * or **", "***", i)
				}
				if strings.HasPrefix(p[i+2:], "/") {
					toks = append(toks, globToken{kind: tokDirs})
					i += 3
				} else {
					toks = append(toks, globToken{kind: tokDoubleStar})
					i += 2
				}
				continue
			}
			toks = append(toks, globToken{kind: tokStar})
			i += w
		case '[':
			tok, n, err := compileClass(p[i:])
			if err != nil {
				return nil, false, fmt.Errorf("character class at byte %d: %v", i, err)
			}
			toks = append(toks, tok)
			isGlob = true
			i += n
		case ']':
			return nil, false, fmt.Errorf("unmatched ] at byte %d (escape it as \\])", i)
		default:
			toks = append(toks, globToken{kind: tokLiteral, r: r})
			i += w
		}
	}
	return toks, isGlob, nil
}

// compileClass parses a class starting at p[0] == '[' and returns its
// length in bytes.
func compileClass(p string) (globToken, int, error) {
	tok := globToken{kind: tokClass}
	i := 1
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		tok.negate = true
		i++
	}
	first := true
	for {
		if i >= len(p) {
			return tok, 0, fmt.Errorf("missing closing ]")
		}
		r, w := utf8.DecodeRuneInString(p[i:])
		if r == ']' && !first {
			i += w
			break
		}
		first = false
		if r == '\\' {
			if i+w >= len(p) {
				return tok, 0, fmt.Errorf("unfinished escape")
			}
			i += w
			r, w = utf8.DecodeRuneInString(p[i:])
		}
		i += w
		lo, hi := r, r
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			r2, w2 := utf8.DecodeRuneInString(p[i+1:])
			if r2 == '\\' {
				if i+1+w2 >= len(p) {
					return tok, 0, fmt.Errorf("unfinished escape")
				}
				r2, w2 = utf8.DecodeRuneInString(p[i+1+w2:])
				w2++
			}
			if r2 < lo {
				return tok, 0, fmt.Errorf("range %c-%c is reversed", lo, r2)
			}
			hi = r2
			i += 1 + w2
		}
		tok.ranges = append(tok.ranges, [2]rune{lo, hi})
	}
	return tok, i, nil
}

func (t globToken) matchesRune(r rune) bool {
	switch t.kind {
	case tokLiteral:
		return t.r == r
	case tokAny:
		return r != '/'
	case tokClass:
		if r == '/' {
			return false
		}
		in := false
		for _, rg := range t.ranges {
			if r >= rg[0] && r <= rg[1] {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

// matchGlob runs the pattern as an NFA over the key's runes: the set of
// pattern positions reachable so far, advanced one rune at a time. It takes
// O(len(key) x len(pattern)) time whatever the pattern, so a hostile
// pattern cannot make matching exponential.
func matchGlob(toks []globToken, key string) bool {
	n := len(toks)
	cur := make([]bool, n+1)
	next := make([]bool, n+1)
	cur[0] = true
	closure(toks, cur)
	for _, r := range key {
		clear(next)
		alive := false
		for i := 0; i < n; i++ {
			if !cur[i] {
				continue
			}
			t := toks[i]
			switch t.kind {
			case tokStar:
				if r != '/' {
					next[i] = true
					alive = true
				}
			case tokDoubleStar:
				next[i] = true
				alive = true
			case tokDirs:
				next[i] = true
				alive = true
				if r == '/' {
					next[i+1] = true
				}
			default:
				if t.matchesRune(r) {
					next[i+1] = true
					alive = true
				}
			}
		}
		if !alive {
			return false
		}
		closure(toks, next)
		cur, next = next, cur
	}
	return cur[n]
}

// closure adds the positions reachable without consuming a rune: past a *,
// ** or **/ that matches nothing.
func closure(toks []globToken, set []bool) {
	for i := 0; i < len(toks); i++ {
		if set[i] {
			switch toks[i].kind {
			case tokStar, tokDoubleStar, tokDirs:
				set[i+1] = true
			}
		}
	}
}
