package athena

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/athena"
)

// API is the part of the SDK Athena client the Client calls;
// *athena.Client satisfies it, and tests can fake it.
type API interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, optFns ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
	BatchGetQueryExecution(ctx context.Context, in *athena.BatchGetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.BatchGetQueryExecutionOutput, error)
	ListQueryExecutions(ctx context.Context, in *athena.ListQueryExecutionsInput, optFns ...func(*athena.Options)) (*athena.ListQueryExecutionsOutput, error)
	StopQueryExecution(ctx context.Context, in *athena.StopQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error)
}

var _ API = (*athena.Client)(nil)
