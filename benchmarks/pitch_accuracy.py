#!/usr/bin/env python3
"""Pitch accuracy against the Keele laryngograph reference, in clean speech, white noise
and 9-talker babble at 20, 10 and 5 dB SNR.

Usage: benchmarks/pitch_accuracy.py KEELE_DIR [--trackers a,b,...] [--out DIR]
Trackers: candor-ac, candor-robust, praat-ac, pyworld-harvest, pyworld-dio,
pysptk-swipe, pysptk-rapt (the PyPI ones: `pip install pyworld pysptk`).
Environment: CANDOR (default .build/release/candor, else .build/debug/candor).

Mixtures (written to benchmarks/out/keele-mix/, 20 kHz 16-bit mono, made once):
- white: Gaussian white noise, seed 1000 + speaker index;
- babble: the other 9 Keele speakers, each scaled to the same RMS, the k-th of them
  (k = 0..8, in file-name order) circularly shifted by k × 3.1 s and looped to the target's
  length, summed;
- the noise is scaled so that 10·log10(P_speech / P_noise) = SNR, both powers over the
  whole file; the mixture is scaled by one factor so its peak is 0.9 of full scale.

Scoring (Keele README: frame i of ref/<name>.csv is at analysis time i × 10 ms; frames
marked X are left out): a tracker's value at time t is its frame nearest to t.
GPE = frames voiced in both with |f − f_ref| > 20 % f_ref / frames voiced in both;
VDE = frames whose voicing differs / all scored frames; FPE = standard deviation of
f − f_ref (Hz) over the voiced-in-both frames without gross errors.
Speakers f1, f2, m1, m2 are the development set (settings of `robust` were chosen on
them); f3–f5 and m3–m5 are held out. The table reports both, separately.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.io.wavfile as wavfile

DEV = ["f1", "f2", "m1", "m2"]
HELD = ["f3", "f4", "f5", "m3", "m4", "m5"]
SPEAKERS = ["f1", "f2", "f3", "f4", "f5", "m1", "m2", "m3", "m4", "m5"]
CONDITIONS = [("clean", None), ("white", 20), ("white", 10), ("white", 5), ("babble", 20), ("babble", 10), ("babble", 5)]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(path):
    rate, x = wavfile.read(path)
    return rate, x.astype(np.float64) / 32768.0


def reference(keele, spk):
    rows = np.genfromtxt(os.path.join(keele, "ref", spk + "nw0000.csv"), delimiter=",", skip_header=1, dtype=None, encoding=None)
    f0 = np.array([float(r[3]) for r in rows])
    state = np.array([r[4] for r in rows])
    return f0, state


def babble(keele, spk, n):
    out = np.zeros(n)
    others = [s for s in SPEAKERS if s != spk]
    for k, o in enumerate(others):
        rate, y = read(os.path.join(keele, "wav", o + "nw0000.wav"))
        y = y / np.sqrt(np.mean(y**2))
        reps = int(np.ceil((n + len(y)) / len(y))) + 1
        z = np.roll(np.tile(y, reps), -int(round(k * 3.1 * rate)))[:n]
        out += z
    return out


def mixture(keele, spk, cond, snr, outdir):
    name = spk if cond == "clean" else "%s-%s%d" % (spk, cond, snr)
    path = os.path.join(outdir, name + ".wav")
    if os.path.exists(path):
        return path
    rate, x = read(os.path.join(keele, "wav", spk + "nw0000.wav"))
    if cond == "clean":
        y = x
    else:
        if cond == "white":
            noise = np.random.default_rng(1000 + SPEAKERS.index(spk)).standard_normal(len(x))
        else:
            noise = babble(keele, spk, len(x))
        ps, pn = np.mean(x**2), np.mean(noise**2)
        y = x + noise * np.sqrt(ps / pn / 10 ** (snr / 10))
    y = y * (0.9 / np.max(np.abs(y)))
    tmp = "%s.%d.tmp" % (path, os.getpid())
    wavfile.write(tmp, rate, np.round(y * 32767).astype(np.int16))
    os.replace(tmp, path)  # atomic: parallel runs never read a half-written mixture
    return path


def candor(method):
    exe = os.environ.get("CANDOR") or next(
        (p for p in [os.path.join(ROOT, ".build/release/candor"), os.path.join(ROOT, ".build/debug/candor")] if os.path.exists(p)))

    def run(path):
        with tempfile.TemporaryDirectory() as ws:
            out = os.path.join(ws, "a.json")
            subprocess.run([exe, "analyze", path, "--workspace", ws, "--pitch-only", "--quiet", "--method", method, "--out", out],
                           check=True, stdout=subprocess.DEVNULL)
            frames = json.load(open(out))["channels"][0]["pitch"]["frames"]
        t = np.array([f[0] for f in frames])
        f = np.array([f[1] or 0.0 for f in frames])
        return t, f
    return run


def praat(path):
    script = os.path.join(ROOT, "scripts/praat/pitch.praat")
    out = subprocess.run(["praat", "--run", script, path, "ac", "75", "600"], check=True, capture_output=True, text=True).stdout
    a = np.array([[float(v) for v in line.split()] for line in out.splitlines() if line.strip()])
    return a[:, 0], a[:, 1]


def pyworld_run(kind):
    def run(path):
        import pyworld

        rate, x = read(path)
        fn = pyworld.harvest if kind == "harvest" else pyworld.dio
        f0, t = fn(x, rate, f0_floor=60.0, f0_ceil=600.0, frame_period=10.0)
        return t, f0
    return run


def pysptk_run(kind):
    def run(path):
        import pysptk

        rate, x = read(path)
        hop = int(rate * 0.01)
        if kind == "swipe":
            f0 = pysptk.swipe(x, fs=rate, hopsize=hop, min=60, max=600, otype="f0")
        else:
            f0 = pysptk.rapt((x * 32767).astype(np.float32), fs=rate, hopsize=hop, min=60, max=600, otype="f0")
        t = np.arange(len(f0)) * 0.01
        return t, f0
    return run


TRACKERS = {
    "candor-ac": candor("ac"),
    "candor-robust": candor("robust"),
    "praat-ac": praat,
    "pyworld-harvest": pyworld_run("harvest"),
    "pyworld-dio": pyworld_run("dio"),
    "pysptk-swipe": pysptk_run("swipe"),
    "pysptk-rapt": pysptk_run("rapt"),
}


def score(t, f, ref, state):
    """Counts: (voiced both, gross, voicing errors, scored frames, fine errors list)."""
    keep = state != "X"
    times = np.arange(len(ref)) * 0.01
    idx = np.clip(np.searchsorted(t, times), 1, len(t) - 1)
    idx = np.where(np.abs(t[idx - 1] - times) <= np.abs(t[idx] - times), idx - 1, idx)
    est = np.where((times >= t[0] - 0.006) & (times <= t[-1] + 0.006), f[idx], 0.0)
    rv = (state == "V") & keep
    ev = est > 0
    both = rv & ev
    rel = np.abs(est[both] - ref[both]) / ref[both]
    gross = rel > 0.2
    fine = (est[both] - ref[both])[~gross]
    vde = np.sum((rv != ev) & keep)
    return np.sum(both), np.sum(gross), vde, np.sum(keep), fine


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("keele")
    ap.add_argument("--trackers", default=",".join(TRACKERS))
    ap.add_argument("--speakers", default=",".join(SPEAKERS))
    ap.add_argument("--conditions", default="all", help="e.g. clean,babble10,white5")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks/out"))
    ap.add_argument("--json", help="write the raw counts here")
    ap.add_argument("--from-json", nargs="+", help="only print the table of these raw-count files (runs merged)")
    a = ap.parse_args()
    if a.from_json:
        results = {}
        for path in a.from_json:
            results.update({tuple(k.split("|")): v for k, v in json.load(open(path)).items()})
        names = list(dict.fromkeys(k[0] for k in results))
        table(results, [n for n in TRACKERS if n in names], CONDITIONS, SPEAKERS)
        return
    mixdir = os.path.join(a.out, "keele-mix")
    os.makedirs(mixdir, exist_ok=True)
    conds = CONDITIONS if a.conditions == "all" else [
        c for c in CONDITIONS if (c[0] if c[1] is None else "%s%d" % c) in a.conditions.split(",")]
    speakers = a.speakers.split(",")
    results = {}
    for name in a.trackers.split(","):
        run = TRACKERS[name]
        for cond, snr in conds:
            label = cond if snr is None else "%s%d" % (cond, snr)
            for spk in speakers:
                path = mixture(a.keele, spk, cond, snr, mixdir)
                ref, state = reference(a.keele, spk)
                t0 = time.perf_counter()
                t, f = run(path)
                dt = time.perf_counter() - t0
                both, gross, vde, n, fine = score(np.asarray(t), np.asarray(f), ref, state)
                results[(name, label, spk)] = (int(both), int(gross), int(vde), int(n), fine.tolist(), dt)
                print("%-16s %-9s %s GPE %5.2f%% VDE %5.2f%% %.2fs" % (
                    name, label, spk, 100 * gross / max(both, 1), 100 * vde / n, dt), file=sys.stderr, flush=True)
    if a.json:
        json.dump({"|".join(k): v for k, v in results.items()}, open(a.json, "w"))
    table(results, a.trackers.split(","), conds, speakers)


def table(results, trackers, conds, speakers):
    for group, members in [("held-out (f3–f5, m3–m5)", HELD), ("development (f1, f2, m1, m2)", DEV)]:
        members = [s for s in members if s in speakers]
        if not members:
            continue
        print("\n### %s\n" % group)
        print("| tracker | condition | GPE % F | GPE % M | GPE % all | VDE % F | VDE % M | VDE % all | FPE Hz all | s per file |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for cond, snr in conds:
            label = cond if snr is None else "%s%d" % (cond, snr)
            for name in trackers:
                if not any((name, label, s) in results for s in members):
                    continue
                cells = []
                for sel in ("f", "m", ""):
                    rows = [results[(name, label, s)] for s in members if s.startswith(sel) and (name, label, s) in results]
                    both = sum(r[0] for r in rows)
                    cells.append(100 * sum(r[1] for r in rows) / max(both, 1))
                vcells = []
                for sel in ("f", "m", ""):
                    rows = [results[(name, label, s)] for s in members if s.startswith(sel) and (name, label, s) in results]
                    vcells.append(100 * sum(r[2] for r in rows) / max(sum(r[3] for r in rows), 1))
                rows = [results[(name, label, s)] for s in members if (name, label, s) in results]
                fine = np.concatenate([np.array(r[4]) for r in rows]) if rows else np.zeros(1)
                secs = np.mean([r[5] for r in rows]) if rows else 0
                print("| %s | %s | %.1f | %.1f | **%.1f** | %.1f | %.1f | **%.1f** | %.1f | %.2f |" % (
                    name, label, *cells, *vcells, np.std(fine), secs))


if __name__ == "__main__":
    main()
