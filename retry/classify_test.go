package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// apiError builds the chain the SDK returns for a service error:
// OperationError > ResponseError (HTTP status) > API error (code).
func apiError(service, code string, status int) error {
	return &smithy.OperationError{
		ServiceID:     service,
		OperationName: "Op",
		Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "from test"},
		},
	}
}

// statusError is a response error without an API error code.
func statusError(status int) error {
	return &smithy.OperationError{
		ServiceID: "S3",
		Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      errors.New("unparsed body"),
		},
	}
}

// The SDK's throttle codes as listed in AWS-FACTS.md 6.1.
var factSheetThrottleCodes = []string{
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
	"LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException",
}

func TestThrottleCodesFromTheFactSheet(t *testing.T) {
	for _, code := range factSheetThrottleCodes {
		t.Run(code, func(t *testing.T) {
			err := apiError("Athena", code, 400)
			if !IsThrottle(err) || !IsRetryable(err) {
				t.Fatalf("IsThrottle %v IsRetryable %v, want both true", IsThrottle(err), IsRetryable(err))
			}
		})
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

type selfClassified struct{ retry bool }

func (e selfClassified) Error() string        { return "self classified" }
func (e selfClassified) RetryableError() bool { return e.retry }

func TestClassification(t *testing.T) {
	tests := []struct {
		name               string
		err                error
		throttle, retrying bool
	}{
		{"nil", nil, false, false},
		{"plain error", errors.New("boom"), false, false},
		{"Athena concurrency limit", apiError("Athena", "TooManyRequestsException", 400), true, true},
		{"Athena API rate", apiError("Athena", "ThrottlingException", 400), true, true},
		{"Glue throttling", apiError("Glue", "ThrottlingException", 400), true, true},
		{"Lambda rate exceeded", apiError("Lambda", "TooManyRequestsException", 429), true, true},
		{"S3 SlowDown", apiError("S3", "SlowDown", 503), true, true},
		{"Glue concurrent modification", apiError("Glue", "ConcurrentModificationException", 400), false, true},
		{"request timeout code", apiError("S3", "RequestTimeout", 400), false, true},
		{"invalid request never", apiError("Athena", "InvalidRequestException", 400), false, false},
		{"invalid request even as 500", apiError("Athena", "InvalidRequestException", 500), false, false},
		{"entity not found", apiError("Glue", "EntityNotFoundException", 400), false, false},
		{"already exists", apiError("Glue", "AlreadyExistsException", 400), false, false},
		{"access denied", apiError("S3", "AccessDenied", 403), false, false},
		{"internal server error code", apiError("Athena", "InternalServerException", 500), false, true},
		{"status 429 without code", statusError(429), true, true},
		{"status 500", statusError(500), false, true},
		{"status 502", statusError(502), false, true},
		{"status 503", statusError(503), false, true},
		{"status 504", statusError(504), false, true},
		{"status 400", statusError(400), false, false},
		{"status 404", statusError(404), false, false},
		{"status 501", statusError(501), false, false},
		{"context canceled", context.Canceled, false, false},
		{"deadline exceeded", fmt.Errorf("wrapped: %w", context.DeadlineExceeded), false, false},
		{"SDK request canceled", &aws.RequestCanceledError{Err: context.Canceled}, false, false},
		{"permanent throttle is still a throttle", Permanent(apiError("Glue", "ThrottlingException", 400)), true, false},
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false, true},
		{"read reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false, true},
		{"net timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}, false, true},
		{"unexpected EOF", fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), false, true},
		{"plain EOF", io.EOF, false, false},
		{"NXDOMAIN", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, false, false},
		{"DNS timeout", &net.DNSError{Err: "timeout", Name: "s3.amazonaws.com", IsTimeout: true}, false, true},
		{"self retryable", selfClassified{retry: true}, false, true},
		{"self not retryable 503", fmt.Errorf("%w %w", selfClassified{retry: false}, statusError(503)), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsThrottle(tt.err); got != tt.throttle {
				t.Errorf("IsThrottle: got %v, want %v", got, tt.throttle)
			}
			if got := IsRetryable(tt.err); got != tt.retrying {
				t.Errorf("IsRetryable: got %v, want %v", got, tt.retrying)
			}
		})
	}
}
