extension VoiceActivity {
    /// Clears the stretches of `speech` (after hysteresis) that hold no voiced frame and whose
    /// loudest frame is more than `config.breathBelowLoudDb` below the local loud level: an
    /// exhalation or inhalation after a phrase, or a burst of background, rises a few dB above
    /// a quiet room's floor and would otherwise stretch a turn by a few tenths of a second.
    /// Endpoint detectors have long set their thresholds from the utterance's peak energy as
    /// well as from the noise (Rabiner & Sambur 1975); here the peak is the local loud level.
    /// Unvoiced consonants inside or at the edge of words stay: they are joined to voiced
    /// frames, or much louder than breath (stop bursts, fricatives in the band).
    static func dropBreaths(_ speech: inout [Bool], e: [Float], loud: [Float], voiced: [Bool], config: VoiceActivityConfig) {
        let below = Float(config.breathBelowLoudDb)
        for r in frameRuns(speech) {
            var anyVoiced = false
            var tooLoud = false
            for i in r {
                if voiced[i] { anyVoiced = true; break }
                if e[i] >= loud[i] - below { tooLoud = true; break }
            }
            if !anyVoiced && !tooLoud { for i in r { speech[i] = false } }
        }
    }
}
