import Foundation

extension HTMLReport {
    // MARK: - Segments

    static func segmentTable(_ a: AnalysisData, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.heading(2, t.segments, id: "segments")
        guard let segs = a.segments else { h.notComputed(t.fill(t.notComputed, t.segmentsMissing)); return }
        if segs.isEmpty { h.paragraph(t.noSegments); return }
        var names: [String] = []
        for s in segs { for f in s.features where !names.contains(f.name) { names.append(f.name) } }
        let flagged = a.flaggedSegmentIDs
        let header = t.segmentHeader + names.map(t.cue)
        let rows = segs.map { s -> [String] in
            [s.id, s.label, t.role(s.speaker), t.role(s.role), formatClock(s.start, fine: true), formatClock(s.end, fine: true)]
                + names.map { n in
                    guard let f = s.features.first(where: { $0.name == n }) else { return "" }
                    return f.text ?? formatValue(f.value.map { $0 * (t.cues[n]?.scale ?? 1) }, digits: 3)
                }
        }
        h.raw("<div class=\"scroll\">")
        h.table(
            header, rows, cls: "data segments", rowClasses: segs.map { flagged.contains($0.id) ? "flagged" : "" },
            numeric: Set(4..<header.count))
        h.raw("</div>\n")
        if names.isEmpty { h.notComputed(t.fill(t.notComputed, t.segmentFeatures)) }
    }

    // MARK: - Audit

    static func auditSection(_ audit: AuditStatus?, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.heading(2, t.audit, id: "audit")
        guard let audit else {
            h.paragraph(t.auditMissing, cls: "warn")
            return
        }
        h.paragraph(t.fill(t.source, audit.source))
        switch audit.verification {
        case .intact(let size, let root):
            h.raw("<p class=\"verify ok\">\(htmlEscape(t.fill(t.intact, String(size), root)))</p>\n")
        case .failed(let why):
            h.raw("<p class=\"verify bad\">\(htmlEscape(t.fill(t.failed, why)))</p>\n")
        case .notPerformed(let why):
            h.raw("<p class=\"verify na\">\(htmlEscape(t.fill(t.notPerformed, why)))</p>\n")
        }
        h.paragraph(t.fill(t.records, String(audit.entries.count)))
        if let cp = audit.checkpoint {
            h.raw("<p>\(htmlEscape(t.checkpoint))</p><pre class=\"checkpoint\">\(htmlEscape(cp))</pre>\n")
        } else {
            h.paragraph(t.noCheckpoint, cls: "warn")
        }
        let accesses = audit.entries.filter { $0.type == "accessed" }
        h.heading(3, t.accesses)
        if accesses.isEmpty {
            h.paragraph(t.noAccesses)
        } else {
            h.table(
                t.accessHeader,
                accesses.map { e in
                    [
                        e.seq.map(String.init) ?? "", e.time, e.operatorName, e.fields.first { $0.0 == "action" }?.1 ?? "",
                        e.fields.first { $0.0 == "what" }?.1 ?? "",
                    ]
                }, cls: "data")
        }
        let reviews = audit.entries.filter { $0.type == "review" }
        h.heading(3, t.reviews)
        if reviews.isEmpty {
            h.paragraph(t.noReviews)
        } else {
            h.table(t.reviewHeader, reviews.map { [$0.seq.map(String.init) ?? "", $0.time, $0.operatorName, $0.details] }, cls: "data")
        }
        if let q = audit.quarantined {
            h.heading(3, t.quarantined)
            if q.isEmpty {
                h.paragraph(t.noQuarantined)
            } else {
                h.paragraph(t.fill(t.quarantinedNote, String(q.count)), cls: "warn")
                h.table(
                    t.recordHeader, q.map { [$0.seq.map(String.init) ?? "", $0.time, $0.type, $0.operatorName, $0.details] }, cls: "data")
            }
        }
        h.raw("<details class=\"records\"><summary>\(htmlEscape(t.fill(t.allRecords, String(audit.entries.count))))</summary>")
        h.table(
            t.recordHeader, audit.entries.map { [$0.seq.map(String.init) ?? "", $0.time, $0.type, $0.operatorName, $0.details] },
            cls: "data")
        h.raw("</details>\n")
    }

    // MARK: - Parameters

    static func parametersSection(_ a: AnalysisData, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.raw("<details class=\"params\"><summary>\(htmlEscape(t.parameters))</summary>")
        if a.parameters.isEmpty {
            h.notComputed(t.fill(t.notComputed, t.parametersMissing))
        } else {
            h.table(t.parameterHeader, a.parameters.map { [$0.name, $0.text ?? formatValue($0.value, digits: 6)] }, cls: "kv")
        }
        h.raw("</details>\n")
    }
}
