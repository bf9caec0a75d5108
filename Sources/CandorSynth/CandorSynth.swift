// CandorSynth module.
