package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/glue"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

// An ObjectCreated event in the shape S3 sends, with a URL-encoded key,
// against localaws.
func TestHandlerAppendsAndSyncs(t *testing.T) {
	ctx := context.Background()
	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"landing", "lake"} })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s3c := s3io.New(s3.NewFromConfig(st.Config(), localaws.PathStyle))
	h := &handler{s3c: s3c, cat: glue.New(sdkglue.NewFromConfig(st.Config())),
		lake: "s3://lake/readings/", db: "raw", table: "readings"}

	csv := "ts,sensor,value\n" +
		"2026-11-25 10:00:00.125,s1,20.5\n" +
		"2026-11-25 23:59:59.999,s2,\n" + // no value: dropped
		"2026-11-26 00:00:00.000,s3,9999\n" + // impossible: dropped
		"2026-11-26 08:30:00.500,s1,18.25\n"
	if _, err := s3c.Upload(ctx, "s3://landing/in/day one.csv", strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	var ev events.S3Event
	ev.Records = append(ev.Records, events.S3EventRecord{EventName: "ObjectCreated:Put",
		S3: events.S3Entity{Bucket: events.S3Bucket{Name: "landing"}, Object: events.S3Object{Key: "in/day+one.csv"}}})
	report, err := h.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if report != (Report{Objects: 1, RowsIn: 4, RowsKept: 2, Partitions: 2}) {
		t.Fatalf("report %+v", report)
	}
	table, err := h.cat.Table(ctx, "raw", "readings")
	if err != nil || len(table.PartitionKeys) != 1 || table.PartitionKeys[0].Name != "dt" {
		t.Fatalf("table %+v, %v", table, err)
	}
	back, err := s3c.ReadDataset(ctx, "s3://lake/readings/")
	if err != nil || back.NumRows() != 2 {
		t.Fatalf("dataset has %d rows, %v; want 2", back.NumRows(), err)
	}
}

// lambdaBuildTags are the tags make lambda builds the handler with; keep them
// in step with the Makefile's lambda target.
const lambdaBuildTags = "lambda.norpc,grpcnotrace"

// The handler's build must not link what the Lambda zip cannot afford:
// DuckDB needs cgo and links a large C++ library, and text/template (through
// gRPC's golang.org/x/net/trace when the grpcnotrace tag is missing) turns
// off the linker's removal of unused methods, which kept every operation of
// the SDK clients and made the amd64 zip about half as large again. The
// import graph comes from go list, the build's own view of it.
func TestLambdaBuildLinksNoDeadWeight(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the handler's imports: %v", err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			cmd := exec.Command(goTool, "list", "-deps", "-tags", lambdaBuildTags, ".")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
			out, err := cmd.Output()
			if err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Fatalf("go list: %v\n%s", err, ee.Stderr)
				}
				t.Fatalf("go list: %v", err)
			}
			deps := map[string]bool{}
			for _, p := range strings.Fields(string(out)) {
				deps[p] = true
			}
			if !deps["github.com/gowrangler/wrangler/s3io"] {
				t.Fatalf("go list printed no s3io among %d packages; the listing is not the handler's", len(deps))
			}
			for _, banned := range []string{
				"github.com/duckdb/duckdb-go/v2",
				"github.com/gowrangler/wrangler/localaws",
				"golang.org/x/net/trace",
				"text/template",
			} {
				if deps[banned] {
					t.Errorf("the handler links %s", banned)
				}
			}
		})
	}
}
