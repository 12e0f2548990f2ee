package s3io

import (
	"math/rand/v2"
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

// TestParseTimestampFastMatchesTimeParse checks the hand-written parser
// against time.Parse with the reader's layouts on valid, shifted and
// damaged timestamps: whenever the fast path accepts a value, time.Parse
// must accept it too and give the same instant.
func TestParseTimestampFastMatchesTimeParse(t *testing.T) {
	slow := func(s string) (int64, bool) {
		for _, l := range timestampLayouts {
			if ts, err := time.Parse(l, s); err == nil {
				return ts.UnixMicro(), true
			}
		}
		return 0, false
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seps := []string{"T", " "}
	zones := []string{"", "Z", "+00:00", "-07:30", "+14:00", "+23:59", "-00:45"}
	fracs := []string{"", ".1", ".123", ".123456", ".1234567", ".123456789", ".000001"}
	damage := []string{"", "x", "1", ":", ".", "-", "+"}
	var fast, total int
	for range 20_000 {
		y := 1 + rng.IntN(9998)
		ts := time.Date(y, time.Month(1+rng.IntN(12)), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60), rng.IntN(60), 0, time.UTC)
		s := ts.Format("2006-01-02") + seps[rng.IntN(2)] + ts.Format("15:04:05") + fracs[rng.IntN(len(fracs))] + zones[rng.IntN(len(zones))]
		if rng.IntN(4) == 0 { // damage one byte
			i := rng.IntN(len(s))
			d := damage[rng.IntN(len(damage))]
			s = s[:i] + d + s[min(i+1, len(s)):]
		}
		total++
		got, ok := parseTimestampFast([]byte(s))
		if !ok {
			continue
		}
		fast++
		want, wok := slow(s)
		if !wok || got != want {
			t.Fatalf("%q: fast path gives %d, time.Parse gives %d (ok %v)", s, got, want, wok)
		}
	}
	for _, s := range []string{"2026-02-30 00:00:00", "2026-11-25 24:00:00", "2026-11-25 12:60:00", "2026-11-25 12:00:60",
		"2026-11-25 12:00:00.", "2026-11-25 12:00:00.1234567890", "2026-11-25 12:00:00+2:00", "2026-11-25 12:00:00+24:00"} {
		if _, ok := parseTimestampFast([]byte(s)); ok {
			t.Errorf("%q: fast path accepted it", s)
		}
	}
	if fast < total/2 {
		t.Fatalf("the fast path took only %d of %d values", fast, total)
	}
}
