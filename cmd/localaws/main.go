// Command localaws serves the localaws emulator of S3, the Glue Data Catalog
// and Athena on a TCP port, for the AWS CLI or any SDK:
//
//	go run ./cmd/localaws -dir /tmp/lake -addr 127.0.0.1:4566
//
// It prints the environment variables that point clients at it, as export
// lines a shell can eval, and runs until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gowrangler/wrangler/localaws"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "localaws:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("localaws", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:4566", "`address` to listen on (port 0 picks a free one)")
	dir := flags.String("dir", "", "data `directory`, kept after exit (default: a temporary one, removed at exit)")
	region := flags.String("region", localaws.DefaultRegion, "`region` to report")
	buckets := flags.String("buckets", "", "comma-separated `names` of buckets to create at start")
	verbose := flags.Bool("v", false, "log every request to standard error")
	latency := flags.Duration("s3-latency", 0, "delay before every S3 request is served, like S3's time to first byte (e.g. 30ms)")
	rate := flags.Int64("s3-bytes-per-second", 0, "cap on each S3 request's and response's body rate (e.g. 104857600 for 100 MiB/s); 0 is no cap")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *latency < 0 || *rate < 0 {
		return fmt.Errorf("-s3-latency and -s3-bytes-per-second must not be negative")
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := localaws.Start(ctx, func(o *localaws.Options) {
		o.Addr, o.Dir, o.Region = *addr, *dir, *region
		o.Network = localaws.NetworkProfile{FirstByteLatency: *latency, BytesPerSecond: *rate}
		if *buckets != "" {
			o.Buckets = strings.Split(*buckets, ",")
		}
		if *verbose {
			o.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	})
	if err != nil {
		return err
	}
	for _, kv := range st.Environment() {
		fmt.Fprintf(stdout, "export %s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(stdout, "# localaws serving S3, Glue and Athena at %s, data in %s; Ctrl-C stops it\n", st.URL(), st.Dir())
	<-ctx.Done()
	if err := st.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
