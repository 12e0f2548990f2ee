// Package localaws is an in-process emulator of Amazon S3 and the AWS Glue
// Data Catalog that the unmodified AWS SDK clients talk to, for tests and for
// running a pipeline offline.
//
// It is the test oracle of this module, so it shares no code with the
// library packages: its type mapping, listing and paging are written again
// here from AWS-FACTS.md, and a bug in one side shows up as a failing test
// instead of hiding in shared code.
//
//	st, err := localaws.Start(ctx, func(o *localaws.Options) { o.Buckets = []string{"lake"} })
//	defer st.Close()
//	s3Client := s3.NewFromConfig(st.Config(), localaws.PathStyle)
//	glueClient := glue.NewFromConfig(st.Config())
//
// One listener serves both: requests with an X-Amz-Target header of
// AWSGlue.<Op> go to Glue, everything else to S3.
//
// S3 is github.com/johannesboyne/gofakes3 on a directory: objects are plain
// files under <Dir>/buckets/<bucket>/<key>, so other tools (and the Athena
// emulator) can read them. A thin layer in front of it restores S3 behaviour
// the library depends on: ListObjectsV2 pages of at most 1,000 entries in
// UTF-8 binary order with continuation tokens (gofakes3's directory backend
// returns everything at once), and DeleteObjects refuses more than 1,000
// keys with MalformedXML. Differences from S3 that remain, because objects
// are files:
//   - keys with an empty, "." or ".." path segment (such as "a//b", "a/../b"
//     or a "folder/" marker) are refused with InvalidArgument;
//   - a key cannot be both an object and the prefix of others ("a" and
//     "a/b");
//   - bucket names follow S3's rules (3 to 63 characters), checked by
//     gofakes3.
//
// Faults are injected per operation with Stack.Inject: the service's own
// throttling error, 500 and 503 answers, added latency, or a connection cut
// part way through the body; Stack.Calls and Stack.BytesServed count what
// clients asked for.
//
// Signatures are not checked; any credentials work.
package localaws
