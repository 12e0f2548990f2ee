package frame

import "errors"

// Sentinel errors returned (wrapped) by this package. Test for them with
// errors.Is; the wrapping message names the column, field or row involved.
var (
	// ErrColumnNotFound reports a column name that the frame does not have.
	ErrColumnNotFound = errors.New("column not found")
	// ErrDuplicateColumn reports a name given to more than one column.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrLengthMismatch reports columns, masks or validity slices whose
	// lengths disagree with the frame.
	ErrLengthMismatch = errors.New("length mismatch")
	// ErrTypeMismatch reports a column whose Arrow type does not match what an
	// operation or Go type needs.
	ErrTypeMismatch = errors.New("type mismatch")
	// ErrSchemaMismatch reports record batches or tables whose schemas differ.
	ErrSchemaMismatch = errors.New("schema mismatch")
	// ErrUnsupportedType reports a Go type that has no Arrow mapping, such as a
	// map, channel, function or interface field.
	ErrUnsupportedType = errors.New("unsupported type")
	// ErrNullValue reports a null that would have to go into a Go value that
	// cannot hold one; use a pointer field to receive nulls.
	ErrNullValue = errors.New("null value")
	// ErrOutOfRange reports a row index, offset or count outside the frame,
	// or a value that the target Arrow type cannot represent.
	ErrOutOfRange = errors.New("out of range")
	// ErrInvalidArgument reports an argument that is malformed regardless of
	// the frame, such as two validity slices for one column.
	ErrInvalidArgument = errors.New("invalid argument")
)
