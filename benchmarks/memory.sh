#!/usr/bin/env bash
# Peak memory (RSS, /usr/bin/time) of `candor analyze` on a short and a long recording of
# the same speech, to check that memory stays flat with duration (issue 9: a 3-hour file
# under 150 MB and within 10% of the 10-minute file).
# Usage: benchmarks/memory.sh [SHORT_MIN LONG_MIN]   (default: 10 180)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
CANDOR=${CANDOR:-.build/release/candor}
short=${1:-10}; long=${2:-180}
out=benchmarks/out; mkdir -p "$out"
[ -x "$CANDOR" ] || swift build -c release >&2
input() {
  local f="$out/speech-${1}min.wav"
  [ -f "$f" ] || python3 benchmarks/make_input.py "$f" "$1" samples/real/*.wav
  echo "$f"
}
peak() {  # prints peak RSS in KB of: candor analyze FILE [ARGS]
  local tf; tf=$(mktemp)
  /usr/bin/time -f "%M" -o "$tf" "$CANDOR" analyze "$@" --quiet >/dev/null 2>&1 || { echo "FAILED: candor analyze $*" >&2; rm -f "$tf"; exit 1; }
  tail -1 "$tf"; rm -f "$tf"
}
printf "%-24s %10s %10s %8s\n" task "${short} min MB" "${long} min MB" "long/short"
for mode in full pitch-only; do
  args=(); [ "$mode" = pitch-only ] && args=(--pitch-only)
  a=$(peak "$(input "$short")" --out "$out/mem-short.json" "${args[@]}")
  b=$(peak "$(input "$long")" --out "$out/mem-long.json" "${args[@]}")
  awk -v m="candor analyze $mode" -v a="$a" -v b="$b" 'BEGIN{printf "%-24s %10.1f %10.1f %8.3f\n", m, a/1024, b/1024, b/a}'
done
rm -f "$out/mem-short.json" "$out/mem-long.json"
echo "machine: $(nproc) cores; date $(date -u +%F)"
