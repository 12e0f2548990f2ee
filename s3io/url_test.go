package s3io

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name, in          string
		bucket, key, pre  string
		glob, prefix, bad bool
	}{
		{name: "object", in: "s3://lake/a/b.csv", bucket: "lake", key: "a/b.csv", pre: "a/b.csv"},
		{name: "bucket only", in: "s3://lake", bucket: "lake", key: "", prefix: true},
		{name: "bucket slash", in: "s3://lake/", bucket: "lake", key: "", prefix: true},
		{name: "prefix", in: "s3://lake/sales/", bucket: "lake", key: "sales/", pre: "sales/", prefix: true},
		{name: "star", in: "s3://lake/raw/2026/*.csv.gz", bucket: "lake", key: "raw/2026/*.csv.gz", pre: "raw/2026/", glob: true},
		{name: "doublestar", in: "s3://lake/raw/**/x.csv", bucket: "lake", key: "raw/**/x.csv", pre: "raw/", glob: true},
		{name: "class", in: "s3://lake/p[0-9].csv", bucket: "lake", key: "p[0-9].csv", pre: "p", glob: true},
		{name: "escaped star", in: `s3://lake/a\*b`, bucket: "lake", key: `a\*b`, pre: "a*b", glob: true},
		{name: "dotted bucket", in: "s3://my.bucket-1/k", bucket: "my.bucket-1", key: "k", pre: "k"},
		{name: "no scheme", in: "lake/a", bad: true},
		{name: "wrong scheme", in: "gs://lake/a", bad: true},
		{name: "empty bucket", in: "s3:///a", bad: true},
		{name: "short bucket", in: "s3://ab/a", bad: true},
		{name: "upper bucket", in: "s3://Lake/a", bad: true},
		{name: "underscore bucket", in: "s3://la_ke/a", bad: true},
		{name: "ip bucket", in: "s3://192.168.1.1/a", bad: true},
		{name: "double dot bucket", in: "s3://a..b/a", bad: true},
		{name: "dash end bucket", in: "s3://lake-/a", bad: true},
		{name: "glob bucket", in: "s3://la*/a", bad: true},
		{name: "unclosed class", in: "s3://lake/[abc", bad: true},
		{name: "reversed range", in: "s3://lake/[z-a]", bad: true},
		{name: "trailing escape", in: `s3://lake/a\`, bad: true},
		{name: "triple star", in: "s3://lake/***", bad: true},
		{name: "long key", in: "s3://lake/" + strings.Repeat("k", 1025), bad: true},
		{name: "invalid utf8", in: "s3://lake/\xff", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseURL(tt.in)
			if tt.bad {
				if !errors.Is(err, ErrInvalidURL) {
					t.Fatalf("got %v, want ErrInvalidURL", err)
				}
				if !strings.Contains(err.Error(), "s3io: parse") {
					t.Errorf("error %q does not say where", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Bucket != tt.bucket || u.Key != tt.key {
				t.Errorf("got bucket %q key %q, want %q %q", u.Bucket, u.Key, tt.bucket, tt.key)
			}
			if u.IsGlob() != tt.glob || u.IsPrefix() != tt.prefix {
				t.Errorf("got glob %t prefix %t, want %t %t", u.IsGlob(), u.IsPrefix(), tt.glob, tt.prefix)
			}
			if got := u.Prefix(); got != tt.pre {
				t.Errorf("got prefix %q, want %q", got, tt.pre)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{"*.csv", []string{"a.csv", ".csv"}, []string{"a/b.csv", "a.csv.gz"}},
		{"raw/*/x.csv", []string{"raw/1/x.csv"}, []string{"raw/x.csv", "raw/1/2/x.csv"}},
		{"raw/**/x.csv", []string{"raw/x.csv", "raw/1/x.csv", "raw/1/2/x.csv"}, []string{"raw/1/y.csv", "rawx.csv"}},
		{"raw/**", []string{"raw/", "raw/a", "raw/a/b/c"}, []string{"raw", "other/a"}},
		{"a**b", []string{"ab", "a/x/b"}, []string{"a/x/c"}},
		{"p?.csv", []string{"p1.csv", "pé.csv"}, []string{"p.csv", "p12.csv", "p/.csv"}},
		{"p[0-9][!a-c].csv", []string{"p1d.csv"}, []string{"p1a.csv", "px1.csv", "p1/.csv"}},
		{"p[^a].csv", []string{"pb.csv"}, []string{"pa.csv"}},
		{`a\*b`, []string{"a*b"}, []string{"axb"}},
		{"[]]x", []string{"]x"}, []string{"ax"}},
		{"dt=2026-*/part-*.parquet", []string{"dt=2026-01-01/part-0.parquet"}, []string{"dt=2025-01-01/part-0.parquet"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			u, err := ParseURL("s3://lake/" + tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range tt.match {
				if !u.Match(k) {
					t.Errorf("Match(%q) = false, want true", k)
				}
				if !strings.HasPrefix(k, u.Prefix()) {
					t.Errorf("matching key %q lacks the listing prefix %q", k, u.Prefix())
				}
			}
			for _, k := range tt.noMatch {
				if u.Match(k) {
					t.Errorf("Match(%q) = true, want false", k)
				}
			}
		})
	}
}

func TestGlobMatchIsNotExponential(t *testing.T) {
	u := MustParseURL("s3://lake/" + strings.Repeat("*a", 30) + "b")
	key := strings.Repeat("a", 5000)
	if u.Match(key) {
		t.Fatal("matched a key without the final b")
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"s3://lake/a/b.csv", "s3://lake/**/x[0-9].csv", `s3://lake/a\*?`, "s3://lake/[!a-]", "s3://a.b-c/"} {
		f.Add(s, "a/b.csv")
	}
	f.Fuzz(func(t *testing.T, s, key string) {
		u, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("error %v does not wrap ErrInvalidURL", err)
			}
			return
		}
		again, err := ParseURL(u.String())
		if err != nil || again.Bucket != u.Bucket || again.Key != u.Key {
			t.Fatalf("String %q does not round-trip: %+v, %v", u.String(), again, err)
		}
		if u.Match(key) && !strings.HasPrefix(key, u.Prefix()) {
			t.Fatalf("key %q matches %q but lacks its prefix %q", key, s, u.Prefix())
		}
		if !u.IsGlob() && !u.IsPrefix() && !u.Match(u.Key) {
			t.Fatalf("plain URL %q does not match its own key", s)
		}
	})
}
