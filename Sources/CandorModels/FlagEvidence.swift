import Foundation

/// What a baseline-deviation score rests on, written next to every score in the analysis JSON
/// (`scores[].evidence`): the declared error rate, the baseline size, the rate measured on
/// neutral speech at that size, and the positive-predictive-value arithmetic of the model card.
public struct FlagEvidence: Codable, Sendable, Equatable {
    /// Declared per-answer false-flag rate when nothing changed (the test's level).
    public var alpha: Double
    /// The speaker's number of baseline segments.
    public var baselineN: Int
    /// How the cues were combined, in words.
    public var method: String
    /// Upper bound on the per-answer false-flag rate under the model's null (= alpha).
    public var falseFlagRateBound: Double
    /// The rate measured on held-out neutral speech at the nearest measured baseline size at or
    /// below `baselineN` (from the model file), if any.
    public var measuredFalseFlagRate: MeasuredRate?
    public var ppv: PPVArithmetic

    public init(alpha: Double, baselineN: Int, method: String, measured: MeasuredRate?, ppv: PPVArithmetic) {
        self.alpha = alpha
        self.baselineN = baselineN
        self.method = method
        self.falseFlagRateBound = alpha
        self.measuredFalseFlagRate = measured
        self.ppv = ppv
    }

    enum CodingKeys: String, CodingKey {
        case alpha
        case baselineN = "baseline_n"
        case method
        case falseFlagRateBound = "false_flag_rate_bound"
        case measuredFalseFlagRate = "measured_false_flag_rate"
        case ppv
    }
}

/// A false-flag rate measured on neutral speech at one baseline size (stored in the model file
/// under `calibration.null_false_flag_rate`).
public struct MeasuredRate: Codable, Sendable, Equatable {
    public var baselineN: Int
    public var flagged: Int
    public var scored: Int
    public var rate: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Where it was measured (data set, split).
    public var source: String

    public init(baselineN: Int, flagged: Int, scored: Int, source: String) {
        let p = Proportion(count: flagged, total: max(scored, flagged))
        self.baselineN = baselineN
        self.flagged = flagged
        self.scored = scored
        self.rate = p.rate ?? 0
        self.ciLow = p.ciLow ?? 0
        self.ciHigh = p.ciHigh ?? 1
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case baselineN = "baseline_n"
        case flagged, scored, rate
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case source
    }
}

/// PPV = s·π / (s·π + f·(1 − π)) for a base rate π of answers with a real change, a sensitivity s
/// to that change and a false-flag rate f. Shown with every flag, so the reader sees how many
/// flags to expect to be false alarms even for a well-calibrated detector of *change*.
public struct PPVArithmetic: Codable, Sendable, Equatable {
    public var baseRate: Double
    public var sensitivity: Double
    public var falseFlagRate: Double
    public var ppv: Double
    public var text: String

    public init(baseRate: Double = 0.10, sensitivity: Double = 0.70, falseFlagRate: Double) {
        self.baseRate = baseRate
        self.sensitivity = sensitivity
        self.falseFlagRate = falseFlagRate
        let tp = sensitivity * baseRate, fp = falseFlagRate * (1 - baseRate)
        ppv = tp + fp > 0 ? tp / (tp + fp) : 0
        func f(_ v: Double) -> String { String(format: "%.3g", v) }
        text =
            "If \(f(baseRate * 100))% of answers carried a real change and the model caught \(f(sensitivity * 100))% of them, "
            + "a flag would mark a real change with PPV = \(f(sensitivity))×\(f(baseRate)) / (\(f(sensitivity))×\(f(baseRate)) + "
            + "\(f(falseFlagRate))×\(f(1 - baseRate))) = \(f(ppv)). A real change of voice or timing says nothing about why it happened."
    }

    enum CodingKeys: String, CodingKey {
        case baseRate = "base_rate"
        case sensitivity
        case falseFlagRate = "false_flag_rate"
        case ppv, text
    }
}
