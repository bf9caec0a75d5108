#!/usr/bin/env bash
# Batch throughput: files per minute for 1 and 2 worker processes on the same set of files.
# Usage: scripts/batch-throughput.sh [CANDOR_BINARY] [N_FILES] [SECONDS_PER_FILE] [QUEUE_KIND: sqlite|postgres]
# Generates N voiced-buzz WAVs (16 kHz mono, distinct F0s) in a temporary folder, submits them to a
# fresh queue, runs the workers with --exit-when-empty and reports wall time and files/minute.
set -euo pipefail
candor="${1:-.build/release/candor}"
n="${2:-50}"
secs="${3:-1.5}"
kind="${4:-sqlite}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/in" "$n" "$secs" <<'PY'
import math, os, struct, sys, wave
out, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
os.makedirs(out, exist_ok=True)
sr = 16000
for k in range(n):
    f0 = 90 + 5 * k
    frames = bytearray()
    for i in range(int(secs * sr)):
        ph = 2 * math.pi * f0 * i / sr
        v = 0.25 * sum(math.sin(h * ph) / h for h in range(1, 7))
        frames += struct.pack('<h', int(max(-1, min(1, v)) * 32767))
    with wave.open(f"{out}/rec{k:03d}.wav", "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(sr); w.writeframes(bytes(frames))
PY
queue_for() {
  if [ "$kind" = postgres ]; then
    base="${CANDOR_TEST_PG_URL:-$("$(dirname "$0")/start-postgres.sh")}"
    echo "$base$( [[ "$base" == *\?* ]] && echo '&' || echo '?' )schema=tp_$1_$$"
  else
    echo "$tmp/$1.sqlite"
  fi
}
run() {  # $1 = number of worker processes
  local q; q="$(queue_for "w$1")"
  "$candor" batch submit "$tmp/in" --queue "$q" --workspace "$tmp/ws" --quiet
  local start end
  start=$(date +%s.%N)
  for _ in $(seq 1 "$1"); do "$candor" worker --queue "$q" --workspace "$tmp/ws" --exit-when-empty --quiet & done
  wait
  end=$(date +%s.%N)
  python3 -c "import sys; n,t=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]); print(f'$kind, $1 worker(s): {n} files of {float(sys.argv[4])} s in {t:.2f} s = {60*n/t:.0f} files/min')" "$n" "$start" "$end" "$secs"
  "$candor" batch status --queue "$q" --workspace "$tmp/ws" | tail -1
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
run 1
run 2
