/// Medians of F1–F3 and of their bandwidths over a set of frames (`channels[k].formants`,
/// `segments[k].formants` in the analysis JSON). Values are in Hz; nil when no frame had
/// that formant.
public struct FormantSummary: Sendable, Codable, Equatable {
    public var method: String = "burg"
    public var ceilingHz: Double
    public var windowS: Double
    public var timeStepS: Double
    /// Frames the medians are taken over.
    public var frames: Int
    public var f1MedianHz: Double?
    public var f2MedianHz: Double?
    public var f3MedianHz: Double?
    public var b1MedianHz: Double?
    public var b2MedianHz: Double?
    public var b3MedianHz: Double?

    enum CodingKeys: String, CodingKey {
        case method, frames
        case ceilingHz = "ceiling_hz"
        case windowS = "window_s"
        case timeStepS = "time_step_s"
        case f1MedianHz = "f1_median_hz"
        case f2MedianHz = "f2_median_hz"
        case f3MedianHz = "f3_median_hz"
        case b1MedianHz = "b1_median_hz"
        case b2MedianHz = "b2_median_hz"
        case b3MedianHz = "b3_median_hz"
    }

    /// Writes every key, a missing median as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(ceilingHz, forKey: .ceilingHz)
        try c.encode(windowS, forKey: .windowS)
        try c.encode(timeStepS, forKey: .timeStepS)
        try c.encode(frames, forKey: .frames)
        try c.encode(f1MedianHz, forKey: .f1MedianHz)
        try c.encode(f2MedianHz, forKey: .f2MedianHz)
        try c.encode(f3MedianHz, forKey: .f3MedianHz)
        try c.encode(b1MedianHz, forKey: .b1MedianHz)
        try c.encode(b2MedianHz, forKey: .b2MedianHz)
        try c.encode(b3MedianHz, forKey: .b3MedianHz)
    }
}

/// Accumulates formant frames into medians in fixed memory: one histogram of 1 Hz bins per
/// measure (0 to 8000 Hz; larger values count in the last bin), so the median is exact to
/// within 1 Hz however many frames are added.
public struct FormantMedians: Sendable {
    static let bins = 8000
    var counts: [[Int32]] = Array(repeating: [Int32](repeating: 0, count: FormantMedians.bins), count: 6)
    var totals = [Int](repeating: 0, count: 6)
    public private(set) var frames = 0

    public init() {}

    public mutating func add(_ f: FormantFrame) {
        frames += 1
        for k in 0..<3 {
            if k < f.frequencies.count { put(k, f.frequencies[k]) }
            if k < f.bandwidths.count { put(k + 3, f.bandwidths[k]) }
        }
    }

    mutating func put(_ m: Int, _ v: Double) {
        guard v.isFinite, v >= 0 else { return }
        counts[m][min(Int(v), Self.bins - 1)] += 1
        totals[m] += 1
    }

    /// The median of measure `m` (bin centre; the mean of the two middle bins for an even count).
    func median(_ m: Int) -> Double? {
        let n = totals[m]
        guard n > 0 else { return nil }
        func value(at rank: Int) -> Double {
            var seen = 0
            for (i, c) in counts[m].enumerated() {
                seen += Int(c)
                if seen > rank { return Double(i) + 0.5 }
            }
            return Double(Self.bins) - 0.5
        }
        return n % 2 == 1 ? value(at: n / 2) : (value(at: n / 2 - 1) + value(at: n / 2)) / 2
    }

    public func summary(_ s: FormantSettings) -> FormantSummary {
        FormantSummary(
            ceilingHz: s.ceiling, windowS: s.windowLength, timeStepS: s.effectiveTimeStep, frames: frames,
            f1MedianHz: median(0), f2MedianHz: median(1), f3MedianHz: median(2),
            b1MedianHz: median(3), b2MedianHz: median(4), b3MedianHz: median(5))
    }
}
