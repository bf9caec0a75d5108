/// CSV tables (RFC 4180: comma-separated, `"`-quoted when needed, CRLF-free `\n` line ends,
/// UTF-8, header row). Missing values are empty cells (NA in R, NaN in pandas). The column
/// dictionary is in docs/csv.md.
public enum CSVWriter {
    public static let frameColumns = ["channel", "speaker", "t", "f0_hz", "intensity_db"]
    public static let segmentFixedColumns = ["id", "label", "speaker", "role", "start", "end", "flagged"]

    /// Frame-level table in long form: one row per channel and pitch frame. Intensity is
    /// taken at the pitch frame's time (linear interpolation when the grids differ). A
    /// channel without pitch uses its intensity frames. Rows go to `emit` in chunks.
    public static func frames(_ a: AnalysisData, emit: (String) -> Void) {
        var buf = frameColumns.joined(separator: ",") + "\n"
        for c in a.channels {
            let speaker = field(c.speaker)
            let times = c.pitch?.times ?? c.intensity?.times ?? []
            let sameGrid = c.pitch != nil && c.intensity != nil && c.pitch!.times == c.intensity!.times
            for i in 0..<times.count {
                let t = times[i]
                let f0 = c.pitch.map { $0.values[i] } ?? .nan
                let db: Double
                if let it = c.intensity { db = sameGrid || c.pitch == nil ? it.values[i] : it.value(at: t) } else { db = .nan }
                buf +=
                    "\(c.index),\(speaker),\(formatValue(t, digits: 6)),\(f0.isFinite && f0 > 0 ? formatValue(f0, digits: 3) : ""),\(db.isFinite ? formatValue(db, digits: 3) : "")\n"
                if buf.utf8.count > 1 << 16 { emit(buf); buf = "" }
            }
        }
        emit(buf)
    }

    /// Segment-level table: the fixed columns, then every feature name found in any segment
    /// (in order of first appearance), then per model `<model>.value`, `<model>.flag`,
    /// `<model>.abstained`, `<model>.top_cues` (cues separated by `;`).
    public static func segments(_ a: AnalysisData) -> String {
        let segs = a.segments ?? []
        var features: [String] = []
        for s in segs { for f in s.features where !features.contains(f.name) { features.append(f.name) } }
        let scores = a.allScores
        var models: [String] = []
        for s in scores where segs.contains(where: { $0.id == s.target }) && !models.contains(s.model) { models.append(s.model) }
        let flagged = a.flaggedSegmentIDs
        var header = segmentFixedColumns + features
        for m in models { header += ["\(m).value", "\(m).flag", "\(m).abstained", "\(m).top_cues"] }
        let evidenceModels = models.filter { m in scores.contains { $0.model == m && $0.evidence != nil } }
        for m in evidenceModels {
            header += ["\(m).baseline_n", "\(m).alpha", "\(m).measured_false_flag_rate", "\(m).ppv", "\(m).evidence"]
        }
        var out = header.map(field).joined(separator: ",") + "\n"
        for s in segs {
            var row = [
                s.id, s.label, s.speaker, s.role, formatValue(s.start, digits: 6), formatValue(s.end, digits: 6),
                flagged.contains(s.id) ? "true" : "false",
            ]
            for name in features {
                let f = s.features.first { $0.name == name }
                row.append(f?.text ?? f?.value.map { formatValue($0, digits: 6) } ?? "")
            }
            for m in models {
                if let sc = scores.first(where: { $0.model == m && $0.target == s.id }) {
                    let cues = sc.topCues.isEmpty ? sc.contributions.filter { $0.contribution != nil }.prefix(3).map(\.feature) : sc.topCues
                    row += [
                        sc.value.map { formatValue($0, digits: 6) } ?? "", sc.flag ?? "", sc.abstained ? "true" : "false",
                        cues.joined(separator: ";"),
                    ]
                } else {
                    row += ["", "", "", ""]
                }
            }
            for m in evidenceModels {
                guard let sc = scores.first(where: { $0.model == m && $0.target == s.id }), let ev = sc.evidence else {
                    row += ["", "", "", "", ""]
                    continue
                }
                row += [
                    String(ev.baselineN), formatValue(ev.alpha, digits: 6),
                    ev.measuredFalseFlagRate.map { formatValue($0.rate, digits: 6) } ?? "",
                    formatValue(ev.ppv.ppv, digits: 6), cueEvidence(sc),
                ]
            }
            out += row.map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    /// `<model>.evidence`: per cue outside its interval (or, without a flag, the closest cues),
    /// `feature value=… n=… mean=… sd=… interval=[lo;hi] floor=yes|no clip=yes|no`, cues separated by ` | `.
    static func cueEvidence(_ sc: ScoreData) -> String {
        let withBaseline = sc.contributions.filter { $0.baseline != nil }
        let outside = withBaseline.filter { $0.baseline!.outside }
        let chosen = outside.isEmpty ? withBaseline.filter { sc.topCues.contains($0.feature) } : outside
        return chosen.map { c in
            let b = c.baseline!
            return
                "\(c.feature) value=\(formatValue(c.value, digits: 4)) n=\(b.n) mean=\(formatValue(b.mean, digits: 4)) sd=\(formatValue(b.sd, digits: 4))"
                + (b.scale == "log" ? " scale=log" : "")
                + " interval=[\(formatValue(b.intervalLow, digits: 4));\(formatValue(b.intervalHigh, digits: 4))]"
                + " floor=\(b.sdFloorApplied ? "yes" : "no") clip=\(b.zClipped ? "yes" : "no")"
        }.joined(separator: " | ")
    }

    /// One RFC 4180 field: quoted when it contains a comma, quote, CR or LF (quotes doubled).
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
