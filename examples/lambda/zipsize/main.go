// Command zipsize zips Lambda bootstrap binaries the way a deployment
// package is zipped and prints each zip's size, then starts each binary
// built for this machine's architecture a few times to measure its
// start-to-ready time. make lambda runs it.
//
// Usage:
//
//	zipsize [-limit MiB] [-runs N] bin/lambda-amd64/bootstrap bin/lambda-arm64/bootstrap ...
//
// Each bin/<dir>/bootstrap is zipped into bin/<dir>.zip as a single
// executable entry named bootstrap, which is what the provided.al2023 runtime
// runs. The entry is deflated at the best compression level: the zip is
// compressed once, when it is built, and inflating a best-level deflate
// stream is no slower than inflating a default-level one (it has fewer
// symbols to decode), so the smaller zip costs nothing at cold start. With
// -limit, zipsize exits non-zero when any zip is larger than that many MiB.
//
// The start-to-ready time is the wall time from starting the process until
// it exits after WRANGLER_READY_PROBE made it stop where it would hand over
// to the Lambda runtime: it covers exec, the Go runtime, every package's
// initialisation, the AWS config load and the clients. zipsize prints the
// minimum, median and maximum over -runs starts; the first start may also
// pay for reading the binary into the page cache.
package main

import (
	"archive/zip"
	"compress/flate"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	limit := flag.Float64("limit", 0, "fail when a zip is larger than this many MiB (0: no limit)")
	runs := flag.Int("runs", 5, "how many times to start the binary built for this machine")
	flag.Parse()
	if flag.NArg() == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: zipsize [-limit MiB] [-runs N] bin/<dir>/bootstrap ...")
		os.Exit(2)
	}
	over := false
	for _, bin := range flag.Args() {
		zipPath := filepath.Dir(bin) + ".zip"
		size, err := zipFile(bin, zipPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "zipsize:", err)
			os.Exit(1)
		}
		mib := float64(size) / (1 << 20)
		line := fmt.Sprintf("%s: %.1f MiB zipped (%d bytes)", zipPath, mib, size)
		if *limit > 0 && mib > *limit {
			line += fmt.Sprintf(", OVER the %.1f MiB limit", *limit)
			over = true
		}
		if strings.HasSuffix(filepath.Dir(bin), runtime.GOARCH) {
			probe, err := startToReady(bin, *runs)
			if err != nil {
				fmt.Fprintln(os.Stderr, "zipsize: probe:", err)
				os.Exit(1)
			}
			line += ", " + probe
		}
		fmt.Println(line)
	}
	if over {
		os.Exit(1)
	}
}

// startToReady starts bin runs times with WRANGLER_READY_PROBE set and
// describes the wall times from start to exit.
func startToReady(bin string, runs int) (string, error) {
	times := make([]time.Duration, 0, runs)
	var said string
	for range runs {
		start := time.Now()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "WRANGLER_READY_PROBE=1", "AWS_REGION=us-east-1")
		out, err := cmd.Output()
		if err != nil {
			return "", err
		}
		times = append(times, time.Since(start))
		said = strings.TrimSpace(string(out))
	}
	slices.Sort(times)
	ms := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("process start to ready min %v / median %v / max %v over %d starts (last said: %s)",
		ms(times[0]), ms(times[len(times)/2]), ms(times[len(times)-1]), runs, said), nil
}

// zipFile writes src into the zip dst as one executable entry named
// bootstrap, deflated at flate.BestCompression, and returns the zip's size.
func zipFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	zw := zip.NewWriter(out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
