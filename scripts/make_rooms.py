#!/usr/bin/env python3
"""Builds stereo interview "rooms" from real speech with laryngograph F0 truth (Keele) and
from the committed espeak interview, with lapel-microphone crosstalk and room noise.

Usage: make_rooms.py KEELE_DIR OUTDIR [PAIR ...]
       make_rooms.py SOUND_DIR OUTDIR VOICE:VOICE ...

With VOICE:VOICE (e.g. it-m:en-f, interviewer first): the same room layout from the Asterisk
telephone prompts under SOUND_DIR (/usr/share/asterisk/sounds; `prompt_room`), files
prompt-it-m-en-f-clean.wav etc. These are the held-out rooms for turn edges (real speech no
turn-edge rule was developed on); they have no F0 truth.

With no PAIR: the Keele room below (m1/f1, slices cut by hand; the room the attribution
rules were developed on) and the espeak room. With PAIRs such as m3f3: held-out rooms built
the same way from other Keele speakers, with the slices cut automatically (`auto_slices`)
at the midpoints of the readings' pauses; files PAIR-clean.wav, PAIR-24.wav, PAIR-18.wav
and PAIR.truth.json. Use these for figures that are not tuned on.

KEELE room (20 kHz, 16-bit stereo; interviewer m1 LEFT, interviewee f1 RIGHT): slices of
the two Keele readings cut inside their pauses, alternating as eight turns, with exactly one
real overlap: the interviewer's third turn starts 1.0 s before the interviewee's second
answer ends and takes the floor (one interruption). Each channel also carries the other
voice, attenuated by BLEED dB and delayed (other voice reaches the left microphone 1 ms
late, the right one 2 ms late), plus independent white noise at -50 dBFS RMS. Written for
BLEED = none, 24 and 18 dB: keele-clean.wav, keele-24.wav, keele-18.wav, and
keele.truth.json (turn extents, overlap, interruption, and each speaker's laryngograph
median F0 over the voiced, certain frames of the slices used).

ESPEAK room (16 kHz stereo, espeak-20.wav): samples/interview.flac with its one overlap
removed (silence inserted so Q6 starts 0.5 s after A5 ends), -20 dB bleed delayed 1.5 ms,
-50 dBFS noise: no overlaps at all. Needs sox to read the FLAC.

Deterministic (fixed noise seed). Needs numpy.
"""
import json, os, subprocess, sys, tempfile, wave
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_wav(path):
    with wave.open(path) as w:
        sr, nc = w.getframerate(), w.getnchannels()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768.0
    return x.reshape(-1, nc).T, sr


def write_wav(path, chans, sr):
    y = np.clip(np.round(np.stack(chans, axis=1) * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(len(chans)); w.setsampwidth(2); w.setframerate(sr)
        w.writeframes(y.tobytes())


def frame_db(x, sr):
    fr = sr // 100
    return np.array([10 * np.log10(np.mean(x[i * fr:(i + 1) * fr] ** 2) + 1e-12) for i in range(len(x) // fr)])


def speech_extent(x, sr):
    """First and last sample of the runs of at least two 10 ms frames within 30 dB of the
    slice's loudest frame (the Keele recordings' own background is 40-45 dB below their
    peaks, so a 40 dB rule would start "speech" on background blips; m4's is only about
    35 dB below, so its truth edges may take in a few background frames)."""
    fr = sr // 100
    e = frame_db(x, sr)
    n = len(e)
    on = e > e.max() - 30
    keep = [i for i in range(n) if on[i] and ((i > 0 and on[i - 1]) or (i + 1 < n and on[i + 1]))]
    return keep[0] * fr, (keep[-1] + 1) * fr


def laryngograph(ref_csv, spans):
    """Voiced (V) frames' F0 of the reference inside the source spans (s)."""
    out = []
    for line in open(ref_csv).read().splitlines()[1:]:
        i, _, _, f0, st = line.split(",")
        t = int(i) * 0.01
        if st == "V" and any(a <= t < b for a, b in spans):
            out.append(float(f0))
    return out


# (speaker index, source slice in s); cut points are inside the readings' pauses (m1's
# second slice ends before the inhale at 6.78 s that opens the next phrase: breath is not speech).
SLICES = [
    (0, (0.00, 3.84)), (1, (0.00, 6.30)), (0, (3.84, 6.74)), (1, (6.30, 13.05)),
    (0, (23.22, 26.60)), (1, (16.68, 19.92)), (0, (29.30, 32.26)), (1, (19.92, 22.60)),
]
GAPS = [None, 0.70, 0.60, 0.80, -1.00, 0.70, 0.60, 0.70]  # speech end -> next speech start
LEAD, TAIL = 0.50, 0.60
NOISE_DBFS = -50.0
DELAY_S = [0.001, 0.002]   # the other voice reaches channel k this much later


def auto_slices(x, sr, count=4, min_s=2.0, max_s=8.0):
    """`count` slices of a reading, cut at the midpoints of its pauses: runs of at least
    0.2 s of 10 ms frames more than 35 dB below the reading's loudest frame, or less than
    6 dB above its background (10th-percentile frame energy) when that is higher (m4).
    Slices between consecutive cuts, `min_s` to `max_s` long, in reading order."""
    n = len(x) // (sr // 100)
    e = frame_db(x, sr)
    quiet = e < max(e.max() - 35, np.percentile(e, 10) + 6)
    cuts, i = [0.0], 0
    while i < n:
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j < n and quiet[j]:
            j += 1
        if j - i >= 20 and i > 0 and j < n:
            cuts.append((i + j) / 2 / 100)
        i = j
    cuts.append(n / 100)
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if min_s <= b - a <= max_s]
    if len(pieces) < count:
        sys.exit(f"make_rooms.py: fewer than {count} slices of {min_s}-{max_s} s found")
    return pieces[:count]


def keele_room(keele, out, pair=("m1", "f1"), prefix="keele"):
    names = [p + "nw0000" for p in pair]
    src, sr = [], None
    for n in names:
        x, sr = read_wav(os.path.join(keele, "wav", n + ".wav"))
        src.append(x[0])
    slices = SLICES
    if prefix != "keele":
        a, b = (auto_slices(s, sr) for s in src)
        slices = [(k, (a if k == 0 else b)[i // 2]) for i, k in enumerate([0, 1] * 4)]
    pieces = [(k, src[k][int(a * sr):int(b * sr)]) for k, (a, b) in slices]
    truth = build_room(out, prefix, pieces, sr, names)
    truth["median_f0_hz"] = {}
    for k in range(2):
        spans = [(a, b) for kk, (a, b) in slices if kk == k]
        f0 = laryngograph(os.path.join(keele, "ref", names[k] + ".csv"), spans)
        truth["median_f0_hz"][ROLES[k]] = float(np.median(f0))
    truth["slices_s"] = [[k, a, b] for k, (a, b) in slices]
    json.dump(truth, open(os.path.join(out, f"{prefix}.truth.json"), "w"), indent=1)


ROLES = ["interviewer", "interviewee"]


def build_room(out, prefix, pieces, sr, names):
    """Places eight (speaker, signal) pieces as alternating turns (GAPS between the speech
    of consecutive pieces, the fifth starting 1.0 s before the fourth ends), adds each
    voice to the other channel at none, -24 and -18 dB (DELAY_S later) and -50 dBFS white
    noise; writes PREFIX-clean/24/18.wav and returns the truth (turn extents from
    `speech_extent`, the overlap and the interruption)."""
    placed = []   # (speaker, slice signal, offset sample, speech start, speech end)
    t = int(LEAD * sr)
    prev_end = None
    for (k, seg), gap in zip(pieces, GAPS):
        s0, s1 = speech_extent(seg, sr)
        start = t - s0 if prev_end is None else prev_end + int(round(gap * sr)) - s0
        placed.append((k, seg, start, start + s0, start + s1))
        prev_end = start + s1
        t = start + len(seg)
    n = max(p[2] + len(p[1]) for p in placed) + int(TAIL * sr)
    own = [np.zeros(n), np.zeros(n)]
    for k, seg, start, *_ in placed:
        own[k][start:start + len(seg)] += seg
    truth = {
        "sample_rate": sr, "roles": ROLES, "speakers": names,
        "bleed_delay_s": DELAY_S, "noise_dbfs": NOISE_DBFS,
        "turns": [{"speaker": ROLES[k], "start": s / sr, "end": e / sr} for k, _, _, s, e in placed],
    }
    # The one overlap: turn 5 (interviewer) starts before turn 4 (interviewee) ends.
    ov = (placed[4][3] / sr, placed[3][4] / sr)
    truth["overlaps"] = [list(ov)]
    truth["interruptions"] = [{"speaker": "interviewer", "interrupted": "interviewee", "time": ov[0]}]
    rng = np.random.default_rng(20260815)
    noise = [rng.standard_normal(n) * 10 ** (NOISE_DBFS / 20) for _ in range(2)]
    for label, att in [("clean", None), ("24", 24.0), ("18", 18.0)]:
        chans = []
        for k in range(2):
            y = own[k] + noise[k]
            if att is not None:
                d = int(round(DELAY_S[k] * sr))
                other = np.concatenate([np.zeros(d), own[1 - k][:n - d]])
                y = y + other * 10 ** (-att / 20)
            chans.append(y)
        write_wav(os.path.join(out, f"{prefix}-{label}.wav"), chans, sr)
    return truth


# Voices of the Asterisk prompt rooms (Debian asterisk-core-sounds-*-wav, 8 kHz telephone
# prompts, one professional speaker per language): name -> folder under SOUND_DIR.
PROMPT_VOICES = {"it-m": "it_IT_m_Carlo", "en-f": "en_US_f_Allison", "fr-f": "fr_CA_f_June"}


def upsample2(x):
    """x at twice its rate, band-limited (zero-padded spectrum)."""
    n = len(x)
    X = np.fft.rfft(x)
    Y = np.zeros(n + 1, dtype=complex)
    Y[:len(X)] = X
    return np.fft.irfft(Y, 2 * n) * 2


def prompt_room(sound_dir, out, pair):
    """A room from two Asterisk voices (PAIR such as it-m:en-f, interviewer first): per
    voice, the prompts (sorted paths) whose speech lasts 2.0-4.5 s are shuffled with a seed
    derived from the voice's name and the first four are the turns; upsampled to 16 kHz.
    Truth: turn extents as for the Keele rooms; no F0 truth (no laryngograph)."""
    voices = pair.split(":")
    pieces_of = []
    for v in voices:
        root = os.path.join(sound_dir, PROMPT_VOICES[v])
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".wav"))
        cands = []
        for f in files:
            x, sr = read_wav(f)
            x = upsample2(x[0])
            s0, s1 = speech_extent(x, 2 * sr)
            if 2.0 <= (s1 - s0) / (2 * sr) <= 4.5:
                cands.append((os.path.relpath(f, sound_dir), x))
        rng = np.random.default_rng(sum(map(ord, v)) * 7919)
        order = rng.permutation(len(cands))
        pieces_of.append([cands[i] for i in order[:4]])
    pieces = [(k, pieces_of[k][i // 2][1]) for i, k in enumerate([0, 1] * 4)]
    prefix = "prompt-" + pair.replace(":", "-")
    truth = build_room(out, prefix, pieces, 16000, [PROMPT_VOICES[v] for v in voices])
    truth["median_f0_hz"] = {}
    truth["prompts"] = [[k, pieces_of[k][i // 2][0]] for i, k in enumerate([0, 1] * 4)]
    json.dump(truth, open(os.path.join(out, f"{prefix}.truth.json"), "w"), indent=1)


def espeak_room(out):
    truth = json.load(open(os.path.join(ROOT, "samples", "interview.truth.json")))
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "i.wav")
        subprocess.run(["sox", os.path.join(ROOT, "samples", "interview.flac"), "-b", "16", wav], check=True)
        x, sr = read_wav(wav)
    a5 = [t for t in truth["turns"] if t["label"] == "A5"][0]
    q6 = [t for t in truth["turns"] if t["label"] == "Q6"][0]
    shift = int(round((a5["end"] - q6["start"] + 0.5) * sr))
    # Interviewer (left): everything from Q6 on moves by `shift`; interviewee (right):
    # everything after A5 moves by the same amount, so their order and gaps stay.
    cut_l, cut_r = int(q6["start"] * sr) - int(0.02 * sr), int(a5["end"] * sr) + int(0.02 * sr)
    left = np.concatenate([x[0][:cut_l], np.zeros(shift), x[0][cut_l:]])
    right = np.concatenate([x[1][:cut_r], np.zeros(shift), x[1][cut_r:]])
    own = [left, right]
    n = len(left)
    rng = np.random.default_rng(20260816)
    chans = []
    d = int(round(0.0015 * sr))
    for k in range(2):
        other = np.concatenate([np.zeros(d), own[1 - k][:n - d]])
        chans.append(own[k] + other * 10 ** (-20 / 20) + rng.standard_normal(n) * 10 ** (NOISE_DBFS / 20))
    write_wav(os.path.join(out, "espeak-20.wav"), chans, sr)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: make_rooms.py KEELE_DIR OUTDIR [PAIR ...]")
    os.makedirs(sys.argv[2], exist_ok=True)
    if len(sys.argv) == 3:
        keele_room(sys.argv[1], sys.argv[2])
        espeak_room(sys.argv[2])
    for p in sys.argv[3:]:
        if ":" in p:
            prompt_room(sys.argv[1], sys.argv[2], p)
        else:
            keele_room(sys.argv[1], sys.argv[2], pair=(p[:2], p[2:]), prefix=p)
