#!/usr/bin/env python3
"""Reference voice-activity decisions from WebRTC's VAD (PyPI `webrtcvad`), for
Tests/CandorFeaturesTests/TimingVADReferenceTests.swift.

Usage: webrtcvad_reference.py FILE.wav MODE
FILE.wav: 16-bit PCM mono at 8, 16, 32 or 48 kHz. MODE: aggressiveness 0-3.
Prints one character per 10 ms frame (frame k covers [k*10 ms, (k+1)*10 ms)):
'1' speech, '0' not speech. Exit 2 when webrtcvad is not installed.
"""
import sys
import wave

try:
    import webrtcvad
except ImportError:
    sys.stderr.write("webrtcvad is not installed (scripts/setup-test.sh installs it)\n")
    sys.exit(2)


def main():
    path, mode = sys.argv[1], int(sys.argv[2])
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.stderr.write("need 16-bit mono PCM\n")
            sys.exit(1)
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    vad = webrtcvad.Vad(mode)
    step = rate // 100 * 2  # bytes per 10 ms frame
    out = []
    for k in range(len(data) // step):
        out.append("1" if vad.is_speech(data[k * step:(k + 1) * step], rate) else "0")
    sys.stdout.write("".join(out) + "\n")


if __name__ == "__main__":
    main()
