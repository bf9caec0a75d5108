import CandorCore

extension Analysis {
    /// The short human summary `candor analyze` prints (one block per channel, then the
    /// conversation, segments flagged for follow-up and the interview-quality index), in
    /// `language`.
    package func humanSummary(outPath: String, language: InterfaceLanguage = .english) -> String {
        let t = SummaryStrings.of(language)
        let pitchOnly = parameters.pitchOnly
        var s = t.fill(
            t.header, input.path, formatNumber(input.durationS, digits: 2), String(input.sampleRate), String(input.channels), input.format)
        for ch in channels {
            let p = ch.pitchSummary
            let f0 =
                p.meanHz.map {
                    t.fill(
                        t.f0, formatNumber($0, digits: 1), formatNumber(p.medianHz ?? 0, digits: 1), formatNumber(p.sdHz ?? 0, digits: 1))
                } ?? t.noVoiced
            let db = ch.intensity.meanDB.map { "\(formatNumber($0, digits: 1)) dB" } ?? t.silent
            // One channel holding two speakers (separated by clustering): name both.
            let monoSpeakers = channels.count == 1 ? conversation?.conversation.speakers ?? [] : []
            let role = monoSpeakers.count >= 2 ? t.fill(t.monoRoles, monoSpeakers.joined(separator: t.separator)) : ch.role
            s += t.fill(t.channel, String(ch.index), role, f0, formatNumber(100 * p.voicedFraction, digits: 1), db)
            guard !pitchOnly, let v = ch.voice, let tm = ch.timing else { continue }
            let jit = v.jitterLocal.map { "\(formatNumber(100 * $0, digits: 2))%" } ?? t.notAvailable
            let shim = v.shimmerLocal.map { "\(formatNumber(100 * $0, digits: 1))%" } ?? t.notAvailable
            let hnr = v.hnrDB.map { "\(formatNumber($0, digits: 1)) dB" } ?? t.notAvailable
            let rate = tm.speechRateSyllPerS.map { "\(formatNumber($0, digits: 2)) syll/s" } ?? t.notAvailable
            s += t.fill(t.voice, jit, shim, hnr, String(v.periodsUsed), v.reliable ? "" : t.unreliable)
            s += t.fill(
                t.timing, formatNumber(tm.speechTotalS, digits: 1), String(tm.pauseCount), formatNumber(tm.pauseTotalS, digits: 2), rate)
        }
        guard !pitchOnly else {
            if outPath != "-" { s += t.fill(t.written, outPath) }
            return s
        }
        if let c = conversation?.conversation, let m = conversation?.measures {
            s += conversationSummary(c, m, t)
        } else if let c = conversation?.conversation {
            let share = c.speakers.map { "\($0) \(formatNumber(100 * (c.talkShare[$0] ?? 0), digits: 0))%" }.joined(separator: t.separator)
            let lat =
                c.responseLatenciesS.isEmpty
                ? t.latencyNone
                : t.fill(
                    t.latency, formatNumber(c.responseLatenciesS.sorted()[c.responseLatenciesS.count / 2], digits: 2),
                    String(c.responseLatenciesS.count))
            s += t.fill(
                t.conversation, c.estimate ? t.estimate : "", String(c.turns.count), share, lat, String(c.overlaps.count),
                String(c.interruptions.count))
        }
        if !segments.isEmpty {
            let flagged = segments.filter { $0.scores.contains { $0.flag != nil } }
            s += t.fill(
                t.segments, String(segments.count), flagged.isEmpty ? t.none : flagged.map(\.segment.id).joined(separator: t.separator))
        }
        for sc in scores where sc.model == "interview-quality" {
            s += t.fill(t.quality, sc.value.map { formatNumber($0, digits: 2) } ?? t.fill(t.abstained, sc.reason ?? ""))
        }
        if let note = modelsNote { s += t.fill(t.models, note) }
        if outPath != "-" { s += t.fill(t.written, outPath) }
        return s
    }
}
