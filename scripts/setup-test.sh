#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine. Idempotent.
set -euo pipefail
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
for p in libfftw3-dev libsndfile1-dev libsqlite3-dev praat espeak-ng sox pocketsphinx-testdata python3; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
fi
