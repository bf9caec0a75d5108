#!/usr/bin/env bash
# Builds this example (a separate package using Candor by path) and analyses FILE with it,
# printing the analysis JSON on stdout. It scores with the repository's models unless
# CANDOR_MODELS names others, as `candor analyze` run from the repository root does.
# Usage: Examples/analyze-file/run.sh FILE [ROLE,ROLE...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
[ $# -ge 1 ] || { echo "usage: $0 FILE [ROLE,ROLE...]" >&2; exit 2; }
export CANDOR_MODELS="${CANDOR_MODELS:-$here/../../models}"
# SCRATCH: another build folder (e.g. the main package's .build, to reuse its compiled dependencies).
build=(swift build -c "${CONFIG:-release}" --package-path "$here" --scratch-path "${SCRATCH:-$here/.build}")
"${build[@]}" --product AnalyzeFile >&2
"$("${build[@]}" --show-bin-path)/AnalyzeFile" "$@"
