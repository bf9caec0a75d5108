import CandorModels
import Foundation

extension HTMLReport {
    // MARK: - Speakers

    static func channelSummary(_ a: AnalysisData, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.heading(2, t.speakers, id: "speakers")
        if a.channels.isEmpty { h.notComputed(t.fill(t.notComputed, t.channelMeasures)); return }
        let share = Dictionary(
            a.conversation.map { $0.measuredTalkShare.isEmpty ? $0.talkShare : $0.measuredTalkShare }?.map { ($0.speaker, $0.share) } ?? [],
            uniquingKeysWith: { x, _ in x })
        let notComputed = t.notComputedCell
        func get(_ list: [NamedValue]?, _ k: String) -> Double? { list?.first { $0.name == k }?.value }
        func cell(_ list: [NamedValue]?, _ k: String, _ d: Int, scale: Double = 1) -> String {
            guard let list else { return notComputed }
            return get(list, k).map { formatValue($0 * scale, digits: d) } ?? "–"
        }
        /// A voice measure with its standard error, and the mark when the channel's voice is unreliable.
        func voice(_ c: ChannelData, _ k: String, _ d: Int, scale: Double = 1) -> String {
            guard let v = c.voice else { return notComputed }
            let text = withError(get(v, k), get(v, k + "_se"), digits: d, scale: scale)
            let reliable = v.first { $0.name == "reliable" }?.text
            return reliable == "false" && text != "–" ? "\(text) (\(t.unreliable))" : text
        }
        let rows = a.channels.map { c -> [String] in
            [
                String(c.index), t.role(c.speaker),
                withError(get(c.pitchSummary, "mean_hz"), get(c.pitchSummary, "mean_hz_se"), digits: 1),
                cell(c.pitchSummary, "median_hz", 1), cell(c.pitchSummary, "sd_hz", 1),
                cell(c.pitchSummary, "voiced_fraction", 1, scale: 100),
                c.intensityMean.map { formatValue($0, digits: 1) } ?? notComputed,
                voice(c, "jitter_local", 2, scale: 100), voice(c, "shimmer_local", 2, scale: 100), voice(c, "hnr_db", 1),
                cell(c.timing?.measures, "speech_rate_syll_per_s", 2), cell(c.timing?.measures, "articulation_rate_syll_per_s", 2),
                cell(c.timing?.measures, "pause_count", 0), cell(c.timing?.measures, "pause_total_s", 2),
                share[c.speaker].map { formatValue($0 * 100, digits: 1) + " %" } ?? (a.conversation == nil ? notComputed : "–"),
            ]
        }
        h.raw("<div class=\"scroll\">")
        h.table(t.speakerHeader, rows, cls: "data speakers", numeric: Set(2..<t.speakerHeader.count))
        h.raw("</div>\n")
        h.paragraph(t.unreliableNote, cls: "note")
        if a.channels.contains(where: { $0.voice == nil }) { h.paragraph(t.voiceMissing, cls: "missing") }
        if a.conversation?.estimate == true { h.paragraph(t.monoEstimate, cls: "warn") }
        for w in a.warnings { h.paragraph(t.fill(t.warning, w), cls: "warn") }
    }

    // MARK: - Interview practice

    static func interviewQuality(_ a: AnalysisData, _ o: ReportOptions, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.heading(2, t.practice, id: "interview-quality")
        if let c = a.conversation {
            let lat = c.responseLatencies.sorted()
            // The analysis's own median (conversation.measures); recomputed only for older files.
            let median =
                c.latencyMedian
                ?? (lat.isEmpty ? nil : (lat.count % 2 == 1 ? lat[lat.count / 2] : (lat[lat.count / 2 - 1] + lat[lat.count / 2]) / 2))
            let share = c.measuredTalkShare.isEmpty ? c.talkShare : c.measuredTalkShare
            let overlapSeconds = c.overlaps.reduce(0) { $0 + $1.end - $1.start }
            var rows: [[String]] = [
                [t.turns, String(c.turns.count)],
                [
                    t.talkShare,
                    share.map { "\(t.role($0.speaker)) \(formatValue($0.share * 100, digits: 1)) %" }.joined(separator: t.listSeparator),
                ],
                [t.latencyMedian, t.fill(t.latencyOver, formatValue(median, digits: 3), String(lat.count))],
                [t.overlaps, t.fill(t.overlapsValue, String(c.overlaps.count), formatValue(overlapSeconds, digits: 2))],
                [t.interruptions, interruptionSummary(c, t)],
            ]
            if let b = c.backchannels { rows.append([t.backchannels, String(b)]) }
            h.table(t.conversationHeader, rows, cls: "kv")
            // A long list is folded: the count above, every interruption one click away.
            if c.interruptions.count > 10 {
                h.raw(
                    "<details class=\"fold\"><summary>\(htmlEscape(t.fill(t.interruptionsFolded, String(c.interruptions.count), "")))</summary><ul>"
                )
                for i in c.interruptions {
                    h.element(
                        "li", "", t.fill(t.interruptionItem, t.role(i.speaker), t.role(i.interrupted), formatClock(i.time, fine: true)))
                }
                h.raw("</ul></details>\n")
            }
        } else {
            h.notComputed(t.fill(t.notComputed, t.conversationMissing))
        }
        let iq = a.allScores.filter { $0.model == interviewQualityModel || $0.target == "interview" }
        if iq.isEmpty { h.notComputed(t.fill(t.notComputed, t.qualityMissing)); return }
        for s in iq {
            h.raw("<div class=\"score\">")
            let result = s.abstained ? t.fill(t.abstained, s.reason ?? t.noReason) : t.fill(t.qualityIndex, formatValue(s.value, digits: 2))
            h.element("p", "", t.fill(t.modelLine, s.model, s.modelVersion, String(s.modelSHA256.prefix(12)), result))
            let rows = s.contributions.map { c -> [String] in
                [
                    t.cue(c.feature), formatValue(c.value, digits: 3), c.unit ?? "", targetText(c), t.status(c.status ?? ""),
                    formatValue(c.weight, digits: 2), c.note ?? "",
                ]
            }
            let classes = s.contributions.map { c -> String in
                switch c.status ?? "" {
                case "in range": return "ok"
                case "not available": return "na"
                default: return "off"
                }
            }
            h.table(t.qualityHeader, rows, cls: "data", rowClasses: classes, numeric: [1, 5])
            let limits = o.modelCards[s.model].map(ModelCardText.limitations) ?? []
            if !limits.isEmpty {
                h.raw("<details class=\"limits-inline\"><summary>\(htmlEscape(t.fill(t.limitationsOf, s.model)))</summary><ul>")
                for i in limits { h.element("li", "", i) }
                h.raw("</ul></details>")
            }
            h.raw("</div>\n")
        }
    }

    /// Up to ten interruptions listed; more are counted here and listed in a folded list.
    static func interruptionSummary(_ c: ConversationData, _ t: ReportStrings) -> String {
        if c.interruptions.isEmpty { return "0" }
        // Counts by direction as the analysis computed them (else counted here).
        var counts = c.interruptionCounts.map { "\(t.role($0.by)) → \(t.role($0.of)) \($0.count)" }
        if counts.isEmpty {
            var by: [String: Int] = [:]
            for i in c.interruptions { by["\(t.role(i.speaker)) → \(t.role(i.interrupted))", default: 0] += 1 }
            counts = by.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        }
        let summary = t.fill(t.interruptionsFolded, String(c.interruptions.count), counts.joined(separator: t.listSeparator))
        if c.interruptions.count > 10 { return summary }
        return summary + t.listSeparator
            + c.interruptions.map {
                t.fill(t.interruptionItem, t.role($0.speaker), t.role($0.interrupted), formatClock($0.time, fine: true))
            }
            .joined(separator: t.listSeparator)
    }

    static func targetText(_ c: Contribution) -> String {
        switch (c.targetLow, c.targetHigh) {
        case (let lo?, let hi?): return "\(formatValue(lo)) – \(formatValue(hi))"
        case (let lo?, nil): return "≥ \(formatValue(lo))"
        case (nil, let hi?): return "≤ \(formatValue(hi))"
        default: return "–"
        }
    }
}
