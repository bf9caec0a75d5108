#!/usr/bin/env bash
# Analyses the sample interview with the release build. Usage: demo.sh CANDOR OUTDIR
set -euo pipefail
candor="$1"; out="$2"
mkdir -p "$out"
export CANDOR_WORKSPACE="$out/workspace"
sample=samples/interview.flac
[ -f "$sample" ] || sample=samples/real/$(ls samples/real | head -1)
echo "== candor analyze $sample" >&2
"$candor" analyze "$sample" --roles interviewer,interviewee --out "$out/interview.analysis.json"
echo "== analysis JSON: $out/interview.analysis.json" >&2
