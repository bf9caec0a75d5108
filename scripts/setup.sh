#!/usr/bin/env bash
# Installs what Candor needs to build and run on Debian/Ubuntu (idempotent: only what is missing).
set -euo pipefail
need=()
for p in pkg-config libfftw3-dev libsndfile1-dev libsqlite3-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: Swift 6 toolchain not found on PATH (expected /opt/swift/usr/bin)" >&2; exit 1; }
