package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The program is built and run as its own process; the test talks to it as
// any AWS client would, then stops it with SIGINT.
func TestServesS3AndGlueToAnotherProcessAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := filepath.Join(t.TempDir(), "localaws")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", dir, "-buckets", "landing")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Kill()
	})

	env := map[string]string{}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "#") {
			break
		}
		name, value, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		env[name] = value
	}
	go func() { exited <- cmd.Wait() }()
	endpoint := env["AWS_ENDPOINT_URL"]
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") || env["AWS_REGION"] == "" {
		t.Fatalf("printed environment %v", env)
	}

	cfg := aws.Config{
		Region:       env["AWS_REGION"],
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("landing"), Key: aws.String("a/b.csv"),
		Body: strings.NewReader("x,y\n1,2\n")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "buckets", "landing", "a", "b.csv")); err != nil || string(got) != "x,y\n1,2\n" {
		t.Fatalf("object on disk: %q, %v", got, err)
	}
	gc := glue.NewFromConfig(cfg)
	if _, err := gc.GetDatabases(ctx, &glue.GetDatabasesInput{}); err != nil {
		t.Fatalf("GetDatabases: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("still running 20s after SIGINT")
	}
	if _, err := os.Stat(filepath.Join(dir, "buckets", "landing", "a", "b.csv")); err != nil {
		t.Fatalf("a given -dir must be kept: %v", err)
	}
}
