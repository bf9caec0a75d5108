#!/usr/bin/env bash
# Two builds of candor side by side on the same input, in alternation, in one run: wall
# time, CPU time (user+sys: less sensitive than wall time to other work on the machine)
# and peak RSS, as medians and as ratios NEW/OLD. For "no regression beyond N%" checks
# of a change (e.g. a refactor) against the commit before it.
# Usage: benchmarks/before-after.sh OLD_CANDOR NEW_CANDOR [MINUTES]   (default 10)
# Environment: RUNS (default 5); OLD_MODELS, NEW_MODELS: the models folder each build reads
# (CANDOR_MODELS; an older build may not read today's model files).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: benchmarks/before-after.sh OLD_CANDOR NEW_CANDOR [MINUTES]" >&2; exit 2; }
old=$1 new=$2 mins=${3:-10} RUNS=${RUNS:-5}
for b in "$old" "$new"; do [ -x "$b" ] || { echo "before-after.sh: $b: not an executable" >&2; exit 2; }; done
out=benchmarks/out; mkdir -p "$out"
f="$out/speech-${mins}min.wav"
[ -f "$f" ] || python3 benchmarks/make_input.py "$f" "$mins" samples/real/*.wav
# Prints "wall cpu peak_kb" for: candor analyze FILE ARGS…
measure() {
  local tf; tf=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; rm -f "$tf"; return 1; }
  tail -1 "$tf" | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}'; rm -f "$tf"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf "%-12s %-5s %9s %9s %9s\n" task build "wall s" "cpu s" "peak MB"
for mode in full pitch-only; do
  args=(); [ "$mode" = pitch-only ] && args=(--pitch-only)
  declare -A W=() C=() M=()
  for ((r = 0; r < RUNS; r++)); do
    # Alternate which build goes first, so neither always runs on a warmer machine.
    if ((r % 2)); then order=(new old); else order=(old new); fi
    for which in "${order[@]}"; do
      bin=$old models=${OLD_MODELS:-${CANDOR_MODELS:-}}
      [ "$which" = new ] && bin=$new models=${NEW_MODELS:-${CANDOR_MODELS:-}}
      read -r w c k < <(measure env ${models:+CANDOR_MODELS="$models"} "$bin" analyze "$f" --out "$out/before-after-$which.json" --quiet "${args[@]}")
      W[$which]+="$w "; C[$which]+="$c "; M[$which]+="$k "
    done
  done
  for which in old new; do
    w=$(echo ${W[$which]} | tr ' ' '\n' | median); c=$(echo ${C[$which]} | tr ' ' '\n' | median)
    k=$(echo ${M[$which]} | tr ' ' '\n' | median)
    printf "%-12s %-5s %9.2f %9.2f %9.1f\n" "$mode" "$which" "$w" "$c" "$(awk -v k="$k" 'BEGIN{print k/1024}')"
    eval "${which}_w=$w ${which}_c=$c ${which}_k=$k"
  done
  awk -v a="$old_w" -v b="$new_w" -v c="$old_c" -v d="$new_c" -v e="$old_k" -v f="$new_k" -v m="$mode" \
    'BEGIN{printf "%-12s new/old: wall %.3f, cpu %.3f, peak RSS %.3f\n", m, b/a, d/c, f/e}'
  unset W C M
done
rm -f "$out"/before-after-*.json
echo "runs: $RUNS each, alternating; input ${mins} min; machine: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); date $(date -u +%F)"
