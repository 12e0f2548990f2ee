package retry

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// retryableCodes are API error codes retried although they are not
// throttling: the SDK's defaults (AWS-FACTS.md 6.1) and Glue's optimistic
// locking conflict, which succeeds once the competing writer is done.
var retryableCodes = map[string]bool{
	"RequestTimeout":                  true,
	"RequestTimeoutException":         true,
	"ConcurrentModificationException": true,
}

// neverRetriedCodes are API error codes that say the request itself is wrong;
// sending it again cannot help, whatever the HTTP status says.
var neverRetriedCodes = map[string]bool{
	"InvalidRequestException": true,
}

// retryableStatus are the HTTP statuses retried when the error code does not
// decide: the SDK's 5xx list (AWS-FACTS.md 6.1) plus 429 Too Many Requests.
var retryableStatus = map[int]bool{
	http.StatusTooManyRequests:     true,
	http.StatusInternalServerError: true,
	http.StatusBadGateway:          true,
	http.StatusServiceUnavailable:  true,
	http.StatusGatewayTimeout:      true,
}

// IsThrottle reports whether err says the caller is sending too much: an API
// error code in the SDK's throttle list (Throttling, ThrottlingException,
// TooManyRequestsException, SlowDown, RequestLimitExceeded and the others of
// AWS-FACTS.md 6.1, which covers Athena's concurrency limit, Glue and Lambda
// throttling and S3 SlowDown) or an HTTP 429 response.
func IsThrottle(err error) bool {
	if err == nil {
		return false
	}
	if code, ok := errorCode(err); ok {
		if _, throttle := sdkretry.DefaultThrottleErrorCodes[code]; throttle {
			return true
		}
	}
	status, ok := httpStatus(err)
	return ok && status == http.StatusTooManyRequests
}

// IsRetryable reports whether err is worth another attempt. In order:
//   - nil, a context's Canceled or DeadlineExceeded, an error wrapped by
//     Permanent, and InvalidRequestException are never retried;
//   - an error with a RetryableError() bool method (the SDK's convention)
//     decides for itself;
//   - throttling (IsThrottle), RequestTimeout, RequestTimeoutException and
//     Glue's ConcurrentModificationException are retried;
//   - otherwise HTTP statuses 429, 500, 502, 503 and 504 are retried;
//   - otherwise transient network failures are retried: timeouts, resets,
//     refused and failed dials, temporary DNS failures (not NXDOMAIN), and an
//     unexpected EOF from a cut connection.
//
// Everything else, including other API error codes such as
// EntityNotFoundException or AccessDenied, is not retried.
func IsRetryable(err error) bool {
	if err == nil || isContextError(err) || isPermanent(err) {
		return false
	}
	code, hasCode := errorCode(err)
	if hasCode && neverRetriedCodes[code] {
		return false
	}
	var self interface{ RetryableError() bool }
	if errors.As(err, &self) {
		return self.RetryableError()
	}
	if IsThrottle(err) || (hasCode && retryableCodes[code]) {
		return true
	}
	if status, ok := httpStatus(err); ok && retryableStatus[status] {
		return true
	}
	return isTransientNetworkError(err)
}

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// isContextError reports a context's own error, or the SDK's wrapping of it.
func isContextError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var canceled *aws.RequestCanceledError
	return errors.As(err, &canceled)
}

func isTransientNetworkError(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	// The SDK's own check knows the shapes net/http and the resolver produce
	// (url.Error, net.OpError, net.DNSError, "connection reset" texts); using
	// it keeps Do and SDK clients agreeing on what a network blip is.
	return sdkretry.RetryableConnectionError{}.IsErrorRetryable(err) == aws.TrueTernary
}

// errorCode returns the API error code in err's chain: that of a
// smithy.APIError, or of any error with an ErrorCode() string method.
func errorCode(err error) (string, bool) {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		return coded.ErrorCode(), true
	}
	return "", false
}

// httpStatus returns the HTTP status in err's chain, such as that of a
// *smithyhttp.ResponseError.
func httpStatus(err error) (int, bool) {
	var v interface{ HTTPStatusCode() int }
	if errors.As(err, &v) {
		return v.HTTPStatusCode(), true
	}
	return 0, false
}

// serviceID returns the service of the smithy.OperationError in err's chain,
// such as "Athena", "Glue", "S3" or "Lambda".
func serviceID(err error) (string, bool) {
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return op.ServiceID, true
	}
	return "", false
}
