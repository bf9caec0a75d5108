import CandorModels
import Foundation

/// The self-contained HTML session report: inline CSS and SVG, no scripts, no external
/// resources (a Content-Security-Policy forbids both), every input string escaped. Every text
/// it adds comes from the catalogue of `ReportOptions.language`.
public enum HTMLReport {
    public static let interviewQualityModel = "interview-quality"
    /// The timeline is drawn in rows of this many seconds, so long recordings stay readable.
    public static let timelineRowSeconds = 300.0

    public static func render(_ a: AnalysisData, options o: ReportOptions) -> String {
        let t = o.language.strings
        var h = HTMLBuilder()
        let title = (o.caseID != nil && o.sessionID != nil) ? t.fill(t.titleCase, o.caseID!, o.sessionID!) : t.title
        h.raw(
            """
            <!DOCTYPE html>
            <html lang="\(o.language.htmlLang)"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(htmlEscape(title))</title>
            <style>\(ReportStyle.css)\(ReportStyle.pageHeader(title))</style></head><body>

            """)
        h.heading(1, title)
        let status = ReportStatus(audit: o.audit)
        banners(status, t, &h)
        header(a, o, t, &h)
        channelSummary(a, t, &h)
        timelineSection(a, t, &h)
        h.heading(2, t.contours, id: "contours")
        if a.channels.isEmpty { h.notComputed(t.fill(t.notComputed, t.contoursMissing)) }
        for c in a.channels {
            h.heading(3, t.fill(t.channelHeading, String(c.index), t.role(c.speaker)))
            let svg = Plots.contour(c, analysis: a)
            if svg.isEmpty {
                h.notComputed(t.fill(t.notComputed, t.fill(t.contourMissing, String(c.index))))
            } else {
                h.raw("<figure>\(svg)<figcaption>\(htmlEscape(t.contourCaption))</figcaption></figure>\n")
            }
        }
        interviewQuality(a, o, t, &h)
        deviationFlags(a, o, t, void: status.flagsVoid, &h)
        segmentTable(a, t, &h)
        auditSection(o.audit, t, &h)
        parametersSection(a, t, &h)
        let software = t.fill(t.generatedBy, a.softwareName ?? "candor", a.softwareVersion ?? "", localTime(o.generatedAt, t))
        h.raw("<footer><p>\(htmlEscape(t.readingNote))</p><p>\(htmlEscape(software))</p></footer>\n</body></html>")
        return h.text
    }

    // MARK: - Status first

    /// Right under the title: verification failed (red), then supervisors' disregard and
    /// override decisions (who, when, note), then an unpinned or missing audit log.
    static func banners(_ status: ReportStatus, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        if let why = status.failure {
            h.raw("<div class=\"banner bad\" role=\"alert\"><p>\(htmlEscape(t.fill(t.bannerFailed, why)))</p></div>\n")
        }
        for r in status.decisions {
            let template = r.kind == "disregard" ? t.bannerDisregard : t.bannerOverride
            var text = t.fill(template, r.reviewer, r.time, r.note)
            if let o = r.override, !o.isEmpty { text += " (\(o))" }
            h.raw("<div class=\"banner review\"><p>\(htmlEscape(text))</p>")
            if status.flagsVoid { h.raw("<p>\(htmlEscape(t.bannerFlagsVoid))</p>") }
            h.raw("</div>\n")
        }
        if status.unpinned {
            h.raw("<div class=\"banner note\"><p>\(htmlEscape(t.bannerUnpinned))</p></div>\n")
        } else if status.noAudit {
            h.raw("<div class=\"banner note\"><p>\(htmlEscape(t.bannerNoAudit))</p></div>\n")
        }
    }

    // MARK: - Header

    static func header(_ a: AnalysisData, _ o: ReportOptions, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        var rows: [[String]] = []
        if let c = o.caseID { rows.append([t.caseLabel, c]) }
        if let s = o.sessionID { rows.append([t.sessionLabel, s]) }
        rows.append([t.recording, a.inputPath ?? t.notRecorded])
        rows.append([t.sha256, a.inputSHA256 ?? t.notRecorded])
        let format = [
            a.inputFormat, a.sampleRate.map { t.fill(t.hertz, String($0)) }, a.channelCount.map { t.fill(t.channelCount, String($0)) },
        ]
        rows.append([t.format, format.compactMap { $0 }.joined(separator: ", ")])
        rows.append([t.duration, a.duration.map { formatClock($0, fine: true) } ?? t.notRecorded])
        rows.append([t.software, t.fill(t.commit, a.softwareName ?? "?", a.softwareVersion ?? "?", a.gitCommit ?? t.unknown)])
        rows.append([t.generated, localTime(o.generatedAt, t)])
        h.raw("<section class=\"meta\">")
        h.table(["", ""], rows, cls: "kv")
        h.raw("</section>\n")
        h.raw("<div class=\"notice\">")
        h.element("p", "", t.notice)
        h.raw("</div>\n")
    }

    // MARK: - Timeline

    /// The timeline in rows of `timelineRowSeconds` (one row for a short recording).
    static func timelineSection(_ a: AnalysisData, _ t: ReportStrings, _ h: inout HTMLBuilder) {
        h.heading(2, t.timeline, id: "timeline-section")
        let end = a.timelineEnd
        guard end > 0 else { h.notComputed(t.fill(t.notComputed, t.timelineMissing)); return }
        let rows = Int((end / timelineRowSeconds).rounded(.up))
        var drawn = 0
        h.raw("<figure class=\"timeline\">")
        for k in 0..<max(1, rows) {
            let window = rows <= 1 ? TimeSpan(0, end) : TimeSpan(Double(k) * timelineRowSeconds, Double(k + 1) * timelineRowSeconds)
            let svg = Plots.timeline(a, window: window, id: k == 0 ? "timeline" : "timeline-\(k + 1)", strings: t)
            if svg.isEmpty { continue }
            drawn += 1
            if rows > 1 {
                let label = t.fill(t.timelineRows, formatClock(window.start), formatClock(min(window.end, end)))
                h.raw("<div class=\"tlrow\"><p class=\"tlrange\">\(htmlEscape(label))</p>\(svg)</div>")
            } else {
                h.raw(svg)
            }
        }
        h.raw("<figcaption>\(htmlEscape(t.timelineCaption))</figcaption></figure>\n")
        if drawn == 0 { h.notComputed(t.fill(t.notComputed, t.timelineMissing)) }
    }

    /// An RFC 3339 UTC time (`2026-11-30T22:04:33Z`) in the catalogue's date format; other
    /// text is shown as it is.
    static func localTime(_ rfc3339: String, _ t: ReportStrings) -> String {
        let parts = rfc3339.split(whereSeparator: { "-T:Z".contains($0) }).map(String.init)
        guard rfc3339.hasSuffix("Z"), parts.count >= 6, parts[0].count == 4 else { return rfc3339 }
        let time = "\(parts[3]):\(parts[4]):\(parts[5].prefix(2))"
        return t.fill(t.dateTime, parts[0], parts[1], parts[2], time)
    }

    /// "speaker, 0:45.8–0:50.2: label" for a scored target.
    static func place(_ s: ScoreData, _ a: AnalysisData, _ t: ReportStrings) -> String {
        guard let seg = a.segment(id: s.target) else { return t.fill(t.target, s.target) }
        let when = "\(formatClock(seg.start, fine: true))–\(formatClock(seg.end, fine: true))"
        return t.fill(t.place, t.role(seg.speaker), when, seg.label.isEmpty ? seg.id : seg.label)
    }

    /// A value with its standard error ("119.2 ± 2.7"), scaled for display.
    static func withError(_ v: Double?, _ se: Double?, digits: Int, scale: Double = 1) -> String {
        guard let v else { return "–" }
        let value = formatValue(v * scale, digits: digits)
        guard let se, se.isFinite, se > 0 else { return value }
        return "\(value) ± \(formatValue(se * scale, digits: digits))"
    }
}
