// Command lambda is an AWS Lambda handler for S3 ObjectCreated events: it
// streams each new landing object, cleans it, appends it to a partitioned
// Parquet dataset and syncs the touched partitions into Glue.
//
// Configuration comes from the environment: LAKE_URL (s3://bucket/prefix/
// of the dataset), GLUE_DATABASE and GLUE_TABLE, plus the usual AWS
// variables the runtime sets. Build it for the provided.al2023 runtime with
// make lambda, which prints the zipped size and the process start-to-ready
// time; by hand, for arm64:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc,grpcnotrace \
//		-trimpath -ldflags='-s -w' -o bootstrap ./examples/lambda
//
// lambda.norpc leaves out the RPC shim the provided runtimes do not need.
// grpcnotrace matters more than it looks: the handler never uses gRPC, but
// arrow-go's pqarrow imports arrow/flight and so links it, and gRPC's
// golang.org/x/net/trace brings in text/template, whose
// reflect.MethodByName makes the linker keep every exported method of every
// type that may be converted to an interface, which here means every
// operation of the SDK's Glue and S3 clients. With the tag gRPC leaves out
// its /debug/requests pages, and the amd64 zip shrinks by about a third.
// TestLambdaBuildLinksNoDeadWeight checks that none of this regresses and
// that DuckDB (cgo, linked by localaws only) stays out of the handler.
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	sdkglue "github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gowrangler/wrangler/frame"
	"github.com/gowrangler/wrangler/glue"
	"github.com/gowrangler/wrangler/s3io"
)

var processStart = time.Now()

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(1)
	}
	h := &handler{
		s3c:   s3io.New(s3.NewFromConfig(cfg)),
		cat:   glue.New(sdkglue.NewFromConfig(cfg)),
		lake:  os.Getenv("LAKE_URL"),
		db:    os.Getenv("GLUE_DATABASE"),
		table: os.Getenv("GLUE_TABLE"),
	}
	if os.Getenv("WRANGLER_READY_PROBE") != "" {
		// make lambda measures start-to-ready without a Lambda runtime.
		fmt.Printf("ready after %v\n", time.Since(processStart))
		return
	}
	lambda.Start(h.Handle)
}

type handler struct {
	s3c             *s3io.Client
	cat             *glue.Catalog
	lake, db, table string
}

// Report is the handler's answer: what it did.
type Report struct {
	// Objects counts the event's objects processed.
	Objects int `json:"objects"`
	// RowsIn counts the rows read; RowsKept those that passed cleaning and
	// were appended to the dataset.
	RowsIn   int `json:"rows_in"`
	RowsKept int `json:"rows_kept"`
	// Partitions counts the dataset partitions written, once per object
	// that wrote to them.
	Partitions int `json:"partitions"`
}

// Handle processes every object of an S3 event; the first failure fails the
// invocation, so Lambda's retry (or a DLQ) sees it. A failed write leaves
// nothing half-written in the lake.
func (h *handler) Handle(ctx context.Context, ev events.S3Event) (Report, error) {
	var r Report
	for _, rec := range ev.Records {
		// Keys arrive URL-encoded, with '+' for spaces.
		key, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			return r, fmt.Errorf("object key %q: %w", rec.S3.Object.Key, err)
		}
		src := "s3://" + rec.S3.Bucket.Name + "/" + key
		raw, err := h.s3c.ReadCSV(ctx, src)
		if err != nil {
			return r, err
		}
		clean, err := raw.DropNulls("value")
		if err == nil {
			clean, err = clean.Filter(frame.Col("value").Ge(-50).And(frame.Col("value").Le(150)))
		}
		if err == nil {
			clean, err = clean.WithColumn("dt", frame.Col("ts").Cast(arrow.FixedWidthTypes.Date32))
		}
		if err != nil {
			return r, fmt.Errorf("clean %s: %w", src, err)
		}
		res, err := h.s3c.WriteDataset(ctx, clean, h.lake, s3io.PartitionBy("dt"), s3io.Mode(s3io.Append))
		if err != nil {
			return r, err
		}
		if _, err := h.cat.SyncDataset(ctx, h.db, h.table, res); err != nil {
			return r, err
		}
		r.Objects++
		r.RowsIn += raw.NumRows()
		r.RowsKept += clean.NumRows()
		r.Partitions += len(res.Partitions)
	}
	return r, nil
}
