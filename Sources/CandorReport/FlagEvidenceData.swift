/// The evidence behind one cue of a baseline-deviation score, as read from the analysis JSON
/// (`scores[].contributions[].baseline`).
public struct CueBaselineData: Sendable {
    public var n: Int
    public var mean: Double
    public var sd: Double
    public var sdUsed: Double
    public var sdFloorApplied: Bool
    public var zClipped: Bool
    public var t: Double?
    public var p: Double?
    public var alphaShare: Double?
    public var intervalLow: Double?
    public var intervalHigh: Double?
    public var outside: Bool

    init?(_ node: JSONNode) {
        guard let n = node["n"]?.int, let mean = node["mean"]?.double, let sd = node["sd"]?.double else { return nil }
        self.n = n
        self.mean = mean
        self.sd = sd
        sdUsed = node["sd_used"]?.double ?? sd
        sdFloorApplied = node["sd_floor_applied"]?.bool ?? false
        zClipped = node["z_clipped"]?.bool ?? false
        t = node["t"]?.double
        p = node["p"]?.double
        alphaShare = node["alpha_share"]?.double
        intervalLow = node["interval_low"]?.double
        intervalHigh = node["interval_high"]?.double
        outside = node["outside"]?.bool ?? false
    }
}

/// A baseline-deviation score's error-rate evidence (`scores[].evidence`).
public struct FlagEvidenceData: Sendable {
    public var alpha: Double
    public var baselineN: Int
    public var method: String
    /// Measured on neutral speech at the nearest measured baseline size (rate, CI, size, source).
    public var measuredRate: Double?
    public var measuredLow: Double?
    public var measuredHigh: Double?
    public var measuredN: Int?
    public var measuredSource: String?
    public var ppv: Double?
    public var ppvText: String?

    init?(_ node: JSONNode) {
        guard let alpha = node["alpha"]?.double else { return nil }
        self.alpha = alpha
        baselineN = node["baseline_n"]?.int ?? 0
        method = node["method"]?.string ?? ""
        let m = node["measured_false_flag_rate"]
        measuredRate = m?["rate"]?.double
        measuredLow = m?["ci_low"]?.double
        measuredHigh = m?["ci_high"]?.double
        measuredN = m?["baseline_n"]?.int
        measuredSource = m?["source"]?.string
        ppv = node["ppv"]?["ppv"]?.double
        ppvText = node["ppv"]?["text"]?.string
    }

    /// One sentence for the report and the CSV: the error rate at this baseline size.
    public var rateSentence: String {
        var s = "Expected false-flag rate with \(baselineN) baseline segment(s): at most \(percent(alpha)) of unchanged answers (declared α)"
        if let r = measuredRate, let lo = measuredLow, let hi = measuredHigh, let n = measuredN {
            s += "; measured \(percent(r)) (95% CI \(percent(lo))–\(percent(hi))) at \(n) baseline segments on \(measuredSource ?? "neutral speech")"
        }
        return s + "."
    }

    func percent(_ v: Double) -> String {
        let p = v * 100
        return (p == p.rounded() ? String(Int(p)) : formatValue(p, digits: 1)) + "%"
    }
}
