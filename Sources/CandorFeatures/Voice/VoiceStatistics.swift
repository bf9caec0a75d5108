import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// MARK: - Measures

/// Running statistics of one perturbation measure's terms (|T_{i+1} − T_i|, the RAP/PPQ
/// and APQ deviations…), fed in time order: their sum and count for the value, and what
/// its standard error needs.
///
/// Standard error: the moving-block bootstrap of the mean term (Künsch 1989), which keeps
/// the dependence between neighbouring terms (each term shares pulses with the next ones):
/// the n terms give n − L + 1 overlapping blocks of L = min(10, n) consecutive terms, and a
/// resample draws P = ⌈n / L⌉ blocks uniformly with replacement. We report its exact limit
/// for infinitely many resamples instead of a Monte-Carlo estimate: the resampled mean is
/// (S_1 + … + S_P) / (P·L) with the S_j drawn independently from the block sums, so its
/// standard deviation is sqrt(Var(S) / P) / L, Var(S) being the population variance of the
/// n − L + 1 block sums; divided by the measure's normaliser. This needs no random numbers
/// and no stored terms: a ring of the last L terms gives each block sum, whose variance is
/// accumulated from compensated (Kahan) sums of deviations from the first block sum.
struct TermStats {
    static let blockLength = 10
    private(set) var count = 0
    /// Sum of the terms, added one by one in time order (as `reduce(0, +)` over an array).
    private(set) var sum = 0.0
    private var ring = [Double](repeating: 0, count: TermStats.blockLength)
    private var blocks = 0
    private var shift = 0.0
    private var deviations = KahanSum(), squaredDeviations = KahanSum()

    mutating func add(_ x: Double) {
        let L = Self.blockLength
        sum += x
        ring[count % L] = x
        count += 1
        guard count >= L else { return }
        // The block of the last L terms, summed oldest first; the oldest sits at count % L.
        var s = 0.0
        for j in 0..<L { s += ring[(count + j) % L] }
        if blocks == 0 { shift = s }
        let d = s - shift
        deviations.add(d)
        squaredDeviations.add(d * d)
        blocks += 1
    }

    func value(denominator: Double) -> Double? {
        count == 0 || !(denominator > 0) ? nil : sum / Double(count) / denominator
    }

    /// The ideal (B → ∞) moving-block bootstrap SE of the mean term over `denominator`.
    func standardError(denominator: Double) -> Double? {
        guard count >= 2, denominator > 0 else { return nil }
        // Fewer than 10 terms: one block of all of them, every resample is the same.
        guard count >= Self.blockLength else { return 0 }
        let L = Double(Self.blockLength), nb = Double(blocks)
        let mean = deviations.value / nb
        let variance = max(0, squaredDeviations.value / nb - mean * mean)
        let perSample = Double((count + Self.blockLength - 1) / Self.blockLength)
        return (variance / perSample).squareRoot() / L / denominator
    }
}

/// Mean HNR (dB) over voiced frames and its standard error sqrt(s² / n), in one pass: the
/// variance from compensated sums of deviations from the first value (no cancellation).
struct HNRStats {
    private(set) var count = 0
    /// Added one by one in time order (as `reduce(0, +)` over an array).
    private var sum = 0.0
    private var shift = 0.0
    private var deviations = KahanSum(), squaredDeviations = KahanSum()

    mutating func add(_ x: Double) {
        if count == 0 { shift = x }
        count += 1
        sum += x
        let d = x - shift
        deviations.add(d)
        squaredDeviations.add(d * d)
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    var standardError: Double? {
        guard count >= 2 else { return nil }
        let n = Double(count), d = deviations.value
        let variance = max(0, squaredDeviations.value - d * d / n) / (n - 1)
        return (variance / n).squareRoot()
    }
}

/// Kahan–Babuška (Neumaier) compensated sum.
struct KahanSum {
    private var s = 0.0, c = 0.0
    mutating func add(_ x: Double) {
        let t = s + x
        c += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
        s = t
    }
    var value: Double { s + c }
}

/// Jitter terms from pulse times with Praat's period rules.
struct PeriodSeries {
    let iv: [Double]
    let ok: [Bool]  // interval is a period (in range)
    let close: [Bool]  // interval k and k+1 within the period factor
    init(times t: [Double], rules: PeriodRules) {
        let v = t.count > 1 ? (1..<t.count).map { t[$0] - t[$0 - 1] } : []
        iv = v
        ok = v.map { isPeriod($0, rules) }
        close =
            v.count > 1
            ? (1..<v.count).map {
                max(v[$0], v[$0 - 1]) <= rules.maximumPeriodFactor * min(v[$0], v[$0 - 1])
            } : []
    }
    /// `len` consecutive periods from k, neighbours within the factor.
    func run(_ k: Int, _ len: Int) -> Bool {
        guard k + len <= iv.count else { return false }
        for j in k..<(k + len) where !ok[j] { return false }
        for j in k..<(k + len - 1) where !close[j] { return false }
        return true
    }
    /// Periods counted by the mean period (as Praat counts them): in range, with at least
    /// one neighbour that is in range and within the factor.
    var counted: [Double] {
        iv.indices.compactMap { k in
            guard ok[k] else { return nil }
            let left = k > 0 && ok[k - 1] && close[k - 1]
            let right = k + 1 < iv.count && ok[k + 1] && close[k]
            return left || right ? iv[k] : nil
        }
    }
    /// |x_mid − mean(x over len)| for each valid run of `len` periods.
    func quotientTerms(_ len: Int) -> [Double] {
        iv.indices.compactMap { k in
            guard run(k, len) else { return nil }
            let m = iv[k..<(k + len)].reduce(0, +) / Double(len)
            return abs(iv[k + len / 2] - m)
        }
    }
}
