# Praat's jitter and shimmer for GIVEN pulses (checks Candor's measure definitions
# independently of pulse detection). Test dependency only.
# Usage: praat --run voice_from_pulses.praat SOUND.wav PULSES.PointProcess
form Voice measures from pulses
    sentence sound_file
    sentence pulses_file
endform
sound = Read from file: sound_file$
pulses = Read from file: pulses_file$
selectObject: pulses
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
writeInfoLine: "jitter_local ", fixed$ (jl, 12)
appendInfoLine: "jitter_local_abs_s ", fixed$ (ja * 1e6, 8), "e-6"
appendInfoLine: "jitter_rap ", fixed$ (jr, 12)
appendInfoLine: "jitter_ppq5 ", fixed$ (jp, 12)
appendInfoLine: "jitter_ddp ", fixed$ (jd, 12)
appendInfoLine: "shimmer_local ", fixed$ (sl, 12)
appendInfoLine: "shimmer_local_db ", fixed$ (sd, 12)
appendInfoLine: "shimmer_apq3 ", fixed$ (s3, 12)
appendInfoLine: "shimmer_apq5 ", fixed$ (s5, 12)
appendInfoLine: "shimmer_apq11 ", fixed$ (s11, 12)
appendInfoLine: "shimmer_dda ", fixed$ (sdd, 12)
