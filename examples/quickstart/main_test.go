package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
)

// The quickstart end to end on localaws, small: the readings Athena counts
// over the synced Parquet dataset are exactly those the cleanup kept.
func TestQuickstartOnLocalaws(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-hours", "30", "-sensors", "10", "-readings", "20"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	kept := regexp.MustCompile(`(\d+) kept,`).FindStringSubmatch(got)
	if kept == nil {
		t.Fatalf("no summary line:\n%s", got)
	}
	want, _ := strconv.Atoi(kept[1])
	// The printed frame's readings column, summed, is Athena's count.
	total := 0
	for _, m := range regexp.MustCompile(`│ 2026-11-2\d ┆ +(\d+) ┆`).FindAllStringSubmatch(got, -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	if total != want || want == 0 {
		t.Fatalf("Athena counted %d readings, the cleanup kept %d:\n%s", total, want, got)
	}
	if !regexp.MustCompile(`created true, 2 day partitions`).MatchString(got) {
		t.Fatalf("30 hours from midnight span 2 days:\n%s", got)
	}
}
