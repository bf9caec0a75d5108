# Praat reference for Candor's voice-quality tests (Praat is a TEST dependency only).
# Usage: praat --run voice_report.praat FILE.wav [FLOOR CEILING]
# Prints one "key value" line per measure, Praat's standard voice-report settings:
# To Pitch (ac) with the given floor/ceiling, To PointProcess (cc), jitter/shimmer with
# periods 0.0001-0.02 s, period factor 1.3, amplitude factor 1.6, To Harmonicity (cc)
# 0.01 s, 75 Hz, silence threshold 0.1, 1 period per window.
form Voice report
    sentence file
    real floor 75
    real ceiling 600
endform
sound = Read from file: file$
pitch = To Pitch: 0, floor, ceiling
selectObject: sound, pitch
pulses = To PointProcess (cc)
n = Get number of points
jl = Get jitter (local): 0, 0, 0.0001, 0.02, 1.3
ja = Get jitter (local, absolute): 0, 0, 0.0001, 0.02, 1.3
jr = Get jitter (rap): 0, 0, 0.0001, 0.02, 1.3
jp = Get jitter (ppq5): 0, 0, 0.0001, 0.02, 1.3
jd = Get jitter (ddp): 0, 0, 0.0001, 0.02, 1.3
selectObject: sound, pulses
sl = Get shimmer (local): 0, 0, 0.0001, 0.02, 1.3, 1.6
sd = Get shimmer (local_dB): 0, 0, 0.0001, 0.02, 1.3, 1.6
s3 = Get shimmer (apq3): 0, 0, 0.0001, 0.02, 1.3, 1.6
s5 = Get shimmer (apq5): 0, 0, 0.0001, 0.02, 1.3, 1.6
s11 = Get shimmer (apq11): 0, 0, 0.0001, 0.02, 1.3, 1.6
sdd = Get shimmer (dda): 0, 0, 0.0001, 0.02, 1.3, 1.6
selectObject: sound
harm = To Harmonicity (cc): 0.01, 75, 0.1, 1.0
hnr = Get mean: 0, 0
writeInfoLine: "pulses ", n
appendInfoLine: "jitter_local ", fixed$ (jl, 8)
appendInfoLine: "jitter_local_abs_s ", fixed$ (ja * 1e6, 4), "e-6"
appendInfoLine: "jitter_rap ", fixed$ (jr, 8)
appendInfoLine: "jitter_ppq5 ", fixed$ (jp, 8)
appendInfoLine: "jitter_ddp ", fixed$ (jd, 8)
appendInfoLine: "shimmer_local ", fixed$ (sl, 8)
appendInfoLine: "shimmer_local_db ", fixed$ (sd, 8)
appendInfoLine: "shimmer_apq3 ", fixed$ (s3, 8)
appendInfoLine: "shimmer_apq5 ", fixed$ (s5, 8)
appendInfoLine: "shimmer_apq11 ", fixed$ (s11, 8)
appendInfoLine: "shimmer_dda ", fixed$ (sdd, 8)
appendInfoLine: "hnr_db ", fixed$ (hnr, 6)
