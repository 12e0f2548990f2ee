package s3io

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLoggingAndProgress(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var reports []Progress
	_, _, c := startS3(t, func(o *Options) {
		o.Logger = logger
		o.Progress = func(p Progress) { reports = append(reports, p) }
		o.SSE = SSES3
	})
	ctx := context.Background()
	if _, err := c.Upload(ctx, "s3://lake/l.csv", strings.NewReader("a\n1\n2\n")); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.ScanCSV(ctx, "s3://lake/l.csv") {
		if err != nil {
			t.Fatal(err)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "op=PutObject") || !strings.Contains(out, "url=s3://lake/l.csv") {
		t.Fatalf("log lacks the requests:\n%s", out)
	}
	for _, secret := range []string{"Signature", "Credential", "X-Amz-", "localaws:localaws", "http://"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains %q:\n%s", secret, out)
		}
	}
	var upload, scan bool
	for _, p := range reports {
		upload = upload || (p.Op == "upload" && p.Done && p.Bytes == 6)
		scan = scan || (p.Op == "scan" && p.Done && p.Rows == 2 && p.Objects == 1)
	}
	if !upload || !scan {
		t.Fatalf("got progress %+v, want a final upload of 6 bytes and a final scan of 2 rows", reports)
	}
	info, err := c.Describe(ctx, "s3://lake/l.csv")
	if err != nil {
		t.Fatal(err)
	}
	if info.ServerSideEncryption != "AES256" {
		t.Fatalf("got server-side encryption %q, want AES256 (SSE-S3)", info.ServerSideEncryption)
	}
}

func TestOptionsDefaultsAndOverrides(t *testing.T) {
	c := New(nil, func(o *Options) { o.PartSize = 1; o.Concurrency = 3 })
	o := c.resolve(nil)
	if o.PartSize != MinPartSize || o.Concurrency != 3 || o.Retry.MaxAttempts != DefaultRetry.MaxAttempts {
		t.Fatalf("got %+v, want PartSize raised to MinPartSize, Concurrency 3, DefaultRetry", o)
	}
	o = c.resolve([]func(*Options){func(o *Options) { o.Concurrency = 9 }})
	if o.Concurrency != 9 || c.Options().Concurrency != 3 {
		t.Fatalf("a call's option leaked into the client: call %d, client %d", o.Concurrency, c.Options().Concurrency)
	}
	if got := New(nil).resolve(nil); got.Concurrency != DefaultConcurrency || got.PartSize != DefaultPartSize {
		t.Fatalf("zero options: got %+v, want the defaults", got)
	}
}
