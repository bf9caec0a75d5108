"""Builds a benchmark input: the given clips looped to MINUTES of 16 kHz mono 16-bit WAV."""
import sys, wave
out, minutes, clips = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
frames = []
for c in clips:
    with wave.open(c) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, c
        frames.append(w.readframes(w.getnframes()))
need = int(minutes * 60 * 16000) * 2
with wave.open(out + ".tmp", "wb") as o:
    o.setnchannels(1); o.setsampwidth(2); o.setframerate(16000)
    written = 0; i = 0
    while written < need:
        chunk = frames[i % len(frames)][: need - written]
        o.writeframes(chunk); written += len(chunk); i += 1
import os; os.replace(out + ".tmp", out)
