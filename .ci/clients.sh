#!/usr/bin/env bash
# Third-party clients and test suites against cmd/localaws (issue 14): the
# AWS CLI (Debian's awscli), boto3 (Debian's python3-boto3, and a newer boto3
# when the python3 on PATH has one), and minio-go's own functional test
# suite, built from the Go module proxy. Nobody here wrote any of them.
#
#   .ci/clients.sh          build, start localaws on a free loopback port, run
#                           every client, stop it (always); exit 1 on a failure
#
# Environment:
#   GO                      the go command (default: go on PATH)
#   WRANGLER_MINIO_GO       minio-go version whose functional tests run
#   WRANGLER_CLIENTS_BIN    where built tools are cached
#                           (default: ${XDG_CACHE_HOME:-$HOME/.cache}/wrangler/bin)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly GO=${GO:-go}
readonly MINIO_GO=${WRANGLER_MINIO_GO:-v7.4.1}
readonly BIN_DIR=${WRANGLER_CLIENTS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/wrangler/bin}
readonly HERE=.ci/clients

log() { echo "clients.sh: $*" >&2; }

work=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# minio-go's functional tests are one file, functional_tests.go, in the
# module's root behind the "mint" build tag; inside its own module that tag
# would put two packages in one directory, so the file is built in a module of
# its own here, its constraint line dropped. Nothing of it is committed.
build_minio_go() {
	local bin=$BIN_DIR/minio-go-functional-$MINIO_GO
	if [[ ! -x $bin ]]; then
		local src dir=$work/mintrunner
		mkdir -p "$dir" "$BIN_DIR"
		src=$(cd "$work" && GOWORK=off GOFLAGS=-mod=mod "$GO" mod download -json "github.com/minio/minio-go/v7@$MINIO_GO" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		[[ -f $src/functional_tests.go ]] || { log "no functional_tests.go in minio-go $MINIO_GO"; return 1; }
		sed '1{/^\/\/go:build mint$/d}' "$src/functional_tests.go" >"$dir/functional_tests.go"
		printf 'module mintrunner\n\ngo 1.24\n\nrequire github.com/minio/minio-go/v7 %s\n' "$MINIO_GO" >"$dir/go.mod"
		(cd "$dir" && GOWORK=off GOFLAGS=-mod=mod "$GO" mod tidy >/dev/null 2>&1 &&
			GOWORK=off GOFLAGS=-mod=mod "$GO" build -o "$bin.tmp.$$" .) || { log "building minio-go's functional tests failed"; return 1; }
		mv "$bin.tmp.$$" "$bin"
	fi
	echo "$bin"
}

"$GO" build -o "$work/localaws" ./cmd/localaws
mint=$(build_minio_go)

mkdir -p "$work/data"
"$work/localaws" -addr 127.0.0.1:0 -dir "$work/data" >"$work/env" 2>"$work/log" &
server_pid=$!
for _ in $(seq 1 100); do
	grep -q '^export AWS_ENDPOINT_URL=' "$work/env" 2>/dev/null && break
	kill -0 "$server_pid" 2>/dev/null || { log "localaws exited:"; cat "$work/log" >&2; exit 1; }
	sleep 0.1
done
endpoint=$(sed -n 's/^export AWS_ENDPOINT_URL=//p' "$work/env")
[[ -n $endpoint ]] || { log "localaws printed no endpoint"; exit 1; }
log "localaws at $endpoint"

status=0
"$HERE/awscli.sh" "$endpoint" || status=1
/usr/bin/python3 "$HERE/boto3_smoke.py" "$endpoint" || status=1
# A second, newer boto3 (checksums on by default from 1.36) where the python3
# on PATH is another interpreter that has one.
if py=$(command -v python3) && [[ $(readlink -f "$py") != "$(readlink -f /usr/bin/python3)" ]] &&
	"$py" -c 'import boto3' 2>/dev/null; then
	"$py" "$HERE/boto3_smoke.py" "$endpoint" || status=1
fi
SERVER_ENDPOINT=${endpoint#http://} ACCESS_KEY=localaws SECRET_KEY=localaws ENABLE_HTTPS=0 \
	MINT_MODE=full RUN_ON_FAIL=1 timeout 900 "$mint" >"$work/mint.log" 2>&1 || true
/usr/bin/python3 "$HERE/mint_summary.py" "$HERE/minio-go-not-claimed.txt" "$work/mint.log" || status=1
exit $status
