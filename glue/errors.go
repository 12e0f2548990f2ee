package glue

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped with context; test for them with errors.Is.
var (
	// ErrUnsupportedType reports an Arrow type with no Glue (Hive)
	// counterpart.
	ErrUnsupportedType = errors.New("no Glue type for this Arrow type")
	// ErrInvalidType reports a malformed Glue type string.
	ErrInvalidType = errors.New("invalid Glue type")
	// ErrNotFound reports a database, table or partition that does not
	// exist.
	ErrNotFound = errors.New("not found")
	// ErrIncompatibleSchema reports a schema change that the table cannot
	// take: a column whose type changed in a way old files cannot be read
	// as, or different partition keys.
	ErrIncompatibleSchema = errors.New("incompatible schema change")
	// ErrInvalidName reports a database, table or column name that Glue or
	// Athena refuses and that was not sanitised.
	ErrInvalidName = errors.New("invalid name")
)

// SchemaChangeError says which column of which table cannot change as asked.
type SchemaChangeError struct {
	Database, Table, Column string
	// Was and Now are the Glue types before and after; Reason says why the
	// change is refused.
	Was, Now, Reason string
}

// Error names the table, the column and the change refused.
func (e *SchemaChangeError) Error() string {
	return fmt.Sprintf("glue: table %s.%s column %q: %s -> %s: %s", e.Database, e.Table, e.Column, e.Was, e.Now, e.Reason)
}

// Unwrap makes errors.Is(err, ErrIncompatibleSchema) hold.
func (e *SchemaChangeError) Unwrap() error { return ErrIncompatibleSchema }
