# Praat's To Pitch (ac) with its defaults (the benchmark's pitch-only reference).
form p
  sentence file
endform
Read from file: file$
To Pitch (ac): 0, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
