import Foundation

/// Where one new value should fall if it comes from the same distribution as n baseline values.
///
/// If x₁…xₙ and y are independent draws from one normal distribution, then
/// (y − x̄) / (s·√(1 + 1/n)) follows Student's t with n − 1 degrees of freedom (s the sample SD,
/// n − 1 in the denominator). This is the classical prediction interval (e.g. Hahn & Meeker,
/// *Statistical Intervals*, 1991, ch. 4); unlike a plain z = (y − x̄)/s it accounts for the
/// uncertainty of both x̄ and s, which dominates when n is 3–5.
///
/// `sdFloor`: s is replaced by max(s, floor). A floor only widens the interval, so the
/// false-flag rate can only go down; it stops a near-constant baseline (three sentences with
/// almost the same pitch) from turning a tiny change into a large deviation.
public struct PredictionInterval: Sendable, Equatable {
    public var n: Int
    public var mean: Double
    /// Sample SD of the baseline values (n − 1 denominator).
    public var sd: Double
    /// max(sd, floor): the SD actually used.
    public var sdUsed: Double
    public var floorApplied: Bool
    /// sdUsed · √(1 + 1/n).
    public var scale: Double
    public var df: Int { n - 1 }

    /// nil for fewer than 2 values.
    public init?(values: [Double], sdFloor: Double = 0) {
        guard values.count >= 2 else { return nil }
        n = values.count
        mean = values.reduce(0, +) / Double(n)
        let m = mean
        sd = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot()
        sdUsed = max(sd, sdFloor)
        floorApplied = sdFloor > sd
        scale = sdUsed * (1 + 1 / Double(n)).squareRoot()
    }

    /// The standardised deviation (y − mean) / scale, t-distributed with n − 1 df under no change.
    public func t(_ y: Double) -> Double { (y - mean) / scale }

    /// Two-sided p-value of y: P(|T| ≥ |t(y)|).
    public func p(_ y: Double) -> Double { StudentT.twoSidedP(t(y), df: Double(df)) }

    /// The central interval that a new value leaves with probability `alpha` under no change.
    public func interval(alpha: Double) -> (low: Double, high: Double) {
        guard alpha > 0 else { return (-.infinity, .infinity) }
        let k = StudentT.twoSidedQuantile(p: min(1, alpha), df: Double(df))
        return (mean - k * scale, mean + k * scale)
    }
}
