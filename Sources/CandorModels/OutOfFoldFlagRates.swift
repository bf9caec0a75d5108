/// How often a trained model's flag fired in cross-validation, measured on out-of-fold scores
/// (each speaker scored by a model that never saw that speaker): the false-flag rate on the
/// label-0 rows and the share of label-1 rows flagged, each with its exact 95% interval.
/// Stored in the model file (`calibration.out_of_fold_flag_rates`) and shown with every flag
/// the model raises, so a trained model's flag states its error rate like the baseline model's.
public struct OutOfFoldFlagRates: Codable, Sendable, Equatable {
    /// Scores at or above this raise the flag.
    public var threshold: Double
    /// Label-0 rows flagged / label-0 rows.
    public var falseFlagRate: Proportion
    /// Label-1 rows flagged / label-1 rows.
    public var sensitivity: Proportion
    /// Where it was measured, in words.
    public var source: String

    public init(threshold: Double, rows: [ScoredRow], source: String) {
        self.threshold = threshold
        let negatives = rows.filter { $0.label == 0 }, positives = rows.filter { $0.label == 1 }
        falseFlagRate = Proportion(count: negatives.filter { $0.score >= threshold }.count, total: negatives.count)
        sensitivity = Proportion(count: positives.filter { $0.score >= threshold }.count, total: positives.count)
        self.source = source
    }

    /// The evidence written next to each of the model's scores (`scores[].evidence`): the
    /// measured false-flag rate in place of a declared α, no baseline (`baseline_n` 0), and the
    /// PPV arithmetic with the measured sensitivity.
    /// Nil when the table had no label-0 rows: no rate was measured, so none is stated.
    public var evidence: FlagEvidence? {
        guard let rate = falseFlagRate.rate, sensitivity.total > 0 else { return nil }
        var measured = MeasuredRate(baselineN: 0, flagged: falseFlagRate.count, scored: falseFlagRate.total, source: source)
        measured.ciLow = falseFlagRate.ciLow ?? 0
        measured.ciHigh = falseFlagRate.ciHigh ?? 1
        return FlagEvidence(
            alpha: rate, baselineN: 0,
            method: "trained logistic regression: flag at a score ≥ \(threshold); rates measured on out-of-fold scores",
            measured: measured, ppv: PPVArithmetic(sensitivity: sensitivity.rate ?? 0, falseFlagRate: rate))
    }

    enum CodingKeys: String, CodingKey {
        case threshold
        case falseFlagRate = "false_flag_rate"
        case sensitivity, source
    }
}
