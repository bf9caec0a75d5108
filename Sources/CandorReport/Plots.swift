import CandorJSON
import Foundation

/// Inline SVG plots. Everything is drawn at a fixed viewBox width, and dense data is reduced
/// to at most a few values per pixel column first, so the HTML size depends on the plot
/// width, not on the recording's length.
public enum Plots {
    public static let width = 1000.0
    static let left = 130.0
    static let right = 50.0
    static var plotWidth: Double { width - left - right }
    /// Columns of the pitch-over-intensity plot: one per unit of the plot's width.
    public static var contourColumns: Int { Int(plotWidth) }

    // MARK: - Decimation

    /// Per-column summary of a track over `columns` equal time bins of [0, end).
    public typealias Column = FrameColumn

    /// Reduces a track to `columns` bins (min, max, mean of its finite values per bin); bins
    /// without finite values are nil. Linear in the number of frames.
    public static func decimate(
        _ track: FrameTrack, end: Double, columns: Int, accept: @escaping (Double) -> Bool = { $0.isFinite }
    ) -> [Column?] {
        guard columns > 0, end > 0 else { return [] }
        var r = FrameReducer(columns: columns, end: end, accept: accept)
        track.times.withUnsafeBufferPointer { t in
            track.values.withUnsafeBufferPointer { v in
                for i in 0..<min(t.count, v.count) { r.add(t[i], v[i]) }
            }
        }
        return r.result
    }

    /// Merges spans that would touch on screen (gap under half a pixel), so thousands of short
    /// pauses in a long file become a handful of rectangles.
    public static func mergeForPixels(_ spans: [TimeSpan], secondsPerPixel: Double) -> [TimeSpan] {
        let sorted = spans.sorted { $0.start < $1.start }
        var out: [TimeSpan] = []
        for s in sorted {
            if var last = out.last, s.start - last.end < secondsPerPixel / 2 {
                last.end = max(last.end, s.end)
                out[out.count - 1] = last
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// The q-quantile (0…1) of the values (sorted copy; nil when empty).
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s[min(s.count - 1, max(0, Int((Double(s.count - 1) * q).rounded())))]
    }

    // MARK: - Axes

    /// A "nice" tick step giving at most about `maxTicks` ticks over `range`.
    static func tickStep(_ range: Double, maxTicks: Int, candidates: [Double]) -> Double {
        for c in candidates where range / c <= Double(maxTicks) { return c }
        var step = candidates.last ?? 1
        while range / step > Double(maxTicks) { step *= 2 }
        return step
    }

    static let timeSteps: [Double] = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]

    static func timeAxis(start: Double = 0, end: Double, y: Double, height: Double, into s: inout String) {
        let span = end - start
        let step = tickStep(span, maxTicks: 12, candidates: timeSteps)
        s += "<g class=\"axis\">"
        s += "<line x1=\"\(px(left))\" y1=\"\(px(y))\" x2=\"\(px(left + plotWidth))\" y2=\"\(px(y))\" stroke=\"#555\"/>"
        var t = start
        while t <= end + 1e-9 {
            let x = left + (t - start) / span * plotWidth
            s += "<line x1=\"\(px(x))\" y1=\"\(px(y - height))\" x2=\"\(px(x))\" y2=\"\(px(y))\" stroke=\"#ddd\"/>"
            s +=
                "<text x=\"\(px(x))\" y=\"\(px(y + 14))\" text-anchor=\"middle\">\(step < 1 ? formatValue(t, digits: 1) + " s" : formatClock(t))</text>"
            t += step
        }
        s += "</g>"
    }

    // MARK: - Timeline

    /// Timeline of turns per speaker (with pauses drawn over them), segments per speaker
    /// (flagged ones outlined), and overlaps, from `window.start` to `window.end` (the whole
    /// recording by default).
    public static func timeline(
        _ a: AnalysisData, window: TimeSpan? = nil, id: String = "timeline", strings t: ReportStrings = .english
    ) -> String {
        let t0 = window?.start ?? 0
        let end = window?.end ?? a.timelineEnd
        let span = end - t0
        guard span > 0 else { return "" }
        let speakers = a.speakers
        let rowH = 22.0, gap = 6.0, top = 10.0
        let secPerPx = span / plotWidth
        let flagged = a.flaggedSegmentIDs
        var rows: [(label: String, body: String)] = []
        /// The marks that fall in the window.
        func inWindow(_ spans: [TimeSpan]) -> [TimeSpan] { spans.filter { $0.end > t0 && $0.start < end } }
        func x(_ t: Double) -> Double { left + max(0, min(span, t - t0)) / span * plotWidth }
        func w(_ s: TimeSpan) -> Double { max(0.8, x(s.end) - x(s.start)) }
        /// Top of the next row to be appended.
        func rowY() -> String { px(top + Double(rows.count) * (rowH + gap)) }

        for (k, speaker) in speakers.enumerated() {
            let colour = speakerColour(k)
            let channel = a.channels.first { $0.speaker == speaker }
            var body = ""
            let Y = rowY()
            // Turns (or the channel's speech when turns were not computed).
            let turns = (a.conversation?.turns ?? []).filter { $0.speaker == speaker }.map { TimeSpan($0.start, $0.end) }
            let speech = turns.isEmpty ? (channel?.timing?.speech ?? []) : turns
            for sp in mergeForPixels(inWindow(speech), secondsPerPixel: secPerPx) {
                body +=
                    "<rect class=\"turn\" x=\"\(px(x(sp.start)))\" y=\"\(Y)\" width=\"\(px(w(sp)))\" height=\"\(px(rowH))\" fill=\"\(colour)\">"
                body +=
                    "<title>\(htmlEscape(speaker)) \(turns.isEmpty ? t.tipSpeech : t.tipTurn) \(formatClock(sp.start, fine: true))–\(formatClock(sp.end, fine: true))</title></rect>"
            }
            for p in mergeForPixels(inWindow(channel?.timing?.pauses ?? []), secondsPerPixel: secPerPx) {
                body +=
                    "<rect class=\"pause\" x=\"\(px(x(p.start)))\" y=\"\(Y)\" width=\"\(px(w(p)))\" height=\"\(px(rowH))\" fill=\"#fff\" fill-opacity=\"0.75\" stroke=\"#333\" stroke-dasharray=\"2 2\" stroke-width=\"0.6\">"
                // Tooltips only where the mark is wide enough to point at (keeps long reports small).
                if w(p) >= 2 {
                    body +=
                        "<title>\(t.tipPause) \(formatClock(p.start, fine: true))–\(formatClock(p.end, fine: true)) (\(formatValue(p.end - p.start, digits: 2)) s)</title>"
                }
                body += "</rect>"
            }
            let name = t.role(speaker)
            let label = turns.isEmpty ? t.fill(speech.isEmpty ? t.rowNoTurns : t.rowSpeech, name) : name
            rows.append((label, body))

            // Segments of this speaker.
            let segs = (a.segments ?? []).filter { $0.speaker == speaker && $0.end > t0 && $0.start < end }
            if !segs.isEmpty {
                var sb = ""
                let Y = rowY()
                let YT = px(top + Double(rows.count) * (rowH + gap) + rowH * 0.7)
                for seg in segs {
                    let span = TimeSpan(seg.start, seg.end)
                    let isFlagged = flagged.contains(seg.id)
                    let cls = "segment role-\(cssToken(seg.role))\(isFlagged ? " flagged" : "")"
                    sb += "<rect class=\"\(cls)\" x=\"\(px(x(span.start)))\" y=\"\(Y)\" width=\"\(px(w(span)))\" height=\"\(px(rowH))\">"
                    sb +=
                        "<title>\(htmlEscape(seg.id)) [\(htmlEscape(t.role(seg.role)))] \(htmlEscape(seg.label)) \(formatClock(seg.start, fine: true))–\(formatClock(seg.end, fine: true))\(isFlagged ? t.tipFlagged : "")</title></rect>"
                    let width = w(span)
                    let text = seg.id.isEmpty ? seg.role : seg.id
                    if width > Double(text.count) * 6.5 + 4 {
                        sb += "<text class=\"seglabel\" x=\"\(px(x(span.start) + 3))\" y=\"\(YT)\">\(htmlEscape(text))</text>"
                    }
                }
                rows.append((t.fill(t.rowSegments, name), sb))
            }
        }
        let interruptions = (a.conversation?.interruptions ?? []).filter { $0.time >= t0 && $0.time < end }
        if let all = a.conversation?.overlaps, case let ov = inWindow(all), !ov.isEmpty || !interruptions.isEmpty {
            var ob = ""
            let Y = rowY()
            let YB = px(top + Double(rows.count) * (rowH + gap) + rowH)
            for o in mergeForPixels(ov, secondsPerPixel: secPerPx) {
                ob +=
                    "<rect class=\"overlap\" x=\"\(px(x(o.start)))\" y=\"\(Y)\" width=\"\(px(w(o)))\" height=\"\(px(rowH))\" fill=\"#c0392b\"><title>\(t.tipOverlap) \(formatClock(o.start, fine: true))–\(formatClock(o.end, fine: true))</title></rect>"
            }
            for i in interruptions {
                ob +=
                    "<path class=\"interruption\" d=\"M\(px(x(i.time))) \(YB) l-4 -6 h8 z\" fill=\"#c0392b\"><title>\(htmlEscape(t.fill(t.tipInterruption, t.role(i.speaker), t.role(i.interrupted), formatClock(i.time, fine: true))))</title></path>"
            }
            rows.append((t.rowOverlaps, ob))
        }
        if rows.allSatisfy({ $0.body.isEmpty }) { return "" }
        let height = top + Double(rows.count) * (rowH + gap) + 24
        var s =
            "<svg class=\"plot timeline\" id=\"\(id)\" role=\"img\" aria-label=\"\(htmlEscape(t.timeline))\" viewBox=\"0 0 \(px(width)) \(px(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        timeAxis(start: t0, end: end, y: height - 20, height: height - 20 - top, into: &s)
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * (rowH + gap)
            s +=
                "<text class=\"rowlabel\" x=\"\(px(left - 6))\" y=\"\(px(y + rowH * 0.7))\" text-anchor=\"end\">\(htmlEscape(truncate(row.label, 22)))</text>"
            s += "<rect x=\"\(px(left))\" y=\"\(px(y))\" width=\"\(px(plotWidth))\" height=\"\(px(rowH))\" fill=\"#f6f6f6\"/>"
            s += row.body
        }
        s += "</svg>"
        return s
    }

    // MARK: - Pitch over intensity

    /// The pitch contour of one channel (column mean as a line, min–max as a band) over its
    /// intensity (grey area, right axis), with flagged segments of the speaker shaded.
    public static func contour(_ c: ChannelData, analysis a: AnalysisData) -> String {
        let end = a.timelineEnd
        guard end > 0, c.pitch != nil || c.intensity != nil || c.pitchColumns != nil || c.intensityColumns != nil else { return "" }
        let h = 220.0, top = 10.0, bottom = 30.0
        let ph = h - top - bottom
        let columns = contourColumns
        let f0 = c.pitchColumns ?? c.pitch.map { decimate($0, end: end, columns: columns, accept: { $0.isFinite && $0 > 0 }) } ?? []
        let db = c.intensityColumns ?? c.intensity.map { decimate($0, end: end, columns: columns) } ?? []
        func x(_ col: Int) -> Double { left + (Double(col) + 0.5) }
        func xt(_ t: Double) -> Double { left + max(0, min(end, t)) / end * plotWidth }
        var s =
            "<svg class=\"plot contour\" id=\"contour-\(c.index)\" role=\"img\" aria-label=\"Pitch contour over intensity, \(htmlEscape(c.speaker))\" viewBox=\"0 0 \(px(width)) \(px(h))\" xmlns=\"http://www.w3.org/2000/svg\">"
        s += "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(plotWidth))\" height=\"\(px(ph))\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
        // Flagged and baseline segments of this speaker, shaded.
        let flagged = a.flaggedSegmentIDs
        for seg in (a.segments ?? []) where seg.speaker == c.speaker && (flagged.contains(seg.id) || seg.role == "baseline") {
            let isFlagged = flagged.contains(seg.id)
            s +=
                "<rect class=\"\(isFlagged ? "flagshade" : "baseshade")\" x=\"\(px(xt(seg.start)))\" y=\"\(px(top))\" width=\"\(px(max(0.8, xt(seg.end) - xt(seg.start))))\" height=\"\(px(ph))\" fill=\"\(isFlagged ? "#f5b041" : "#85c1e9")\" fill-opacity=\"0.25\"><title>\(htmlEscape(seg.id)) \(isFlagged ? "flagged for follow-up" : "baseline")</title></rect>"
        }
        // Intensity band (right axis).
        let dbPresent = db.compactMap { $0 }
        if let top99 = dbPresent.map(\.max).max(), let low = quantile(dbPresent.map(\.max), 0.02) {
            let hi = (top99 / 10).rounded(.up) * 10
            // At most a 70 dB range: digital silence (−100 dB and the like) sits on the floor.
            let lo = max(hi - 70, (min(low, top99 - 10) / 10).rounded(.down) * 10)
            func y(_ v: Double) -> Double { top + ph - (max(lo, min(hi, v)) - lo) / (hi - lo) * ph }
            var d = ""
            var open = false
            var lastCol = 0
            for (col, cell) in db.enumerated() {
                if let cell {
                    d += open ? "L\(px(x(col))) \(px(y(cell.max)))" : "M\(px(x(col))) \(px(top + ph))L\(px(x(col))) \(px(y(cell.max)))"
                    open = true
                    lastCol = col
                } else if open {
                    d += "L\(px(x(lastCol))) \(px(top + ph))Z"
                    open = false
                }
            }
            if open { d += "L\(px(x(lastCol))) \(px(top + ph))Z" }
            s += "<path class=\"intensity\" d=\"\(d)\" fill=\"#bbb\" fill-opacity=\"0.55\" stroke=\"none\"/>"
            s += "<g class=\"axis\"><text x=\"\(px(left + plotWidth + 4))\" y=\"\(px(top + 10))\">\(formatValue(hi, digits: 0)) dB</text>"
            s += "<text x=\"\(px(left + plotWidth + 4))\" y=\"\(px(top + ph))\">\(formatValue(lo, digits: 0)) dB</text></g>"
        }
        // F0: min–max band and column means.
        let voiced = f0.compactMap { $0 }
        if !voiced.isEmpty, let qlo = quantile(voiced.map(\.min), 0.02), let qmean = quantile(voiced.map(\.mean), 0.98),
            let qmax = quantile(voiced.map(\.max), 0.9)
        {
            // Robust range: isolated octave jumps are clipped at the top rather than squashing the contour.
            var lo = max(c.pitchFloor ?? 0, (qlo * 0.9 / 10).rounded(.down) * 10)
            var hi = (max(qmean * 1.15, qmax) / 10).rounded(.up) * 10
            if hi - lo < 40 { lo = max(0, lo - 20); hi += 20 }
            func y(_ v: Double) -> Double { top + ph - (max(lo, min(hi, v)) - lo) / (hi - lo) * ph }
            var band = "", line = ""
            var run: [(Int, Column)] = []
            func flush() {
                guard !run.isEmpty else { return }
                line += "M\(px(x(run[0].0))) \(px(y(run[0].1.mean)))"
                if run.count == 1 { line += "h1" }
                for (col, cell) in run.dropFirst() { line += "L\(px(x(col))) \(px(y(cell.mean)))" }
                if run.contains(where: { y($0.1.min) - y($0.1.max) > 1.5 }) {
                    band += "M\(px(x(run[0].0) - 0.5)) \(px(y(run[0].1.max)))"
                    for (col, cell) in run { band += "L\(px(x(col))) \(px(y(cell.max)))" }
                    for (col, cell) in run.reversed() { band += "L\(px(x(col))) \(px(y(cell.min)))" }
                    band += "Z"
                }
                run.removeAll()
            }
            for (col, cell) in f0.enumerated() {
                if let cell { run.append((col, cell)) } else { flush() }
            }
            flush()
            s += "<path class=\"f0band\" d=\"\(band)\" fill=\"#1f618d\" fill-opacity=\"0.25\" stroke=\"none\"/>"
            s += "<path class=\"f0\" d=\"\(line)\" fill=\"none\" stroke=\"#1f618d\" stroke-width=\"1.4\" stroke-linejoin=\"round\"/>"
            let step = tickStep(hi - lo, maxTicks: 5, candidates: [10, 20, 25, 50, 100, 200])
            s += "<g class=\"axis\">"
            var v = (lo / step).rounded(.up) * step
            while v <= hi + 1e-9 {
                s += "<line x1=\"\(px(left - 4))\" y1=\"\(px(y(v)))\" x2=\"\(px(left))\" y2=\"\(px(y(v)))\" stroke=\"#555\"/>"
                s += "<text x=\"\(px(left - 6))\" y=\"\(px(y(v) + 4))\" text-anchor=\"end\">\(formatValue(v, digits: 0)) Hz</text>"
                v += step
            }
            s += "</g>"
        } else {
            s +=
                "<text class=\"missing\" x=\"\(px(left + plotWidth / 2))\" y=\"\(px(top + ph / 2))\" text-anchor=\"middle\">\(c.pitch == nil ? "pitch not computed" : "no voiced frames")</text>"
        }
        timeAxis(end: end, y: top + ph, height: 0, into: &s)
        s += "</svg>"
        return s
    }

    // MARK: - Small helpers

    static let palette = ["#2e86c1", "#28b463", "#8e44ad", "#d35400", "#17a589", "#7f8c8d"]
    static func speakerColour(_ k: Int) -> String { palette[k % palette.count] }

    /// A safe CSS class token (letters, digits, '-').
    static func cssToken(_ s: String) -> String {
        let t = String(
            s.lowercased().unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }.prefix(24).map(
                Character.init))
        return t.isEmpty ? "other" : t
    }

    static func truncate(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
