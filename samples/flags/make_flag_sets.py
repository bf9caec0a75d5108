#!/usr/bin/env python3
"""Builds the real-speech null and shift interviews for the baseline-deviation flags.

Usage: make_flag_sets.py KEELE_WAV_DIR OUT_DIR [--speakers f2,m2,...] [--rotations 2] [--librivox DIR]

Source speech: the Keele pitch database (10 speakers reading "The North Wind and the Sun")
and, optionally, the LibriVox clips of samples/real/ (one more reader). Each speaker's reading
is cut into phrase-sized chunks (2-3.5 s, cut at the quietest 10 ms frame in that range).

For every speaker and rotation r, two stereo 16 kHz interviews are written (left: interviewer,
right: interviewee), with a segments CSV (start,end,label,speaker,role):
  null-<spk>-r<r>:  5 baseline answers + the other chunks as neutral answers. Every question
                    is another speaker's chunk; every response latency is drawn from one
                    distribution (uniform 0.5-1.2 s).
  shift-<spk>-r<r>: the same 5 baseline answers, then each other chunk twice, altered in known
                    ways (fixed before any measurement, never tuned):
                    intense:  +4 semitones, tempo x1.15, +4 dB, a 0.6 s pause inserted at the
                              quietest point of the middle half, latency +1.5 s;
                    moderate: +2 semitones, tempo x1.07, +2 dB, latency +0.6 s.
Baseline and neutral chunks pass through the same sox chain at (almost) zero magnitude
(pitch +1 cent, tempo x1.001), so processing artefacts are not what separates the sets.
Rotation r starts the chunk order at r*4, so different chunks serve as baseline.
A truth file (truth.json) lists every answer with its condition.
Deterministic: the latencies come from a seeded generator, and sox runs with -R (repeatable
dither; without it two builds differ in their dither noise).
"""
import json, os, subprocess, sys, tempfile, wave, zlib
import numpy as np

SR = 16000
INTENSE = dict(cents=400, tempo=1.15, gain=4.0, pause=0.6, extra_latency=1.5)
MODERATE = dict(cents=200, tempo=1.07, gain=2.0, pause=0.0, extra_latency=0.6)
NEUTRAL = dict(cents=1, tempo=1.001, gain=0.0, pause=0.0, extra_latency=0.0)


def read_wav(path):
    with wave.open(path) as w:
        sr, n, ch = w.getframerate(), w.getnframes(), w.getnchannels()
        x = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float64) / 32768
    if ch > 1:
        x = x.reshape(-1, ch).mean(axis=1)
    return x, sr


def write_wav(path, data, sr, channels):
    y = np.clip(np.round(data * 32767), -32768, 32767).astype(np.int16)
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(y.tobytes())


def frame_db(x, sr):
    hop = int(0.01 * sr)
    n = len(x) // hop
    e = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    return 20 * np.log10(e)


def chunks_of(x, sr, lo=2.0, hi=3.5, min_len=1.2):
    """Phrase-sized chunks: from a speech onset, cut at the quietest frame between lo and hi s."""
    db = frame_db(x, sr)
    thr = np.percentile(db, 95) - 30
    speech = db > thr
    smooth = np.convolve(db, np.ones(5) / 5, mode="same")
    out, i, n = [], 0, len(db)
    while i < n:
        while i < n and not speech[i]:
            i += 1
        if i >= n:
            break
        a, b = i + int(lo * 100), min(n, i + int(hi * 100))
        if a >= n:
            end = n
        else:
            end = a + int(np.argmin(smooth[a:b])) if b > a else n
        seg = np.nonzero(speech[i:end])[0]
        if len(seg):
            s, e = i + seg[0], i + seg[-1] + 1
            if (e - s) / 100 >= min_len:
                out.append(x[int(s * sr / 100): int(e * sr / 100)])
        i = end + 1
    return out


def sox_alter(chunk, sr, p, tmp):
    src, dst = os.path.join(tmp, "in.wav"), os.path.join(tmp, "out.wav")
    write_wav(src, chunk, sr, 1)
    cmd = ["sox", "-q", "-R", src, "-r", str(SR), dst]
    if p["gain"]:
        cmd += ["gain", str(p["gain"])]
    cmd += ["pitch", str(p["cents"]), "tempo", "-s", str(p["tempo"]), "rate", str(SR)]
    subprocess.run(cmd, check=True)
    y, _ = read_wav(dst)
    if p["pause"] > 0:
        db = frame_db(y, SR)
        q = len(db) // 4
        cut = (q + int(np.argmin(db[q: 3 * q]))) * SR // 100 if len(db) > 8 else len(y) // 2
        y = np.concatenate([y[:cut], np.zeros(int(p["pause"] * SR)), y[cut:]])
    return y


def build(path_prefix, questions, answers, latencies):
    """answers: list of (label, role, audio). Writes <prefix>.wav and <prefix>.segments.csv."""
    gap_after, lead = 0.8, 0.5
    t, rows, placed = lead, [], []
    for k, (label, role, audio) in enumerate(answers):
        q = questions[k % len(questions)]
        q0, q1 = t, t + len(q) / SR
        a0 = q1 + latencies[k]
        a1 = a0 + len(audio) / SR
        placed.append((0, q0, q))
        placed.append((1, a0, audio))
        rows.append((q0, q1, f"Q-{label}", "interviewer", "question"))
        rows.append((a0, a1, label, "interviewee", role))
        t = a1 + gap_after
    total = int((t + lead) * SR)
    stereo = np.zeros((total, 2))
    rng = np.random.default_rng(zlib.crc32(os.path.basename(path_prefix).encode()))
    stereo += rng.normal(0, 10 ** (-60 / 20), stereo.shape)  # -60 dBFS room noise floor
    for ch, start, audio in placed:
        i = int(round(start * SR))
        stereo[i: i + len(audio), ch] += audio
    write_wav(path_prefix + ".wav", stereo.reshape(-1), SR, 2)
    with open(path_prefix + ".segments.csv", "w") as f:
        f.write("start,end,label,speaker,role\n")
        for r in rows:
            f.write(f"{r[0]:.4f},{r[1]:.4f},{r[2]},{r[3]},{r[4]}\n")


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    keele, out = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    speakers = opts.get("--speakers", "f1,f2,f3,f4,f5,m1,m2,m3,m4,m5").split(",")
    rotations = int(opts.get("--rotations", "2"))
    os.makedirs(out, exist_ok=True)
    sources = {}
    for s in ["f1", "f2", "f3", "f4", "f5", "m1", "m2", "m3", "m4", "m5"]:
        x, sr = read_wav(os.path.join(keele, f"{s}nw0000.wav"))
        sources[s] = (chunks_of(x, sr), sr)
    if "--librivox" in opts:
        d = opts["--librivox"]
        parts = []
        for name in sorted(os.listdir(d)):
            if name.endswith(".wav"):
                x, sr = read_wav(os.path.join(d, name))
                parts += chunks_of(x, sr)
        sources["lv1"] = (parts, sr)
        if "lv1" not in speakers:
            speakers.append("lv1")
    truth = []
    rng = np.random.default_rng(20261130)
    with tempfile.TemporaryDirectory() as tmp:
        for s in speakers:
            chunks, sr = sources[s]
            # Questions: another speaker's chunks (the interviewer's voice is never scored).
            qs = "m1" if s != "m1" else "f1"
            questions = [sox_alter(c, sources[qs][1], NEUTRAL, tmp) for c in sources[qs][0][:6]]
            for r in range(rotations):
                order = chunks[(4 * r) % len(chunks):] + chunks[: (4 * r) % len(chunks)]
                base, rest = order[:5], order[5:]
                basel = [(f"B{i + 1}", "baseline", sox_alter(c, sr, NEUTRAL, tmp)) for i, c in enumerate(base)]
                neutral = [(f"N{i + 1}", "answer", sox_alter(c, sr, NEUTRAL, tmp)) for i, c in enumerate(rest)]
                lat = list(rng.uniform(0.5, 1.2, len(basel) + len(neutral)))
                prefix = os.path.join(out, f"null-{s}-r{r}")
                build(prefix, questions, basel + neutral, lat)
                for lab, role, _ in basel + neutral:
                    truth.append(dict(file=os.path.basename(prefix), speaker=s, rotation=r, label=lab, role=role,
                                      condition="neutral"))
                shifted = []
                for i, c in enumerate(rest):
                    shifted.append((f"I{i + 1}", "answer", sox_alter(c, sr, INTENSE, tmp), INTENSE["extra_latency"]))
                    shifted.append((f"M{i + 1}", "answer", sox_alter(c, sr, MODERATE, tmp), MODERATE["extra_latency"]))
                lat2 = lat[:5] + [l + extra for l, (_, _, _, extra) in zip(rng.uniform(0.5, 1.2, len(shifted)), shifted)]
                prefix = os.path.join(out, f"shift-{s}-r{r}")
                build(prefix, questions, basel + [(a, b, c) for a, b, c, _ in shifted], lat2)
                for lab, role, _, _ in shifted:
                    truth.append(dict(file=os.path.basename(prefix), speaker=s, rotation=r, label=lab, role=role,
                                      condition="intense" if lab.startswith("I") else "moderate"))
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(dict(intense=INTENSE, moderate=MODERATE, neutral_chain=NEUTRAL, answers=truth), f, indent=1)
    print(json.dumps({s: len(sources[s][0]) for s in speakers}))


if __name__ == "__main__":
    main()
