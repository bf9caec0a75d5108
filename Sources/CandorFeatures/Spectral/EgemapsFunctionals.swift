import Foundation

/// openSMILE's `sma3` contour smoother, streamed: each value becomes the mean of itself and its
/// two neighbours. With `skipZeros` (openSMILE's `noZeroSma`, the `sma3nz` descriptors), zeros
/// (unvoiced frames) stay zero and zero neighbours are left out of the mean.
struct Sma3Smoother {
    let skipZeros: Bool
    private var before: Float?
    private var current: Float?

    init(skipZeros: Bool) { self.skipZeros = skipZeros }

    /// Feeds the next raw value; returns the smoothed previous value, if there was one.
    mutating func push(_ next: Float) -> Float? {
        defer { before = current; current = next }
        guard let c = current else { return nil }
        return smoothed(c, before, next)
    }

    /// Smoothed last value at the end of the contour.
    mutating func finish() -> Float? {
        guard let c = current else { return nil }
        let r = smoothed(c, before, nil)
        current = nil
        return r
    }

    private func smoothed(_ c: Float, _ a: Float?, _ b: Float?) -> Float {
        if skipZeros && c == 0 { return 0 }
        var sum = c, n: Float = 1
        for v in [a, b] {
            guard let v, !(skipZeros && v == 0) else { continue }
            sum += v
            n += 1
        }
        return sum / n
    }
}

/// Mean and standard deviation normalised by the mean (openSMILE's `amean`, `stddevNorm`),
/// optionally over non-zero values only (`nonZeroFuncts`).
struct MomentAccumulator {
    let nonZeroOnly: Bool
    private(set) var count = 0
    private var sum: Double = 0
    private var sumSquares: Double = 0

    init(nonZeroOnly: Bool) { self.nonZeroOnly = nonZeroOnly }

    mutating func add(_ v: Float) {
        if nonZeroOnly && v == 0 { return }
        guard v.isFinite else { return }
        count += 1
        sum += Double(v)
        sumSquares += Double(v) * Double(v)
    }

    var mean: Double { count > 0 ? sum / Double(count) : 0 }
    var standardDeviation: Double {
        guard count > 0 else { return 0 }
        return max(0, sumSquares / Double(count) - mean * mean).squareRoot()
    }
    var stddevNorm: Double { mean != 0 ? standardDeviation / mean : 0 }
}

/// Percentile with linear interpolation between order statistics (position p·(n − 1)).
func interpolatedPercentile(_ sorted: [Float], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let pos = p * Double(sorted.count - 1)
    let i = Int(pos.rounded(.down))
    let f = pos - Double(i)
    let a = Double(sorted[i])
    let b = Double(sorted[min(sorted.count - 1, i + 1)])
    return a + f * (b - a)
}

/// Peaks and valleys of a contour found with a hysteresis of `relative` × its range, and the
/// slopes (units per second) of the rises valley → peak and falls peak → valley between them.
struct ContourPeaks {
    var peaks = 0
    var rising: [Double] = []
    var falling: [Double] = []

    init(_ y: [Float], frameStep: Double, relative: Float = 0.1) {
        guard let lo = y.min(), let hi = y.max(), hi > lo else { return }
        let threshold = relative * (hi - lo)
        // Extremum being tracked: index and whether it is a maximum.
        var lastExtremum: (index: Int, isMax: Bool)?
        var candidate = 0
        var seekingMax: Bool?
        for i in 1..<y.count {
            switch seekingMax {
            case nil:
                if y[i] - y[candidate] > threshold {
                    lastExtremum = (candidate, false)
                    seekingMax = true
                    candidate = i
                } else if y[candidate] - y[i] > threshold {
                    lastExtremum = (candidate, true)
                    seekingMax = false
                    candidate = i
                } else if abs(y[i] - y[0]) > abs(y[candidate] - y[0]) {
                    candidate = i
                }
            case true?:
                if y[i] > y[candidate] {
                    candidate = i
                } else if y[candidate] - y[i] > threshold {
                    record(from: lastExtremum, to: candidate, isMax: true, y: y, step: frameStep)
                    lastExtremum = (candidate, true)
                    seekingMax = false
                    candidate = i
                }
            case false?:
                if y[i] < y[candidate] {
                    candidate = i
                } else if y[i] - y[candidate] > threshold {
                    record(from: lastExtremum, to: candidate, isMax: false, y: y, step: frameStep)
                    lastExtremum = (candidate, false)
                    seekingMax = true
                    candidate = i
                }
            }
        }
    }

    private mutating func record(from: (index: Int, isMax: Bool)?, to i: Int, isMax: Bool, y: [Float], step: Double) {
        if isMax { peaks += 1 }
        guard let from, i > from.index else { return }
        let slope = Double(abs(y[i] - y[from.index])) / (Double(i - from.index) * step)
        if isMax { rising.append(slope) } else { falling.append(slope) }
    }
}

/// Mean and (population) standard deviation of a list.
func meanAndDeviation(_ v: [Double]) -> (Double, Double) {
    guard !v.isEmpty else { return (0, 0) }
    let m = v.reduce(0, +) / Double(v.count)
    let s = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
    return (m, s.squareRoot())
}

/// The ten functionals eGeMAPS computes of F0 and loudness: mean, stddevNorm, percentiles
/// 20/50/80, range 20–80, mean and SD of rising and falling slopes.
func contourFunctionals(_ contour: [Float], nonZeroOnly: Bool, frameStep: Double) -> (values: [Double], peaks: Int) {
    let y = nonZeroOnly ? contour.filter { $0 != 0 } : contour
    var m = MomentAccumulator(nonZeroOnly: false)
    for v in y { m.add(v) }
    let sorted = y.sorted()
    let p20 = interpolatedPercentile(sorted, 0.2)
    let p50 = interpolatedPercentile(sorted, 0.5)
    let p80 = interpolatedPercentile(sorted, 0.8)
    let peaks = ContourPeaks(y, frameStep: frameStep)
    let (rm, rs) = meanAndDeviation(peaks.rising)
    let (fm, fs) = meanAndDeviation(peaks.falling)
    return ([m.mean, m.stddevNorm, p20, p50, p80, p80 - p20, rm, rs, fm, fs], peaks.peaks)
}

/// Lengths in frames of the runs of non-zero (`voiced`) or zero values of a contour.
func runLengths(_ contour: [Float], voiced: Bool) -> [Double] {
    var runs: [Double] = []
    var n = 0
    for v in contour {
        if (v != 0) == voiced {
            n += 1
        } else if n > 0 {
            runs.append(Double(n))
            n = 0
        }
    }
    if n > 0 { runs.append(Double(n)) }
    return runs
}
