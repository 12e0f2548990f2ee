package localaws

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultKind is a way for a request to fail.
type FaultKind int

const (
	// Throttle answers with the service's own throttling error: S3 503
	// SlowDown, Glue and Athena 400 ThrottlingException.
	Throttle FaultKind = iota + 1
	// InternalError answers 500 with the service's internal error code.
	InternalError
	// Unavailable answers 503 ServiceUnavailable.
	Unavailable
	// Latency delays the request by Fault.Latency, then serves it.
	Latency
	// DropConnection serves the request but cuts the connection after
	// Fault.AfterBytes bytes of the response body (0 means half of it, at
	// least one byte), so the client sees an unexpected EOF.
	DropConnection
	// AccessDenied answers 403 AccessDenied (Glue and Athena:
	// AccessDeniedException), as a missing IAM permission does.
	AccessDenied
)

// String names the fault kind.
func (k FaultKind) String() string {
	switch k {
	case Throttle:
		return "Throttle"
	case InternalError:
		return "InternalError"
	case Unavailable:
		return "Unavailable"
	case Latency:
		return "Latency"
	case DropConnection:
		return "DropConnection"
	case AccessDenied:
		return "AccessDenied"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault makes matching requests fail. Set Times, Fraction, or both: the
// fault applies to the next Times matching requests (0: no count limit),
// each with probability Fraction (0: always). A Fault with neither applies
// to every matching request until removed.
type Fault struct {
	// Op is "<service>:<Operation>" such as "s3:GetObject" or
	// "glue:BatchCreatePartition"; "s3:*" matches a whole service and "*"
	// everything.
	Op   string
	Kind FaultKind
	// Times bounds how many requests the fault hits; 0 means no bound.
	Times int
	// Fraction is the probability a matching request is hit; 0 means 1.
	// Draws come from a source seeded with Seed, so runs repeat.
	Fraction float64
	Seed     uint64
	// Latency is the delay of a Latency fault.
	Latency time.Duration
	// AfterBytes is where a DropConnection fault cuts the body.
	AfterBytes int64
}

func (f Fault) matches(op string) bool {
	if f.Op == "*" || f.Op == op {
		return true
	}
	service, wildcard := strings.CutSuffix(f.Op, ":*")
	return wildcard && strings.HasPrefix(op, service+":")
}

func (f Fault) dropAfter() int64 {
	if f.AfterBytes > 0 {
		return f.AfterBytes
	}
	return -1 // half of the body, decided once its length is known
}

// apply serves the fault on w. It reports whether the response is complete;
// if not, the request goes on to its service (after a delay, or with a
// connection that will be cut).
func (f Fault) apply(w http.ResponseWriter, r *http.Request, service string) (done bool) {
	switch f.Kind {
	case Latency:
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
		}
		return false
	case DropConnection:
		return false
	}
	status, code, msg := faultResponse(f.Kind, service)
	if service == "s3" {
		writeS3Error(w, status, code, msg, r.URL.Path)
	} else {
		writeAWSError(w, newAWSRequestID(), &awsError{Status: status, Code: code, Message: msg})
	}
	return true
}

// faultResponse gives each service's own words for a failure kind.
func faultResponse(kind FaultKind, service string) (status int, code, message string) {
	switch {
	case kind == Throttle && service == "s3":
		return http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."
	case kind == Throttle:
		return http.StatusBadRequest, "ThrottlingException", "Rate exceeded"
	case kind == Unavailable:
		return http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unable to handle request."
	case kind == AccessDenied && service == "s3":
		return http.StatusForbidden, "AccessDenied", "Access Denied"
	case kind == AccessDenied:
		return http.StatusForbidden, "AccessDeniedException", "User is not authorized to perform this action (injected)"
	case service == "s3":
		return http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."
	case service == "glue":
		return http.StatusInternalServerError, "InternalServiceException", "Internal service error (injected)"
	}
	return http.StatusInternalServerError, "InternalServerException", "Internal server error (injected)"
}

// faultTable holds the injected faults, oldest first.
type faultTable struct {
	mu     sync.Mutex
	faults []*activeFault
}

type activeFault struct {
	Fault
	left int // remaining hits when Times > 0
	rng  *rand.Rand
}

// Inject makes requests fail as f says until it is used up or the returned
// function removes it. Faults are checked in the order injected; the first
// that hits a request applies.
func (s *Stack) Inject(f Fault) (remove func()) {
	a := &activeFault{Fault: f, left: f.Times, rng: rand.New(rand.NewPCG(f.Seed, 0x9e3779b97f4a7c15))}
	t := &s.faults
	t.mu.Lock()
	t.faults = append(t.faults, a)
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		for i, x := range t.faults {
			if x == a {
				t.faults = append(t.faults[:i], t.faults[i+1:]...)
				return
			}
		}
	}
}

// take returns the fault that hits a request for op, using up one of its
// hits.
func (t *faultTable) take(op string) (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, a := range t.faults {
		if !a.matches(op) {
			continue
		}
		if a.Fraction > 0 && a.Fraction < 1 && a.rng.Float64() >= a.Fraction {
			continue
		}
		if a.Times > 0 {
			a.left--
			if a.left <= 0 {
				t.faults = append(t.faults[:i], t.faults[i+1:]...)
			}
		}
		return a.Fault, true
	}
	return Fault{}, false
}

// callStats counts requests and response bytes per operation.
type callStats struct {
	mu    sync.Mutex
	calls map[string]int
	bytes map[string]int64
}

// call counts a request as it arrives, so that a client that has its
// response sees the call counted whatever the response's size.
func (c *callStats) call(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls, c.bytes = map[string]int{}, map[string]int64{}
	}
	c.calls[op]++
}

// served adds a response's body bytes once it is written.
func (c *callStats) served(op string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes == nil {
		c.calls, c.bytes = map[string]int{}, map[string]int64{}
	}
	c.bytes[op] += n
}

// Calls returns how many requests op has received, op as in Fault.Op
// ("s3:GetObject", "s3:*", "*").
func (s *Stack) Calls(op string) int {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	n := 0
	for name, c := range s.stats.calls {
		if (Fault{Op: op}).matches(name) {
			n += c
		}
	}
	return n
}

// BytesServed returns how many response body bytes op has sent, such as
// the bytes a reader fetched with "s3:GetObject".
func (s *Stack) BytesServed(op string) int64 {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	var n int64
	for name, b := range s.stats.bytes {
		if (Fault{Op: op}).matches(name) {
			n += b
		}
	}
	return n
}

// ResetCounters sets every count back to zero.
func (s *Stack) ResetCounters() {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	s.stats.calls, s.stats.bytes = nil, nil
}

// countingWriter counts body bytes and, for a DropConnection fault, cuts
// the connection part way through the body.
type countingWriter struct {
	http.ResponseWriter
	bytes     int64
	dropAfter int64 // 0: never; -1: half the Content-Length
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.dropAfter != 0 {
		limit := c.dropAfter
		if limit < 0 {
			var length int64
			fmt.Sscan(c.Header().Get("Content-Length"), &length)
			limit = max(length/2, 1)
			c.dropAfter = limit
		}
		if c.bytes+int64(len(p)) > limit {
			n, _ := c.ResponseWriter.Write(p[:limit-c.bytes])
			c.bytes += int64(n)
			if fl, ok := c.ResponseWriter.(http.Flusher); ok {
				fl.Flush()
			}
			// net/http's documented way to abort a response: the server
			// closes the connection without completing the body.
			panic(http.ErrAbortHandler)
		}
	}
	n, err := c.ResponseWriter.Write(p)
	c.bytes += int64(n)
	return n, err
}

// Flush passes flushes through, for streaming responses.
func (c *countingWriter) Flush() {
	if fl, ok := c.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}
