import CandorModels

extension HTMLReport {
    // MARK: - Baseline deviation and follow-up flags

    /// `void`: a supervisor disregarded the analysis; the flags are struck through.
    static func deviationFlags(_ a: AnalysisData, _ o: ReportOptions, _ t: ReportStrings, void: Bool, _ h: inout HTMLBuilder) {
        h.heading(2, t.flags, id: "flags")
        let scores = a.allScores.filter { $0.model != interviewQualityModel && $0.target != "interview" }
        if scores.isEmpty { h.notComputed(t.fill(t.notComputed, t.flagsMissing)); return }
        var byModel: [(String, [ScoreData])] = []
        for s in scores {
            if let i = byModel.firstIndex(where: { $0.0 == s.model }) { byModel[i].1.append(s) } else { byModel.append((s.model, [s])) }
        }
        for (model, list) in byModel {
            h.raw("<div class=\"flags\(void ? " void" : "")\"><div class=\"flaglist\">")
            h.heading(3, t.fill(t.model, model, list.first?.modelVersion ?? ""))
            let flaggedCount = list.filter(\.isFlagged).count
            h.paragraph(t.fill(t.flagSummary, String(list.count), String(flaggedCount), String(list.filter(\.abstained).count)))
            for s in list where s.isFlagged { flagCard(s, a, t, &h) }
            // The rest in one compact table.
            let rest = list.filter { !$0.isFlagged }
            if !rest.isEmpty {
                let rows = rest.map { s -> [String] in
                    let cues = s.contributions.filter { $0.z != nil }.prefix(3).map {
                        "\(t.cue($0.feature)) \(formatValue($0.z, digits: 1))"
                    }
                    let result =
                        s.abstained ? t.fill(t.abstained, s.reason ?? t.noReason) : t.fill(t.noFlag, formatValue(s.value, digits: 2))
                    return [segmentName(s.target, a), place(s, a, t), result, cues.joined(separator: t.listSeparator)]
                }
                h.table(t.restHeader, rows, cls: "data noflag", rowClasses: rest.map { $0.abstained ? "na" : "" })
            }
            h.raw("</div><aside class=\"limits\">")
            h.heading(4, t.fill(t.limitationsOf, model))
            let items = o.modelCards[model].map(ModelCardText.limitations) ?? []
            if items.isEmpty {
                h.paragraph(t.fill(t.cardMissing, model), cls: "warn")
            } else {
                h.raw("<ul>")
                for i in items { h.element("li", "", i) }
                h.raw("</ul>")
            }
            h.raw("</aside></div>\n")
        }
    }

    /// A segment's label when it has one, else its id.
    static func segmentName(_ id: String, _ a: AnalysisData) -> String {
        guard let s = a.segment(id: id), !s.label.isEmpty else { return id }
        return s.label
    }

    /// One flagged segment: where, the index, the cues behind the flag with their baseline,
    /// the error rate at this baseline size and the PPV arithmetic.
    static func flagCard(_ s: ScoreData, _ a: AnalysisData, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.raw("<div class=\"flag on\">")
        h.raw("<p><strong>\(htmlEscape(segmentName(s.target, a)))</strong> — \(htmlEscape(place(s, a, t)))<br>")
        h.raw("<span class=\"status\">\(htmlEscape(t.fill(t.flagged, formatValue(s.value, digits: 2))))</span></p>")
        let cues = s.contributions.filter { $0.contribution != nil || $0.z != nil }
        if !cues.isEmpty {
            let top = Set(s.topCues)
            if cues.contains(where: { $0.baseline != nil }) {
                // Prediction-interval evidence: baseline size, mean and SD, the interval, floors and clips.
                let rows = cues.prefix(6).map { c -> [String] in
                    let b = c.baseline
                    let base =
                        b.map {
                            t.fill(
                                $0.scale == "log" ? t.baselineLogText : t.baselineText, String($0.n), formatValue($0.mean, digits: 3),
                                formatValue($0.sd, digits: 3))
                        }
                        ?? "–"
                    let interval =
                        b.map { "[\(formatValue($0.intervalLow, digits: 3)), \(formatValue($0.intervalHigh, digits: 3))]" } ?? "–"
                    var adj: [String] = []
                    if b?.sdFloorApplied == true { adj.append(t.fill(t.sdFloor, formatValue(b?.sdUsed, digits: 3))) }
                    if b?.zClipped == true { adj.append(t.zClipped) }
                    return [
                        t.cue(c.feature) + (top.contains(c.feature) ? " ★" : ""), formatValue(c.value, digits: 3), base, interval,
                        b.map { "\(formatValue($0.t, digits: 2)) (p \(formatValue($0.p, digits: 2)))" } ?? "–",
                        adj.isEmpty ? t.none : adj.joined(separator: t.listSeparator), t.status(c.status ?? ""),
                    ]
                }
                h.table(t.evidenceHeader, Array(rows), cls: "data cues", numeric: [1])
            } else {
                let rows = cues.prefix(6).map { c in
                    [
                        t.cue(c.feature) + (top.contains(c.feature) ? " ★" : ""), formatValue(c.value, digits: 3),
                        formatValue(c.z, digits: 2),
                        formatValue(c.contribution, digits: 3), t.status(c.status ?? ""),
                    ]
                }
                h.table(t.zHeader, Array(rows), cls: "data cues", numeric: [1, 2, 3])
            }
        }
        if let ev = s.evidence {
            h.paragraph(rateSentence(ev, t), cls: "rate")
            h.paragraph(ppvSentence(ev.ppv, t), cls: "ppv")
        }
        let missing = s.contributions.filter { $0.status == "not available" }.map { t.cue($0.feature) }
        if !missing.isEmpty { h.paragraph(t.fill(t.notAvailable, missing.joined(separator: t.listSeparator)), cls: "missing") }
        h.raw("</div>\n")
    }

    /// The error rate at this baseline size, in the report's language.
    static func rateSentence(_ ev: FlagEvidence, _ t: ReportStrings) -> String {
        if ev.baselineN == 0, let m = ev.measuredFalseFlagRate {
            return t.fill(t.rateTrained, percent(m.rate), percent(m.ciLow), percent(m.ciHigh), m.source) + t.fullStop
        }
        var s = t.fill(t.rateDeclared, String(ev.baselineN), percent(ev.alpha))
        if let m = ev.measuredFalseFlagRate {
            s += t.fill(t.rateMeasured, percent(m.rate), percent(m.ciLow), percent(m.ciHigh), String(m.baselineN), m.source)
        }
        return s + t.fullStop
    }

    /// The PPV arithmetic of the model card, from its numbers.
    static func ppvSentence(_ p: PPVArithmetic, _ t: ReportStrings) -> String {
        t.fill(t.ppv, percent(p.baseRate), percent(p.sensitivity), formatValue(p.ppv, digits: 3))
    }

    static func percent(_ v: Double) -> String {
        let p = v * 100
        return (p == p.rounded() ? String(Int(p)) : formatValue(p, digits: 1)) + "%"
    }
}
