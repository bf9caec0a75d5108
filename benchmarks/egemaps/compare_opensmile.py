#!/usr/bin/env python3
"""Agreement of `candor features --set egemaps` with openSMILE 2.6 (PyPI `opensmile`, eGeMAPSv02).

Builds the real-speech file set in WORK (never inside the repository):
  * the Keele readings (10 speakers, ../shared/data/keele/wav) cut into 6 s pieces,
  * samples/real/*.wav (LibriVox, one speaker),
  * up to 16 Czech/Dutch lines of Fish Fillets NG (Debian fillets-ng-data-cs/-nl) when installed,
runs openSMILE and Candor on every file, and prints per functional the Spearman rho across
files and the median |Candor - openSMILE| relative to openSMILE's median |value|.
A functional agrees when rho >= 0.9 and the relative difference <= 10 %.

Usage: compare_opensmile.py CANDOR WORK [--keele DIR] [--markdown FILE]
Last line printed: "agree N of 88 on F files".
"""
import argparse
import glob
import os
import subprocess
import sys

import numpy as np
import soundfile as sf


def prepare(work, keele, repo):
    os.makedirs(work, exist_ok=True)
    files = []
    for wav in sorted(glob.glob(os.path.join(keele, "wav", "*.wav"))):
        x, sr = sf.read(wav, dtype="int16")
        name = os.path.splitext(os.path.basename(wav))[0]
        piece = 6 * sr
        for i in range(len(x) // piece):
            out = os.path.join(work, f"keele-{name}-{i}.wav")
            if not os.path.exists(out):
                sf.write(out, x[i * piece:(i + 1) * piece], sr, subtype="PCM_16")
            files.append(out)
    for wav in sorted(glob.glob(os.path.join(repo, "samples", "real", "*.wav"))):
        files.append(os.path.abspath(wav))
    fillets = sorted(glob.glob("/usr/share/games/fillets-ng/sound/*/cs/*.ogg")) + \
        sorted(glob.glob("/usr/share/games/fillets-ng/sound/*/nl/*.ogg"))
    picked = 0
    for ogg in fillets[::37]:
        x, sr = sf.read(ogg, dtype="int16")
        if x.ndim > 1:
            x = x[:, 0]
        if len(x) < 3 * sr:
            continue
        out = os.path.join(work, "fillets-" + os.path.basename(os.path.dirname(ogg)) + "-"
                           + os.path.basename(ogg).replace(".ogg", ".wav"))
        if not os.path.exists(out):
            sf.write(out, x, sr, subtype="PCM_16")
        files.append(out)
        picked += 1
        if picked >= 16:
            break
    return files


def opensmile_table(files, cache):
    import opensmile
    import pandas as pd
    if os.path.exists(cache):
        t = pd.read_csv(cache, index_col=0)
        if list(t.index) == files:
            return t
    smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                            feature_level=opensmile.FeatureLevel.Functionals)
    rows = [smile.process_file(f).iloc[0] for f in files]
    t = pd.DataFrame(rows, index=files)
    t.to_csv(cache)
    return t


def spearman(a, b):
    def ranks(v):
        order = np.argsort(v, kind="mergesort")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        # average ties
        vals, inv, counts = np.unique(v, return_inverse=True, return_counts=True)
        sums = np.zeros(len(vals))
        np.add.at(sums, inv, r)
        return sums[inv] / counts[inv]
    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("candor")
    p.add_argument("work")
    p.add_argument("--keele", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "keele"))
    p.add_argument("--markdown")
    a = p.parse_args()
    import pandas as pd
    repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    files = prepare(a.work, a.keele, repo)
    ref = opensmile_table(files, os.path.join(a.work, "opensmile.csv"))
    out = os.path.join(a.work, "candor.csv")
    subprocess.run([a.candor, "features", "--set", "egemaps", *files, "--out", out], check=True)
    cand = pd.read_csv(out)
    cand.index = files
    agree = 0
    lines = ["| functional | Spearman ρ | median abs diff / median abs openSMILE | agrees |",
             "|---|---:|---:|:---:|"]
    for col in ref.columns:
        r = ref[col].to_numpy(float)
        if col not in cand.columns:
            lines.append(f"| {col} | – | – | missing |")
            continue
        c = cand[col].to_numpy(float)
        ok = np.isfinite(r) & np.isfinite(c)
        rho = spearman(c[ok], r[ok]) if ok.sum() > 2 else float("nan")
        scale = np.median(np.abs(r[ok])) if ok.any() else float("nan")
        rel = np.median(np.abs(c[ok] - r[ok])) / scale if scale > 0 else float("nan")
        good = ok.all() and rho >= 0.9 and rel <= 0.10
        agree += good
        lines.append(f"| {col} | {rho:.3f} | {100 * rel:.1f} % | {'yes' if good else 'no'} |")
    print("\n".join(lines))
    summary = f"agree {agree} of {len(ref.columns)} on {len(files)} files"
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(lines) + "\n\n" + summary + "\n")
    print(summary)


if __name__ == "__main__":
    sys.exit(main())
