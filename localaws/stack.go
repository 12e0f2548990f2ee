package localaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Defaults of a Stack.
const (
	DefaultAddr      = "127.0.0.1:0"
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
	// DefaultAccessKeyID and DefaultSecretAccessKey are the dummy credentials
	// Config returns. The emulator does not check signatures.
	DefaultAccessKeyID     = "localaws"
	DefaultSecretAccessKey = "localaws"
)

// Options configure a Stack. The zero value means the defaults.
type Options struct {
	// Addr is the TCP address to listen on; "" means DefaultAddr, a free
	// loopback port.
	Addr string
	// Dir holds the data: S3 objects as plain files under
	// <Dir>/buckets/<bucket>/<key> and the Glue catalog under <Dir>/glue. ""
	// means a temporary directory removed by Close; a given Dir is kept.
	Dir string
	// Region and AccountID appear in ARNs, catalog ids and Config; "" means
	// DefaultRegion and DefaultAccountID.
	Region    string
	AccountID string
	// Buckets are created at start if missing.
	Buckets []string
	// Logger, when set, logs each request at Debug level. Nil logs nothing.
	Logger *slog.Logger

	// AthenaMaxActiveQueries bounds active (queued plus running) Athena
	// queries; StartQueryExecution beyond it fails with
	// TooManyRequestsException. 0 means DefaultAthenaMaxActiveQueries.
	AthenaMaxActiveQueries int
	// AthenaRates overrides the API rate buckets of DefaultAthenaRates by
	// operation name ("StartQueryExecution"); Unlimited turns one off.
	AthenaRates map[string]AthenaRate
	// AthenaQueryLatency, when set, keeps every successful query RUNNING at
	// least this long, to model real query durations.
	AthenaQueryLatency time.Duration
	// AthenaWorkGroups are workgroups besides primary.
	AthenaWorkGroups []AthenaWorkGroup

	// Network shapes S3 requests (latency to first byte, bytes a second
	// per request), for benchmarks that should see a network rather than
	// loopback; S3NetworkProfile is modelled on S3. The zero value shapes
	// nothing. Glue and Athena calls are not shaped.
	Network NetworkProfile
}

// Stack is a running emulator of S3, the Glue Data Catalog and Athena on
// one listener. Requests with an X-Amz-Target header of AWSGlue.<Op> go to
// Glue, AmazonAthena.<Op> to Athena, everything else to S3.
//
// A Stack is safe for concurrent use by any number of clients.
type Stack struct {
	options Options
	tempDir bool
	ln      net.Listener
	server  *http.Server
	served  chan error
	s3      http.Handler
	glue    *glueService
	athena  *athenaService
	faults  faultTable
	stats   callStats

	closeOnce sync.Once
	closeErr  error
}

// Start starts a Stack serving on its own goroutine until Close. ctx bounds
// the start only.
func Start(ctx context.Context, optFns ...func(*Options)) (*Stack, error) {
	var o Options
	for _, f := range optFns {
		f(&o)
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.AccountID == "" {
		o.AccountID = DefaultAccountID
	}
	s := &Stack{options: o, served: make(chan error, 1)}
	if s.options.Dir == "" {
		dir, err := os.MkdirTemp("", "localaws-")
		if err != nil {
			return nil, fmt.Errorf("localaws: temporary data directory: %w", err)
		}
		s.options.Dir, s.tempDir = dir, true
	}
	if err := s.open(ctx); err != nil {
		if s.tempDir {
			os.RemoveAll(s.options.Dir)
		}
		return nil, err
	}
	return s, nil
}

func (s *Stack) open(ctx context.Context) error {
	var err error
	if s.s3, err = newS3Service(s.options.Dir, s.options.Buckets); err != nil {
		return fmt.Errorf("localaws: S3: %w", err)
	}
	if s.glue, err = newGlueService(s.options.Dir, s.options.Region, s.options.AccountID); err != nil {
		return fmt.Errorf("localaws: Glue: %w", err)
	}
	if s.athena, err = newAthenaService(s.options, s.s3.(*s3Service), s.glue); err != nil {
		return fmt.Errorf("localaws: Athena: %w", err)
	}
	var lc net.ListenConfig
	if s.ln, err = lc.Listen(ctx, "tcp", s.options.Addr); err != nil {
		s.athena.Close()
		return fmt.Errorf("localaws: listen on %s: %w", s.options.Addr, err)
	}
	s.server = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go func() { s.served <- s.server.Serve(s.ln) }()
	return nil
}

// URL is the endpoint, such as http://127.0.0.1:41234.
func (s *Stack) URL() string { return "http://" + s.ln.Addr().String() }

// Dir is the data directory.
func (s *Stack) Dir() string { return s.options.Dir }

// Region is the region the stack reports.
func (s *Stack) Region() string { return s.options.Region }

// Config returns an aws.Config for SDK clients of this stack: its endpoint,
// region and dummy static credentials. S3 clients must use path-style
// addressing, which PathStyle sets:
//
//	s3Client := s3.NewFromConfig(stack.Config(), localaws.PathStyle)
func (s *Stack) Config() aws.Config {
	return aws.Config{
		Region:       s.options.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL()),
	}
}

// PathStyle sets path-style addressing on an S3 client (s3.NewFromConfig's
// option), which a custom endpoint needs (AWS-FACTS.md 3.10).
func PathStyle(o *s3.Options) { o.UsePathStyle = true }

// Environment returns the variables that point the AWS CLI or any SDK at
// the stack, as NAME=value lines' parts. No standard variable selects
// path-style S3 addressing: set it on the client (PathStyle for the Go
// SDK).
func (s *Stack) Environment() [][2]string {
	return [][2]string{
		{"AWS_ENDPOINT_URL", s.URL()},
		{"AWS_REGION", s.options.Region},
		// AWS CLI v1 reads only AWS_DEFAULT_REGION.
		{"AWS_DEFAULT_REGION", s.options.Region},
		{"AWS_ACCESS_KEY_ID", DefaultAccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", DefaultSecretAccessKey},
	}
}

// Close stops the server, giving requests in flight up to 2 seconds, stops
// running Athena queries, and removes the data directory if Start made it.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		// Requests in flight get a grace period; then the rest is closed.
		// A connection a client opened but never sent a request on counts
		// as busy to Shutdown until it times out, so running out of grace
		// is normal and not an error of Close.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := s.server.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = s.server.Close()
		}
		if serveErr := <-s.served; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		// Stop running queries (each closes its own DuckDB database)
		// before the data directory goes.
		s.athena.Close()
		if s.tempDir {
			err = errors.Join(err, os.RemoveAll(s.options.Dir))
		}
		if err != nil {
			s.closeErr = fmt.Errorf("localaws: close: %w", err)
		}
	})
	return s.closeErr
}

// ServeHTTP routes a request to its service, counting it and applying any
// injected fault first.
func (s *Stack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	service, op := operationOf(r)
	name := service + ":" + op
	if s.options.Logger != nil {
		s.options.Logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("op", name), slog.String("method", r.Method), slog.String("path", r.URL.Path))
	}
	s.stats.call(name)
	counted := &countingWriter{ResponseWriter: w}
	defer func() { s.stats.served(name, counted.bytes) }()
	if f, ok := s.faults.take(name); ok {
		if done := f.apply(counted, r, service); done {
			return
		}
		if f.Kind == DropConnection {
			counted.dropAfter = f.dropAfter()
		}
	}
	switch service {
	case "s3":
		if s.options.Network.enabled() {
			shaped, r, ok := s.options.Network.shape(counted, r)
			if !ok {
				return
			}
			s.s3.ServeHTTP(shaped, r)
			return
		}
		s.s3.ServeHTTP(counted, r)
	case "glue":
		s.glue.ServeHTTP(counted, r)
	case "athena":
		s.athena.ServeHTTP(counted, r)
	default:
		writeAWSError(counted, newAWSRequestID(), newAWSError("UnknownOperationException",
			"localaws does not serve %s", r.Header.Get("X-Amz-Target")))
	}
}

// operationOf names a request's service and operation, such as ("glue",
// "GetTable") or ("s3", "ListObjectsV2").
func operationOf(r *http.Request) (service, op string) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, op, _ := strings.Cut(target, ".")
		switch prefix {
		case "AWSGlue":
			return "glue", op
		case "AmazonAthena":
			return "athena", op
		}
		return "unknown", target
	}
	return "s3", s3Operation(r)
}
