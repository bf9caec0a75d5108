#!/usr/bin/env bash
# The demo: analyses the sample interview (stereo, interviewer left, interviewee right) into
# a signed session log in a fresh workspace, verifies the log and exports its bundle.
# Usage: demo.sh CANDOR OUTDIR
set -euo pipefail
candor="$1"; out="$2"
mkdir -p "$out"
export CANDOR_WORKSPACE="$out/workspace"
case_id=DEMO-1; session_id=interview-1
sample=samples/interview.flac
if [ ! -f "$CANDOR_WORKSPACE/keys/default-operator" ]; then
  echo "== candor keys init --operator demo-investigator" >&2
  "$candor" keys init --operator demo-investigator >&2
fi
echo "== candor analyze $sample" >&2
"$candor" analyze "$sample" --roles interviewer,interviewee --segments samples/interview.segments.csv \
  --case "$case_id" --session "$session_id" --out "$out/interview.analysis.json"
echo "== candor audit verify" >&2
"$candor" audit verify --case "$case_id" --session "$session_id"
echo "== candor report / export" >&2
"$candor" report --case "$case_id" --session "$session_id" --out "$out/interview.report.html" >&2
"$candor" export --format textgrid --case "$case_id" --session "$session_id" --out "$out/interview.TextGrid" >&2
"$candor" export --format csv --case "$case_id" --session "$session_id" --out "$out/interview" >&2
rm -rf "$out/bundle"
"$candor" audit export --case "$case_id" --session "$session_id" --out "$out/bundle" >&2
echo "Analysis JSON: $out/interview.analysis.json" >&2
echo "HTML report:   $out/interview.report.html" >&2
echo "Audit bundle:  $out/bundle (verify: candor audit verify $out/bundle)" >&2
