# Praat's equivalent of a full voice analysis: pitch, pulses (cc), jitter, shimmer, HNR (cc), intensity.
form p
  sentence file
endform
sound = Read from file: file$
pitch = To Pitch (ac): 0, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
selectObject: sound, pitch
pp = To PointProcess (cc)
jit = Get jitter (local): 0, 0, 0.0001, 0.02, 1.3
selectObject: sound, pp
shim = Get shimmer (local): 0, 0, 0.0001, 0.02, 1.3, 1.6
selectObject: sound
hnr = To Harmonicity (cc): 0.01, 75, 0.1, 1
selectObject: sound
int = To Intensity: 100, 0, "yes"
