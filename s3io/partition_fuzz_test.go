package s3io

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// FuzzPartitionValue checks the Hive partition path codec and the typed
// parse of partition values on any input: escaping round-trips, an escaped
// value never holds a path or key separator, and parsing never panics.
func FuzzPartitionValue(f *testing.F) {
	for _, s := range []string{"2026-11-25", "eu/west", "a=b:c", "%", "%4", "%41", "%zz", "__HIVE_DEFAULT_PARTITION__",
		"-12", "007", "1e300", "NaN", "true", "2026-11-25 10:00:00.123", "2026-02-30", "日本", "\x00\x7f"} {
		f.Add(s)
	}
	types := []arrow.DataType{arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Int8,
		arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Float64,
		arrow.FixedWidthTypes.Date32, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}}
	f.Fuzz(func(t *testing.T, s string) {
		esc := EscapePartitionValue(s)
		if strings.ContainsAny(esc, "/=") {
			t.Fatalf("EscapePartitionValue(%q) = %q holds a separator", s, esc)
		}
		if s != "" && UnescapePartitionValue(esc) != s {
			t.Fatalf("UnescapePartitionValue(EscapePartitionValue(%q)) = %q", s, UnescapePartitionValue(esc))
		}
		_ = UnescapePartitionValue(s)
		for _, dt := range types {
			v, err := parsePartitionValue(dt, s)
			if err == nil && v == nil && s != "" && s != HiveDefaultPartition {
				t.Fatalf("parsePartitionValue(%s, %q) gave null without an error", dt, s)
			}
			if err == nil && v != nil {
				// A value that parses may prune partitions: the comparison
				// must not panic either.
				partitionRuleOut(Eq("k", s), v, dt)
			}
		}
	})
}
