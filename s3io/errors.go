package s3io

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Sentinel errors. Test for them with errors.Is; the SDK's own error stays
// in the chain for errors.As.
var (
	// ErrInvalidURL reports a malformed s3:// URL or glob.
	ErrInvalidURL = errors.New("invalid S3 URL")
	// ErrNotFound reports a missing object or bucket (NoSuchKey, NotFound,
	// NoSuchBucket).
	ErrNotFound = errors.New("not found")
	// ErrNoObjects reports a prefix or glob that matched no object where at
	// least one was needed.
	ErrNoObjects = errors.New("no objects match")
	// ErrPreconditionFailed reports a condition S3 refused (HTTP 412,
	// AWS-FACTS.md 3.6): a conditional write whose object exists
	// (Options.IfNoneMatch), or a copy whose source changed during it.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrClosed reports a write to a Writer after Close or Abort.
	ErrClosed = errors.New("writer closed")
	// ErrAborted reports a Writer whose upload was aborted, by Abort, by an
	// earlier error or by its context ending.
	ErrAborted = errors.New("upload aborted")
	// ErrTooLarge reports an output or copy source larger than S3's 5 TiB
	// object maximum.
	ErrTooLarge = errors.New("object too large")
	// ErrCorrupt reports input that is not a valid file of its format: a
	// CSV with a broken quote, a Parquet file whose footer or pages do not
	// decode. Errors raised by a dependency's panic wrap it as well.
	ErrCorrupt = errors.New("corrupt input")
	// ErrInvalidOption reports an option value that cannot work.
	ErrInvalidOption = errors.New("invalid option")
)

// SchemaError reports data that does not fit the schema of a read: a value
// that does not parse as its column's type, a column missing from an object
// or with a type no other object's type unifies with. Callers branch on it
// with errors.As to name the file and column to a user.
type SchemaError struct {
	// URL is the object, s3://bucket/key.
	URL string
	// Column is the column's name ("" when the problem is the whole row).
	Column string
	// Row is the 1-based data row in the object (header excluded); for
	// JSON lines it is the line number, blank lines counted. 0 when the
	// error is not about one row.
	Row int64
	// Want and Got describe the expectation and what was found: types, a
	// column count, a value.
	Want, Got string
	// Err is the underlying cause, if any.
	Err error
}

// Error describes the problem with its location.
func (e *SchemaError) Error() string {
	msg := "schema mismatch in " + e.URL
	if e.Row > 0 {
		msg += fmt.Sprintf(" row %d", e.Row)
	}
	if e.Column != "" {
		msg += fmt.Sprintf(" column %q", e.Column)
	}
	if e.Want != "" || e.Got != "" {
		msg += fmt.Sprintf(": got %s, want %s", e.Got, e.Want)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *SchemaError) Unwrap() error { return e.Err }

// DeleteError is the failure of one key in a DeleteObjects batch, which S3
// reports inside a successful response (AWS-FACTS.md 3.3).
type DeleteError struct {
	// URL is the object that was not deleted.
	URL string
	// Code and Message are S3's, such as AccessDenied.
	Code, Message string
}

// Error describes the failed key.
func (e *DeleteError) Error() string {
	return fmt.Sprintf("delete %s: %s: %s", e.URL, e.Code, e.Message)
}

// classify adds the package's sentinels to an SDK error, keeping the SDK
// error in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var nsb *types.NoSuchBucket
	if errors.As(err, &nsk) || errors.As(err, &nf) || errors.As(err, &nsb) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound", "NoSuchBucket":
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case "PreconditionFailed":
			return fmt.Errorf("%w: %w", ErrPreconditionFailed, err)
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case http.StatusPreconditionFailed:
			return fmt.Errorf("%w: %w", ErrPreconditionFailed, err)
		}
	}
	return err
}
