// Command zipsize zips Lambda bootstrap binaries the way a deployment
// package is zipped and prints each zip's size, then starts each binary
// built for this machine's architecture once to measure its start-to-ready
// time. make lambda runs it.
package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	for _, bin := range os.Args[1:] {
		zipPath := filepath.Dir(bin) + ".zip"
		size, err := zipFile(bin, zipPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "zipsize:", err)
			os.Exit(1)
		}
		line := fmt.Sprintf("%s: %.1f MB zipped", zipPath, float64(size)/(1<<20))
		if strings.HasSuffix(filepath.Dir(bin), runtime.GOARCH) {
			start := time.Now()
			cmd := exec.Command(bin)
			cmd.Env = append(os.Environ(), "WRANGLER_READY_PROBE=1", "AWS_REGION=us-east-1")
			out, err := cmd.Output()
			if err != nil {
				fmt.Fprintln(os.Stderr, "zipsize: probe:", err)
				os.Exit(1)
			}
			line += fmt.Sprintf(", process start to ready %v (%s)", time.Since(start).Round(time.Millisecond), strings.TrimSpace(string(out)))
		}
		fmt.Println(line)
	}
}

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
