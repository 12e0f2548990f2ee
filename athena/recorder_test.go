package athena_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gowrangler/wrangler/athena"
	"github.com/gowrangler/wrangler/localaws"
	"github.com/gowrangler/wrangler/s3io"
)

// recordingAthena passes every call to localaws through the SDK client
// and records, on the client side, the queries started and the
// GetQueryResults calls made. localaws's own counters are updated after the
// response has been sent, so a test that reads them at once can see a
// count one short.
type recordingAthena struct {
	*sdkathena.Client
	mu      sync.Mutex
	started []string
	results int
}

func (r *recordingAthena) StartQueryExecution(ctx context.Context, in *sdkathena.StartQueryExecutionInput, optFns ...func(*sdkathena.Options)) (*sdkathena.StartQueryExecutionOutput, error) {
	r.mu.Lock()
	r.started = append(r.started, *in.QueryString)
	r.mu.Unlock()
	return r.Client.StartQueryExecution(ctx, in, optFns...)
}

func (r *recordingAthena) GetQueryResults(ctx context.Context, in *sdkathena.GetQueryResultsInput, optFns ...func(*sdkathena.Options)) (*sdkathena.GetQueryResultsOutput, error) {
	r.mu.Lock()
	r.results++
	r.mu.Unlock()
	return r.Client.GetQueryResults(ctx, in, optFns...)
}

// queries returns the query strings started so far.
func (r *recordingAthena) queries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.started...)
}

func (r *recordingAthena) resultCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results
}

func (r *recordingAthena) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started, r.results = nil, 0
}

// recordingS3 passes every call to localaws's S3 and counts GetObject calls
// by key suffix; deny, when set, refuses the GetObject of matching keys
// with the error the SDK gives for S3's 403 AccessDenied (localaws has no
// fault of that kind).
type recordingS3 struct {
	*s3.Client
	deny func(key string) bool
	mu   sync.Mutex
	gets map[string]int
}

func (r *recordingS3) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	key := *in.Key
	r.mu.Lock()
	if r.gets == nil {
		r.gets = map[string]int{}
	}
	r.gets[key]++
	r.mu.Unlock()
	if r.deny != nil && r.deny(key) {
		return nil, &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusForbidden}},
				Err:      &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"},
			},
			RequestID: "test",
		}}
	}
	return r.Client.GetObject(ctx, in, optFns...)
}

// getsOf counts the GetObject calls for keys ending in suffix.
func (r *recordingS3) getsOf(suffix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, c := range r.gets {
		if strings.HasSuffix(k, suffix) {
			n += c
		}
	}
	return n
}

// recorded is an athena Client over localaws whose Athena and S3 traffic
// is recorded.
type recorded struct {
	c     *athena.Client
	api   *recordingAthena
	s3    *recordingS3
	stack *localaws.Stack
}

// newRecorded starts localaws with a results bucket; withS3 false gives
// the Client no S3 client. The Client writes under s3://results/q/ and
// polls fast.
func newRecorded(t *testing.T, stackOpts func(*localaws.Options), withS3 bool, optFns ...func(*athena.Options)) *recorded {
	t.Helper()
	st, err := localaws.Start(context.Background(), func(o *localaws.Options) {
		o.Buckets = []string{"results"}
		if stackOpts != nil {
			stackOpts(o)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &recorded{stack: st, api: &recordingAthena{Client: sdkathenaClient(st)},
		s3: &recordingS3{Client: s3.NewFromConfig(st.Config(), localaws.PathStyle)}}
	var s3c *s3io.Client
	if withS3 {
		s3c = s3io.New(r.s3)
	}
	opts := append([]func(*athena.Options){athena.OutputLocation("s3://results/q/"), fastPolling}, optFns...)
	r.c = athena.New(r.api, s3c, opts...)
	return r
}

func fastPolling(o *athena.Options) {
	o.PollMin = 5 * time.Millisecond
	o.PollMax = 50 * time.Millisecond
}
