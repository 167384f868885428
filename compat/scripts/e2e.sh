#!/usr/bin/env bash
# End-to-end tests of sigv4kit against a real S3 server, versitygw v1.8.0.
#
# Usage (from anywhere): CACHE=~/.cache/sigv4kit bash compat/scripts/e2e.sh [go test flags]
# `make e2e` runs it; `make test` includes it.
#
# What it does:
#   1. installs versitygw into $CACHE/bin once (GOBIN=$CACHE/bin go install ...);
#   2. starts it on a free port of 127.0.0.1, with a fresh temporary data
#      folder (on a file system with user xattrs, which the posix backend
#      needs) and fresh random root keys;
#   3. waits until it answers (an unsigned GET / answers 403);
#   4. runs `go test -tags e2e ./e2e/...` in compat/ with the environment
#      below; extra arguments are passed to go test, and E2E_PKGS replaces
#      ./e2e/... (e.g. E2E_PKGS=./e2e/sigv4/);
#   5. stops the server by its PID and removes the data folder, whatever
#      happens (trap on EXIT); on failure it prints the server's log.
#
# Environment contract for the tests in compat/e2e/... (build tag e2e):
#   SIGV4_E2E_ENDPOINT    http://127.0.0.1:PORT  (path-style addressing)
#   SIGV4_E2E_REGION      us-east-1              (versitygw's --region)
#   SIGV4_E2E_ACCESS_KEY  root access key ID     (random per run)
#   SIGV4_E2E_SECRET_KEY  root secret access key (random per run)
#   SIGV4_E2E_BUCKET      an existing, empty bucket, shared by all tests:
#                         use a unique key prefix per test
#   SIGV4_E2E_DATA        the server's data folder: mkdir $SIGV4_E2E_DATA/NAME
#                         creates another bucket NAME
#   SIGV4_E2E_REQUIRE=1   set by this script: a test that cannot reach the
#                         server fails instead of skipping
# Without SIGV4_E2E_ENDPOINT the e2e tests skip (plain `go test -tags e2e`).
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
CACHE=${CACHE:-$HOME/.cache/sigv4kit}
GO=${GO:-go}
COMPAT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$CACHE/bin
GW=$BIN/versitygw

log() { printf 'e2e: %s\n' "$*" >&2; }

# 1. Install once. A version stamp next to the binary (written by this
# script) makes a later version bump reinstall; a binary without a stamp is
# trusted as is.
stamp=$(cat "$GW.version" 2>/dev/null || echo "$VERSITYGW_VERSION")
if [[ ! -x $GW || $stamp != "$VERSITYGW_VERSION" ]]; then
	log "installing versitygw $VERSITYGW_VERSION into $BIN (about 3 minutes the first time)"
	mkdir -p "$BIN"
	GOBIN=$BIN $GO install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	echo "$VERSITYGW_VERSION" >"$GW.version"
fi

# 2. A data folder with user xattrs: the system temp dir when it has them,
# else a folder under the cache.
has_xattr() {
	python3 - "$1" <<'PY' 2>/dev/null
import os, sys, tempfile
fd, p = tempfile.mkstemp(dir=sys.argv[1])
try:
    os.setxattr(p, "user.sigv4kit", b"1")
finally:
    os.close(fd); os.unlink(p)
PY
}
TMPROOT=${TMPDIR:-/tmp}
if ! has_xattr "$TMPROOT"; then
	TMPROOT=$CACHE/tmp
	mkdir -p "$TMPROOT"
	has_xattr "$TMPROOT" || log "warning: no user xattrs in $TMPROOT either; versitygw may fail"
fi
WORK=$(mktemp -d "$TMPROOT/sigv4kit-e2e.XXXXXX")
DATA=$WORK/data
LOG=$WORK/versitygw.log
mkdir -p "$DATA"

PID=
STATUS=1
cleanup() {
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	if [[ $STATUS -ne 0 && -s $LOG ]]; then
		log "versitygw log (last 100 lines):"
		tail -n 100 "$LOG" >&2 || true
	fi
	rm -rf "$WORK"
}
trap 'STATUS=$?; cleanup' EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ACCESS_KEY=AKE2E$(head -c 64 /dev/urandom | tr -dc 'A-Z0-9' | head -c 15)
SECRET_KEY=$(head -c 30 /dev/urandom | base64 | tr -d '\n')
BUCKET=sigv4kit-e2e
mkdir -p "$DATA/$BUCKET"

log "starting versitygw on 127.0.0.1:$PORT (data $DATA)"
ROOT_ACCESS_KEY_ID=$ACCESS_KEY ROOT_SECRET_ACCESS_KEY=$SECRET_KEY \
	"$GW" --port "127.0.0.1:$PORT" --region us-east-1 --quiet posix "$DATA" >"$LOG" 2>&1 &
PID=$!

# 3. Ready when an unsigned GET / answers 403.
ready=
for _ in $(seq 300); do
	if ! kill -0 "$PID" 2>/dev/null; then
		log "versitygw exited early"
		exit 1
	fi
	code=$(python3 -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
    print(200)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
' "http://127.0.0.1:$PORT/")
	if [[ $code == 403 ]]; then
		ready=1
		break
	fi
	sleep 0.1
done
if [[ -z $ready ]]; then
	log "versitygw did not answer 403 on http://127.0.0.1:$PORT/ within 30 s"
	exit 1
fi
log "versitygw is up (pid $PID)"

# 4. The tests.
cd "$COMPAT"
SIGV4_E2E_ENDPOINT=http://127.0.0.1:$PORT \
	SIGV4_E2E_REGION=us-east-1 \
	SIGV4_E2E_ACCESS_KEY=$ACCESS_KEY \
	SIGV4_E2E_SECRET_KEY=$SECRET_KEY \
	SIGV4_E2E_BUCKET=$BUCKET \
	SIGV4_E2E_DATA=$DATA \
	SIGV4_E2E_REQUIRE=1 \
	$GO test -tags e2e -count=1 "$@" ${E2E_PKGS:-./e2e/...}
