package localaws

// AWS JSON 1.1 protocol helpers shared by the JSON services (Glue, and the
// Athena emulator): request decoding, responses, modeled errors and the
// epoch-seconds timestamp encoding (AWS-FACTS.md 2.1, 7).

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// awsJSONContentType is the content type of every AWS JSON 1.1 response.
const awsJSONContentType = "application/x-amz-json-1.1"

// maxAWSJSONBody bounds a request body. The largest Glue request the library
// sends is a BatchCreatePartition of 100 partitions, far below this; the
// bound only keeps a broken client from exhausting memory.
const maxAWSJSONBody = 64 << 20

// awsError is a modeled AWS error: Status is the HTTP status, Code the bare
// error code the SDK maps to its typed error (such as
// EntityNotFoundException), Message the human text.
type awsError struct {
	Status  int
	Code    string
	Message string
}

// Error implements error.
func (e *awsError) Error() string { return e.Code + ": " + e.Message }

// newAWSError builds a 400 error with a formatted message; nearly every
// modeled client error of the JSON services is a 400.
func newAWSError(code, format string, args ...any) *awsError {
	return &awsError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// newAWSRequestID returns a request id in the UUID form AWS uses for
// x-amzn-RequestId.
func newAWSRequestID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error (Go 1.24+ documents it as
	// crashing the program instead on a broken system source).
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// decodeAWSJSON reads an AWS JSON 1.1 request body into v. An empty body
// means {} (the SDK sends {} for an input without members; other clients may
// send nothing). Unknown members are ignored, as AWS services ignore members
// a newer client sends. A body that is not a JSON object of the right shape
// is a SerializationException, the code AWS JSON services use for it.
func decodeAWSJSON(r *http.Request, v any) *awsError {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAWSJSONBody+1))
	if err != nil {
		return newAWSError("SerializationException", "cannot read the request body: %v", err)
	}
	if len(body) > maxAWSJSONBody {
		return newAWSError("SerializationException", "request body exceeds %d bytes", maxAWSJSONBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return newAWSError("SerializationException", "cannot decode the request body: %s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return newAWSError("SerializationException", "cannot decode the request body: data after the top-level value")
	}
	return nil
}

// describeJSONError names where a JSON decoding error happened.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%v at byte offset %d", syn, syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the top-level value"
		}
		return fmt.Sprintf("member %s: cannot use JSON %s as %s (byte offset %d)", field, typ.Value, typ.Type, typ.Offset)
	}
	return err.Error()
}

// writeAWSJSON writes a 200 response with v as its JSON body.
func writeAWSJSON(w http.ResponseWriter, requestID string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only values the emulator built reach here; a failure is a bug in
		// the emulator, reported the way AWS reports its own faults.
		writeAWSError(w, requestID, &awsError{Status: http.StatusInternalServerError,
			Code: "InternalServiceException", Message: "cannot encode the response: " + err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", awsJSONContentType)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// writeAWSError writes e as AWS JSON 1.1 error: the bare code in __type and
// in X-Amzn-ErrorType (the SDK reads the header first, then __type), the
// text in Message.
func writeAWSError(w http.ResponseWriter, requestID string, e *awsError) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"Message"`
	}{e.Code, e.Message}) // two strings: cannot fail
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	h := w.Header()
	h.Set("Content-Type", awsJSONContentType)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// awsTime is a timestamp in the AWS JSON encoding: epoch seconds as a JSON
// number, fractional seconds allowed (AWS-FACTS.md, fixtures/glue/MANIFEST.md).
// It is written with millisecond precision, the precision AWS services
// report.
type awsTime time.Time

// newAWSTime returns t as a *awsTime, for optional timestamp members.
func newAWSTime(t time.Time) *awsTime {
	at := awsTime(t)
	return &at
}

// Time returns the timestamp as a time.Time.
func (t awsTime) Time() time.Time { return time.Time(t) }

// MarshalJSON writes epoch seconds, with a fraction only when there is one.
func (t awsTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	ms := tt.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds (integer, fraction or exponent form).
// As a courtesy to hand-written requests it also accepts an RFC 3339 string;
// AWS JSON clients always send numbers.
func (t *awsTime) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		tt, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return fmt.Errorf("timestamp %q is neither epoch seconds nor RFC 3339", str)
		}
		*t = awsTime(tt)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("timestamp %s is not epoch seconds", s)
	}
	// Beyond ±1e11 seconds (year ~5138) the nanosecond arithmetic below
	// would overflow; such a timestamp is no real AWS value.
	if f > 1e11 || f < -1e11 {
		return fmt.Errorf("timestamp %s is out of range", s)
	}
	sec, frac := math.Modf(f)
	*t = awsTime(time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC())
	return nil
}
