import Foundation

/// A proportion k/n with its exact (Clopper–Pearson 1934) confidence interval.
///
/// The interval is [B(α/2; k, n−k+1), B(1−α/2; k+1, n−k)] with B the beta quantile
/// (lower bound 0 when k = 0, upper bound 1 when k = n). It never undercovers, which is what a
/// declared false-flag rate needs: the upper bound is the rate an agency should plan with.
public struct Proportion: Codable, Sendable, Equatable {
    public var count: Int
    public var total: Int
    public var rate: Double?
    /// 95% (or `level`) Clopper–Pearson interval; nil when `total` is 0.
    public var ciLow: Double?
    public var ciHigh: Double?
    public var level: Double

    public init(count: Int, total: Int, level: Double = 0.95) {
        precondition(count >= 0 && total >= count && level > 0 && level < 1)
        self.count = count
        self.total = total
        self.level = level
        guard total > 0 else { return }
        let alpha = 1 - level
        let k = Double(count), n = Double(total)
        rate = k / n
        ciLow = count == 0 ? 0 : StudentT.betaQuantile(alpha / 2, a: k, b: n - k + 1)
        ciHigh = count == total ? 1 : StudentT.betaQuantile(1 - alpha / 2, a: k + 1, b: n - k)
    }

    enum CodingKeys: String, CodingKey {
        case count, total, rate
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case level
    }
}
