package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestRunSmall runs every section on small data: each reader's digest must
// match the generator's, or run fails.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts localaws and DuckDB and reads every format with every reader")
	}
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	var stdout strings.Builder
	err := run(context.Background(), []string{
		"-repeat", "1", "-rows", "20000", "-parquet-rows", "30000", "-row-group-rows", "10000",
		"-csv-mb", "1", "-gzip-mb", "1", "-net-latency", "1ms", "-net-mbps", "500", "-out", out,
	}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != stdout.String() {
		t.Errorf("-out file differs from stdout")
	}
	for _, title := range []string{"## frame vs DuckDB", "## Parquet read into memory", "## CSV scan",
		"## S3 read under a network profile", "## Peak memory of a streaming gzip CSV scan"} {
		if !strings.Contains(stdout.String(), title) {
			t.Errorf("report has no %q:\n%s", title, stdout.String())
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"default runs everything", nil, sectionNames, ""},
		{"one section", []string{"-only", "csv"}, []string{"csv"}, ""},
		{"order and duplicates", []string{"-only", "s3, frame,s3"}, []string{"s3", "frame"}, ""},
		{"unknown section", []string{"-only", "csv,orc"}, nil, `unknown section "orc"`},
		{"no section", []string{"-only", ","}, nil, "no section"},
		{"repeat zero", []string{"-repeat", "0"}, nil, "-repeat 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(cfg.only, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got sections %v, want %v", cfg.only, tc.want)
			}
		})
	}
}

// TestDigestCheck makes sure a reader that loses a row, a null or a value
// fails the check.
func TestDigestCheck(t *testing.T) {
	var want digest
	gen := newRowGen()
	for range 1000 {
		want.addRow(gen.row())
	}
	if err := want.check(want); err != nil {
		t.Fatalf("a digest differs from itself: %v", err)
	}
	untyped := digest{rows: want.rows, idSum: want.idSum, cityBytes: want.cityBytes}
	if err := want.check(untyped); err != nil {
		t.Errorf("an untyped reader's digest is compared on typed fields: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*digest)
	}{
		{"a row lost", func(d *digest) { d.rows-- }},
		{"an id misread", func(d *digest) { d.idSum++ }},
		{"a city cut", func(d *digest) { d.cityBytes-- }},
		{"v misparsed", func(d *digest) { d.vSum += 0.01 }},
		{"a timestamp shifted", func(d *digest) { d.tsSum += 1_000_000 }},
		{"a null lost", func(d *digest) { d.qtyValid++ }},
		{"a qty misread", func(d *digest) { d.qtySum-- }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := want
			tc.change(&got)
			if err := want.check(got); err == nil {
				t.Errorf("check passed a digest with %s", tc.name)
			}
		})
	}
}

func TestLocalFSRanges(t *testing.T) {
	dir := t.TempDir()
	content := "0123456789abcdef"
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := localFS{root: dir}
	for _, tc := range []struct {
		rng, want, contentRange string
	}{
		{"", content, ""},
		{"bytes=2-5", "2345", "bytes 2-5/16"},
		{"bytes=10-", "abcdef", "bytes 10-15/16"},
		{"bytes=-4", "cdef", "bytes 12-15/16"},
		{"bytes=-100", content, "bytes 0-15/16"},
		{"bytes=14-100", "ef", "bytes 14-15/16"},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			in := &s3.GetObjectInput{Bucket: aws.String(localBucket), Key: aws.String("f")}
			if tc.rng != "" {
				in.Range = aws.String(tc.rng)
			}
			out, err := fs.GetObject(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Body.Close()
			got, err := io.ReadAll(out.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want || aws.ToString(out.ContentRange) != tc.contentRange || aws.ToInt64(out.ContentLength) != int64(len(tc.want)) {
				t.Errorf("got %q, Content-Range %q, length %d; want %q, %q, %d", got, aws.ToString(out.ContentRange),
					aws.ToInt64(out.ContentLength), tc.want, tc.contentRange, len(tc.want))
			}
		})
	}
	if _, err := fs.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(localBucket), Key: aws.String("f"),
		Range: aws.String("bytes=16-")}); err == nil {
		t.Error("a range past the end was served")
	}
	if _, err := fs.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(localBucket), Key: aws.String("f"),
		IfMatch: aws.String(`"stale"`)}); err == nil {
		t.Error("If-Match with another ETag was served")
	}
}
