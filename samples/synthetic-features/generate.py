#!/usr/bin/env python3
"""Writes features.csv: a SYNTHETIC labelled feature table for trying `candor train` and
`candor evaluate`. Every number is drawn from a random generator; no person was recorded.

Each row is one answer segment, described by z-scores against the same speaker's baseline
(what the baseline-deviation model computes). `condition` 1/0 is an invented experimental
condition. It shifts mean F0 and response latency a little (d = 0.8 and 0.5, half that for
group "m"), and nothing else, so a model trained on it should find those two cues and a
modest, uncertain AUC. Deterministic: the same seed gives the same file.
"""
import csv
import random

SEED = 20261125
SPEAKERS = 48
ROWS_PER_SPEAKER = 8
FEATURES = ["f0_mean_z", "f0_sd_z", "jitter_z", "shimmer_z", "hnr_z", "intensity_z",
            "speech_rate_z", "pause_ratio_z", "response_latency_z"]

rng = random.Random(SEED)
with open("features.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "speaker", "group", "label"] + FEATURES)
    for s in range(SPEAKERS):
        group = "f" if s % 2 == 0 else "m"
        strength = 1.0 if group == "f" else 0.5
        speaker = f"syn{s:02d}"
        for k in range(ROWS_PER_SPEAKER):
            label = 1 if rng.random() < 0.3 else 0
            row = {name: rng.gauss(0, 1) for name in FEATURES}
            row["f0_mean_z"] += 0.8 * strength * label
            row["response_latency_z"] += 0.5 * strength * label
            if rng.random() < 0.03:
                row["jitter_z"] = None  # a few missing values, as in real recordings
            w.writerow([f"{speaker}-a{k}", speaker, group, label] +
                       ["" if row[n] is None else f"{row[n]:.4f}" for n in FEATURES])
