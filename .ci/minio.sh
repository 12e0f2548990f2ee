#!/usr/bin/env bash
# A MinIO server on loopback for the S3 conformance suite (s3io/conformance_test.go).
#
#   .ci/minio.sh install            build the pinned MinIO into the cache when missing
#   .ci/minio.sh run -- CMD [ARG..] install, start, run CMD with the endpoint and
#                                   credentials in its environment, stop (always)
#   .ci/minio.sh start              install and start a server left running; prints
#                                   the environment to export (for running tests by hand)
#   .ci/minio.sh stop               stop the server "start" left running
#
# MinIO is AGPL-3.0: it is built and run here as a separate test server only,
# never imported by the module. `go install pkg@version` builds it in module
# mode outside this module, so go.mod and go.sum never mention it.
#
# Environment:
#   GO                      the go command (default: go on PATH)
#   WRANGLER_MINIO_VERSION  module version to build (default: the pinned one below)
#   WRANGLER_MINIO_BIN      directory of the built binaries
#                           (default: ${XDG_CACHE_HOME:-$HOME/.cache}/wrangler/bin)
#   WRANGLER_MINIO_STATE    state directory of start/stop
#                           (default: ${TMPDIR:-/tmp}/wrangler-minio-$(id -u))
#
# The commands given to "run" (and the environment "start" prints) get
# WRANGLER_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION.
set -euo pipefail

readonly MINIO_MODULE=github.com/minio/minio
readonly VERSION=${WRANGLER_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}
readonly BIN_DIR=${WRANGLER_MINIO_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/wrangler/bin}
# The binary's name carries the version, so changing the pin rebuilds.
readonly BINARY="$BIN_DIR/minio-$VERSION"
readonly READY_TIMEOUT=60 # seconds MinIO gets to answer its liveness probe

log() { echo "minio.sh: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# install builds MinIO into BIN_DIR unless that version is there already.
install() {
	if [[ -x $BINARY ]]; then
		return 0
	fi
	local gocmd=${GO:-go}
	command -v "$gocmd" >/dev/null 2>&1 || die "no $gocmd command to build MinIO"
	mkdir -p "$BIN_DIR"
	local work
	work=$(mktemp -d)
	log "building $MINIO_MODULE@$VERSION into $BIN_DIR (once; several minutes)"
	local start=$SECONDS
	# Outside any module and workspace, with the caller's GOFLAGS cleared, so
	# the build is the module's own pinned dependency graph and nothing here
	# changes.
	if ! (cd "$work" && GOWORK=off GOFLAGS= GOBIN="$work/bin" "$gocmd" install "$MINIO_MODULE@$VERSION"); then
		rm -rf "$work"
		die "go install $MINIO_MODULE@$VERSION failed (list what the proxy has: go list -m -versions $MINIO_MODULE)"
	fi
	mv "$work/bin/minio" "$BINARY.tmp.$$"
	mv "$BINARY.tmp.$$" "$BINARY"
	rm -rf "$work"
	log "built in $((SECONDS - start))s: $BINARY"
}

# port_in_use reports whether something listens on 127.0.0.1:$1.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port prints a loopback port nothing listens on now. MinIO could still
# lose a race for it; start_server retries with another port then.
free_port() {
	local port tries
	for ((tries = 0; tries < 100; tries++)); do
		port=$((20000 + RANDOM % 40000))
		if ! port_in_use "$port"; then
			echo "$port"
			return 0
		fi
	done
	die "no free loopback port found"
}

# live reports whether MinIO at 127.0.0.1:$1 answers its liveness probe
# with 200. Plain bash, so that the machine needs no curl; the subshell keeps
# a failed connect from touching this shell's descriptors.
live() {
	local line
	line=$( (
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET /minio/health/live HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$1" >&3
		IFS= read -r -t 2 status <&3 && echo "$status"
	) 2>/dev/null) || return 1
	[[ $line == "HTTP/1."[01]" 200"* ]]
}

# start_server STATE_DIR starts MinIO with a fresh data directory inside
# STATE_DIR and writes STATE_DIR/pid and STATE_DIR/env.
start_server() {
	local state=$1 attempt port console pid user password
	mkdir -p "$state/data"
	user="wrangler-$RANDOM$RANDOM"
	password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	for ((attempt = 1; attempt <= 5; attempt++)); do
		port=$(free_port)
		console=$(free_port)
		[[ $port != "$console" ]] || continue
		MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$password \
			MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
			"$BINARY" server --quiet --anonymous \
			--address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
			"$state/data" >"$state/log" 2>&1 &
		pid=$!
		echo "$pid" >"$state/pid"
		local deadline=$((SECONDS + READY_TIMEOUT))
		while ((SECONDS < deadline)); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if live "$port"; then
				cat >"$state/env" <<-EOF
					export WRANGLER_S3_ENDPOINT=http://127.0.0.1:$port
					export AWS_ACCESS_KEY_ID=$user
					export AWS_SECRET_ACCESS_KEY=$password
					export AWS_REGION=us-east-1
				EOF
				log "MinIO $VERSION pid $pid listening on 127.0.0.1:$port"
				return 0
			fi
			sleep 0.2
		done
		stop_server "$state"
		if grep -qiE 'address already in use|bind' "$state/log"; then
			log "port $port was taken; retrying"
			continue
		fi
		log "MinIO did not become ready; its log:"
		sed 's/^/  | /' "$state/log" >&2 || true
		return 1
	done
	log "MinIO could not bind a port after 5 attempts"
	return 1
}

# stop_server STATE_DIR stops the server whose pid STATE_DIR holds: SIGTERM,
# then SIGKILL after 10 seconds.
stop_server() {
	local state=$1 pid i
	[[ -f $state/pid ]] || return 0
	pid=$(<"$state/pid")
	rm -f "$state/pid"
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	log "MinIO pid $pid ignored SIGTERM; killing it"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

default_state() { echo "${WRANGLER_MINIO_STATE:-${TMPDIR:-/tmp}/wrangler-minio-$(id -u)}"; }

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
install)
	install
	;;
run)
	[[ ${1:-} == -- ]] && shift
	[[ $# -gt 0 ]] || die "usage: $0 run -- COMMAND [ARG...]"
	install
	state=$(mktemp -d "${TMPDIR:-/tmp}/wrangler-minio.XXXXXX")
	# The server and its data go whatever happens to the command: failure,
	# Ctrl-C or a kill of this script.
	trap 'stop_server "$state"; rm -rf "$state"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	start_server "$state"
	# shellcheck disable=SC1091
	source "$state/env"
	"$@"
	;;
start)
	install
	state=$(default_state)
	if [[ -f $state/pid ]] && kill -0 "$(<"$state/pid")" 2>/dev/null; then
		die "a server is already running (state in $state); run $0 stop first"
	fi
	rm -rf "$state"
	start_server "$state" || {
		rm -rf "$state"
		exit 1
	}
	echo "# eval \"\$($0 env)\" or:"
	cat "$state/env"
	;;
env)
	state=$(default_state)
	[[ -f $state/env ]] || die "no server started (no $state/env)"
	cat "$state/env"
	;;
stop)
	state=$(default_state)
	stop_server "$state"
	rm -rf "$state"
	;;
*)
	die "usage: $0 install | run -- COMMAND [ARG...] | start | env | stop"
	;;
esac
