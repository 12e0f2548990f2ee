package frame

import "github.com/apache/arrow-go/v18/arrow/memory"

// Options configures operations that allocate Arrow memory. The zero value
// means the documented defaults.
type Options struct {
	// Allocator allocates every buffer an operation creates; nil means
	// memory.DefaultAllocator, which is managed by the Go garbage collector so
	// that callers never need to call Release.
	Allocator memory.Allocator
}

// WithAllocator returns an option that makes an operation allocate from mem,
// for callers who account for or pool Arrow memory. Frames built this way
// should be released with (*Frame).Release when no longer needed.
func WithAllocator(mem memory.Allocator) func(*Options) {
	return func(o *Options) { o.Allocator = mem }
}

// resolveOptions applies optFns over the zero Options and fills defaults.
func resolveOptions(optFns []func(*Options)) Options {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	return o
}

// Defaults of FormatOptions, used when a field is zero.
const (
	// DefaultMaxRows is the number of rows String prints before it elides the
	// middle of the frame, showing the first and last DefaultMaxRows/2 rows.
	DefaultMaxRows = 10
	// DefaultMaxCols is the number of columns String prints before it elides
	// the middle columns.
	DefaultMaxCols = 8
	// DefaultMaxWidth is the widest a printed cell may be, in terminal
	// columns; longer values are cut and end in "…".
	DefaultMaxWidth = 32
)

// FormatOptions configures (*Frame).Format. The zero value means the
// documented defaults.
type FormatOptions struct {
	// MaxRows bounds the printed rows; 0 means DefaultMaxRows, negative means
	// no limit.
	MaxRows int
	// MaxCols bounds the printed columns; 0 means DefaultMaxCols, negative
	// means no limit.
	MaxCols int
	// MaxWidth bounds the printed width of a cell in terminal columns; 0 means
	// DefaultMaxWidth, negative means no limit. Values below 2 are treated as 2
	// so that a truncated value still shows a character and the ellipsis.
	MaxWidth int
}

// MaxRows returns a format option that prints at most n rows (negative: all).
func MaxRows(n int) func(*FormatOptions) {
	return func(o *FormatOptions) { o.MaxRows = n }
}

// MaxCols returns a format option that prints at most n columns (negative: all).
func MaxCols(n int) func(*FormatOptions) {
	return func(o *FormatOptions) { o.MaxCols = n }
}

// MaxWidth returns a format option that cuts cells wider than n terminal columns
// (negative: never).
func MaxWidth(n int) func(*FormatOptions) {
	return func(o *FormatOptions) { o.MaxWidth = n }
}
