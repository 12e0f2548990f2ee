#!/usr/bin/env bash
# A scripted smoke of S3, Glue and Athena with the AWS CLI (Debian's awscli,
# 2.9) against a running cmd/localaws. Nobody here wrote the client: what it
# sends and how it reads the answers is the check.
#
#   .ci/clients/awscli.sh ENDPOINT
#
# AWS CLI before 2.13 ignores AWS_ENDPOINT_URL, so every call passes
# --endpoint-url. Prints one line per check and "awscli: N passed, N failed".
set -uo pipefail

endpoint=${1:?usage: awscli.sh ENDPOINT}
AWS=${AWS_CLI:-/usr/bin/aws}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-localaws} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-localaws}
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws() { "$AWS" --endpoint-url "$endpoint" --output json "$@"; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# check NAME CMD... : the command must succeed.
check() {
	local name=$1
	shift
	local out
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(head -c 400 <<<"$out")"; fi
}
# same NAME GOT WANT : two strings must be equal.
same() {
	if [[ $2 == "$3" ]]; then ok "$1"; else fail "$1" "got $(head -c 200 <<<"$2"), want $(head -c 200 <<<"$3")"; fi
}
# refused NAME CMD... : the command must fail (an error the client reports).
refused() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then fail "$name" "succeeded, want an error"; else ok "$name"; fi
}

b1=smoke-cli-a b2=smoke-cli-b
head -c 100000 /dev/urandom >"$work/small.bin"
head -c $((20 << 20)) /dev/urandom >"$work/big.bin"
printf 'id,name\n1,a\n2,b\n' >"$work/t.csv"

# --- S3 ---------------------------------------------------------------
check "s3 mb" aws s3 mb "s3://$b1"
check "s3 mb second bucket" aws s3 mb "s3://$b2"
check "s3 cp small up" aws s3 cp "$work/small.bin" "s3://$b1/dir/small.bin"
check "s3 cp 20 MiB up (multipart)" aws s3 cp "$work/big.bin" "s3://$b1/dir/big.bin"
check "s3 cp big down" aws s3 cp "s3://$b1/dir/big.bin" "$work/big.down"
same "s3 big round trip" "$(cmp "$work/big.bin" "$work/big.down" 2>&1 && echo same)" same
check "s3 cp small down" aws s3 cp "s3://$b1/dir/small.bin" "$work/small.down"
same "s3 small round trip" "$(cmp "$work/small.bin" "$work/small.down" 2>&1 && echo same)" same
check "s3 cp between buckets (multipart copy, tags copied)" aws s3 cp "s3://$b1/dir/big.bin" "s3://$b2/copy/big.bin"
same "s3 copied size" "$(aws s3api head-object --bucket "$b2" --key copy/big.bin --query ContentLength)" "$((20 << 20))"
same "s3 ls" "$(aws s3 ls "s3://$b1/dir/" | awk '{print $4}' | sort | tr '\n' ' ')" "big.bin small.bin "
same "s3 ls recursive count" "$(aws s3 ls --recursive "s3://$b1" | wc -l)" 2

# metadata: put, replace in place, read back
check "s3api put-object with metadata" aws s3api put-object --bucket "$b1" --key meta.csv --body "$work/t.csv" \
	--metadata Team=Data,owner=me --cache-control max-age=60 --content-language en --content-type text/csv
same "s3api head metadata keys lower-case" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query 'Metadata' | tr -d ' \n')" '{"team":"Data","owner":"me"}'
same "s3api head cache-control" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query CacheControl --output text)" "max-age=60"
same "s3api head content-language" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query ContentLanguage --output text)" "en"
check "s3 cp onto itself with REPLACE" aws s3 cp "s3://$b1/meta.csv" "s3://$b1/meta.csv" --metadata-directive REPLACE --metadata fresh=1
same "s3 REPLACE keeps the bytes" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query ContentLength)" "$(stat -c %s "$work/t.csv")"
same "s3 REPLACE replaces metadata" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query 'Metadata' | tr -d ' \n')" '{"fresh":"1"}'
check "s3 overwrite with no metadata" aws s3api put-object --bucket "$b1" --key meta.csv --body "$work/t.csv"
same "s3 overwrite drops old metadata" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query 'Metadata' | tr -d ' \n')" '{}'

# tagging is a sub-resource: it must never touch the object's bytes
aws s3api put-object-tagging --bucket "$b1" --key meta.csv --tagging 'TagSet=[{Key=k,Value=v}]' >/dev/null 2>&1
same "s3 put-object-tagging leaves the body" "$(aws s3api head-object --bucket "$b1" --key meta.csv --query ContentLength)" "$(stat -c %s "$work/t.csv")"
aws s3api delete-object-tagging --bucket "$b1" --key meta.csv >/dev/null 2>&1
check "s3 delete-object-tagging leaves the object" aws s3api head-object --bucket "$b1" --key meta.csv
aws s3api delete-bucket-cors --bucket "$b2" >/dev/null 2>&1
check "s3 delete-bucket-cors leaves the bucket" aws s3api head-bucket --bucket "$b2"

# ranged GET and conditional requests
check "s3api ranged get" aws s3api get-object --bucket "$b1" --key dir/small.bin --range bytes=10-19 "$work/range.bin"
same "s3 range bytes" "$(od -An -tx1 "$work/range.bin" | tr -d ' \n')" "$(head -c 20 "$work/small.bin" | tail -c 10 | od -An -tx1 | tr -d ' \n')"
refused "s3api get if-match wrong etag" aws s3api get-object --bucket "$b1" --key dir/small.bin --if-match '"0000"' "$work/x"
refused "s3api head missing key" aws s3api head-object --bucket "$b1" --key nope

# listing: v1 and v2 paging
for i in $(seq 1 25); do printf 'x' | aws s3 cp - "s3://$b2/many/k$(printf %02d "$i")" >/dev/null 2>&1; done
same "s3api list-objects (v1) max-keys" "$(aws s3api list-objects --bucket "$b2" --prefix many/ --max-keys 10 --no-paginate --query 'length(Contents)')" 10
same "s3api list-objects (v1) marker" "$(aws s3api list-objects --bucket "$b2" --prefix many/ --marker many/k20 --no-paginate --query 'Contents[].Key' --output text | tr '\t' ' ')" "many/k21 many/k22 many/k23 many/k24 many/k25"
same "s3api list-objects-v2 paged" "$(aws s3api list-objects-v2 --bucket "$b2" --prefix many/ --page-size 7 --query 'length(Contents)')" 25
same "s3api list-objects-v2 delimiter" "$(aws s3api list-objects-v2 --bucket "$b2" --delimiter / --query 'CommonPrefixes[].Prefix' --output text | tr '\t' ' ')" "copy/ many/"
check "s3 rm recursive" aws s3 rm --recursive "s3://$b2/many/"
same "s3 rm recursive removed all" "$(aws s3 ls --recursive "s3://$b2/many/" | wc -l)" 0
check "s3 sync up" aws s3 sync "$work" "s3://$b1/sync/" --exclude '*.down' --exclude 'big*' --exclude range.bin --exclude x
same "s3 sync second run uploads nothing" "$(aws s3 sync "$work" "s3://$b1/sync/" --exclude '*.down' --exclude 'big*' --exclude range.bin --exclude x | wc -l)" 0

# --- Glue -------------------------------------------------------------
check "glue create-database" aws glue create-database --database-input Name=smokedb
same "glue get-database" "$(aws glue get-database --name smokedb --query Database.Name --output text)" smokedb
aws s3 cp "$work/t.csv" "s3://$b1/tables/t/dt=2026-01-01/t.csv" >/dev/null
check "glue create-table" aws glue create-table --database-name smokedb --table-input '{
  "Name": "t", "TableType": "EXTERNAL_TABLE",
  "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
  "PartitionKeys": [{"Name": "dt", "Type": "string"}],
  "StorageDescriptor": {
    "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
    "Location": "s3://'"$b1"'/tables/t/",
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                  "Parameters": {"field.delim": ","}}}}'
check "glue batch-create-partition" aws glue batch-create-partition --database-name smokedb --table-name t --partition-input-list '[{
  "Values": ["2026-01-01"], "StorageDescriptor": {"Location": "s3://'"$b1"'/tables/t/dt=2026-01-01/",
  "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
  "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
  "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
  "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", "Parameters": {"field.delim": ","}}}}]'
same "glue get-partitions" "$(aws glue get-partitions --database-name smokedb --table-name t --query 'Partitions[].Values[0]' --output text)" 2026-01-01
same "glue get-tables" "$(aws glue get-tables --database-name smokedb --query 'TableList[].Name' --output text)" t
refused "glue get-table missing" aws glue get-table --database-name smokedb --name nope

# --- Athena -----------------------------------------------------------
# run_query SQL : prints the query id once the query has finished.
run_query() {
	local id state
	id=$(aws athena start-query-execution --query-string "$1" --query-execution-context Database=smokedb \
		--result-configuration "OutputLocation=s3://$b1/athena/" --query QueryExecutionId --output text) || return 1
	for _ in $(seq 1 100); do
		state=$(aws athena get-query-execution --query-execution-id "$id" --query QueryExecution.Status.State --output text) || return 1
		case $state in SUCCEEDED | FAILED | CANCELLED) break ;; esac
		sleep 0.1
	done
	echo "$id $state"
}
read -r qid state < <(run_query "SELECT id, name, dt FROM t ORDER BY id")
same "athena query succeeds" "$state" SUCCEEDED
same "athena get-query-results" "$(aws athena get-query-results --query-execution-id "$qid" --query 'ResultSet.Rows[].Data[].VarCharValue' --output text | tr '\t' ' ')" "id name dt 1 a 2026-01-01 2 b 2026-01-01"
same "athena result types" "$(aws athena get-query-results --query-execution-id "$qid" --query 'ResultSet.ResultSetMetadata.ColumnInfo[].Type' --output text | tr '\t' ' ')" "bigint varchar varchar"
check "athena result CSV in S3" aws s3 cp "s3://$b1/athena/$qid.csv" "$work/result.csv"
same "athena result CSV body" "$(tr -d '\r' <"$work/result.csv" | tr '\n' ' ')" '"id","name","dt" "1","a","2026-01-01" "2","b","2026-01-01" '
read -r _ state < <(run_query "SELECT * FROM no_such_table")
same "athena unknown table fails" "$state" FAILED
read -r _ state < <(run_query "SELECT * FROM read_csv('/etc/passwd')")
same "athena refuses host files" "$state" FAILED
same "athena list-query-executions" "$(aws athena list-query-executions --query 'length(QueryExecutionIds)')" 3
check "glue delete-table" aws glue delete-table --database-name smokedb --name t
check "s3 rb --force" aws s3 rb --force "s3://$b2"

echo "awscli: $passed passed, $failed failed"
((failed == 0))
