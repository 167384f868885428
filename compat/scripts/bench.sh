#!/usr/bin/env bash
# Side-by-side benchmarks: sigv4kit, aws-sdk-go-v2, aws-http-auth and
# minio-go over the workloads of ANCHORS.md (compat/bench), and the
# aws-chunked streaming benchmarks (sigv4kit's and minio-go's chunk
# signers, sigv4kit's verifier, beside the SHA-256 of 64 KiB), then a
# benchstat table, the ratio of each anchor to sigv4kit, and the generated
# performance section of README.md (between its markers).
#
# Usage: CACHE=~/.cache/sigv4kit bash compat/scripts/bench.sh
#   COUNT=6        runs of each benchmark (benchstat wants at least 6 for
#                  confidence intervals)
#   BENCHTIME=1s   go test -benchtime
#   UPDATE_DOCS=0  print only; do not rewrite README.md
# Raw results go to compat/bench-results/ (git-ignored).
set -euo pipefail

BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da
CACHE=${CACHE:-$HOME/.cache/sigv4kit}
GO=${GO:-go}
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
UPDATE_DOCS=${UPDATE_DOCS:-1}
COMPAT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$COMPAT/.." && pwd)
OUT=$COMPAT/bench-results
BENCHSTAT=$CACHE/bin/benchstat

if [[ ! -x $BENCHSTAT ]]; then
	echo "bench: installing benchstat into $CACHE/bin" >&2
	mkdir -p "$CACHE/bin"
	GOBIN=$CACHE/bin $GO install "golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION"
fi

mkdir -p "$OUT"
cd "$COMPAT"
echo "bench: proving the signers agree (TestSameSignatures, TestChunkEncodersAgree)" >&2
$GO test -count=1 -run '^(TestSameSignatures|TestChunkEncodersAgree)$' ./bench/
echo "bench: go test -bench . -benchmem -count $COUNT -benchtime $BENCHTIME ./bench/..." >&2
$GO test -run '^$' -bench . -benchmem -count "$COUNT" -benchtime "$BENCHTIME" ./bench/... | tee "$OUT/bench.txt"

echo
"$BENCHSTAT" -col /impl "$OUT/bench.txt" | tee "$OUT/benchstat.txt"
echo

args=(-benchstat "$OUT/benchstat.txt")
if [[ $UPDATE_DOCS == 1 ]]; then
	args+=(-update "$ROOT/README.md")
fi
$GO run ./cmd/benchtable "${args[@]}" "$OUT/bench.txt" | tee "$OUT/table.md"
if [[ $UPDATE_DOCS == 1 ]]; then
	echo "bench: rewrote the performance section of README.md" >&2
fi
