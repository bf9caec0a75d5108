#!/usr/bin/env python3
"""Builds full.analysis.json: the real `candor analyze` output of a two-channel interview
made from LibriVox clips (pitch, intensity), completed with the keys other modules add
(voice, timing, conversation, segments, scores) following docs/json-schema.md.

The timing/conversation values are derived from the real intensity track (a fixed 50 dB
threshold), the segment features from the real pitch and intensity frames; voice and the
model scores are plausible hand-set values in the documented shapes.

Usage: make_fixture.py BASE.analysis.json OUT.json

BASE was made from the LibriVox clips of Debian's pocketsphinx-testdata
(L=/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb):
  interviewer (left, pitch-shifted): sox $L-0880.wav q1.wav pitch 400; sox $L-0930.wav q2.wav pitch 400;
      sox $L-0880.wav q3.wav pitch 450 trim 0 2.0; placed at 0.5, 10.0 and 20.6 s
  interviewee (right): $L-0890 at 4.2 s, $L-0920 at 13.9 s, $L-0930 at 22.3 s
  each channel 27 s of silence mixed with the padded clips (sox -m), then
  sox -M ch0.wav ch1.wav -b 16 interview2ch.flac
  candor analyze interview2ch.flac --roles interviewer,interviewee --out BASE.analysis.json
"""
import json, math, re, statistics, sys

base = json.load(open(sys.argv[1]))
doc = dict(base)
doc["input"]["path"] = "samples/interview-2ch.flac"
doc["software"]["git_commit"] = "0123456789abcdef0123456789abcdef01234567"

def spans_above(frames, thr, min_gap=0.25, min_len=0.1):
    out, cur = [], None
    dt = frames[1][0] - frames[0][0]
    for t, v in frames:
        on = v is not None and v > thr
        if on and cur is None:
            cur = [t - dt / 2, t + dt / 2]
        elif on:
            cur[1] = t + dt / 2
        elif cur is not None and t - cur[1] > min_gap:
            out.append(cur); cur = None
    if cur: out.append(cur)
    return [[round(a, 3), round(b, 3)] for a, b in out if b - a >= min_len]

speakers = []
speech_by = {}
for ch in doc["channels"]:
    role = ch["role"]
    speakers.append(role)
    sp = spans_above(ch["intensity"]["frames"], 50.0)
    speech_by[role] = sp
    # pauses: gaps >= 0.25 s between speech stretches, within the speaker's turns
    pauses = [[round(a[1], 3), round(b[0], 3)] for a, b in zip(sp, sp[1:]) if 0.25 <= b[0] - a[1] < 2.0]
    total_speech = sum(b - a for a, b in sp)
    nuclei = round(total_speech * 4.1)
    span = (sp[-1][1] - sp[0][0]) if sp else 0
    ch["voice"] = {
        "pulses": 1500 if role == "interviewer" else 2600,
        "jitter_local": 0.0182 if role == "interviewer" else 0.0214,
        "jitter_local_abs_s": 0.000128 if role == "interviewer" else 0.000196,
        "jitter_rap": 0.0079, "jitter_ppq5": 0.0091, "jitter_ddp": 0.0237,
        "shimmer_local": 0.0841, "shimmer_local_db": 0.781, "shimmer_apq3": 0.0372,
        "shimmer_apq5": 0.0498, "shimmer_apq11": 0.0733, "shimmer_dda": 0.1116,
        "hnr_db": 11.62 if role == "interviewer" else 9.87,
    }
    ch["timing"] = {
        "speech": sp,
        "pauses": pauses,
        "pause_count": len(pauses),
        "pause_total_s": round(sum(b - a for a, b in pauses), 3),
        "pause_mean_s": round(sum(b - a for a, b in pauses) / len(pauses), 3) if pauses else None,
        "speech_rate_syll_per_s": round(nuclei / span, 3) if span else None,
        "articulation_rate_syll_per_s": round(nuclei / total_speech, 3) if total_speech else None,
    }

# Turns: merge each speaker's speech with gaps < 1.5 s.
turns = []
for role, sp in speech_by.items():
    cur = None
    for a, b in sp:
        if cur and a - cur[1] < 1.5:
            cur[1] = b
        else:
            if cur: turns.append({"speaker": role, "start": cur[0], "end": cur[1]})
            cur = [a, b]
    if cur: turns.append({"speaker": role, "start": cur[0], "end": cur[1]})
turns.sort(key=lambda t: t["start"])
talk = {r: sum(b - a for a, b in sp) for r, sp in speech_by.items()}
tot = sum(talk.values())
transitions, lat, overlaps, interruptions = [], [], [], []
for p, n in zip(turns, turns[1:]):
    if p["speaker"] != n["speaker"]:
        l = round(n["start"] - p["end"], 3)
        transitions.append({"from": p["speaker"], "to": n["speaker"], "previous_end": p["end"], "next_start": n["start"], "latency_s": l})
        if p["speaker"] == "interviewer": lat.append(l)
        if l < 0:
            overlaps.append([n["start"], min(p["end"], n["end"])])
            interruptions.append({"speaker": n["speaker"], "interrupted": p["speaker"], "time": n["start"],
                                  "overlap_s": round(min(p["end"], n["end"]) - n["start"], 3), "took_floor": n["end"] > p["end"]})
doc["conversation"] = {
    "estimate": False, "method": "channels", "speakers": speakers, "turns": turns,
    "talk_share": {r: round(v / tot, 3) for r, v in talk.items()},
    "response_latencies_s": lat, "transitions": transitions, "overlaps": overlaps, "interruptions": interruptions,
}

def frames_in(frames, a, b):
    return [v for t, v in frames if a <= t < b and v is not None]

def seg_features(role, a, b, latency):
    ch = next(c for c in doc["channels"] if c["role"] == role)
    f0 = frames_in(ch["pitch"]["frames"], a, b)
    st = [12 * math.log2(f / 100) for f in f0]
    db = frames_in(ch["intensity"]["frames"], a, b)
    sp = [[max(x, a), min(y, b)] for x, y in ch["timing"]["speech"] if y > a and x < b]
    speech = sum(y - x for x, y in sp)
    pause = sum(y - x for x, y in ch["timing"]["pauses"] if x >= a and y <= b)
    nuclei = round(speech * 4.0)
    feats = {
        "duration_s": round(b - a, 3),
        "f0_mean_hz": round(statistics.fmean(f0), 2) if f0 else None,
        "f0_mean_st": round(statistics.fmean(st), 3) if st else None,
        "f0_sd_st": round(statistics.stdev(st), 3) if len(st) > 1 else None,
        "voiced_fraction": round(len(f0) / max(1, round((b - a) / 0.01)), 3),
        "intensity_mean_db": round(statistics.fmean(db), 2) if db else None,
        "jitter_local": ch["voice"]["jitter_local"], "shimmer_local": ch["voice"]["shimmer_local"],
        "hnr_db": ch["voice"]["hnr_db"],
        "speech_rate_syll_per_s": round(nuclei / (b - a), 3),
        "articulation_rate_syll_per_s": round(nuclei / speech, 3) if speech else None,
        "pause_ratio": round(pause / (b - a), 3),
        "response_latency_s": latency,
    }
    return feats

segdefs = [
    ("s1", "Could you tell me about your usual morning?", "interviewer", 0.5, 3.49, "question"),
    ("s2", "Describes the morning routine", "interviewee", 4.2, 6.6, "baseline"),
    ("s3", "Continues: commute and breakfast", "interviewee", 6.6, 9.5, "baseline"),
    ("s4", "Where were you on the evening of the 14th?", "interviewer", 10.0, 13.29, "question"),
    ("s5", "Account of the evening", "interviewee", 13.9, 19.95, "answer"),
    ("s6", "Who else was there?", "interviewer", 20.6, 22.6, "question"),
    ("s7", "Names the people present", "interviewee", 22.3, 25.59, "answer"),
]
BD_SHA = "5b1f7a0c3e2d4f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"
IQ_SHA = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
segments, scores = [], []
lat_for = {"s5": round(13.9 - 13.29, 3), "s7": round(22.3 - 22.6, 3)}
for sid, label, spk, a, b, role in segdefs:
    segments.append({"id": sid, "label": label, "speaker": spk, "start": a, "end": b, "role": role,
                     "features": seg_features(spk, a, b, lat_for.get(sid)), "scores": []})

def bd_score(seg, zs, value, flag):
    contribs = []
    weights = {"f0_mean_st": 0.21, "response_latency_s": 0.15, "f0_sd_st": 0.05, "jitter_local": 0.05,
               "shimmer_local": 0.05, "hnr_db": 0.05, "intensity_mean_db": 0.05, "speech_rate_syll_per_s": 0.05,
               "articulation_rate_syll_per_s": 0.05, "pause_ratio": 0.05}
    for name, w in weights.items():
        z = zs.get(name)
        v = seg["features"].get(name)
        if z is None:
            contribs.append({"feature": name, "value": v, "z": None, "weight": w, "contribution": None, "status": "not available"})
        else:
            contribs.append({"feature": name, "value": v, "z": z, "weight": w, "contribution": round(w * z * z / 3.0, 4),
                             "status": "above baseline" if z > 0 else "below baseline"})
    contribs.sort(key=lambda c: -(c["contribution"] or 0))
    top = [c["feature"] for c in contribs if c["contribution"]][:3]
    return {"model": "baseline-deviation", "model_version": "1.0.0", "model_sha256": BD_SHA, "target": seg["id"],
            "value": value, "flag": flag, "contributions": contribs, "abstained": False, "reason": None, "top_cues": top}

s5 = next(s for s in segments if s["id"] == "s5")
s7 = next(s for s in segments if s["id"] == "s7")
sc5 = bd_score(s5, {"f0_mean_st": 2.41, "response_latency_s": None, "f0_sd_st": 0.8, "jitter_local": 0.4,
                    "shimmer_local": -0.2, "hnr_db": -0.6, "intensity_mean_db": 1.1, "speech_rate_syll_per_s": -0.3,
                    "articulation_rate_syll_per_s": 0.2, "pause_ratio": 1.9}, 0.61, "follow-up suggested")
sc7 = bd_score(s7, {"f0_mean_st": 0.52, "f0_sd_st": -0.4, "jitter_local": 0.1, "shimmer_local": 0.3, "hnr_db": 0.2,
                    "intensity_mean_db": -0.5, "speech_rate_syll_per_s": 0.6, "articulation_rate_syll_per_s": 0.1,
                    "pause_ratio": -0.2}, 0.07, None)
s5["scores"].append(sc5); s7["scores"].append(sc7)
iq = {"model": "interview-quality", "model_version": "1.0.0", "model_sha256": IQ_SHA, "target": "interview",
      "value": 0.55, "flag": None, "abstained": False, "reason": None,
      "contributions": [
          {"feature": "interviewee_talk_share", "value": doc["conversation"]["talk_share"].get("interviewee"), "weight": 0.3,
           "contribution": 0.3, "status": "in range", "target_low": 0.6, "target_high": None, "unit": "fraction of speaking time"},
          {"feature": "interviewer_interruptions_per_10min", "value": round(len(interruptions) * 600 / 27.0, 2), "weight": 0.25,
           "contribution": 0.0, "status": "above range", "target_low": None, "target_high": 1.0, "unit": "per 10 minutes"},
          {"feature": "silence_after_questions_median_s", "value": None, "weight": 0.2, "contribution": None,
           "status": "not available", "target_low": 3.0, "target_high": None, "unit": "s",
           "note": "no question was followed up by the interviewer before an answer"},
          {"feature": "interviewer_monologues_per_10min", "value": 0.0, "weight": 0.15, "contribution": 0.15,
           "status": "in range", "target_low": None, "target_high": 0.5, "unit": "per 10 minutes"},
          {"feature": "response_latency_median_s", "value": round(statistics.median(lat), 3) if lat else None, "weight": 0.1,
           "contribution": 0.1, "status": "in range", "target_low": 0.0, "target_high": 3.0, "unit": "s"},
      ], "top_cues": ["interviewee_talk_share", "interviewer_monologues_per_10min"]}
abst = {"model": "baseline-deviation", "model_version": "1.0.0", "model_sha256": BD_SHA, "target": "s4", "value": None,
        "flag": None, "contributions": [], "abstained": True,
        "reason": "speaker interviewer has 0 baseline segments (needs 2)", "top_cues": []}
doc["segments"] = segments
doc["scores"] = [iq, sc5, sc7, abst]
out = json.dumps(doc, indent=1, ensure_ascii=False)
# Keep number pairs ([t, v], [start, end]) on one line so the file stays small and readable.
out = re.sub(r"\[\s+([-0-9.e]+|null),\s+([-0-9.e]+|null)\s+\]", r"[\1,\2]", out)
open(sys.argv[2], "w").write(out + "\n")
