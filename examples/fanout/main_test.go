package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The whole program on localaws, small: files are cleaned under the state
// machine's retriers despite throttled writes, and every per-file query
// answers.
func TestFanOutOnLocalaws(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-files", "6", "-rows", "300", "-workers", "3", "-max-queries", "2", "-throttle", "0.2"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"7 retries after [2s 3.7s 6.85s 12.66s]",
		"2 retries after [1s 2s]",
		"cleaned 6 files with 3 bounded workers, ",
		"ran 6 Athena queries, at most",
		"(limit 2)",
		"shape: (5, 3)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// A fifth of the writes were throttled: the retriers must have worked.
	if strings.Contains(got, " 0 retries absorbed") || !strings.Contains(got, "retries absorbed") {
		t.Errorf("no retry absorbed a throttled write:\n%s", got)
	}
	// 300 rows per file, every 97th broken and dropped: rows 0, 97, 194,
	// 291 -> 296 readings.
	if !strings.Contains(got, "296") {
		t.Errorf("no file reports 296 readings:\n%s", got)
	}
}
