// Package athena runs Amazon Athena queries within the account's quotas and
// returns their results as frames, structs or streams.
//
// This package is being built in steps (see the project's issue 8); what is
// here now are the parts that need no server:
//
//   - ArrowType and Schema map Athena's column types (the Type, Precision
//     and Scale of a ColumnInfo, or a full Trino signature such as
//     "map(varchar, array(double))") to Arrow exactly: decimal to
//     decimal128, never a float; an empty result keeps its schema.
//   - FormatQuery writes client-side named parameters (":name") as SQL
//     literals quoted for their Go type, so no value can change a query's
//     structure; it is tested against an injection corpus and fuzzed.
//   - QueryError carries what Athena says about a failed query: id, state,
//     error category and type, whether Athena thinks a retry can succeed.
//   - The result-CSV reader keeps NULL (an empty unquoted field) apart from
//     the empty string (""), which encoding/csv cannot, and converts Athena's
//     text renderings (timestamps, dates, varbinary hex, NaN, infinities,
//     decimals) into typed Arrow columns.
//
// The Client that starts, waits for and reads queries arrives with the rest
// of issue 8.
package athena
