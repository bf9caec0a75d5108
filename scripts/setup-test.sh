#!/usr/bin/env bash
# Installs everything the test suite needs (idempotent). Praat, espeak-ng and the Python
# packages are TEST dependencies only: Candor never runs them at run time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
need=()
for p in praat espeak-ng sox pocketsphinx-testdata python3-pip time chromium chromium-driver curl openssl; do  # chromium: report rendering test; chromium-driver: the web UI test (selenium); curl, openssl: the witness HTTPS test
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
# pdftotext and a Traditional Chinese font: the report's print test reads the PDF's text.
# iproute2: scripts/netns-cluster.sh (the multi-machine recipe in network namespaces).
for p in poppler-utils fonts-noto-cjk iproute2; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-test: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Real speech for the baseline-deviation flags (Tests/CandorCLITests/*FlagTests.swift): the Czech
# and Dutch dialogue of Fish Fillets NG (GPL-2, about 70 MB, development data), without the game
# itself, and the held-out set: the English, French, Italian and Russian voice prompts of the
# Asterisk telephone exchange (CC-BY-SA-3.0 / CC-BY-3.0, about 95 MB), without Asterisk itself.
fillets=()
for p in fillets-ng-data-cs fillets-ng-data-nl asterisk-core-sounds-en-wav asterisk-core-sounds-fr-wav \
  asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav; do
  dpkg -s "$p" >/dev/null 2>&1 || fillets+=("$p")
done
if [ ${#fillets[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-test: installing ${fillets[*]}" >&2
  [ ${#need[@]} -gt 0 ] || $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${fillets[@]}" >/dev/null
fi
# Python packages for independent cross-checks.
py_need=()
python3 -c "import numpy" 2>/dev/null || py_need+=(numpy)
# The multi-analysis table is read back with pandas (Tests/CandorStoreTests/SidecarSegmentsTests.swift).
python3 -c "import pandas" 2>/dev/null || py_need+=(pandas)
python3 -c "import cryptography" 2>/dev/null || py_need+=(cryptography)  # Tests/audit_verifier.py
# CandorModelsTests compare metrics and logistic-regression fits with scikit-learn.
python3 -c "import sklearn" 2>/dev/null || py_need+=(scikit-learn)
# The service's tests: the web UI in a real browser (Tests/serve_browser.py) and the OpenAPI document.
python3 -c "import selenium" 2>/dev/null || py_need+=(selenium)
python3 -c "import openapi_spec_validator" 2>/dev/null || py_need+=(openapi-spec-validator)
# openSMILE 2.6 (eGeMAPS reference for `candor features`, Tests/CandorCLITests/EgemapsTests.swift)
# and libsndfile's Python binding (cuts the comparison files).
python3 -c "import opensmile" 2>/dev/null || py_need+=("opensmile==2.6.0")
python3 -c "import soundfile, pandas" 2>/dev/null || py_need+=(soundfile pandas)
if [ ${#py_need[@]} -gt 0 ]; then
  python3 -m pip install -q "${py_need[@]}" || python3 -m pip install -q --break-system-packages "${py_need[@]}"
fi
# WebRTC's VAD, the independent reference for Candor's voice activity (Tests/webrtcvad_reference.py).
# It builds from source where no wheel fits: needs a C compiler and the Python headers.
if ! python3 -c "import webrtcvad" 2>/dev/null; then
  pipi() { python3 -m pip install -q "$@" || python3 -m pip install -q --break-system-packages "$@"; }
  if ! pipi webrtcvad; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-dev build-essential >/dev/null
    pipi webrtcvad || pipi webrtcvad-wheels
  fi
fi
# PostgreSQL for the batch-queue tests (installed from Debian, started on 127.0.0.1).
"$here/start-postgres.sh" >/dev/null
