#!/usr/bin/env python3
"""Builds samples/interview.flac (stereo, 16 kHz: interviewer LEFT, interviewee RIGHT)
from espeak-ng utterances placed at chosen offsets, plus its exact truth.

Deterministic: espeak-ng and sox are run with fixed settings; noise uses a fixed seed.
Only the Python standard library is used.
Usage: make_interview.py OUTDIR [--noisy]   (--noisy also writes interview-snr10.flac,
a 10 dB SNR variant; it is ~2 MB, so it is not committed: tests add noise themselves.)
"""
import array, json, os, random, subprocess, sys, tempfile, wave, math

RATE = 16000
THRESH = 0.01          # |x| above this (full scale 1) counts as speech when trimming
PAUSE_MIN = 0.25       # silent pause threshold (s), as in docs/science.md
FRAME = 0.01           # frame length for finding internal pauses (s)

# (speaker, voice, text, label, role, start offset in s of the trimmed speech)
# Offsets are where the first speech sample lands; the truth records exact samples.
SCRIPT = [
    ("interviewer", "en-us", "Good morning. Please state your name for the recording.", "Q1", "question", 0.50),
    ("interviewee", "en-us+f3", "My name is Alex Chen.", "B1", "baseline", None),
    ("interviewer", "en-us", "What did you have for breakfast today?", "Q2", "question", None),
    ("interviewee", "cmn+f3", "我今天早上吃了米饭和鸡蛋", "B2", "baseline", None),
    ("interviewer", "en-us", "What is the weather like outside?", "Q3", "question", None),
    ("interviewee", "en-us+f3", "It is cloudy and a little cold.", "B3", "baseline", None),
    ("interviewer", "en-us", "Where were you on the evening of March third?", "Q4", "question", None),
    # One answer turn made of two utterances with a 0.70 s silent pause between them.
    ("interviewee", "en-us+f3", "I was at home all evening.", "A4", "answer", None),
    ("interviewee", "en-us+f3", "Then I went to the shop at about nine.", "A4", "answer", "+0.70"),
    ("interviewer", "cmn", "你去了哪家商店", "Q5", "question", None),
    ("interviewee", "cmn+f3", "我去了学校旁边的小商店买了牛奶和面包", "A5", "answer", None),
    # Interruption: the interviewer starts 0.60 s before the answer ends.
    ("interviewer", "en-us", "Who else was there?", "Q6", "question", "-0.60"),
    ("interviewee", "en-us+f3", "Nobody else. Only the shop keeper.", "A6", "answer", None),
    ("interviewer", "en-us", "Thank you. That is all for now.", "Q7", "question", None),
]
GAP = 0.55            # default silence between turns (response latency), s
TAIL = 0.60           # silence after the last utterance, s


def synth(voice, text, tmp):
    raw = os.path.join(tmp, "raw.wav")
    res = os.path.join(tmp, "res.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", raw, text], check=True)
    subprocess.run(["sox", "-D", raw, "-r", str(RATE), "-c", "1", "-b", "16", res, "rate", "-h"], check=True)
    with wave.open(res) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        a = array.array("h", w.readframes(w.getnframes()))
    x = [v / 32768.0 for v in a]
    above = [i for i, v in enumerate(x) if abs(v) > THRESH]
    first, last = above[0], above[-1] + 1
    return x[first:last]


def internal_pauses(x):
    """Silent stretches >= PAUSE_MIN inside x: 10 ms frames whose peak |x| <= THRESH."""
    n = int(FRAME * RATE)
    quiet = [max(abs(v) for v in x[i:i + n]) <= THRESH for i in range(0, len(x) - n + 1, n)]
    out, i = [], 0
    while i < len(quiet):
        if quiet[i]:
            j = i
            while j < len(quiet) and quiet[j]:
                j += 1
            if (j - i) * FRAME >= PAUSE_MIN:
                # Refine to the sample: the pause runs from just after the last loud
                # sample before the quiet frames to the first loud sample after them.
                a = i * n
                while a > 0 and abs(x[a - 1]) <= THRESH:
                    a -= 1
                b = min(j * n, len(x))
                while b < len(x) and abs(x[b]) <= THRESH:
                    b += 1
                out.append((a, b))
            i = j
        else:
            i += 1
    return out


def main():
    outdir = sys.argv[1]
    placed = []   # (speaker, label, role, start_sample, samples)
    with tempfile.TemporaryDirectory() as tmp:
        cursor = 0
        for speaker, voice, text, label, role, off in SCRIPT:
            x = synth(voice, text, tmp)
            if off is None:
                start = cursor + int(round(GAP * RATE))
            elif isinstance(off, str):
                start = cursor + int(round(float(off) * RATE))
            else:
                start = int(round(off * RATE))
            placed.append((speaker, label, role, start, x, voice, text))
            cursor = start + len(x)
    total = cursor + int(round(TAIL * RATE))
    chans = {"interviewer": [0.0] * total, "interviewee": [0.0] * total}
    for speaker, label, role, start, x, *_ in placed:
        ch = chans[speaker]
        for i, v in enumerate(x):
            ch[start + i] += v

    # Turns: consecutive utterances with the same label form one turn.
    turns, segs = [], []
    for speaker, label, role, start, x, voice, text in placed:
        s, e = start, start + len(x)
        if turns and turns[-1]["label"] == label:
            turns[-1]["end_sample"] = e
            turns[-1]["text"] += " " + text
        else:
            turns.append({"speaker": speaker, "label": label, "role": role, "language": voice.split("+")[0],
                          "start_sample": s, "end_sample": e, "text": text})
    pauses = {"interviewer": [], "interviewee": []}
    for t in turns:
        seg = chans[t["speaker"]][t["start_sample"]:t["end_sample"]]
        for a, b in internal_pauses(seg):
            pauses[t["speaker"]].append([(t["start_sample"] + a) / RATE, (t["start_sample"] + b) / RATE])
    overlaps, interruptions = [], []
    for i, a in enumerate(turns):
        for b in turns[i + 1:]:
            if a["speaker"] != b["speaker"]:
                s, e = max(a["start_sample"], b["start_sample"]), min(a["end_sample"], b["end_sample"])
                if s < e:
                    overlaps.append({"start": s / RATE, "end": e / RATE, "speakers": [a["speaker"], b["speaker"]]})
                    if b["start_sample"] > a["start_sample"]:
                        interruptions.append({"by": b["speaker"], "of": a["speaker"], "time": b["start_sample"] / RATE,
                                              "turn": b["label"], "interrupted_turn": a["label"]})
    for t in turns:
        t["start"] = t["start_sample"] / RATE
        t["end"] = t["end_sample"] / RATE
    latencies = []
    for a, b in zip(turns, turns[1:]):
        if a["role"] == "question" and b["speaker"] != a["speaker"]:
            latencies.append({"question": a["label"], "answer": b["label"], "latency_s": (b["start_sample"] - a["end_sample"]) / RATE})

    # Write the stereo file via sox (raw float → FLAC 16 bit).
    raw = os.path.join(outdir, "interview.raw.tmp")
    with open(raw, "wb") as f:
        inter = array.array("f")
        L, R = chans["interviewer"], chans["interviewee"]
        for i in range(total):
            inter.append(max(-1.0, min(1.0, L[i])))
            inter.append(max(-1.0, min(1.0, R[i])))
        f.write(inter.tobytes())

    def encode(raw_path, out):
        subprocess.run(["sox", "-D", "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "2", "-r", str(RATE), raw_path,
                        "-b", "16", out + ".tmp.flac"], check=True)
        os.replace(out + ".tmp.flac", out)

    encode(raw, os.path.join(outdir, "interview.flac"))
    if "--noisy" not in sys.argv[2:]:
        os.remove(raw)
    else:
        write_noisy(raw, outdir, chans, turns, total, encode)
    write_truth(outdir, turns, pauses, overlaps, interruptions, latencies, total)


def write_noisy(raw, outdir, chans, turns, total, encode):
    # Noisy variant: white Gaussian noise at 10 dB SNR per channel (SNR over each channel's speech samples).
    rng = random.Random(20261125)
    noisy = array.array("f")
    sd = {}
    for name in ("interviewer", "interviewee"):
        ch = chans[name]
        spk = [t for t in turns if t["speaker"] == name]
        p = sum(sum(v * v for v in ch[t["start_sample"]:t["end_sample"]]) for t in spk)
        n = sum(t["end_sample"] - t["start_sample"] for t in spk)
        sd[name] = math.sqrt(p / n / 10 ** (10 / 10))
    L, R = chans["interviewer"], chans["interviewee"]
    for i in range(total):
        noisy.append(max(-1.0, min(1.0, L[i] + rng.gauss(0, sd["interviewer"]))))
        noisy.append(max(-1.0, min(1.0, R[i] + rng.gauss(0, sd["interviewee"]))))
    with open(raw, "wb") as f:
        f.write(noisy.tobytes())
    encode(raw, os.path.join(outdir, "interview-snr10.flac"))
    os.remove(raw)


def write_truth(outdir, turns, pauses, overlaps, interruptions, latencies, total):
    truth = {
        "file": "interview.flac",
        "noisy_variant": {"file": "interview-snr10.flac", "snr_db": 10, "noise": "white Gaussian, per channel, seed 20261125", "made_by": "samples/make_interview.py samples --noisy (not committed)"},
        "sample_rate": RATE, "samples": total, "duration_s": total / RATE,
        "channels": {"0": "interviewer", "1": "interviewee"},
        "trim_threshold": THRESH, "pause_min_s": PAUSE_MIN,
        "turns": [{k: t[k] for k in ("speaker", "label", "role", "language", "start", "end", "start_sample", "end_sample", "text")} for t in turns],
        "pauses": pauses, "overlaps": overlaps, "interruptions": interruptions, "response_latencies": latencies,
    }
    with open(os.path.join(outdir, "interview.truth.json"), "w") as f:
        json.dump(truth, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(outdir, "interview.segments.csv"), "w") as f:
        f.write("start,end,label,speaker,role\n")
        for t in turns:
            f.write(f"{t['start']:.6f},{t['end']:.6f},{t['label']},{t['speaker']},{t['role']}\n")
    # Praat TextGrid: one interval tier per speaker; labels are "[role] label" (the role syntax
    # candor reads from TextGrid, WebVTT and SRT labels).
    dur = total / RATE
    lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0", f"xmax = {dur:.6f}",
             "tiers? <exists>", "size = 2", "item []:"]
    for k, name in enumerate(("interviewer", "interviewee"), 1):
        ivs, t0 = [], 0.0
        for t in turns:
            if t["speaker"] != name:
                continue
            if t["start"] > t0:
                ivs.append((t0, t["start"], ""))
            ivs.append((t["start"], t["end"], f"[{t['role']}] {t['label']}"))
            t0 = t["end"]
        if t0 < dur:
            ivs.append((t0, dur, ""))
        lines += [f"    item [{k}]:", '        class = "IntervalTier"', f'        name = "{name}"', "        xmin = 0",
                  f"        xmax = {dur:.6f}", f"        intervals: size = {len(ivs)}"]
        for j, (a, b, lab) in enumerate(ivs, 1):
            lines += [f"        intervals [{j}]:", f"            xmin = {a:.6f}", f"            xmax = {b:.6f}", f'            text = "{lab}"']
    with open(os.path.join(outdir, "interview.TextGrid"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
