import Foundation

/// One cue's part in a score: what was measured, how it compared, and how much it moved the value.
public struct Contribution: Codable, Sendable, Equatable {
    /// Feature or metric name, e.g. "f0_mean_st" or "interviewee_talk_share".
    public var feature: String
    /// The measured value (nil when not available).
    public var value: Double?
    /// z-score against the speaker's own baseline (baseline-deviation) or the training set (logistic).
    public var z: Double?
    public var weight: Double?
    /// Share of the model's value attributed to this cue (sums to the value for additive models).
    public var contribution: Double?
    /// "in range", "below range", "above range", "not available", "above baseline", "below baseline", ...
    public var status: String?
    public var targetLow: Double?
    public var targetHigh: Double?
    public var unit: String?
    public var source: String?
    public var evidence: String?
    public var note: String?
    /// baseline-deviation evidence: the prediction interval behind this cue (nil for other models).
    public var baseline: CueBaseline?

    public init(
        feature: String, value: Double? = nil, z: Double? = nil, weight: Double? = nil, contribution: Double? = nil,
        status: String? = nil, targetLow: Double? = nil, targetHigh: Double? = nil, unit: String? = nil,
        source: String? = nil, evidence: String? = nil, note: String? = nil, baseline: CueBaseline? = nil
    ) {
        self.feature = feature
        self.value = value
        self.z = z
        self.weight = weight
        self.contribution = contribution
        self.status = status
        self.targetLow = targetLow
        self.targetHigh = targetHigh
        self.unit = unit
        self.source = source
        self.evidence = evidence
        self.note = note
        self.baseline = baseline
    }

    enum CodingKeys: String, CodingKey {
        case feature, value, z, weight, contribution, status
        case targetLow = "target_low"
        case targetHigh = "target_high"
        case unit, source, evidence, note, baseline
    }
}

/// A model's output for one target: an element of `scores[]` in the analysis JSON
/// (`{model, model_version, model_sha256, target, value, flag, contributions}` plus
/// `abstained` and `reason`). `value`, `flag` and `reason` are written as explicit nulls.
public struct ModelScore: Codable, Sendable, Equatable {
    public static let followUpFlag = "follow-up suggested"

    public var model: String
    public var modelVersion: String
    public var modelSHA256: String
    /// What was scored: "interview" or a segment id.
    public var target: String
    /// In [0, 1]; nil when the model abstained.
    public var value: Double?
    /// `ModelScore.followUpFlag` or nil.
    public var flag: String?
    /// Sorted by |contribution|, largest first.
    public var contributions: [Contribution]
    public var abstained: Bool
    public var reason: String?
    /// Names of the cues that drove the value most (largest contributions first).
    public var topCues: [String]
    /// baseline-deviation: declared and measured false-flag rate and the PPV arithmetic (nil for other models).
    public var evidence: FlagEvidence?

    public init(
        model: String, modelVersion: String, modelSHA256: String, target: String, value: Double?, flag: String?,
        contributions: [Contribution], abstained: Bool = false, reason: String? = nil, topCues: [String] = [],
        evidence: FlagEvidence? = nil
    ) {
        self.model = model
        self.modelVersion = modelVersion
        self.modelSHA256 = modelSHA256
        self.target = target
        self.value = value
        self.flag = flag
        self.contributions = contributions
        self.abstained = abstained
        self.reason = reason
        self.topCues = topCues
        self.evidence = evidence
    }

    /// An abstention: no value, no flag, and the reason.
    public static func abstain(
        _ model: LoadedModel, target: String, reason: String, contributions: [Contribution] = [],
        evidence: FlagEvidence? = nil
    ) -> ModelScore {
        ModelScore(
            model: model.id, modelVersion: model.version, modelSHA256: model.sha256, target: target,
            value: nil, flag: nil, contributions: contributions, abstained: true, reason: reason, evidence: evidence)
    }

    enum CodingKeys: String, CodingKey {
        case model
        case modelVersion = "model_version"
        case modelSHA256 = "model_sha256"
        case target, value, flag, contributions, abstained, reason
        case topCues = "top_cues"
        case evidence
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        modelVersion = try c.decode(String.self, forKey: .modelVersion)
        modelSHA256 = try c.decode(String.self, forKey: .modelSHA256)
        target = try c.decode(String.self, forKey: .target)
        value = try c.decodeIfPresent(Double.self, forKey: .value)
        flag = try c.decodeIfPresent(String.self, forKey: .flag)
        contributions = try c.decode([Contribution].self, forKey: .contributions)
        abstained = try c.decodeIfPresent(Bool.self, forKey: .abstained) ?? false
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        topCues = try c.decodeIfPresent([String].self, forKey: .topCues) ?? []
        evidence = try c.decodeIfPresent(FlagEvidence.self, forKey: .evidence)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(modelVersion, forKey: .modelVersion)
        try c.encode(modelSHA256, forKey: .modelSHA256)
        try c.encode(target, forKey: .target)
        try c.encode(value, forKey: .value)
        try c.encode(flag, forKey: .flag)
        try c.encode(contributions, forKey: .contributions)
        try c.encode(abstained, forKey: .abstained)
        try c.encode(reason, forKey: .reason)
        try c.encode(topCues, forKey: .topCues)
        try c.encodeIfPresent(evidence, forKey: .evidence)
    }
}

/// The claims policy (docs/science.md) as code: words Candor never outputs.
public enum ClaimsPolicy {
    /// Verdict words, matched as whole words, case-insensitively.
    public static let verdictWords = [
        "lie", "lies", "lied", "lying", "liar", "liars", "deceptive", "deceptively",  // must never appear
        "truthful", "truthfulness", "untruthful", "guilt", "guilty",  // must never appear
    ]

    /// Words a model's target or id must not use: the verdict words, and the constructs a
    /// voice model cannot measure (a target named so would present its score as a verdict).
    public static let forbiddenTargetWords =
        verdictWords + [
            "deception", "deceit", "deceiving", "deceive", "honest", "honesty", "dishonest", "dishonesty", "credibility",
            "credible", "veracity", "guiltiness",
        ]

    /// The first verdict word found in any of the texts, or nil.
    public static func firstVerdictWord(in texts: [String], words list: [String] = verdictWords) -> String? {
        let words = Set(list)
        for text in texts {
            var current = ""
            for ch in text.lowercased() {
                if ch.isLetter {
                    current.append(ch)
                } else {
                    if words.contains(current) { return current }
                    current = ""
                }
            }
            if words.contains(current) { return current }
        }
        return nil
    }
}
