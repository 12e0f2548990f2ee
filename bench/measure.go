package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// timing is the durations of the runs of one measurement.
type timing []time.Duration

// median is the middle run (the mean of the two middle ones for an even
// count).
func (t timing) median() time.Duration {
	s := slices.Sorted(slices.Values(t))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// String is the median with the fastest and slowest runs.
func (t timing) String() string {
	if len(t) == 1 {
		return round(t[0])
	}
	return fmt.Sprintf("%s (%s–%s)", round(t.median()), round(slices.Min(t)), round(slices.Max(t)))
}

// round shows a duration with three significant digits or so.
func round(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Microsecond).String()
}

// ratio is a / b as "1.23x".
func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

// throughput is bytes per median run in MB/s.
func throughput(bytes int64, t timing) string {
	m := t.median()
	if m <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MB/s", float64(bytes)/(1<<20)/m.Seconds())
}

// stopwatch times one run; a run that must do untimed work after the
// timed part (a check query, a digest of a materialised result) calls stop
// first.
type stopwatch struct {
	start   time.Time
	elapsed time.Duration
	stopped bool
}

func (s *stopwatch) stop() {
	if !s.stopped {
		s.elapsed, s.stopped = time.Since(s.start), true
	}
}

// measureRead runs a read -repeat times and checks every run's digest
// against want, the generator's.
func (b *bench) measureRead(what string, want digest, fn func(sw *stopwatch) (digest, error)) (timing, error) {
	return measure(b, what, fn, want.check)
}

// measure runs fn -repeat times after a GC each, checks every run's result
// with check, and returns the times. A failed run or a failed check is an
// error naming what was measured.
func measure[T any](b *bench, what string, fn func(sw *stopwatch) (T, error), check func(T) error) (timing, error) {
	t := make(timing, 0, b.cfg.repeat)
	for i := range b.cfg.repeat {
		runtime.GC()
		sw := &stopwatch{start: time.Now()}
		got, err := fn(sw)
		sw.stop()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if err := check(got); err != nil {
			return nil, fmt.Errorf("%s, run %d: %w", what, i+1, err)
		}
		t = append(t, sw.elapsed)
	}
	b.logf("  %s: %v", what, t)
	return t, nil
}

// table is one Markdown table with the notes under it.
type table struct {
	title  string
	header []string
	rows   [][]string
	notes  []string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func (t *table) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", t.title)
	fmt.Fprintf(&b, "| %s |\n|", strings.Join(t.header, " | "))
	for range t.header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
	}
	if len(t.notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}
