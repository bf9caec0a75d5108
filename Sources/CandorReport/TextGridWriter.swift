/// Writes a Praat TextGrid (long text format, UTF-8) from an analysis:
/// - `turns-<speaker>`: interval tier, the speaker's turns (text = speaker);
/// - `pauses-<speaker>`: interval tier, silent pauses (text = "pause");
/// - `segments-<speaker>`: interval tier, annotated segments (text = `[role] label`);
/// - `flagged`: interval tier, segments flagged for follow-up (text = `id: top cues`);
/// - `pitch-<speaker>`: point (text) tier, one point per voiced pitch frame (mark = F0 in Hz).
///
/// Interval tiers cover [0, duration] without gaps (unlabelled stretches have empty text).
/// Overlapping intervals within one tier (possible for `flagged` across speakers, or from
/// rounding) are clipped to start where the previous one ends; intervals left empty are dropped.
public enum TextGridWriter {
    public struct Tier: Sendable {
        public enum Kind: Sendable { case interval, text }
        public var name: String
        public var kind: Kind
        /// Intervals (start, end, text) or points (time, start == end, text).
        public var items: [(start: Double, end: Double, text: String)]
    }

    /// The tiers an analysis produces (see the type documentation), in output order.
    public static func tiers(_ a: AnalysisData) -> [Tier] {
        var tiers: [Tier] = []
        let speakers = a.speakers
        for sp in speakers {
            if let turns = a.conversation?.turns.filter({ $0.speaker == sp }), a.conversation != nil {
                tiers.append(Tier(name: "turns-\(sp)", kind: .interval, items: turns.map { ($0.start, $0.end, sp) }))
            }
        }
        for c in a.channels {
            if let t = c.timing {
                tiers.append(Tier(name: "pauses-\(c.speaker)", kind: .interval, items: t.pauses.map { ($0.start, $0.end, "pause") }))
            }
        }
        if let segs = a.segments {
            for sp in speakers {
                let mine = segs.filter { $0.speaker == sp }
                if mine.isEmpty { continue }
                tiers.append(
                    Tier(
                        name: "segments-\(sp)", kind: .interval,
                        items: mine.map { ($0.start, $0.end, "[\($0.role)] \($0.label)") }))
            }
            let others = segs.filter { !speakers.contains($0.speaker) }
            if !others.isEmpty {
                tiers.append(Tier(name: "segments", kind: .interval, items: others.map { ($0.start, $0.end, "[\($0.role)] \($0.label)") }))
            }
        }
        if a.scores != nil || a.segments != nil {
            let flaggedScores = a.allScores.filter(\.isFlagged)
            var items: [(start: Double, end: Double, text: String)] = []
            for seg in a.segments ?? [] {
                let mine = flaggedScores.filter { $0.target == seg.id }
                guard !mine.isEmpty else { continue }
                let cues = mine.flatMap { $0.topCues.isEmpty ? $0.contributions.prefix(3).map(\.feature) : $0.topCues }
                items.append((seg.start, seg.end, "\(seg.id): " + cues.joined(separator: ", ")))
            }
            tiers.append(Tier(name: "flagged", kind: .interval, items: items))
        }
        for c in a.channels {
            guard let p = c.pitch else { continue }
            var pts: [(start: Double, end: Double, text: String)] = []
            for i in 0..<p.count where p.values[i].isFinite && p.values[i] > 0 {
                pts.append((p.times[i], p.times[i], formatValue(p.values[i], digits: 2)))
            }
            tiers.append(Tier(name: "pitch-\(c.speaker)", kind: .text, items: pts))
        }
        return tiers
    }

    /// The TextGrid text for an analysis.
    public static func write(_ a: AnalysisData) -> String {
        var end = a.timelineEnd
        let tiers = tiers(a)
        for t in tiers { for i in t.items { end = max(end, i.end) } }
        if end <= 0 { end = 1 }
        return write(tiers, xmax: end)
    }

    public static func write(_ tiers: [Tier], xmax: Double) -> String {
        var s =
            "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = \(num(xmax))\ntiers? <exists>\nsize = \(tiers.count)\nitem []:\n"
        for (k, tier) in tiers.enumerated() {
            s += "    item [\(k + 1)]:\n"
            switch tier.kind {
            case .interval:
                let intervals = fill(tier.items, xmax: xmax)
                s += "        class = \"IntervalTier\"\n        name = \(quote(tier.name))\n        xmin = 0\n        xmax = \(num(xmax))\n"
                s += "        intervals: size = \(intervals.count)\n"
                for (i, iv) in intervals.enumerated() {
                    s +=
                        "        intervals [\(i + 1)]:\n            xmin = \(num(iv.0))\n            xmax = \(num(iv.1))\n            text = \(quote(iv.2))\n"
                }
            case .text:
                let pts = tier.items.filter { $0.start >= 0 && $0.start <= xmax }.sorted { $0.start < $1.start }
                s += "        class = \"TextTier\"\n        name = \(quote(tier.name))\n        xmin = 0\n        xmax = \(num(xmax))\n"
                s += "        points: size = \(pts.count)\n"
                for (i, p) in pts.enumerated() {
                    s += "        points [\(i + 1)]:\n            number = \(num(p.start))\n            mark = \(quote(p.text))\n"
                }
            }
        }
        return s
    }

    /// Sorted, clipped intervals with empty-text fillers so they tile [0, xmax].
    static func fill(_ items: [(start: Double, end: Double, text: String)], xmax: Double) -> [(Double, Double, String)] {
        var out: [(Double, Double, String)] = []
        var cursor = 0.0
        for it in items.sorted(by: { $0.start < $1.start }) {
            let a = max(round6(it.start), cursor), b = min(round6(it.end), xmax)
            guard b > a else { continue }
            if a > cursor { out.append((cursor, a, "")) }
            out.append((a, b, it.text))
            cursor = b
        }
        if cursor < xmax || out.isEmpty { out.append((cursor, xmax, "")) }
        return out
    }

    static func round6(_ d: Double) -> Double { (d * 1e6).rounded() / 1e6 }
    static func num(_ d: Double) -> String { formatValue(d, digits: 6) }

    /// A Praat string literal: double quotes, with `"` doubled. Line breaks become spaces
    /// (a label is one line in Praat's interval display).
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\"\""
            case "\n", "\r", "\r\n", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
