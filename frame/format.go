package frame

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// String prints the frame as an aligned table in the style of Polars: a
// shape line, the column names with their types beneath, and the rows, with
// defaults from FormatOptions. It is deterministic, so it can be compared in
// tests and examples.
func (f *Frame) String() string { return f.Format() }

// Format prints the frame like String with the given options. Frames longer
// than MaxRows show their first and last rows around a row of "…"; wider than
// MaxCols, their first and last columns around a column of "…". Cells longer
// than MaxWidth columns are cut and end in "…"; nulls print as null. Numbers
// are right-aligned, everything else left-aligned. Widths are terminal
// columns, counting East Asian wide characters and common emoji as two.
func (f *Frame) Format(optFns ...func(*FormatOptions)) string {
	f = f.orEmpty()
	var o FormatOptions
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	maxRows := limit(o.MaxRows, DefaultMaxRows)
	maxCols := limit(o.MaxCols, DefaultMaxCols)
	maxWidth := limit(o.MaxWidth, DefaultMaxWidth)
	if maxWidth < 2 {
		maxWidth = 2
	}

	rows, cols := f.NumRows(), f.NumCols()
	var sb strings.Builder
	fmt.Fprintf(&sb, "shape: (%d, %d)\n", rows, cols)
	if cols == 0 {
		sb.WriteString("┌┐\n└┘\n")
		return sb.String()
	}

	rowIdx := elide(rows, maxRows)
	colIdx := elide(cols, maxCols)
	type column struct {
		header, dtype string
		cells         []string
		right         bool
		width         int
	}
	table := make([]column, len(colIdx))
	for k, c := range colIdx {
		col := &table[k]
		if c < 0 {
			col.header, col.dtype = "…", ""
			col.cells = make([]string, len(rowIdx))
			for r := range col.cells {
				col.cells[r] = "…"
			}
		} else {
			fld := f.schema.Field(c)
			col.header, col.dtype = fld.Name, typeName(fld.Type)
			col.right = isNumeric(fld.Type)
			col.cells = make([]string, len(rowIdx))
			for r, i := range rowIdx {
				if i < 0 {
					col.cells[r] = "…"
					continue
				}
				arr, j := locate(f.cols[c], i)
				col.cells[r] = formatValue(arr, j, false)
			}
		}
		col.header = truncate(col.header, maxWidth)
		col.dtype = truncate(col.dtype, maxWidth)
		col.width = max(displayWidth(col.header), displayWidth(col.dtype), 3)
		for r, s := range col.cells {
			col.cells[r] = truncate(s, maxWidth)
			col.width = max(col.width, displayWidth(col.cells[r]))
		}
	}

	rule := func(left, fill, mid, right string) {
		sb.WriteString(left)
		for k, col := range table {
			if k > 0 {
				sb.WriteString(mid)
			}
			sb.WriteString(strings.Repeat(fill, col.width+2))
		}
		sb.WriteString(right + "\n")
	}
	line := func(cell func(k int) (string, bool)) {
		sb.WriteString("│")
		for k, col := range table {
			if k > 0 {
				sb.WriteString("┆")
			}
			s, right := cell(k)
			pad := strings.Repeat(" ", col.width-displayWidth(s))
			sb.WriteString(" ")
			if right {
				sb.WriteString(pad + s)
			} else {
				sb.WriteString(s + pad)
			}
			sb.WriteString(" ")
		}
		sb.WriteString("│\n")
	}
	rule("┌", "─", "┬", "┐")
	line(func(k int) (string, bool) { return table[k].header, false })
	line(func(k int) (string, bool) { return "---", false })
	line(func(k int) (string, bool) { return table[k].dtype, false })
	rule("╞", "═", "╪", "╡")
	for r := range rowIdx {
		line(func(k int) (string, bool) { return table[k].cells[r], table[k].right })
	}
	rule("└", "─", "┴", "┘")
	return sb.String()
}

// limit resolves a FormatOptions bound: 0 is the default, negative none.
func limit(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return int(^uint(0) >> 1)
	}
	return v
}

// elide returns the indexes to show out of n, with -1 standing for the
// elided middle, keeping the first ceil(max/2) and last floor(max/2).
func elide(n, maxShown int) []int {
	if n <= maxShown {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	head := (maxShown + 1) / 2
	tail := maxShown - head
	idx := make([]int, 0, maxShown+1)
	for i := range head {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - tail; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

// truncate cuts s to at most w terminal columns, ending in "…" when cut.
func truncate(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	cut, used := 0, 0
	for i, r := range s {
		rw := runeWidth(r)
		if used+rw > w-1 {
			cut = i
			break
		}
		used += rw
	}
	return s[:cut] + "…"
}

// displayWidth returns how many terminal columns s takes: two for East Asian
// wide and fullwidth characters and common emoji, one for everything else.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth approximates the terminal width of r from the main East Asian
// Wide and Fullwidth blocks of Unicode; a full table is not worth a
// dependency for printing.
func runeWidth(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo initials
		r >= 0x2E80 && r <= 0xA4CF && r != 0x303F, // CJK radicals .. Yi
		r >= 0xAC00 && r <= 0xD7A3,                // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF,                // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F,                // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60,                // fullwidth forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F, // pictographs, emoticons
		r >= 0x1F900 && r <= 0x1F9FF, // supplemental pictographs
		r >= 0x20000 && r <= 0x3FFFD: // CJK extensions
		return 2
	}
	return 1
}

// isNumeric reports whether dt prints right-aligned.
func isNumeric(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

// typeName returns the short Polars-like name String prints under a column.
func typeName(dt arrow.DataType) string {
	switch t := dt.(type) {
	case *arrow.TimestampType:
		if t.TimeZone == "" {
			return "datetime[" + t.Unit.String() + "]"
		}
		return "datetime[" + t.Unit.String() + ", " + t.TimeZone + "]"
	case *arrow.DurationType:
		return "duration[" + t.Unit.String() + "]"
	case *arrow.ListType:
		return "list[" + typeName(t.Elem()) + "]"
	case *arrow.LargeListType:
		return "list[" + typeName(t.Elem()) + "]"
	case *arrow.StructType:
		return "struct[" + strconv.Itoa(t.NumFields()) + "]"
	case *arrow.DictionaryType:
		return "dict[" + typeName(t.ValueType) + "]"
	case arrow.DecimalType:
		return fmt.Sprintf("decimal[%d,%d]", t.GetPrecision(), t.GetScale())
	}
	switch dt.ID() {
	case arrow.INT8:
		return "i8"
	case arrow.INT16:
		return "i16"
	case arrow.INT32:
		return "i32"
	case arrow.INT64:
		return "i64"
	case arrow.UINT8:
		return "u8"
	case arrow.UINT16:
		return "u16"
	case arrow.UINT32:
		return "u32"
	case arrow.UINT64:
		return "u64"
	case arrow.FLOAT16:
		return "f16"
	case arrow.FLOAT32:
		return "f32"
	case arrow.FLOAT64:
		return "f64"
	case arrow.BOOL:
		return "bool"
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "str"
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return "binary"
	case arrow.DATE32, arrow.DATE64:
		return "date"
	case arrow.TIME32, arrow.TIME64:
		return "time"
	case arrow.NULL:
		return "null"
	}
	return dt.String()
}

// formatValue prints one value; nested marks values inside lists and
// structs, where strings are quoted so that separators stay unambiguous.
func formatValue(arr arrow.Array, i int, nested bool) string {
	if arr == nil || arr.IsNull(i) {
		return "null"
	}
	switch a := arr.(type) {
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10)
	case *array.Float32:
		return formatFloat(float64(a.Value(i)), 32)
	case *array.Float64:
		return formatFloat(a.Value(i), 64)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.String:
		return quoteIf(a.Value(i), nested)
	case *array.LargeString:
		return quoteIf(a.Value(i), nested)
	case *array.Binary:
		return "b" + strconv.Quote(string(a.Value(i)))
	case *array.LargeBinary:
		return "b" + strconv.Quote(string(a.Value(i)))
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		loc, err := timestampLocation(tt)
		if err != nil {
			loc = time.UTC
		}
		return unitToTime(tt.Unit)(int64(a.Value(i))).In(loc).Format("2006-01-02 15:04:05.999999999")
	case *array.Date32:
		return a.Value(i).FormattedString()
	case *array.Date64:
		return a.Value(i).FormattedString()
	case *array.List:
		lo, hi := a.ValueOffsets(i)
		return formatList(a.ListValues(), int(lo), int(hi))
	case *array.LargeList:
		lo, hi := a.ValueOffsets(i)
		return formatList(a.ListValues(), int(lo), int(hi))
	case *array.Struct:
		var sb strings.Builder
		sb.WriteString("{")
		for k := range a.NumField() {
			if k > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(formatValue(a.Field(k), i, true))
		}
		sb.WriteString("}")
		return sb.String()
	}
	return arr.ValueStr(i)
}

// formatList prints values[lo:hi] as a bracketed list.
func formatList(values arrow.Array, lo, hi int) string {
	var sb strings.Builder
	sb.WriteString("[")
	for j := lo; j < hi; j++ {
		if j > lo {
			sb.WriteString(", ")
		}
		sb.WriteString(formatValue(values, j, true))
	}
	sb.WriteString("]")
	return sb.String()
}

func quoteIf(s string, quote bool) string {
	if quote {
		return strconv.Quote(s)
	}
	return s
}

// formatFloat prints the shortest representation, always with a decimal
// point or exponent so floats never read as integers.
func formatFloat(v float64, bits int) string {
	s := strconv.FormatFloat(v, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}
