#!/usr/bin/env bash
# Side-by-side timing of Candor and Praat (and openSMILE where installed) on the same
# generated files, in alternation, in the same run. Prints medians, ratios and peak RSS.
# Usage: benchmarks/compare.sh [MINUTES...]   (default: 10 60)
# Environment: RUNS (default 3), CANDOR (default .build/release/candor), CANDOR_BASE (another
# candor binary, e.g. a release build of main: its stereo interview time is shown beside
# CANDOR's, for a before/after ratio).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
RUNS=${RUNS:-3}
CANDOR=${CANDOR:-.build/release/candor}
if [ $# -eq 0 ]; then minutes=(10 60); else minutes=("$@"); fi
out=benchmarks/out; mkdir -p "$out"
command -v praat >/dev/null || { echo "compare.sh: praat is not installed (apt-get install praat)" >&2; exit 1; }
[ -x "$CANDOR" ] || swift build -c release >&2

# The input: the real speech clips of samples/real (LibriVox), looped to length, 16 kHz mono.
make_input() {
  local mins=$1 f="$out/speech-${1}min.wav"
  if [ ! -f "$f" ]; then
    local clips=(samples/real/*.wav)
    [ -e "${clips[0]}" ] || clips=(/usr/share/pocketsphinx/test/data/librivox/*.wav)
    python3 benchmarks/make_input.py "$f" "$mins" "${clips[@]}"
  fi
  realpath "$f"
}

# The stereo input: the same speech as an interview room (make_stereo_input.py: alternating
# 5 s turns, -18 dB crosstalk 1 ms late, -50 dBFS noise), 16 kHz stereo.
make_stereo_input() {
  local f="$out/room-${1}min.wav"
  [ -f "$f" ] || python3 benchmarks/make_stereo_input.py "$(make_input "$1")" "$f"
  realpath "$f"
}

# Runs a command, prints "seconds peak_kb".
measure() {
  local tf; tf=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$tf" "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; cat "$tf" >&2; rm -f "$tf"; return 1; }
  tail -1 "$tf"; rm -f "$tf"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf "%-8s %-16s %9s %8s %8s  %s\n" file task "median s" "RTF" "peak MB" "speed-up (Praat time / Candor time, same run)"
for m in "${minutes[@]}"; do
  f=$(make_input "$m")
  st=$(make_stereo_input "$m")
  declare -A T=() M=()
  for ((r = 0; r < RUNS; r++)); do
    read -r t k < <(measure praat --run benchmarks/praat/pitch_ac.praat "$f"); T[praat_pitch]+="$t "; M[praat_pitch]=$k
    read -r t k < <(measure "$CANDOR" analyze "$f" --out "$out/candor.json" --quiet); T[candor_analyze]+="$t "; M[candor_analyze]=$k
    read -r t k < <(measure "$CANDOR" analyze "$f" --pitch-only --out "$out/candor-pitch.json" --quiet); T[candor_pitch]+="$t "; M[candor_pitch]=$k
    read -r t k < <(measure praat --run benchmarks/praat/voice_full.praat "$f"); T[praat_full]+="$t "; M[praat_full]=$k
    # Stereo interview with own-voice attribution (no Praat counterpart).
    read -r t k < <(measure "$CANDOR" analyze "$st" --roles interviewer,interviewee --out "$out/candor-stereo.json" --quiet); T[candor_stereo]+="$t "; M[candor_stereo]=$k
    if [ -n "${CANDOR_BASE:-}" ]; then
      read -r t k < <(measure "$CANDOR_BASE" analyze "$st" --roles interviewer,interviewee --out "$out/base-stereo.json" --quiet); T[base_stereo]+="$t "; M[base_stereo]=$k
    fi
    if python3 -c "import opensmile" 2>/dev/null; then
      read -r t k < <(measure python3 benchmarks/opensmile_egemaps.py "$f"); T[opensmile]+="$t "; M[opensmile]=$k
      read -r t k < <(measure "$CANDOR" features --set egemaps "$f" --out "$out/candor-egemaps.csv"); T[candor_egemaps]+="$t "; M[candor_egemaps]=$k
    fi
  done
  base_pitch=$(echo ${T[praat_pitch]} | tr ' ' '\n' | median)
  base_full=$(echo ${T[praat_full]} | tr ' ' '\n' | median)
  base_smile=$(echo ${T[opensmile]:-0} | tr ' ' '\n' | median)
  base_stereo=$(echo ${T[base_stereo]:-0} | tr ' ' '\n' | median)
  for task in praat_pitch praat_full opensmile candor_pitch candor_analyze candor_egemaps base_stereo candor_stereo; do
    [ -n "${T[$task]:-}" ] || continue
    med=$(echo ${T[$task]} | tr ' ' '\n' | median)
    case $task in
      candor_analyze) ratio=$(awk -v b="$base_full" -v c="$med" 'BEGIN{printf "%.1fx vs praat_full (pitch+pulses+jitter+shimmer+HNR+intensity)", b/c}');;
      candor_egemaps) ratio=$(awk -v b="$base_smile" -v c="$med" 'BEGIN{printf "%.1fx vs opensmile (eGeMAPSv02 functionals)", b/c}');;
      candor_stereo) ratio=$(awk -v b="$base_stereo" -v c="$med" 'BEGIN{if (b > 0) printf "%.3f x CANDOR_BASE time (stereo, --roles)", c/b; else print "-"}');;
      candor_pitch) ratio=$(awk -v b="$base_pitch" -v c="$med" 'BEGIN{printf "%.1fx vs praat_pitch (To Pitch (ac))", b/c}');;
      *) ratio="-";;
    esac
    rtf=$(awk -v t="$med" -v m="$m" 'BEGIN{printf "%.4f", t/(m*60)}')
    printf "%-8s %-16s %9s %8s %8.0f  %s\n" "${m}min" "$task" "$med" "$rtf" "$(awk -v k="${M[$task]}" 'BEGIN{print k/1024}')" "$ratio"
  done
  unset T M
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(praat --version | head -1); date $(date -u +%F)"
