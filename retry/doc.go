// Package retry retries AWS calls the way a Step Functions retrier does, and
// keeps a program within a service's quotas.
//
// AWS throttles in many dialects: Lambda's 429 "Rate Exceeded", Athena's
// TooManyRequestsException, Glue's ThrottlingException, S3's SlowDown. This
// package gives them one answer:
//
//   - Policy holds a Step Functions retrier's fields (Interval, MaxAttempts,
//     BackoffRate, MaxDelay, Jitter) and which errors it retries; its zero
//     value is Step Functions' default retrier. MaxAttempts counts the first
//     attempt, as the AWS SDK does.
//   - ParseStepFunctionsRetry turns the Retry array of a state machine into
//     Retriers, so settings move from a state machine into code unchanged.
//   - Do and DoValue run a function under a policy; Delays shows a schedule
//     without sleeping.
//   - IsThrottle and IsRetryable classify errors from the chain: smithy API
//     error codes, HTTP statuses and transient network failures.
//   - SDKRetryer is an aws.RetryerV2, so SDK clients retry with the same
//     policy.
//   - Semaphore, RateLimiter and AIMD bound concurrency and call rates:
//     a weighted semaphore, a token bucket, and a limiter that shrinks its
//     concurrency on throttling and grows it back.
//
// A short example:
//
//	p := retry.Policy{Interval: 2 * time.Second, BackoffRate: 1.85, MaxAttempts: 8}
//	out, err := retry.DoValue(ctx, p, func(ctx context.Context) (*athena.StartQueryExecutionOutput, error) {
//		return client.StartQueryExecution(ctx, input)
//	})
//
// Everything here is safe for concurrent use except Backoff, which belongs to
// one operation.
package retry
