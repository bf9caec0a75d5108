#!/usr/bin/env bash
# Batch throughput: files per minute for 1 and 2 worker processes on the same set of files.
# Usage: scripts/batch-throughput.sh [CANDOR_BINARY] [N_FILES] [SECONDS_PER_FILE] [sqlite|postgres] [POLL_SECONDS]
# Generates N voiced-buzz WAVs (16 kHz mono, distinct F0s) in a temporary folder, submits them to a
# fresh queue, runs the workers with --exit-when-empty and reports wall time and files/minute.
set -euo pipefail
candor="${1:-.build/release/candor}"
n="${2:-50}"
secs="${3:-1.5}"
kind="${4:-sqlite}"
poll="${5:-1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/in" "$n" "$secs" <<'PY'
import os, sys, wave
import numpy as np
out, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
os.makedirs(out, exist_ok=True)
sr = 16000
t = np.arange(int(secs * sr)) / sr
for k in range(n):
    ph = 2 * np.pi * (90 + 0.5 * k) * t
    x = 0.25 * sum(np.sin(h * ph) / h for h in range(1, 7))
    with wave.open(f"{out}/rec{k:04d}.wav", "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(sr)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
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
  for _ in $(seq 1 "$1"); do "$candor" worker --queue "$q" --workspace "$tmp/ws" --exit-when-empty --poll "$poll" --quiet & done
  wait
  end=$(date +%s.%N)
  python3 -c "import sys; n,t=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]); print(f'$kind, $1 worker(s): {n} files of {float(sys.argv[4])} s in {t:.2f} s = {60*n/t:.0f} files/min')" "$n" "$start" "$end" "$secs"
  "$candor" batch status --queue "$q" --workspace "$tmp/ws" | tail -1
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
run 1
run 2
