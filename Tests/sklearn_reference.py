#!/usr/bin/env python3
"""Independent reference values from scikit-learn for Candor's model tests.

Usage:
  sklearn_reference.py metrics SCORES.csv      # id,speaker,group,label,score
  sklearn_reference.py logistic TABLE.csv C    # label,x1,x2,...  (raw features, no scaling)

Prints one JSON object on stdout. Metric errors (e.g. one class only) are reported as
{"error": "..."} with exit code 0, so the caller can compare error behaviour too.
"""
import csv
import json
import sys
import warnings

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, brier_score_loss, roc_auc_score


def read_scores(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, np.array([int(r["label"]) for r in rows]), np.array([float(r["score"]) for r in rows])


def core(y, s):
    if len(np.unique(y)) < 2:
        return {"error": "only one class present"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            auc = roc_auc_score(y, s)
        except Exception as e:  # noqa: BLE001 - any failure is reported
            return {"error": str(e)}
    pred = (s >= 0.5).astype(int)
    return {
        "auc": float(auc),
        "uar": float(balanced_accuracy_score(y, pred)),
        "brier": float(brier_score_loss(y, s)),
    }


def metrics(path):
    rows, y, s = read_scores(path)
    out = core(y, s)
    if "error" in out:
        print(json.dumps(out))
        return
    n_bins = 15
    prob_true, prob_pred = calibration_curve(y, s, n_bins=n_bins, strategy="uniform")
    # Counts per bin, with the binning calibration_curve uses.
    bins = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(bins[1:-1], s)
    counts = np.bincount(ids, minlength=n_bins)
    nonempty = [int(b) for b in np.nonzero(counts)[0]]
    out["reliability"] = [
        {"bin": b, "n": int(counts[b]), "mean_score": float(pp), "observed_rate": float(pt)}
        for b, pt, pp in zip(nonempty, prob_true, prob_pred)
    ]
    out["ece"] = float(sum(counts[b] / len(y) * abs(pt - pp) for b, pt, pp in zip(nonempty, prob_true, prob_pred)))
    groups = {}
    for g in sorted({r["group"] for r in rows}):
        idx = np.array([r["group"] == g for r in rows])
        res = core(y[idx], s[idx])
        groups[g] = res
    out["per_group"] = groups
    print(json.dumps(out))


def logistic(path, c):
    with open(path, newline="") as f:
        data = list(csv.reader(f))
    y = np.array([int(r[0]) for r in data[1:]])
    x = np.array([[float(v) for v in r[1:]] for r in data[1:]])
    model = LogisticRegression(C=c, tol=1e-12, max_iter=100000, solver="newton-cg")
    model.fit(x, y)
    print(json.dumps({"intercept": float(model.intercept_[0]), "coef": [float(v) for v in model.coef_[0]]}))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "metrics":
        metrics(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "logistic":
        logistic(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
