package s3io

import (
	"testing"
	"time"
)

func TestParseDateAgreesWithTime(t *testing.T) {
	for day := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2500; day = day.AddDate(0, 0, 13) {
		s := day.Format(time.DateOnly)
		got, ok := parseDate([]byte(s))
		if want := day.Unix() / 86400; !ok || int64(got) != want {
			t.Fatalf("parseDate(%s) = %d, %t; want %d", s, got, ok, want)
		}
	}
	for _, bad := range []string{"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-101", "2026/01/01", "20a6-01-01"} {
		if _, ok := parseDate([]byte(bad)); ok {
			t.Errorf("parseDate(%q) accepted an invalid date", bad)
		}
	}
}

func TestTextInference(t *testing.T) {
	tests := []struct {
		values []string
		want   string
	}{
		{[]string{"1", "-2", "+3"}, "int64"},
		{[]string{"1", "2.5", "1e3"}, "float64"},
		{[]string{"08123"}, "utf8"},
		{[]string{"0", "0.5"}, "float64"},
		{[]string{"true", "FALSE"}, "bool"},
		{[]string{"2026-11-25", "2026-11-26"}, "date32"},
		{[]string{"2026-11-25", "2026-11-25 10:00:00"}, "timestamp[us, tz=UTC]"},
		{[]string{"2026-11-25T10:00:00+02:00"}, "timestamp[us, tz=UTC]"},
		{[]string{"1", "x"}, "utf8"},
		{[]string{"NaN", "1.5"}, "float64"},
		{[]string{"0x10"}, "utf8"},
		{nil, "utf8"},
	}
	for _, tt := range tests {
		var g typeGuess
		for _, v := range tt.values {
			g.observe([]byte(v))
		}
		if got := g.dataType().String(); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.values, got, tt.want)
		}
	}
}
