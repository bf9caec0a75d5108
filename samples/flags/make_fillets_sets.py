#!/usr/bin/env python3
"""Builds the second held-out real-speech set for the baseline-deviation flags.

Usage: make_fillets_sets.py SOUND_DIR OUT_DIR [--speakers cs-m,cs-v,nl-m,nl-v] [--chunks 30]

Source speech: the spoken dialogue of the game Fish Fillets NG, Debian packages
fillets-ng-data-cs (Czech) and fillets-ng-data-nl (Dutch), installed by scripts/setup-test.sh
under /usr/share/games/fillets-ng/sound (SOUND_DIR). Every line of dialogue is one Ogg file,
<level>/<lang>/<code>-<who>-<name>.ogg; <who> = m is the small fish, v the big fish. Each
language was recorded by its own actors, so there are four speakers: cs-m, cs-v, nl-m, nl-v.
This is acted dialogue of a comedy game, read in a mostly conversational tone: real speech,
but more varied from line to line than neutral answers in an interview.

The set is fixed before any model change is measured on it: per speaker, every line whose
speech (after trimming silence) lasts 1.5-4.5 s is a candidate; the speaker's lines are
shuffled with a seed derived from the speaker's name and the first --chunks (30) candidates
in that order are kept. Every line is attenuated by the same 10 dB (the game's recordings
peak near full scale), so relative loudness between lines is kept. Questions
are lines of another speaker (the interviewer's voice is never scored), every response latency
is drawn from one distribution (uniform 0.5-1.2 s), and all lines pass through the same sox
chain as in make_flag_sets.py.

Two stereo 16 kHz interviews per speaker (left: interviewer, right: interviewee), each with a
segments CSV (start,end,label,speaker,role):
  null-<spk>:  the kept lines, neutral, labelled N01..N30 (the first 5 are baseline segments,
               the others answers; a test may pick any 5 as baseline: every line's features
               are measured on its own).
  shift-<spk>: the same lines altered in known ways (make_flag_sets.py, never tuned): even
               lines intense (I02, I04, ...: +4 semitones, tempo x1.15, +4 dB, a 0.6 s pause,
               latency +1.5 s), odd lines moderate (M01, M03, ...: +2 semitones, tempo x1.07,
               +2 dB, latency +0.6 s). Its first 5 segments are neutral baselines (N01..N05)
               so that the interview is complete on its own.
truth.json lists every segment with its source file and condition. Deterministic.
"""
import json, os, subprocess, sys, tempfile, zlib
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_flag_sets import INTENSE, MODERATE, NEUTRAL, SR, build, frame_db, read_wav, sox_alter  # noqa: E402

QUESTION_OF = {"cs-m": "nl-v", "cs-v": "nl-m", "nl-m": "cs-v", "nl-v": "cs-m"}


def lines_of(sound_dir, speaker):
    lang, who = speaker.split("-")
    out = []
    for level in sorted(os.listdir(sound_dir)):
        d = os.path.join(sound_dir, level, lang)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            parts = name.split("-")
            if name.endswith(".ogg") and len(parts) >= 3 and parts[1] == who:
                out.append(os.path.join(d, name))
    return out


def load_trimmed(path, tmp):
    """The line at 16 kHz mono, 10 dB down (the recordings peak near full scale, and the intense
    alteration adds 4 dB), trimmed to its speech (frames within 30 dB of the 95th percentile)."""
    wav = os.path.join(tmp, "line.wav")
    subprocess.run(["sox", "-q", "-R", path, "-r", str(SR), "-c", "1", "-b", "16", wav, "gain", "-10"], check=True)
    x, _ = read_wav(wav)
    db = frame_db(x, SR)
    if len(db) < 10:
        return None
    idx = np.nonzero(db > np.percentile(db, 95) - 30)[0]
    if len(idx) == 0:
        return None
    return x[idx[0] * SR // 100: (idx[-1] + 1) * SR // 100]


def kept_lines(files, seed_name, count, tmp):
    """The first `count` lines, in a shuffle of `files` seeded by `seed_name`, whose speech lasts 1.5-4.5 s."""
    rng = np.random.default_rng(zlib.crc32(seed_name.encode()))
    kept = []
    for i in rng.permutation(len(files)):
        y = load_trimmed(files[i], tmp)
        if y is not None and 1.5 <= len(y) / SR <= 4.5:
            kept.append((files[i], y))
            if len(kept) == count:
                break
    return kept


def build_sets(sound, out, speakers, count, files_of, question_of):
    """Writes null-<spk> and shift-<spk> interviews and truth.json for every speaker (see the module doc);
    files_of(speaker) lists a speaker's recordings, question_of[speaker] names the interviewer's voice."""
    os.makedirs(out, exist_ok=True)
    truth, sizes = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for s in speakers:
            lines = kept_lines(files_of(s), s, count, tmp)
            sizes[s] = len(lines)
            if len(lines) < 10:
                sys.exit(f"{sound}: only {len(lines)} usable lines for speaker {s}")
            qlines = kept_lines(files_of(question_of[s]), question_of[s], 6, tmp)
            questions = [sox_alter(y, SR, NEUTRAL, tmp) for _, y in qlines]
            rng = np.random.default_rng(zlib.crc32(("latency-" + s).encode()))
            neutral = []
            for i, (p, y) in enumerate(lines):
                role = "baseline" if i < 5 else "answer"
                neutral.append((f"N{i + 1:02d}", role, sox_alter(y, SR, NEUTRAL, tmp)))
                truth.append(dict(file=f"null-{s}", speaker=s, label=f"N{i + 1:02d}", role=role, condition="neutral",
                                  line=i + 1, source=os.path.relpath(p, sound)))
            build(os.path.join(out, f"null-{s}"), questions, neutral, list(rng.uniform(0.5, 1.2, len(neutral))))
            shifted, lat = neutral[:5], list(rng.uniform(0.5, 1.2, 5))
            for i, (p, y) in enumerate(lines):
                cond, label = (INTENSE, "I") if (i + 1) % 2 == 0 else (MODERATE, "M")
                shifted.append((f"{label}{i + 1:02d}", "answer", sox_alter(y, SR, cond, tmp)))
                lat.append(rng.uniform(0.5, 1.2) + cond["extra_latency"])
                truth.append(dict(file=f"shift-{s}", speaker=s, label=f"{label}{i + 1:02d}", role="answer",
                                  condition="intense" if label == "I" else "moderate", line=i + 1,
                                  source=os.path.relpath(p, sound)))
            build(os.path.join(out, f"shift-{s}"), questions, shifted, lat)
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(dict(intense=INTENSE, moderate=MODERATE, neutral_chain=NEUTRAL, answers=truth), f, indent=1)
    print(json.dumps(sizes))


def cli(doc, default_speakers, files_of, question_of):
    """The command line both set builders share: SOUND OUT [--speakers a,b,...] [--chunks N]."""
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(doc)
    sound, out = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    speakers = opts.get("--speakers", default_speakers).split(",")
    build_sets(sound, out, speakers, int(opts.get("--chunks", "30")), lambda s: files_of(sound, s), question_of)


def main():
    cli(__doc__, "cs-m,cs-v,nl-m,nl-v", lines_of, QUESTION_OF)


if __name__ == "__main__":
    main()
