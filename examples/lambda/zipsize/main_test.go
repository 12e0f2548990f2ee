package main

import (
	"archive/zip"
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// The zip must hold exactly what the provided.al2023 runtime looks for: one
// entry named bootstrap, executable, with the binary's bytes unchanged. The
// expectation is checked by reading the zip back with archive/zip's reader,
// not with anything zipFile shares.
func TestZipFileHoldsAnExecutableBootstrap(t *testing.T) {
	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", bytes.Repeat([]byte("bootstrap text compresses well\n"), 2_000)},
		{"random", randomBytes(256 << 10)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "bootstrap")
			if err := os.WriteFile(src, tc.data, 0o755); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, "out.zip")
			size, err := zipFile(src, dst)
			if err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(dst)
			if err != nil {
				t.Fatal(err)
			}
			if size != st.Size() {
				t.Errorf("reported size %d, want the file's %d", size, st.Size())
			}
			zr, err := zip.OpenReader(dst)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			if len(zr.File) != 1 {
				t.Fatalf("got %d entries, want 1", len(zr.File))
			}
			f := zr.File[0]
			if f.Name != "bootstrap" {
				t.Errorf("entry name %q, want bootstrap", f.Name)
			}
			if f.Mode().Perm() != 0o755 || !f.Mode().IsRegular() {
				t.Errorf("entry mode %v, want -rwxr-xr-x", f.Mode())
			}
			if f.Method != zip.Deflate {
				t.Errorf("entry method %d, want deflate (%d)", f.Method, zip.Deflate)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.data) {
				t.Errorf("unzipped %d bytes that differ from the %d written", len(got), len(tc.data))
			}
		})
	}
}

// zipFile deflates at the best level, so on compressible input it must do at
// least as well as archive/zip's default compressor.
func TestZipFileBeatsTheDefaultLevel(t *testing.T) {
	// Text with long-range repeats and some noise, where the levels differ.
	var data bytes.Buffer
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"frame", "s3io", "glue", "athena", "retry", "partition", "parquet", "bootstrap"}
	for data.Len() < 256<<10 {
		data.WriteString(words[r.IntN(len(words))])
		data.WriteByte(" \n\t,"[r.IntN(4)])
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(src, data.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	best, err := zipFile(src, filepath.Join(dir, "best.zip"))
	if err != nil {
		t.Fatal(err)
	}
	var def bytes.Buffer
	zw := zip.NewWriter(&def)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("best level %d bytes, default level %d bytes", best, def.Len())
	if best > int64(def.Len()) {
		t.Errorf("best-level zip is %d bytes, the default level's %d", best, def.Len())
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
