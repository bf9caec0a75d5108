import Foundation

/// Why a metric cannot be computed. The descriptions are single lines meant for users.
public enum MetricError: Error, CustomStringConvertible, Sendable, Equatable {
    case empty
    case lengthMismatch
    case oneClassOnly(label: Int)
    case labelNotBinary(Int)
    case scoreOutOfRange(Double)

    public var description: String {
        switch self {
        case .empty: return "no rows to evaluate"
        case .lengthMismatch: return "labels and scores differ in length"
        case .oneClassOnly(let label):
            return "only label \(label) is present; AUC and UAR need both classes (0 and 1)"
        case .labelNotBinary(let v): return "label \(v) is not 0 or 1"
        case .scoreOutOfRange(let s): return "score \(s) is outside [0, 1]"
        }
    }
}

/// Classification and calibration metrics. Definitions follow scikit-learn's
/// (`roc_auc_score`, `balanced_accuracy_score`, `brier_score_loss`, `calibration_curve`),
/// and the tests compare against scikit-learn itself.
public enum Metrics {
    static func checkBinary(_ labels: [Int]) throws -> (positives: Int, negatives: Int) {
        guard !labels.isEmpty else { throw MetricError.empty }
        var p = 0
        for y in labels {
            guard y == 0 || y == 1 else { throw MetricError.labelNotBinary(y) }
            p += y
        }
        let n = labels.count - p
        if p == 0 { throw MetricError.oneClassOnly(label: 0) }
        if n == 0 { throw MetricError.oneClassOnly(label: 1) }
        return (p, n)
    }

    /// ROC AUC as the Mann–Whitney statistic with mid-ranks for ties, which equals the
    /// trapezoidal area under the ROC curve.
    public static func rocAUC(labels: [Int], scores: [Double]) throws -> Double {
        guard labels.count == scores.count else { throw MetricError.lengthMismatch }
        let (p, n) = try checkBinary(labels)
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            // ranks i+1 ... j+1 share their mean
            let midRank = Double(i + j + 2) / 2
            for k in i...j where labels[order[k]] == 1 { rankSumPositives += midRank }
            i = j + 1
        }
        let u = rankSumPositives - Double(p) * Double(p + 1) / 2
        return u / (Double(p) * Double(n))
    }

    /// Confusion counts for hard predictions.
    public struct Confusion: Sendable, Equatable {
        public var tp = 0, fp = 0, tn = 0, fn = 0
        public var sensitivity: Double { Double(tp) / Double(tp + fn) }
        public var specificity: Double { Double(tn) / Double(tn + fp) }
    }

    /// Confusion counts; row i counts `multiplicity[i]` times (nil = once each).
    public static func confusion(labels: [Int], predictions: [Int], multiplicity: [Int]? = nil) -> Confusion {
        var c = Confusion()
        for i in labels.indices {
            let m = multiplicity?[i] ?? 1
            switch (labels[i], predictions[i]) {
            case (1, 1): c.tp += m
            case (1, _): c.fn += m
            case (_, 1): c.fp += m
            default: c.tn += m
            }
        }
        return c
    }

    /// Unweighted average recall (balanced accuracy) over the two classes.
    public static func balancedAccuracy(labels: [Int], predictions: [Int]) throws -> Double {
        guard labels.count == predictions.count else { throw MetricError.lengthMismatch }
        _ = try checkBinary(labels)
        let c = confusion(labels: labels, predictions: predictions)
        return (c.sensitivity + c.specificity) / 2
    }

    /// Hard decision used throughout: score ≥ threshold is class 1.
    public static func predictions(_ scores: [Double], threshold: Double) -> [Int] {
        scores.map { $0 >= threshold ? 1 : 0 }
    }

    /// Mean squared difference between score and label.
    public static func brier(labels: [Int], scores: [Double]) throws -> Double {
        guard labels.count == scores.count else { throw MetricError.lengthMismatch }
        guard !labels.isEmpty else { throw MetricError.empty }
        var s = 0.0
        for (y, p) in zip(labels, scores) { s += (p - Double(y)) * (p - Double(y)) }
        return s / Double(labels.count)
    }

    /// One bin of a reliability table.
    public struct ReliabilityBin: Codable, Sendable, Equatable {
        public var bin: Int
        public var lower: Double
        public var upper: Double
        public var n: Int
        public var meanScore: Double?
        public var observedRate: Double?

        enum CodingKeys: String, CodingKey {
            case bin, lower, upper, n
            case meanScore = "mean_score"
            case observedRate = "observed_rate"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bin, forKey: .bin)
            try c.encode(lower, forKey: .lower)
            try c.encode(upper, forKey: .upper)
            try c.encode(n, forKey: .n)
            try c.encode(meanScore, forKey: .meanScore)  // null for an empty bin
            try c.encode(observedRate, forKey: .observedRate)
        }
    }

    /// Equal-width bins over [0, 1]. Bin edges are `i * (1/bins)`; a score on an inner edge goes
    /// to the lower bin, as in scikit-learn's `calibration_curve(strategy="uniform")`.
    public static func reliability(labels: [Int], scores: [Double], bins: Int = 15) -> [ReliabilityBin] {
        let step = 1.0 / Double(bins)
        let edges = (0...bins).map { $0 == bins ? 1.0 : Double($0) * step }
        var count = [Int](repeating: 0, count: bins)
        var sumScore = [Double](repeating: 0, count: bins)
        var sumLabel = [Double](repeating: 0, count: bins)
        for (y, s) in zip(labels, scores) {
            // number of inner edges strictly below s (searchsorted, side="left")
            var b = 0
            while b < bins - 1, edges[b + 1] < s { b += 1 }
            count[b] += 1
            sumScore[b] += s
            sumLabel[b] += Double(y)
        }
        return (0..<bins).map { b in
            ReliabilityBin(
                bin: b, lower: edges[b], upper: edges[b + 1], n: count[b],
                meanScore: count[b] > 0 ? sumScore[b] / Double(count[b]) : nil,
                observedRate: count[b] > 0 ? sumLabel[b] / Double(count[b]) : nil)
        }
    }

    /// Expected calibration error: Σ_b (n_b / N) · |observed rate_b − mean score_b|.
    public static func ece(_ table: [ReliabilityBin]) -> Double {
        let total = table.reduce(0) { $0 + $1.n }
        guard total > 0 else { return 0 }
        var e = 0.0
        for b in table where b.n > 0 {
            e += Double(b.n) / Double(total) * abs(b.observedRate! - b.meanScore!)
        }
        return e
    }

    /// Positive and negative predictive value of a flag with the given sensitivity and
    /// specificity when the condition has prevalence `baseRate` (Bayes' rule).
    public static func ppvNpv(sensitivity: Double, specificity: Double, baseRate: Double) -> (ppv: Double?, npv: Double?) {
        let tp = sensitivity * baseRate
        let fp = (1 - specificity) * (1 - baseRate)
        let tn = specificity * (1 - baseRate)
        let fn = (1 - sensitivity) * baseRate
        return (tp + fp > 0 ? tp / (tp + fp) : nil, tn + fn > 0 ? tn / (tn + fn) : nil)
    }

    /// Percentile with linear interpolation between order statistics (NumPy's default).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}

/// Scores sorted once, so that AUC for other labels (permutations) or other row multiplicities
/// (speaker bootstrap) costs O(n) instead of a sort.
public struct RankedScores: Sendable {
    /// Row indices in ascending score order.
    let order: [Int]
    /// Start offsets into `order` of each group of tied scores, plus `order.count` at the end.
    let groupStarts: [Int]

    public init(_ scores: [Double]) {
        order = scores.indices.sorted { scores[$0] < scores[$1] }
        var starts: [Int] = []
        for (k, i) in order.enumerated() where k == 0 || scores[order[k - 1]] != scores[i] { starts.append(k) }
        starts.append(order.count)
        groupStarts = starts
    }

    /// AUC where row i counts `multiplicity[i]` times (nil = once each); nil if a class is absent.
    /// Equals `Metrics.rocAUC` on the rows repeated by their multiplicity.
    public func auc(labels: [Int], multiplicity: [Int]? = nil) -> Double? {
        var negativesBelow = 0.0
        var numerator = 0.0
        var positives = 0.0
        order.withUnsafeBufferPointer { order in
            labels.withUnsafeBufferPointer { labels in
                for g in 0..<(groupStarts.count - 1) {
                    var p = 0.0, n = 0.0
                    for k in groupStarts[g]..<groupStarts[g + 1] {
                        let i = order[k]
                        let m = Double(multiplicity?[i] ?? 1)
                        if labels[i] == 1 { p += m } else { n += m }
                    }
                    numerator += p * (negativesBelow + 0.5 * n)
                    negativesBelow += n
                    positives += p
                }
            }
        }
        guard positives > 0, negativesBelow > 0 else { return nil }
        return numerator / (positives * negativesBelow)
    }
}

extension Metrics {
    /// Balanced accuracy where row i counts `multiplicity[i]` times; nil if a class is absent.
    static func balancedAccuracy(labels: [Int], predictions: [Int], multiplicity: [Int]) -> Double? {
        let c = confusion(labels: labels, predictions: predictions, multiplicity: multiplicity)
        guard c.tp + c.fn > 0, c.tn + c.fp > 0 else { return nil }
        return (c.sensitivity + c.specificity) / 2
    }
}
