package localaws

// The Athena emulator: AWS JSON 1.1 (X-Amz-Target: AmazonAthena.<Op>) over
// a query engine of DuckDB reading the S3 side's files through the Glue
// catalog. Behaviour follows AWS-FACTS.md section 1; where AWS behaviour had
// to be guessed, the code says so in a comment starting "Guess:".

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultAthenaMaxActiveQueries is the default limit of active (queued plus
// running) queries: 20, the smallest regional default of the Active DML
// queries quota and the Active DDL default everywhere (AWS-FACTS.md 1.12).
const DefaultAthenaMaxActiveQueries = 20

// AthenaRate is a token bucket for one Athena API operation: PerSecond
// tokens are added each second up to Burst.
type AthenaRate struct {
	PerSecond float64
	Burst     int
}

// Unlimited is an AthenaRate that never throttles.
var Unlimited = AthenaRate{PerSecond: -1}

// DefaultAthenaRates are the API call quotas of AWS-FACTS.md 1.12 (calls
// per second, burst). Guess: GetQueryRuntimeStatistics shares
// GetQueryExecution's quota; operations not listed (GetWorkGroup,
// ListWorkGroups) are not throttled.
var DefaultAthenaRates = map[string]AthenaRate{
	"BatchGetQueryExecution":    {PerSecond: 20, Burst: 40},
	"StartQueryExecution":       {PerSecond: 20, Burst: 80},
	"StopQueryExecution":        {PerSecond: 20, Burst: 80},
	"GetQueryExecution":         {PerSecond: 100, Burst: 200},
	"GetQueryResults":           {PerSecond: 100, Burst: 200},
	"GetQueryRuntimeStatistics": {PerSecond: 100, Burst: 200},
	"ListQueryExecutions":       {PerSecond: 5, Burst: 10},
}

// AthenaWorkGroup configures a workgroup besides primary.
type AthenaWorkGroup struct {
	Name        string
	Description string
	// OutputLocation is the workgroup's result location (s3://bucket/prefix/).
	OutputLocation string
	// EncryptionOption (SSE_S3, SSE_KMS, CSE_KMS) and KmsKey are reported
	// in the result configuration; localaws does not encrypt.
	EncryptionOption string
	KmsKey           string
	// Enforce makes the workgroup's settings override the client's
	// (EnforceWorkGroupConfiguration).
	Enforce bool
	// Disabled refuses new queries.
	Disabled bool
}

// Athena query states.
const (
	athQueued    = "QUEUED"
	athRunning   = "RUNNING"
	athSucceeded = "SUCCEEDED"
	athFailed    = "FAILED"
	athCancelled = "CANCELLED"
)

// Athena's page and list limits (AWS-FACTS.md 1.4, 1.11).
const (
	athenaMaxResultsPage  = 1000
	athenaMaxListPage     = 50
	athenaMaxBatchGet     = 50
	athenaMaxReuseMinutes = 10080
)

// athenaService is the Athena emulator. Queries run on their own goroutines
// under a context that Stop and Close cancel; mu guards the query table.
type athenaService struct {
	dataDir    string
	s3         *s3Service
	glue       *glueService
	maxActive  int
	latency    time.Duration
	limiters   map[string]*rate.Limiter
	workgroups map[string]*athenaWorkGroupState
	created    time.Time

	root   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	queries map[string]*athenaQuery
	order   []*athenaQuery // submission order
	tokens  map[string]*athenaQuery
	closed  bool
}

type athenaWorkGroupState struct {
	AthenaWorkGroup
	created time.Time
}

// athenaQuery is one query execution.
type athenaQuery struct {
	id          string
	query       string
	params      []string
	fingerprint string
	database    string
	context     *athenaQueryContext
	workgroup   string
	resultCfg   athenaResultConfiguration // as reported (OutputLocation = result file)
	outputDir   string                    // s3://bucket/prefix/ the results go under
	enforced    bool
	reuse       *athenaResultReuse
	stmt        *athenaStatement
	parseErr    error

	cancel context.CancelFunc

	// Guarded by athenaService.mu.
	state      string
	reason     string
	athErr     *athenaErrorShape
	submitted  time.Time
	started    time.Time
	completed  time.Time
	result     *athenaResult
	reusedFrom *athenaQuery
}

// athenaResult is what a finished query produced.
type athenaResult struct {
	columns     []athenaColumnInfo
	rows        [][]*string // the header row first for a SELECT
	updateCount int64
	manifest    []string // s3 URLs of data files written (CTAS, INSERT, UNLOAD)
	manifestURL string
	scanned     int64
	outputRows  int64
	outputBytes int64
}

// Wire shapes.

type athenaQueryContext struct {
	Database *string `json:"Database,omitempty"`
	Catalog  *string `json:"Catalog,omitempty"`
}

type athenaEncryption struct {
	EncryptionOption string  `json:"EncryptionOption"`
	KmsKey           *string `json:"KmsKey,omitempty"`
}

type athenaACL struct {
	S3AclOption string `json:"S3AclOption"`
}

type athenaResultConfiguration struct {
	OutputLocation          *string           `json:"OutputLocation,omitempty"`
	EncryptionConfiguration *athenaEncryption `json:"EncryptionConfiguration,omitempty"`
	ExpectedBucketOwner     *string           `json:"ExpectedBucketOwner,omitempty"`
	AclConfiguration        *athenaACL        `json:"AclConfiguration,omitempty"`
}

type athenaResultReuse struct {
	ResultReuseByAgeConfiguration *struct {
		Enabled         bool   `json:"Enabled"`
		MaxAgeInMinutes *int32 `json:"MaxAgeInMinutes,omitempty"`
	} `json:"ResultReuseByAgeConfiguration,omitempty"`
}

type athenaErrorShape struct {
	ErrorCategory int32  `json:"ErrorCategory"`
	ErrorType     int32  `json:"ErrorType"`
	Retryable     bool   `json:"Retryable"`
	ErrorMessage  string `json:"ErrorMessage"`
}

type athenaStatus struct {
	State              string            `json:"State"`
	StateChangeReason  string            `json:"StateChangeReason,omitempty"`
	SubmissionDateTime *awsTime          `json:"SubmissionDateTime,omitempty"`
	CompletionDateTime *awsTime          `json:"CompletionDateTime,omitempty"`
	AthenaError        *athenaErrorShape `json:"AthenaError,omitempty"`
}

type athenaStatistics struct {
	EngineExecutionTimeInMillis      int64  `json:"EngineExecutionTimeInMillis"`
	DataScannedInBytes               int64  `json:"DataScannedInBytes"`
	DataManifestLocation             string `json:"DataManifestLocation,omitempty"`
	TotalExecutionTimeInMillis       int64  `json:"TotalExecutionTimeInMillis"`
	QueryQueueTimeInMillis           int64  `json:"QueryQueueTimeInMillis"`
	ServicePreProcessingTimeInMillis int64  `json:"ServicePreProcessingTimeInMillis"`
	QueryPlanningTimeInMillis        int64  `json:"QueryPlanningTimeInMillis"`
	ServiceProcessingTimeInMillis    int64  `json:"ServiceProcessingTimeInMillis"`
	ResultReuseInformation           struct {
		ReusedPreviousResult bool `json:"ReusedPreviousResult"`
	} `json:"ResultReuseInformation"`
}

type athenaEngineVersion struct {
	SelectedEngineVersion  string `json:"SelectedEngineVersion"`
	EffectiveEngineVersion string `json:"EffectiveEngineVersion"`
}

var athenaEngine = athenaEngineVersion{SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3"}

type athenaQueryExecution struct {
	QueryExecutionId         string                    `json:"QueryExecutionId"`
	Query                    string                    `json:"Query"`
	StatementType            string                    `json:"StatementType,omitempty"`
	SubstatementType         string                    `json:"SubstatementType,omitempty"`
	ResultConfiguration      athenaResultConfiguration `json:"ResultConfiguration"`
	ResultReuseConfiguration *athenaResultReuse        `json:"ResultReuseConfiguration,omitempty"`
	QueryExecutionContext    athenaQueryContext        `json:"QueryExecutionContext"`
	Status                   athenaStatus              `json:"Status"`
	Statistics               *athenaStatistics         `json:"Statistics,omitempty"`
	WorkGroup                string                    `json:"WorkGroup"`
	EngineVersion            athenaEngineVersion       `json:"EngineVersion"`
}

type athenaColumnInfo struct {
	CatalogName   string `json:"CatalogName"`
	SchemaName    string `json:"SchemaName"`
	TableName     string `json:"TableName"`
	Name          string `json:"Name"`
	Label         string `json:"Label"`
	Type          string `json:"Type"`
	Precision     int32  `json:"Precision"`
	Scale         int32  `json:"Scale"`
	Nullable      string `json:"Nullable"`
	CaseSensitive bool   `json:"CaseSensitive"`
}

type athenaDatum struct {
	VarCharValue *string `json:"VarCharValue,omitempty"`
}

type athenaRow struct {
	Data []athenaDatum `json:"Data"`
}

// newAthenaService builds the emulator; Close stops it.
func newAthenaService(o Options, s3 *s3Service, glue *glueService) (*athenaService, error) {
	a := &athenaService{
		dataDir:    o.Dir,
		s3:         s3,
		glue:       glue,
		maxActive:  o.AthenaMaxActiveQueries,
		latency:    o.AthenaQueryLatency,
		limiters:   map[string]*rate.Limiter{},
		workgroups: map[string]*athenaWorkGroupState{},
		created:    time.Now(),
		queries:    map[string]*athenaQuery{},
		tokens:     map[string]*athenaQuery{},
	}
	if a.maxActive <= 0 {
		a.maxActive = DefaultAthenaMaxActiveQueries
	}
	rates := map[string]AthenaRate{}
	for op, r := range DefaultAthenaRates {
		rates[op] = r
	}
	for op, r := range o.AthenaRates {
		rates[op] = r
	}
	for op, r := range rates {
		switch {
		case r.PerSecond < 0:
			// Unlimited.
		case r.PerSecond == 0 && r.Burst == 0:
			if d, ok := DefaultAthenaRates[op]; ok {
				a.limiters[op] = rate.NewLimiter(rate.Limit(d.PerSecond), d.Burst)
			}
		default:
			a.limiters[op] = rate.NewLimiter(rate.Limit(r.PerSecond), max(r.Burst, 1))
		}
	}
	a.workgroups["primary"] = &athenaWorkGroupState{AthenaWorkGroup: AthenaWorkGroup{Name: "primary"}, created: a.created}
	for _, wg := range o.AthenaWorkGroups {
		if !athenaWorkGroupPattern.MatchString(wg.Name) {
			return nil, fmt.Errorf("workgroup name %q does not match [a-zA-Z0-9._-]{1,128}", wg.Name)
		}
		if wg.OutputLocation != "" {
			if _, _, err := parseS3URL(wg.OutputLocation); err != nil {
				return nil, fmt.Errorf("workgroup %s: %w", wg.Name, err)
			}
		}
		a.workgroups[wg.Name] = &athenaWorkGroupState{AthenaWorkGroup: wg, created: a.created}
	}
	a.root, a.cancel = context.WithCancel(context.Background())
	return a, nil
}

var athenaWorkGroupPattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,128}$`)

// Close cancels every active query and waits for their goroutines, so no
// query touches the data directory after Close returns.
func (a *athenaService) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
}

// athenaHandler serves one decoded operation.
type athenaHandler func(a *athenaService, r *http.Request) (any, *athenaAPIError)

// athenaAPIError is a modeled Athena error with its extra members.
type athenaAPIError struct {
	awsError
	Reason          string // TooManyRequestsException
	AthenaErrorCode string // InvalidRequestException
}

func athenaInvalid(format string, args ...any) *athenaAPIError {
	return &athenaAPIError{awsError: awsError{Status: http.StatusBadRequest, Code: "InvalidRequestException", Message: fmt.Sprintf(format, args...)}}
}

func athenaOp[In any](op func(a *athenaService, in *In) (any, *athenaAPIError)) athenaHandler {
	return func(a *athenaService, r *http.Request) (any, *athenaAPIError) {
		var in In
		if err := decodeAWSJSON(r, &in); err != nil {
			return nil, &athenaAPIError{awsError: *err}
		}
		return op(a, &in)
	}
}

var athenaOperations = map[string]athenaHandler{
	"StartQueryExecution":       athenaOp((*athenaService).startQueryExecution),
	"GetQueryExecution":         athenaOp((*athenaService).getQueryExecution),
	"BatchGetQueryExecution":    athenaOp((*athenaService).batchGetQueryExecution),
	"StopQueryExecution":        athenaOp((*athenaService).stopQueryExecution),
	"GetQueryResults":           athenaOp((*athenaService).getQueryResults),
	"ListQueryExecutions":       athenaOp((*athenaService).listQueryExecutions),
	"GetQueryRuntimeStatistics": athenaOp((*athenaService).getQueryRuntimeStatistics),
	"GetWorkGroup":              athenaOp((*athenaService).getWorkGroup),
	"ListWorkGroups":            athenaOp((*athenaService).listWorkGroups),
}

// ServeHTTP serves one AWS JSON 1.1 request.
func (a *athenaService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newAWSRequestID()
	target := r.Header.Get("X-Amz-Target")
	service, op, _ := strings.Cut(target, ".")
	handler, ok := athenaOperations[op]
	if service != "AmazonAthena" || !ok {
		writeAWSError(w, requestID, newAWSError("UnknownOperationException",
			"Operation %q is not supported by this Athena endpoint", target))
		return
	}
	if r.Method != http.MethodPost {
		writeAWSError(w, requestID, newAWSError("SerializationException", "AWS JSON requests use POST, not %s", r.Method))
		return
	}
	if lim := a.limiters[op]; lim != nil && !lim.Allow() {
		// API rate quotas answer ThrottlingException "Rate exceeded", not
		// TooManyRequestsException (AWS-FACTS.md 1.12).
		writeAWSError(w, requestID, newAWSError("ThrottlingException", "Rate exceeded"))
		return
	}
	out, err := handler(a, r)
	if err != nil {
		writeAthenaError(w, requestID, err)
		return
	}
	writeAWSJSON(w, requestID, out)
}

// writeAthenaError writes a modeled error with its extra members (Reason of
// TooManyRequestsException, AthenaErrorCode of InvalidRequestException).
func writeAthenaError(w http.ResponseWriter, requestID string, e *athenaAPIError) {
	if e.Reason == "" && e.AthenaErrorCode == "" {
		writeAWSError(w, requestID, &e.awsError)
		return
	}
	body, _ := json.Marshal(struct {
		Type            string `json:"__type"`
		Message         string `json:"Message"`
		Reason          string `json:"Reason,omitempty"`
		AthenaErrorCode string `json:"AthenaErrorCode,omitempty"`
	}{e.Code, e.Message, e.Reason, e.AthenaErrorCode})
	h := w.Header()
	h.Set("Content-Type", awsJSONContentType)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

type athenaStartRequest struct {
	QueryString              *string                    `json:"QueryString"`
	ClientRequestToken       *string                    `json:"ClientRequestToken"`
	QueryExecutionContext    *athenaQueryContext        `json:"QueryExecutionContext"`
	ResultConfiguration      *athenaResultConfiguration `json:"ResultConfiguration"`
	WorkGroup                *string                    `json:"WorkGroup"`
	ExecutionParameters      []string                   `json:"ExecutionParameters"`
	ResultReuseConfiguration *athenaResultReuse         `json:"ResultReuseConfiguration"`
	EngineConfiguration      json.RawMessage            `json:"EngineConfiguration"`
}

// validate checks the request against the model (AWS-FACTS.md 1.2).
// Guess: violations are InvalidRequestException, the only client error the
// model lists for the operation.
func (in *athenaStartRequest) validate() *athenaAPIError {
	switch {
	case in.QueryString == nil:
		return athenaInvalid("QueryString is required")
	case len(*in.QueryString) < 1 || len(*in.QueryString) > maxAthenaStatementBytes:
		return athenaInvalid("QueryString must be 1 to %d bytes long", maxAthenaStatementBytes)
	case in.ClientRequestToken != nil && (len(*in.ClientRequestToken) < 32 || len(*in.ClientRequestToken) > 128):
		return athenaInvalid("ClientRequestToken must be 32 to 128 characters long")
	case in.WorkGroup != nil && !athenaWorkGroupPattern.MatchString(*in.WorkGroup):
		return athenaInvalid("WorkGroup %q does not match [a-zA-Z0-9._-]{1,128}", *in.WorkGroup)
	case in.ExecutionParameters != nil && len(in.ExecutionParameters) == 0:
		return athenaInvalid("ExecutionParameters must hold at least 1 parameter")
	}
	for i, p := range in.ExecutionParameters {
		if len(p) < 1 || len(p) > 1024 {
			return athenaInvalid("ExecutionParameters.%d must be 1 to 1024 characters long", i+1)
		}
	}
	if c := in.QueryExecutionContext; c != nil {
		if c.Database != nil && (len(*c.Database) < 1 || len(*c.Database) > 255) {
			return athenaInvalid("QueryExecutionContext.Database must be 1 to 255 characters long")
		}
		if c.Catalog != nil && (len(*c.Catalog) < 1 || len(*c.Catalog) > 256) {
			return athenaInvalid("QueryExecutionContext.Catalog must be 1 to 256 characters long")
		}
	}
	if rc := in.ResultConfiguration; rc != nil {
		if e := rc.EncryptionConfiguration; e != nil {
			switch e.EncryptionOption {
			case "SSE_S3", "SSE_KMS", "CSE_KMS":
			default:
				return athenaInvalid("EncryptionConfiguration.EncryptionOption must be SSE_S3, SSE_KMS or CSE_KMS")
			}
		}
		if o := rc.ExpectedBucketOwner; o != nil && !regexp.MustCompile(`^[0-9]{12}$`).MatchString(*o) {
			return athenaInvalid("ExpectedBucketOwner must be a 12-digit account id")
		}
		if acl := rc.AclConfiguration; acl != nil && acl.S3AclOption != "BUCKET_OWNER_FULL_CONTROL" {
			return athenaInvalid("AclConfiguration.S3AclOption must be BUCKET_OWNER_FULL_CONTROL")
		}
	}
	if r := in.ResultReuseConfiguration; r != nil && r.ResultReuseByAgeConfiguration != nil {
		if m := r.ResultReuseByAgeConfiguration.MaxAgeInMinutes; m != nil && (*m < 0 || *m > athenaMaxReuseMinutes) {
			return athenaInvalid("MaxAgeInMinutes must be 0 to %d", athenaMaxReuseMinutes)
		}
	}
	return nil
}

func (a *athenaService) startQueryExecution(in *athenaStartRequest) (any, *athenaAPIError) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	wgName := "primary"
	if in.WorkGroup != nil {
		wgName = *in.WorkGroup
	}
	wg, ok := a.workgroups[wgName]
	if !ok {
		return nil, athenaInvalid("WorkGroup %s is not found.", wgName)
	}
	if wg.Disabled {
		return nil, athenaInvalid("WorkGroup %s is disabled.", wgName)
	}
	// The effective result configuration: an enforcing workgroup's
	// settings win; otherwise the request's, falling back on the
	// workgroup's (AWS-FACTS.md 1.2).
	var rc athenaResultConfiguration
	if in.ResultConfiguration != nil {
		rc = *in.ResultConfiguration
	}
	wgRC := wg.resultConfiguration()
	if wg.Enforce {
		rc = wgRC
	} else {
		if rc.OutputLocation == nil {
			rc.OutputLocation = wgRC.OutputLocation
		}
		if rc.EncryptionConfiguration == nil {
			rc.EncryptionConfiguration = wgRC.EncryptionConfiguration
		}
	}
	if rc.OutputLocation == nil || *rc.OutputLocation == "" {
		return nil, athenaInvalid("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
	}
	bucket, prefix, err := parseS3URL(*rc.OutputLocation)
	if err != nil {
		return nil, athenaInvalid("%v", err)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	outputDir := "s3://" + bucket + "/" + prefix

	fp, _ := json.Marshal(struct {
		Q, WG string
		C     *athenaQueryContext
		R     athenaResultConfiguration
		P     []string
		U     *athenaResultReuse
	}{*in.QueryString, wgName, in.QueryExecutionContext, rc, in.ExecutionParameters, in.ResultReuseConfiguration})

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, &athenaAPIError{awsError: awsError{Status: http.StatusInternalServerError, Code: "InternalServerException", Message: "localaws is shutting down"}}
	}
	if in.ClientRequestToken != nil {
		if prev, ok := a.tokens[*in.ClientRequestToken]; ok {
			if prev.fingerprint != string(fp) {
				// Guess: the wording; the code is the modeled one.
				return nil, athenaInvalid("Idempotent parameters do not match: ClientRequestToken %s was used with different parameters", *in.ClientRequestToken)
			}
			return map[string]string{"QueryExecutionId": prev.id}, nil
		}
	}

	q := &athenaQuery{
		id:          newAWSRequestID(),
		query:       *in.QueryString,
		params:      in.ExecutionParameters,
		fingerprint: string(fp),
		context:     in.QueryExecutionContext,
		workgroup:   wgName,
		outputDir:   outputDir,
		enforced:    wg.Enforce,
		reuse:       in.ResultReuseConfiguration,
		submitted:   time.Now(),
	}
	q.database = "default"
	if c := in.QueryExecutionContext; c != nil && c.Database != nil {
		q.database = strings.ToLower(*c.Database)
	}
	q.stmt, q.parseErr = athenaTranslate(q.query, q.params)
	ext := ".csv"
	if q.stmt != nil && q.stmt.StatementType != "DML" {
		ext = ".txt"
	}
	q.resultCfg = rc
	loc := outputDir + q.id + ext
	q.resultCfg.OutputLocation = &loc

	if prev := a.reusable(q); prev != nil {
		q.state, q.started, q.completed = athSucceeded, q.submitted, q.submitted
		q.result, q.reusedFrom = prev.result, prev
		q.resultCfg.OutputLocation = prev.resultCfg.OutputLocation
		a.register(q, in.ClientRequestToken)
		return map[string]string{"QueryExecutionId": q.id}, nil
	}

	active := 0
	for _, other := range a.order {
		if other.state == athQueued || other.state == athRunning {
			active++
		}
	}
	if active >= a.maxActive {
		return nil, &athenaAPIError{
			awsError: awsError{Status: http.StatusBadRequest, Code: "TooManyRequestsException",
				Message: "You have exceeded the limit for the number of queries you can run concurrently. Please reduce the number of concurrent queries submitted by this account. Contact customer support to request a concurrent query limit increase."},
			Reason: "CONCURRENT_QUERY_LIMIT_EXCEEDED",
		}
	}
	q.state = athQueued
	ctx, cancel := context.WithCancel(a.root)
	q.cancel = cancel
	a.register(q, in.ClientRequestToken)
	a.wg.Add(1)
	go a.run(ctx, q)
	return map[string]string{"QueryExecutionId": q.id}, nil
}

// register records a query; the caller holds a.mu.
func (a *athenaService) register(q *athenaQuery, token *string) {
	a.queries[q.id] = q
	a.order = append(a.order, q)
	if token != nil {
		a.tokens[*token] = q
	}
}

// reusable finds a previous result the query may reuse (AWS-FACTS.md 1.10):
// same workgroup, query string, parameters, database and catalog, result
// configuration, a SELECT that succeeded within the maximum age; the latest
// wins. The caller holds a.mu. Guess: non-deterministic functions are not
// detected, so a query with rand() is reused like any other.
func (a *athenaService) reusable(q *athenaQuery) *athenaQuery {
	if q.reuse == nil || q.reuse.ResultReuseByAgeConfiguration == nil || !q.reuse.ResultReuseByAgeConfiguration.Enabled {
		return nil
	}
	if q.stmt == nil || q.stmt.Kind != athSelect {
		return nil
	}
	maxAge := 60 * time.Minute
	if m := q.reuse.ResultReuseByAgeConfiguration.MaxAgeInMinutes; m != nil {
		maxAge = time.Duration(*m) * time.Minute
	}
	for i := len(a.order) - 1; i >= 0; i-- {
		p := a.order[i]
		if p.state != athSucceeded || p.result == nil || p.workgroup != q.workgroup || p.query != q.query ||
			p.database != q.database || p.outputDir != q.outputDir || strings.Join(p.params, "\x00") != strings.Join(q.params, "\x00") ||
			!sameEncryption(p.resultCfg.EncryptionConfiguration, q.resultCfg.EncryptionConfiguration) {
			continue
		}
		if q.submitted.Sub(p.completed) > maxAge {
			return nil
		}
		return p
	}
	return nil
}

func sameEncryption(a, b *athenaEncryption) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func (wg *athenaWorkGroupState) resultConfiguration() athenaResultConfiguration {
	var rc athenaResultConfiguration
	if wg.OutputLocation != "" {
		loc := wg.OutputLocation
		rc.OutputLocation = &loc
	}
	if wg.EncryptionOption != "" {
		rc.EncryptionConfiguration = &athenaEncryption{EncryptionOption: wg.EncryptionOption}
		if wg.KmsKey != "" {
			k := wg.KmsKey
			rc.EncryptionConfiguration.KmsKey = &k
		}
	}
	return rc
}

// run executes a query on its own goroutine.
func (a *athenaService) run(ctx context.Context, q *athenaQuery) {
	defer a.wg.Done()
	defer q.cancel()
	a.mu.Lock()
	if q.state != athQueued {
		a.mu.Unlock()
		return
	}
	q.state, q.started = athRunning, time.Now()
	a.mu.Unlock()

	res, qerr := a.execute(ctx, q)
	if a.latency > 0 && qerr == nil {
		// The configured latency models a real query's duration: the
		// query stays RUNNING at least that long, and Stop still applies.
		if wait := a.latency - time.Since(q.started); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if q.state != athRunning {
		return // stopped meanwhile
	}
	q.completed = time.Now()
	switch {
	case ctx.Err() != nil:
		q.state = athCancelled
		q.reason = "Query was cancelled because localaws is shutting down"
	case qerr != nil:
		q.state = athFailed
		q.reason = qerr.Error()
		q.athErr = &athenaErrorShape{ErrorCategory: qerr.category, ErrorType: qerr.errType, Retryable: qerr.retryable, ErrorMessage: qerr.Error()}
	default:
		q.state = athSucceeded
		q.result = res
	}
}

type athenaIDRequest struct {
	QueryExecutionId *string `json:"QueryExecutionId"`
}

// lookup finds a query; the caller holds a.mu.
func (a *athenaService) lookup(id *string) (*athenaQuery, *athenaAPIError) {
	if id == nil || *id == "" {
		return nil, athenaInvalid("QueryExecutionId is required")
	}
	q, ok := a.queries[*id]
	if !ok {
		// Guess: the wording.
		return nil, athenaInvalid("QueryExecution %s was not found", *id)
	}
	return q, nil
}

// execution renders a query; the caller holds a.mu.
func (q *athenaQuery) execution() athenaQueryExecution {
	ex := athenaQueryExecution{
		QueryExecutionId:         q.id,
		Query:                    q.query,
		StatementType:            "DML",
		ResultConfiguration:      q.resultCfg,
		ResultReuseConfiguration: q.reuse,
		WorkGroup:                q.workgroup,
		EngineVersion:            athenaEngine,
		Status:                   athenaStatus{State: q.state, StateChangeReason: q.reason, SubmissionDateTime: newAWSTime(q.submitted), AthenaError: q.athErr},
	}
	if q.stmt != nil {
		ex.StatementType, ex.SubstatementType = q.stmt.StatementType, q.stmt.SubstatementType
	}
	if q.context != nil && q.context.Database != nil {
		// Guess: Athena reports the default catalog when only the database
		// was given (fixtures/athena/aws-cli-examples/get-query-execution).
		cat := "awsdatacatalog"
		if q.context.Catalog != nil {
			cat = *q.context.Catalog
		}
		ex.QueryExecutionContext = athenaQueryContext{Database: q.context.Database, Catalog: &cat}
	} else if q.context != nil {
		ex.QueryExecutionContext = *q.context
	}
	if !q.completed.IsZero() {
		ex.Status.CompletionDateTime = newAWSTime(q.completed)
	}
	st := &athenaStatistics{}
	if !q.started.IsZero() {
		st.QueryQueueTimeInMillis = q.started.Sub(q.submitted).Milliseconds()
	}
	if !q.completed.IsZero() {
		st.EngineExecutionTimeInMillis = q.completed.Sub(q.started).Milliseconds()
		st.TotalExecutionTimeInMillis = q.completed.Sub(q.submitted).Milliseconds()
	}
	if q.result != nil {
		st.DataScannedInBytes = q.result.scanned
		st.DataManifestLocation = q.result.manifestURL
	}
	if q.reusedFrom != nil {
		st.ResultReuseInformation.ReusedPreviousResult = true
		st.DataScannedInBytes = 0
	}
	ex.Statistics = st
	return ex
}

func (a *athenaService) getQueryExecution(in *athenaIDRequest) (any, *athenaAPIError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, err := a.lookup(in.QueryExecutionId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"QueryExecution": q.execution()}, nil
}

type athenaBatchGetRequest struct {
	QueryExecutionIds []string `json:"QueryExecutionIds"`
}

type athenaUnprocessed struct {
	QueryExecutionId string `json:"QueryExecutionId"`
	ErrorCode        string `json:"ErrorCode"`
	ErrorMessage     string `json:"ErrorMessage"`
}

func (a *athenaService) batchGetQueryExecution(in *athenaBatchGetRequest) (any, *athenaAPIError) {
	if len(in.QueryExecutionIds) < 1 || len(in.QueryExecutionIds) > athenaMaxBatchGet {
		return nil, athenaInvalid("QueryExecutionIds must hold 1 to %d ids", athenaMaxBatchGet)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := struct {
		QueryExecutions              []athenaQueryExecution `json:"QueryExecutions"`
		UnprocessedQueryExecutionIds []athenaUnprocessed    `json:"UnprocessedQueryExecutionIds"`
	}{[]athenaQueryExecution{}, []athenaUnprocessed{}}
	for _, id := range in.QueryExecutionIds {
		q, ok := a.queries[id]
		if !ok {
			// Guess: the error code and wording for an unknown id.
			out.UnprocessedQueryExecutionIds = append(out.UnprocessedQueryExecutionIds, athenaUnprocessed{
				QueryExecutionId: id, ErrorCode: "INVALID_INPUT", ErrorMessage: "QueryExecution " + id + " was not found"})
			continue
		}
		out.QueryExecutions = append(out.QueryExecutions, q.execution())
	}
	return out, nil
}

// stopQueryExecution cancels an active query: it is CANCELLED at once and
// its DuckDB work is interrupted. Stopping a finished query changes
// nothing (Guess, AWS-FACTS.md 1.11).
func (a *athenaService) stopQueryExecution(in *athenaIDRequest) (any, *athenaAPIError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, err := a.lookup(in.QueryExecutionId)
	if err != nil {
		return nil, err
	}
	if q.state == athQueued || q.state == athRunning {
		q.state, q.completed = athCancelled, time.Now()
		if q.started.IsZero() {
			q.started = q.completed
		}
		// Guess: the reason text; AthenaError is not set for a cancelled
		// query.
		q.reason = "Query cancelled by user"
		if q.cancel != nil {
			q.cancel()
		}
	}
	return struct{}{}, nil
}

type athenaGetResultsRequest struct {
	QueryExecutionId *string `json:"QueryExecutionId"`
	NextToken        *string `json:"NextToken"`
	MaxResults       *int32  `json:"MaxResults"`
	QueryResultType  *string `json:"QueryResultType"`
}

// pageToken encodes a page position of one query.
func pageToken(id string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id + "/" + strconv.Itoa(offset)))
}

func parsePageToken(tok *string, id string) (int, *athenaAPIError) {
	if tok == nil {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*tok)
	qid, off, ok := strings.Cut(string(raw), "/")
	n, convErr := strconv.Atoi(off)
	if err != nil || !ok || qid != id || convErr != nil || n < 0 {
		return 0, athenaInvalid("Invalid NextToken")
	}
	return n, nil
}

func (a *athenaService) getQueryResults(in *athenaGetResultsRequest) (any, *athenaAPIError) {
	pageSize := athenaMaxResultsPage
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > athenaMaxResultsPage {
			return nil, athenaInvalid("MaxResults must be 1 to %d", athenaMaxResultsPage)
		}
		pageSize = int(*in.MaxResults)
	}
	a.mu.Lock()
	q, err := a.lookup(in.QueryExecutionId)
	if err != nil {
		a.mu.Unlock()
		return nil, err
	}
	state, res := q.state, q.result
	a.mu.Unlock()
	if state != athSucceeded {
		// AWS-FACTS.md 1.3. Guess: FAILED and CANCELLED queries answer the
		// same way (moto does).
		return nil, athenaInvalid("Query has not yet finished. Current state: %s", state)
	}
	offset, err := parsePageToken(in.NextToken, q.id)
	if err != nil {
		return nil, err
	}
	columns, rows := res.columns, res.rows
	if in.QueryResultType != nil && *in.QueryResultType == "DATA_MANIFEST" {
		if q.stmt == nil || (q.stmt.Kind != athCTAS && q.stmt.Kind != athInsert && q.stmt.Kind != athUnload) {
			return nil, athenaInvalid("DATA_MANIFEST results exist only for CTAS, INSERT INTO and UNLOAD queries")
		}
		// Guess: one varchar column of file paths.
		columns = []athenaColumnInfo{athenaInfo("path", athenaColumn{Type: "varchar", Precision: 2147483647, CaseSensitive: true})}
		rows = nil
		for _, p := range res.manifest {
			rows = append(rows, []*string{&p})
		}
	} else if in.QueryResultType != nil && *in.QueryResultType != "DATA_ROWS" {
		return nil, athenaInvalid("QueryResultType must be DATA_ROWS or DATA_MANIFEST")
	}
	end := min(offset+pageSize, len(rows))
	if offset > len(rows) {
		offset = len(rows)
	}
	page := make([]athenaRow, 0, end-offset)
	for _, r := range rows[offset:end] {
		data := make([]athenaDatum, len(r))
		for i, v := range r {
			data[i] = athenaDatum{VarCharValue: v}
		}
		page = append(page, athenaRow{Data: data})
	}
	out := struct {
		UpdateCount int64   `json:"UpdateCount"`
		NextToken   *string `json:"NextToken,omitempty"`
		ResultSet   struct {
			Rows              []athenaRow `json:"Rows"`
			ResultSetMetadata struct {
				ColumnInfo []athenaColumnInfo `json:"ColumnInfo"`
			} `json:"ResultSetMetadata"`
		} `json:"ResultSet"`
	}{UpdateCount: res.updateCount}
	out.ResultSet.Rows = page
	out.ResultSet.ResultSetMetadata.ColumnInfo = columns
	if out.ResultSet.ResultSetMetadata.ColumnInfo == nil {
		out.ResultSet.ResultSetMetadata.ColumnInfo = []athenaColumnInfo{}
	}
	if end < len(rows) {
		tok := pageToken(q.id, end)
		out.NextToken = &tok
	}
	return out, nil
}

type athenaListRequest struct {
	WorkGroup  *string `json:"WorkGroup"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

// listQueryExecutions lists a workgroup's queries, newest first (Guess:
// AWS documents no order, AWS-FACTS.md 1.11).
func (a *athenaService) listQueryExecutions(in *athenaListRequest) (any, *athenaAPIError) {
	limit := athenaMaxListPage
	if in.MaxResults != nil {
		if *in.MaxResults < 0 || *in.MaxResults > athenaMaxListPage {
			return nil, athenaInvalid("MaxResults must be 0 to %d", athenaMaxListPage)
		}
		if *in.MaxResults > 0 {
			limit = int(*in.MaxResults)
		}
	}
	wg := "primary"
	if in.WorkGroup != nil {
		wg = *in.WorkGroup
	}
	if _, ok := a.workgroups[wg]; !ok {
		return nil, athenaInvalid("WorkGroup %s is not found.", wg)
	}
	offset, err := parsePageToken(in.NextToken, "list:"+wg)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var ids []string
	for i := len(a.order) - 1; i >= 0; i-- {
		if a.order[i].workgroup == wg {
			ids = append(ids, a.order[i].id)
		}
	}
	out := struct {
		QueryExecutionIds []string `json:"QueryExecutionIds"`
		NextToken         *string  `json:"NextToken,omitempty"`
	}{QueryExecutionIds: []string{}}
	// Offsets count from the oldest query, so new queries do not shift a
	// listing in progress.
	total := len(ids)
	start := 0
	if in.NextToken != nil {
		start = total - offset
		if start < 0 {
			start = 0
		}
	}
	end := min(start+limit, total)
	out.QueryExecutionIds = append(out.QueryExecutionIds, ids[start:end]...)
	if end < total {
		tok := pageToken("list:"+wg, total-end)
		out.NextToken = &tok
	}
	return out, nil
}

func (a *athenaService) getQueryRuntimeStatistics(in *athenaIDRequest) (any, *athenaAPIError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, err := a.lookup(in.QueryExecutionId)
	if err != nil {
		return nil, err
	}
	type timeline struct {
		QueryQueueTimeInMillis           int64
		ServicePreProcessingTimeInMillis int64
		QueryPlanningTimeInMillis        int64
		EngineExecutionTimeInMillis      int64
		ServiceProcessingTimeInMillis    int64
		TotalExecutionTimeInMillis       int64
	}
	type rows struct {
		InputRows   int64
		InputBytes  int64
		OutputBytes int64
		OutputRows  int64
	}
	stats := struct {
		Timeline *timeline `json:",omitempty"`
		Rows     *rows     `json:",omitempty"`
	}{}
	// The timeline exists once the query succeeded or failed
	// (AWS-FACTS.md 1.11).
	if q.state == athSucceeded || q.state == athFailed {
		ex := q.execution().Statistics
		stats.Timeline = &timeline{QueryQueueTimeInMillis: ex.QueryQueueTimeInMillis,
			EngineExecutionTimeInMillis: ex.EngineExecutionTimeInMillis, TotalExecutionTimeInMillis: ex.TotalExecutionTimeInMillis}
	}
	if q.state == athSucceeded && q.result != nil {
		// Guess: input rows are not counted (DuckDB does not report them
		// through database/sql); input bytes are the bytes of the files
		// read.
		stats.Rows = &rows{InputBytes: q.result.scanned, OutputRows: q.result.outputRows, OutputBytes: q.result.outputBytes}
	}
	return map[string]any{"QueryRuntimeStatistics": stats}, nil
}

type athenaWorkGroupRequest struct {
	WorkGroup *string `json:"WorkGroup"`
}

func (a *athenaService) getWorkGroup(in *athenaWorkGroupRequest) (any, *athenaAPIError) {
	if in.WorkGroup == nil {
		return nil, athenaInvalid("WorkGroup is required")
	}
	wg, ok := a.workgroups[*in.WorkGroup]
	if !ok {
		return nil, athenaInvalid("WorkGroup %s is not found.", *in.WorkGroup)
	}
	type config struct {
		ResultConfiguration                  athenaResultConfiguration `json:"ResultConfiguration"`
		EnforceWorkGroupConfiguration        bool                      `json:"EnforceWorkGroupConfiguration"`
		PublishCloudWatchMetricsEnabled      bool                      `json:"PublishCloudWatchMetricsEnabled"`
		RequesterPaysEnabled                 bool                      `json:"RequesterPaysEnabled"`
		EngineVersion                        athenaEngineVersion       `json:"EngineVersion"`
		EnableMinimumEncryptionConfiguration bool                      `json:"EnableMinimumEncryptionConfiguration"`
	}
	out := struct {
		Name          string   `json:"Name"`
		State         string   `json:"State"`
		Configuration config   `json:"Configuration"`
		Description   *string  `json:"Description,omitempty"`
		CreationTime  *awsTime `json:"CreationTime"`
	}{Name: wg.Name, State: wg.state(), CreationTime: newAWSTime(wg.created),
		Configuration: config{ResultConfiguration: wg.resultConfiguration(), EnforceWorkGroupConfiguration: wg.Enforce, EngineVersion: athenaEngine}}
	if wg.Description != "" {
		d := wg.Description
		out.Description = &d
	}
	return map[string]any{"WorkGroup": out}, nil
}

func (wg *athenaWorkGroupState) state() string {
	if wg.Disabled {
		return "DISABLED"
	}
	return "ENABLED"
}

type athenaListWorkGroupsRequest struct {
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

func (a *athenaService) listWorkGroups(in *athenaListWorkGroupsRequest) (any, *athenaAPIError) {
	limit := athenaMaxListPage
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > athenaMaxListPage {
			return nil, athenaInvalid("MaxResults must be 1 to %d", athenaMaxListPage)
		}
		limit = int(*in.MaxResults)
	}
	offset, err := parsePageToken(in.NextToken, "workgroups")
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(a.workgroups))
	for n := range a.workgroups {
		names = append(names, n)
	}
	sort.Strings(names)
	type summary struct {
		Name          string              `json:"Name"`
		State         string              `json:"State"`
		Description   string              `json:"Description"`
		CreationTime  *awsTime            `json:"CreationTime"`
		EngineVersion athenaEngineVersion `json:"EngineVersion"`
	}
	out := struct {
		WorkGroups []summary `json:"WorkGroups"`
		NextToken  *string   `json:"NextToken,omitempty"`
	}{WorkGroups: []summary{}}
	offset = min(offset, len(names))
	end := min(offset+limit, len(names))
	for _, n := range names[offset:end] {
		wg := a.workgroups[n]
		out.WorkGroups = append(out.WorkGroups, summary{Name: n, State: wg.state(), Description: wg.Description,
			CreationTime: newAWSTime(wg.created), EngineVersion: athenaEngine})
	}
	if end < len(names) {
		tok := pageToken("workgroups", end)
		out.NextToken = &tok
	}
	return out, nil
}

// athenaInfo builds a ColumnInfo as Athena reports it: catalog hive, empty
// schema and table names, Nullable UNKNOWN (AWS-FACTS.md 1.5 and the moto
// fixture).
func athenaInfo(name string, c athenaColumn) athenaColumnInfo {
	return athenaColumnInfo{CatalogName: "hive", Name: name, Label: name, Type: c.Type, Precision: c.Precision,
		Scale: c.Scale, Nullable: "UNKNOWN", CaseSensitive: c.CaseSensitive}
}

// parseS3URL splits s3://bucket/key.
func parseS3URL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "s3a://")
	}
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// location", u)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", u)
	}
	return bucket, key, nil
}
