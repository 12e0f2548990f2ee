package athena

import (
	"fmt"
	"testing"
	"time"
)

func TestSizeHistoryIsBounded(t *testing.T) {
	var h sizeHistory
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := range historyEntries {
		h.put(fmt.Sprint("q", i), resultSize{rows: int64(i)}, t0.Add(time.Duration(i)*time.Second))
	}
	// Writing a known key again replaces it and evicts nothing.
	h.put("q0", resultSize{rows: 1000}, t0.Add(time.Hour))
	if s, ok := h.get("q0"); !ok || s.rows != 1000 {
		t.Fatalf("q0: %+v %v, want the new size", s, ok)
	}
	if s, ok := h.get("q1"); !ok || s.rows != 1 {
		t.Fatalf("q1: %+v %v, want it kept", s, ok)
	}
	// A new key evicts the oldest entry, q1 (q0 was rewritten last).
	h.put("new", resultSize{rows: 7}, t0.Add(2*time.Hour))
	if _, ok := h.get("q1"); ok {
		t.Fatal("q1 is still there, want it evicted as the oldest")
	}
	for _, k := range []string{"q0", "q2", fmt.Sprint("q", historyEntries-1), "new"} {
		if _, ok := h.get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	if n := len(h.entries); n != historyEntries {
		t.Fatalf("%d entries, want %d", n, historyEntries)
	}
}

func TestNestedColumnNames(t *testing.T) {
	// ColumnInfo gives bare names (AWS-FACTS.md 1.5); signatures may come
	// with parameters in either spelling.
	for name, want := range map[string]bool{
		"array": true, "map": true, "row": true, "ARRAY": true, "array(integer)": true,
		"map(varchar, double)": true, "row(x integer)": true, "array<int>": true, "struct<a:int>": true,
		"varchar": false, "decimal": false, "timestamp with time zone": false, "json": false, "": false,
	} {
		if got := nestedColumns([]Column{{Name: "c", Type: "bigint"}, {Name: "x", Type: name}}); got != want {
			t.Errorf("%q: nested %v, want %v", name, got, want)
		}
	}
}
