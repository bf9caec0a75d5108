#!/usr/bin/env bash
# Starts `candor serve` on http://127.0.0.1:8080 over a demo workspace (./demo-serve) with
# three demo accounts and case DEMO assigned to the investigator:
#   demo-investigator / demo-password-1   (uploads and reads case DEMO)
#   demo-supervisor   / demo-password-2   (reads every case, records reviews)
#   demo-researcher   / demo-password-3   (no case data)
# Demo passwords only: never use this workspace for real cases. Ctrl-C stops the server.
set -euo pipefail
candor="${1:-.build/release/candor}"
ws="${CANDOR_DEMO_WORKSPACE:-demo-serve}"
listen="${CANDOR_DEMO_LISTEN:-127.0.0.1:8080}"
if [ ! -f "$ws/server/accounts.json" ]; then
  "$candor" keys init --operator candor-server --workspace "$ws" >/dev/null
  echo demo-password-1 | "$candor" users add demo-investigator --role investigator --workspace "$ws"
  echo demo-password-2 | "$candor" users add demo-supervisor --role supervisor --workspace "$ws"
  echo demo-password-3 | "$candor" users add demo-researcher --role researcher --workspace "$ws"
  "$candor" cases assign DEMO demo-investigator --workspace "$ws"
fi
echo "sign in at http://$listen/ as demo-investigator / demo-password-1 (or demo-supervisor / demo-password-2)"
exec "$candor" serve --workspace "$ws" --listen "$listen" --workers 1
