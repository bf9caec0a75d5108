import CandorCore
import Foundation

/// Conversation metrics of one interview, as measured by the timing analysis. The analysis
/// fills this from `conversation` in the analysis JSON.
public struct ConversationMetrics: Codable, Sendable, Equatable {
    /// Length of the analysed interview, in seconds.
    public var durationS: Double
    /// The interviewee's share of the total speaking time, in [0, 1] (nil if roles are unknown).
    public var intervieweeTalkShare: Double?
    /// Times the interviewer started speaking while the interviewee was mid-turn.
    public var interviewerInterruptions: Int
    /// For each interviewer question answered by the interviewee: start of the answer − end of the question (s).
    public var responseLatenciesS: [Double]
    /// For each interviewer question after which the interviewer spoke again before the interviewee
    /// answered: the silence the interviewer left before speaking again (s). Empty when that never happened.
    public var silencesAfterQuestionsS: [Double]
    /// Duration of every interviewer turn (s).
    public var interviewerTurnDurationsS: [Double]

    public init(
        durationS: Double, intervieweeTalkShare: Double?, interviewerInterruptions: Int, responseLatenciesS: [Double],
        silencesAfterQuestionsS: [Double], interviewerTurnDurationsS: [Double]
    ) {
        self.durationS = durationS
        self.intervieweeTalkShare = intervieweeTalkShare
        self.interviewerInterruptions = interviewerInterruptions
        self.responseLatenciesS = responseLatenciesS
        self.silencesAfterQuestionsS = silencesAfterQuestionsS
        self.interviewerTurnDurationsS = interviewerTurnDurationsS
    }

    enum CodingKeys: String, CodingKey {
        case durationS = "duration_s"
        case intervieweeTalkShare = "interviewee_talk_share"
        case interviewerInterruptions = "interviewer_interruptions"
        case responseLatenciesS = "response_latencies_s"
        case silencesAfterQuestionsS = "silences_after_questions_s"
        case interviewerTurnDurationsS = "interviewer_turn_durations_s"
    }
}

/// Scores how an interview was conducted against target ranges tied to PEACE and the Méndez
/// Principles. Each metric gets a status and a score in [0, 1] (1 inside the target range, falling
/// linearly to 0 at `soft_margin` outside it); the index is the weighted mean over available metrics.
public struct InterviewQualityModel: Sendable {
    public static let metricNames: Set<String> = [
        "interviewee_talk_share", "interviewer_interruptions_per_10min", "response_latency_median_s",
        "silence_after_questions_median_s", "interviewer_monologues_per_10min",
    ]
    public static let reviewFlag = "interview technique review suggested"

    public let model: LoadedModel

    public init(_ model: LoadedModel) throws {
        guard model.file.kind == .interviewQuality else {
            throw ModelInputError(path: model.path, "model '\(model.id)' is of kind \(model.file.kind.rawValue), not interview-quality")
        }
        self.model = model
    }

    /// The measured value of each metric (nil when it cannot be computed from the inputs).
    public func metricValues(_ m: ConversationMetrics) -> [String: (value: Double?, note: String?)] {
        let p = model.file.parameters
        let window = p["rate_window_s"] ?? 600
        let monologue = p["monologue_threshold_s"] ?? 30
        let minutesOK = m.durationS.isFinite && m.durationS > 0
        var out: [String: (Double?, String?)] = [:]
        if let s = m.intervieweeTalkShare, s.isFinite, (0...1).contains(s) {
            out["interviewee_talk_share"] = (s, nil)
        } else {
            out["interviewee_talk_share"] = (nil, "talk share not measured (speaker roles unknown?)")
        }
        out["interviewer_interruptions_per_10min"] =
            minutesOK
            ? (
                Double(m.interviewerInterruptions) / m.durationS * window,
                "\(m.interviewerInterruptions) interruptions in \(Self.fmt(m.durationS)) s"
            )
            : (nil, "duration unknown")
        let lat = m.responseLatenciesS.filter(\.isFinite).sorted()
        out["response_latency_median_s"] =
            lat.isEmpty
            ? (nil, "no answered questions")
            : (
                Metrics.percentile(lat, 0.5),
                "n = \(lat.count), 10th–90th percentile \(Self.fmt(Metrics.percentile(lat, 0.1)))–\(Self.fmt(Metrics.percentile(lat, 0.9))) s"
            )
        let sil = m.silencesAfterQuestionsS.filter(\.isFinite).sorted()
        out["silence_after_questions_median_s"] =
            sil.isEmpty
            ? (nil, "the interviewer never spoke again before an answer came")
            : (Metrics.percentile(sil, 0.5), "n = \(sil.count) questions followed by the interviewer speaking again")
        let long = m.interviewerTurnDurationsS.filter { $0 > monologue }.count
        out["interviewer_monologues_per_10min"] =
            minutesOK
            ? (Double(long) / m.durationS * window, "\(long) interviewer turns longer than \(Self.fmt(monologue)) s")
            : (nil, "duration unknown")
        return out
    }

    public func score(_ metrics: ConversationMetrics, target: String = "interview") -> ModelScore {
        let values = metricValues(metrics)
        var parts: [(spec: FeatureSpec, value: Double?, score: Double?, status: String, note: String?)] = []
        for spec in model.file.features {
            let (value, note) = values[spec.name] ?? (nil, nil)
            guard let v = value else {
                parts.append((spec, nil, nil, "not available", note))
                continue
            }
            let margin = spec.softMargin ?? 1
            var s = 1.0
            var status = "in range"
            if let lo = spec.targetLow, v < lo {
                s = max(0, 1 - (lo - v) / margin)
                status = "below range"
            } else if let hi = spec.targetHigh, v > hi {
                s = max(0, 1 - (v - hi) / margin)
                status = "above range"
            }
            parts.append((spec, v, s, status, note))
        }
        let totalWeight = parts.filter { $0.score != nil }.reduce(0.0) { $0 + ($1.spec.weight ?? 0) }
        var contributions = parts.map { p in
            Contribution(
                feature: p.spec.name, value: p.value, weight: p.spec.weight,
                contribution: p.score.map { totalWeight > 0 ? (p.spec.weight ?? 0) * $0 / totalWeight : 0 },
                status: p.status, targetLow: p.spec.targetLow, targetHigh: p.spec.targetHigh, unit: p.spec.unit,
                source: p.spec.source, evidence: p.spec.evidence, note: p.note)
        }
        guard totalWeight > 0 else {
            return .abstain(model, target: target, reason: "none of the interview metrics could be measured", contributions: contributions)
        }
        let index = contributions.compactMap(\.contribution).reduce(0, +)
        // Shortfall ranks the cues: how much index each metric lost by being outside its range.
        let shortfall = Dictionary(
            uniqueKeysWithValues: parts.map { p in
                (p.spec.name, p.score.map { (p.spec.weight ?? 0) * (1 - $0) / totalWeight } ?? -1)
            })
        contributions.sort { shortfall[$0.feature]! > shortfall[$1.feature]! }
        let top = contributions.filter { shortfall[$0.feature]! > 0 }.prefix(3).map(\.feature)
        let threshold = model.file.calibration.flagThreshold ?? 0.5
        return ModelScore(
            model: model.id, modelVersion: model.version, modelSHA256: model.sha256, target: target,
            value: index, flag: index < threshold ? Self.reviewFlag : nil,
            contributions: contributions, topCues: Array(top))
    }

    static func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
}

extension ConversationMetrics {
    /// Derives the metrics from a list of turns (as in the analysis JSON `conversation.turns`).
    ///
    /// Without a transcript every interviewer turn is taken as a question. Turns are read in
    /// order of start time:
    /// - talk share = interviewee turn time / (interviewer + interviewee turn time);
    /// - an interruption = an interviewer turn that starts strictly inside an interviewee turn;
    /// - response latency = start of the next turn − end of an interviewer turn, when that next
    ///   turn is the interviewee's (negative when the answer overlaps the question);
    /// - silence after a question = start of the next turn − end of an interviewer turn, when the
    ///   next turn is the interviewer's again (the interviewer broke the silence);
    /// - interviewer turn durations = end − start of every interviewer turn.
    /// An interviewer turn lying wholly inside an interviewee turn (an interjection) gives no
    /// latency or silence. Turns of other speakers are ignored.
    public init(turns: [Turn], interviewer: String, interviewee: String, durationS: Double) {
        let sorted = turns.filter { ($0.speaker == interviewer || $0.speaker == interviewee) && $0.end >= $0.start }
            .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end < $1.end }
        let talkA = sorted.filter { $0.speaker == interviewer }.reduce(0) { $0 + $1.end - $1.start }
        let talkB = sorted.filter { $0.speaker == interviewee }.reduce(0) { $0 + $1.end - $1.start }
        var interruptions = 0
        var latencies: [Double] = []
        var silences: [Double] = []
        for (k, t) in sorted.enumerated() where t.speaker == interviewer {
            if sorted.contains(where: { $0.speaker == interviewee && $0.start < t.start && t.start < $0.end }) { interruptions += 1 }
            // A turn wholly inside an interviewee turn (an interjection) asks no question that
            // could be followed by a latency or a silence.
            let embedded = sorted.contains { $0.speaker == interviewee && $0.start < t.start && $0.end > t.end }
            guard k + 1 < sorted.count, !embedded else { continue }
            let next = sorted[k + 1]
            if next.speaker == interviewee {
                latencies.append(next.start - t.end)
            } else if next.start >= t.end {
                silences.append(next.start - t.end)
            }
        }
        self.init(
            durationS: durationS,
            intervieweeTalkShare: talkA + talkB > 0 ? talkB / (talkA + talkB) : nil,
            interviewerInterruptions: interruptions,
            responseLatenciesS: latencies,
            silencesAfterQuestionsS: silences,
            interviewerTurnDurationsS: sorted.filter { $0.speaker == interviewer }.map { $0.end - $0.start })
    }
}
