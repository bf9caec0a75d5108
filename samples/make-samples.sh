#!/usr/bin/env bash
# Regenerates every file in samples/ deterministically (see samples/README.md).
# Needs: swift (builds candor), python3, espeak-ng, sox, pocketsphinx-testdata
# (scripts/setup-test.sh installs them). Run from the repository root:
#   samples/make-samples.sh [--noisy]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product candor >/dev/null
CANDOR="$(swift build -c release --show-bin-path)/candor"

# 1. Synthetic sustained /a/ voices with known truth (3 s, 16 kHz, 16-bit).
mkdir -p samples/synth
synth() { # name f0 jitter shimmer [extra args]
    local name=$1 f0=$2 j=$3 s=$4; shift 4
    "$CANDOR" synth --out "samples/synth/$name.wav" --truth "samples/synth/$name.truth.json" \
        --f0 "$f0" --jitter "$j" --shimmer "$s" --duration 3 --sample-rate 16000 --seed 7 "$@"
}
synth male110-j1-s4 110 0.01 0.04
synth male110-j3-s8-snr20 110 0.03 0.08 --snr 20
synth female220-j1-s4 220 0.01 0.04
synth female220-j3-s8-snr20 220 0.03 0.08 --snr 20
synth female220-glide-vibrato 200 0.005 0.03 --f0-end 260 --vibrato-st 0.5 --vibrato-rate 5.5 --voiced 0.2-1.3,1.7-2.8

# 2. Stereo mock interview from espeak-ng (English and Mandarin) with exact truth.
python3 samples/make_interview.py samples "$@"

# 3. Real speech: LibriVox (public domain) clips from Debian's pocketsphinx-testdata.
mkdir -p samples/real
for f in 0870 0880 0890 0920 0930; do
    cp "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-$f.wav" "samples/real/"
done
du -sh samples
