#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine. Idempotent.
set -euo pipefail

# CandorModelsTests compare metrics and logistic-regression fits with scikit-learn.
if ! python3 -c "import sklearn, numpy" >/dev/null 2>&1; then
    python3 -m pip install --quiet scikit-learn numpy
fi
