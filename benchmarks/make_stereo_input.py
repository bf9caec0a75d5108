"""Builds the stereo benchmark input from a mono one (make_input.py): an interview room of
alternating 5 s turns (even blocks on the left channel, odd ones on the right), each voice
leaking into the other channel at -18 dB 1 ms later, and -50 dBFS white noise per channel;
16 kHz 16-bit stereo WAV. Usage: make_stereo_input.py MONO.wav OUT.wav. Streams in blocks:
memory does not grow with the length. Deterministic (fixed noise seed)."""
import os, sys, wave
import numpy as np

src, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(20261201)
block, delay, bleed, noise = 5 * 16000, 16, 10 ** (-18 / 20), 10 ** (-50 / 20)
with wave.open(src) as w, wave.open(out + ".tmp", "wb") as o:
    assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, src
    o.setnchannels(2); o.setsampwidth(2); o.setframerate(16000)
    tail = [np.zeros(delay), np.zeros(delay)]  # the last `delay` samples of each own voice
    k = 0
    while True:
        x = np.frombuffer(w.readframes(block), dtype="<i2").astype(np.float64) / 32768
        if len(x) == 0:
            break
        own = [x if k % 2 == 0 else np.zeros(len(x)), x if k % 2 == 1 else np.zeros(len(x))]
        chans = []
        for c in range(2):
            other = np.concatenate([tail[1 - c], own[1 - c]])[: len(x)]
            chans.append(own[c] + bleed * other + noise * rng.standard_normal(len(x)))
        tail = [np.concatenate([tail[c], own[c]])[-delay:] for c in range(2)]
        y = np.clip(np.round(np.stack(chans, axis=1) * 32767), -32768, 32767).astype("<i2")
        o.writeframes(y.tobytes())
        k += 1
os.replace(out + ".tmp", out)
