import Foundation

/// One recording's segments, for measuring a baseline-deviation model's false-flag rate.
public struct CalibrationInterview: Sendable {
    /// Where the segments come from (an analysis JSON path).
    public var source: String
    /// In time order: the first n baseline segments of a speaker are the ones kept at size n.
    public var segments: [SegmentFeatures]
    /// Segment labels by id (shown in the per-answer rows).
    public var labels: [String: String]

    public init(source: String, segments: [SegmentFeatures], labels: [String: String] = [:]) {
        self.source = source
        self.segments = segments
        self.labels = labels
    }
}

/// One answer as scored at one baseline size.
public struct CalibrationAnswer: Codable, Sendable, Equatable {
    public var source: String
    public var target: String
    public var label: String
    public var speaker: String
    /// Requested baseline size (nil: all of the speaker's baseline segments).
    public var baselineSize: Int?
    public var baselineN: Int
    public var value: Double?
    public var flagged: Bool
    public var abstained: Bool
    public var topCues: [String]

    enum CodingKeys: String, CodingKey {
        case source, target, label, speaker
        case baselineSize = "baseline_size"
        case baselineN = "baseline_n"
        case value, flagged, abstained
        case topCues = "top_cues"
    }
}

/// The false-flag rate at one baseline size.
public struct CalibrationRow: Codable, Sendable, Equatable {
    /// nil: every speaker's full baseline.
    public var baselineSize: Int?
    public var speakers: Int
    /// Speakers left out because they have fewer baseline segments than `baselineSize`.
    public var speakersTooFewBaselines: Int
    public var answers: Int
    public var abstained: Int
    /// flagged / scored (answers that were not abstained on), with a Clopper–Pearson 95% CI.
    public var falseFlagRate: Proportion
    /// scored / answers.
    public var scoredShare: Double?

    enum CodingKeys: String, CodingKey {
        case baselineSize = "baseline_size"
        case speakers
        case speakersTooFewBaselines = "speakers_too_few_baselines"
        case answers, abstained
        case falseFlagRate = "false_flag_rate"
        case scoredShare = "scored_share"
    }
}

/// `candor calibrate`'s result (`"schema": "candor.calibration/1"`).
public struct CalibrationReport: Codable, Sendable, Equatable {
    public var schema = "candor.calibration/1"
    public var model: String
    public var modelVersion: String
    public var modelSHA256: String
    public var alpha: Double
    public var sources: [String]
    public var rows: [CalibrationRow]
    public var answers: [CalibrationAnswer]
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case schema, model
        case modelVersion = "model_version"
        case modelSHA256 = "model_sha256"
        case alpha, sources, rows, answers, notes
    }

    /// A plain-text table for the terminal.
    public func renderText() -> String {
        var s = "false-flag rate of \(model) \(modelVersion) on neutral answers (declared alpha \(String(format: "%g", alpha)))\n"
        s += "sources: \(sources.count) recording(s)\n"
        s += "baseline  speakers  answers  abstained  scored  flagged  rate     95% CI (Clopper-Pearson)\n"
        for r in rows {
            let p = r.falseFlagRate
            let rate = p.rate.map { String(format: "%.4f", $0) } ?? "–"
            let ci = p.ciLow.map { String(format: "%.4f–%.4f", $0, p.ciHigh!) } ?? "–"
            let size = r.baselineSize.map(String.init) ?? "all"
            s +=
                size.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(r.speakers).padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(r.answers).padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(r.abstained).padding(toLength: 11, withPad: " ", startingAt: 0)
                + String(p.total).padding(toLength: 8, withPad: " ", startingAt: 0)
                + String(p.count).padding(toLength: 9, withPad: " ", startingAt: 0)
                + rate.padding(toLength: 9, withPad: " ", startingAt: 0) + ci + "\n"
        }
        for n in notes { s += "note: \(n)\n" }
        return s
    }
}

/// Measures the per-answer false-flag rate of a baseline-deviation model on recordings in which
/// nothing changed (neutral baseline and neutral answers), at several baseline sizes.
///
/// At size n every speaker keeps only their first n baseline segments; speakers with fewer are
/// left out of that row (and counted). The rate is flagged / scored answers with an exact
/// Clopper–Pearson 95% interval. The interval treats answers as independent; answers of one
/// speaker share a baseline, so with few speakers the true uncertainty is larger.
public enum NullCalibration {
    public static func run(
        model: BaselineDeviationModel, interviews: [CalibrationInterview],
        baselineSizes: [Int?]
    ) -> CalibrationReport {
        var rows: [CalibrationRow] = []
        var answers: [CalibrationAnswer] = []
        for size in baselineSizes {
            var speakers = 0, tooFew = 0, total = 0, abstained = 0, flagged = 0, scored = 0
            for iv in interviews {
                var bySpeaker: [String: [SegmentFeatures]] = [:]
                var order: [String] = []
                for s in iv.segments where s.role == .baseline || s.role == .answer {
                    if bySpeaker[s.speaker] == nil { order.append(s.speaker) }
                    bySpeaker[s.speaker, default: []].append(s)
                }
                for speaker in order {
                    let segs = bySpeaker[speaker]!
                    let base = segs.filter { $0.role == .baseline }
                    guard segs.contains(where: { $0.role == .answer }) else { continue }
                    if let size, base.count < size { tooFew += 1; continue }
                    speakers += 1
                    let keep = Set(base.prefix(size ?? base.count).map(\.id))
                    let input = segs.filter { $0.role == .answer || keep.contains($0.id) }
                    for sc in model.score(segments: input) {
                        total += 1
                        if sc.abstained { abstained += 1 } else { scored += 1 }
                        if sc.flag != nil { flagged += 1 }
                        answers.append(
                            CalibrationAnswer(
                                source: iv.source, target: sc.target, label: iv.labels[sc.target] ?? "",
                                speaker: speaker, baselineSize: size, baselineN: keep.count,
                                value: sc.value, flagged: sc.flag != nil, abstained: sc.abstained,
                                topCues: sc.topCues))
                    }
                }
            }
            rows.append(
                CalibrationRow(
                    baselineSize: size, speakers: speakers, speakersTooFewBaselines: tooFew, answers: total,
                    abstained: abstained, falseFlagRate: Proportion(count: flagged, total: scored),
                    scoredShare: total > 0 ? Double(scored) / Double(total) : nil))
        }
        var notes = [
            "Use recordings in which nothing is expected to change (neutral questions throughout): every flag counted here is a false flag.",
            "The 95% interval treats answers as independent; answers of one speaker share a baseline, so with few speakers the real uncertainty is larger.",
        ]
        if rows.contains(where: { ($0.falseFlagRate.ciLow ?? 0) > model.alpha }) {
            notes.append(
                "At some baseline size the whole 95% interval is above alpha: on these recordings the model flags more often than it declares. Do not rely on its flags in these rooms before investigating (recording conditions, baseline questions, segment lengths)."
            )
        }
        return CalibrationReport(
            model: model.model.id, modelVersion: model.model.version, modelSHA256: model.model.sha256,
            alpha: model.alpha, sources: interviews.map(\.source), rows: rows, answers: answers, notes: notes)
    }
}
