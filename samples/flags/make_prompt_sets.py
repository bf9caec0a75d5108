#!/usr/bin/env python3
"""Builds the third held-out real-speech set for the baseline-deviation flags.

Usage: make_prompt_sets.py SOUND_DIR OUT_DIR [--speakers en-f,fr-f,it-m,ru-f] [--chunks 30]

Source speech: the recorded voice prompts of the Asterisk telephone exchange, Debian packages
asterisk-core-sounds-en-wav, -fr-wav, -it-wav and -ru-wav, installed by scripts/setup-test.sh
under /usr/share/asterisk/sounds (SOUND_DIR). Every prompt is one 8 kHz 16-bit WAV file
(e.g. en_US_f_Allison/vm-intro.wav, also in subfolders). Each language was recorded by its
own professional voice talent, so there are four speakers:
  en-f  en_US_f_Allison     Allison Smith, US English            (CC-BY-SA-3.0)
  fr-f  fr_CA_f_June        June Wallack, Canadian French        (CC-BY-SA-3.0)
  it-m  it_IT_m_Carlo       Carlo Flora, Italian                 (CC-BY-SA-3.0)
  ru-f  ru_RU_f_IvrvoiceRU  ivrvoice.ru (Maxim Topal), Russian   (CC-BY-3.0)
(the Spanish package is left out: it is the same speaker as the English one). The prompts are
calm, neutral read speech recorded in one studio session style per speaker, telephone band
(8 kHz, upsampled to 16 kHz here): closer to neutral interview answers than acted dialogue.

The set, and this selection rule, were fixed and committed before any model change was
measured on it. Per speaker, every prompt whose speech (after trimming silence) lasts
1.5-4.5 s is a candidate; the prompts are shuffled with a seed derived from the speaker's
name and the first --chunks (30) candidates in that order are kept. Everything else (10 dB
attenuation, questions from another speaker, latencies uniform 0.5-1.2 s, the neutral,
moderate and intense sox chains, the null-<spk> / shift-<spk> layout and truth.json) is
exactly as in make_fillets_sets.py. Deterministic.
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fillets_sets import cli  # noqa: E402

FOLDER = {"en-f": "en_US_f_Allison", "fr-f": "fr_CA_f_June", "it-m": "it_IT_m_Carlo", "ru-f": "ru_RU_f_IvrvoiceRU"}
QUESTION_OF = {"en-f": "it-m", "it-m": "en-f", "fr-f": "ru-f", "ru-f": "fr-f"}


def prompts_of(sound_dir, speaker):
    """Every WAV prompt of the speaker, in path order."""
    root = os.path.join(sound_dir, FOLDER[speaker])
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".wav")]
    return sorted(out)


def main():
    cli(__doc__, "en-f,fr-f,it-m,ru-f", prompts_of, QUESTION_OF)


if __name__ == "__main__":
    main()
