/// One tidy table over many analysis JSONs (`candor export --format csv --analyses DIR`):
/// a row per segment (or, `.file`, per channel of each recording), with the recording, the
/// channel and speaker, the segment's role, every feature, and per model its index, flag,
/// and for each cue its z-score and contribution.
///
/// Memory stays flat in the number of files: the columns are gathered in a first pass that
/// keeps only their names, and the rows are written in a second pass, one analysis at a time.
/// The column dictionary is in docs/csv.md.
public struct AnalysesTable {
    public enum Per: String, Sendable { case segment, file }

    public static let segmentFixedColumns = [
        "recording", "analysis", "input_sha256", "channel", "speaker", "segment", "label", "role", "start", "end", "flagged",
    ]
    public static let fileFixedColumns = ["recording", "analysis", "input_sha256", "duration_s", "channel", "speaker"]

    public let per: Per
    private(set) var features: [String] = []
    private(set) var models: [String] = []
    /// Per model, the cues (features) its contributions name, in order of first appearance.
    private(set) var cues: [String: [String]] = [:]
    private var seenFeatures = Set<String>()

    public init(per: Per) { self.per = per }

    /// First pass: learns the columns `a` needs.
    public mutating func scan(_ a: AnalysisData) {
        switch per {
        case .segment:
            for s in a.segments ?? [] { for f in s.features + s.formants { addFeature(f.name) } }
            let ids = Set((a.segments ?? []).map(\.id))
            for sc in a.allScores where ids.contains(sc.target) { addModel(sc) }
        case .file:
            for c in a.channels { for m in c.measures { addFeature(m.name) } }
            let speakers = Set(a.channels.map(\.speaker))
            for sc in a.allScores where speakers.contains(sc.target) { addModel(sc) }
        }
    }

    private mutating func addFeature(_ name: String) {
        if seenFeatures.insert(name).inserted { features.append(name) }
    }

    private mutating func addModel(_ sc: ScoreData) {
        if !models.contains(sc.model) { models.append(sc.model) }
        var list = cues[sc.model] ?? []
        for c in sc.contributions where !list.contains(c.feature) { list.append(c.feature) }
        cues[sc.model] = list
    }

    /// The header row's column names.
    public var header: [String] {
        var h = (per == .segment ? Self.segmentFixedColumns : Self.fileFixedColumns) + features
        for m in models {
            h += ["\(m).value", "\(m).flag", "\(m).abstained"]
            for c in cues[m] ?? [] { h += ["\(m).\(c).z", "\(m).\(c).contribution"] }
        }
        return h
    }

    public var headerLine: String { header.map(CSVWriter.field).joined(separator: ",") + "\n" }

    /// Second pass: the rows of `a` (named `name` in the `analysis` column) as CSV lines.
    public func rows(_ a: AnalysisData, name: String) -> String {
        let recording = a.inputPath.map { path in String(path.split(separator: "/").last ?? Substring(path)) } ?? name
        let sha = a.inputSHA256 ?? ""
        let scores = a.allScores
        var out = ""
        switch per {
        case .segment:
            let flagged = a.flaggedSegmentIDs
            for s in a.segments ?? [] {
                let channel = a.channels.first { $0.speaker == s.speaker || $0.role == s.speaker }.map { String($0.index) } ?? ""
                var row = [
                    recording, name, sha, channel, s.speaker, s.id, s.label, s.role, num(s.start), num(s.end),
                    flagged.contains(s.id) ? "true" : "false",
                ]
                row += values(features, s.features + s.formants)
                row += modelCells(scores.filter { $0.target == s.id })
                out += row.map(CSVWriter.field).joined(separator: ",") + "\n"
            }
        case .file:
            for c in a.channels {
                var row = [recording, name, sha, a.duration.map(num) ?? "", String(c.index), c.speaker]
                row += values(features, c.measures)
                row += modelCells(scores.filter { $0.target == c.speaker })
                out += row.map(CSVWriter.field).joined(separator: ",") + "\n"
            }
        }
        return out
    }

    private func values(_ names: [String], _ have: [NamedValue]) -> [String] {
        var byName: [String: NamedValue] = [:]
        for v in have where byName[v.name] == nil { byName[v.name] = v }
        return names.map { n in
            guard let v = byName[n] else { return "" }
            return v.text ?? v.value.map(num) ?? ""
        }
    }

    private func modelCells(_ scores: [ScoreData]) -> [String] {
        var row: [String] = []
        for m in models {
            let sc = scores.first { $0.model == m }
            row += [
                sc?.value.map(num) ?? "", sc?.flag ?? "", sc.map { $0.abstained ? "true" : "false" } ?? "",
            ]
            for cue in cues[m] ?? [] {
                let c = sc?.contributions.first { $0.feature == cue }
                row += [c?.z.map(num) ?? "", c?.contribution.map(num) ?? ""]
            }
        }
        return row
    }

    private func num(_ d: Double) -> String { d.isFinite ? formatValue(d, digits: 6) : "" }
}
