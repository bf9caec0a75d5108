extension Analysis {
    /// The short human summary `candor analyze` prints (one block per channel, then the
    /// conversation, segments flagged for follow-up and the interview-quality index).
    package func humanSummary(outPath: String) -> String {
        let pitchOnly = parameters.pitchOnly
        var s =
            "\(input.path): \(formatNumber(input.durationS, digits: 2)) s, \(input.sampleRate) Hz, \(input.channels) channel(s), \(input.format)\n"
        for ch in channels {
            let p = ch.pitchSummary
            let f0 =
                p.meanHz.map {
                    "mean F0 \(formatNumber($0, digits: 1)) Hz (median \(formatNumber(p.medianHz ?? 0, digits: 1)), SD \(formatNumber(p.sdHz ?? 0, digits: 1)))"
                } ?? "no voiced frames"
            let db = ch.intensity.meanDB.map { "\(formatNumber($0, digits: 1)) dB" } ?? "silent"
            s +=
                "  channel \(ch.index) [\(ch.role)]: \(f0), voiced \(formatNumber(100 * p.voicedFraction, digits: 1))% of frames, intensity \(db)\n"
            guard !pitchOnly, let v = ch.voice, let t = ch.timing else { continue }
            let jit = v.jitterLocal.map { "jitter \(formatNumber(100 * $0, digits: 2))%" } ?? "jitter n/a"
            let shim = v.shimmerLocal.map { "shimmer \(formatNumber(100 * $0, digits: 1))%" } ?? "shimmer n/a"
            let hnr = v.hnrDB.map { "HNR \(formatNumber($0, digits: 1)) dB" } ?? "HNR n/a"
            let rate = t.speechRateSyllPerS.map { "\(formatNumber($0, digits: 2)) syll/s" } ?? "n/a"
            s += "    voice: \(jit), \(shim), \(hnr) (\(v.periodsUsed) periods\(v.reliable ? "" : ", unreliable"))\n"
            s +=
                "    timing: speech \(formatNumber(t.speechTotalS, digits: 1)) s, \(t.pauseCount) pauses (\(formatNumber(t.pauseTotalS, digits: 2)) s), speech rate \(rate)\n"
        }
        guard !pitchOnly else {
            if outPath != "-" { s += "  analysis written to \(outPath)\n" }
            return s
        }
        if let c = conversation?.conversation, let m = conversation?.measures {
            s += conversationSummary(c, m)
        }
        if !segments.isEmpty {
            let flagged = segments.filter { $0.scores.contains { $0.flag != nil } }
            s +=
                "  segments: \(segments.count); flagged for follow-up: \(flagged.isEmpty ? "none" : flagged.map(\.segment.id).joined(separator: ", "))\n"
        }
        for sc in scores where sc.model == "interview-quality" {
            s += "  interview quality index: \(sc.value.map { formatNumber($0, digits: 2) } ?? "abstained (\(sc.reason ?? ""))")\n"
        }
        if let note = modelsNote { s += "  models: \(note)\n" }
        if outPath != "-" { s += "  analysis written to \(outPath)\n" }
        return s
    }
}
