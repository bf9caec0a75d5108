import Foundation

/// The evidence behind one cue of a baseline-deviation score (`contributions[].baseline` in the
/// analysis JSON): the speaker's baseline, the prediction interval the answer was compared with,
/// and whether an SD floor or the display clip of z applied.
///
/// For a cue compared on a log scale (`scale` = "log"), `mean` is the geometric mean of the
/// baseline values (in the feature's units), `sd`, `sd_used` and `sd_floor` are SDs of their
/// natural logs, t and p are computed on the logs, and the interval is given back in the
/// feature's units.
public struct CueBaseline: Codable, Sendable, Equatable {
    /// Number of the speaker's baseline segments that had this cue.
    public var n: Int
    /// Mean of the baseline values (the geometric mean for a log-scale cue).
    public var mean: Double
    /// Sample SD of the baseline values (n − 1 denominator); of their logs for a log-scale cue.
    public var sd: Double
    /// The SD used: max(sd, sd_floor).
    public var sdUsed: Double
    public var sdFloor: Double
    public var sdFloorApplied: Bool
    /// True when the displayed z (not the test) was clipped to ±z_clip.
    public var zClipped: Bool
    /// (answer − mean) / (sd_used·√(1 + 1/n)); Student t with n − 1 df when nothing changed.
    public var t: Double
    public var df: Int
    /// Two-sided p-value of t.
    public var p: Double
    /// This cue's share of the answer's α (weighted Bonferroni): alpha × weight / Σ weights.
    public var alphaShare: Double
    /// The prediction interval at level 1 − alpha_share: outside it, this cue raises the flag.
    public var intervalLow: Double
    public var intervalHigh: Double
    /// True when the answer's value falls outside the interval.
    public var outside: Bool
    /// nil: compared in the feature's own units; "log": compared on the natural-log scale.
    public var scale: String?

    public init(
        n: Int, mean: Double, sd: Double, sdUsed: Double, sdFloor: Double, sdFloorApplied: Bool, zClipped: Bool,
        t: Double, df: Int, p: Double, alphaShare: Double, intervalLow: Double, intervalHigh: Double, outside: Bool,
        scale: String? = nil
    ) {
        self.n = n
        self.mean = mean
        self.sd = sd
        self.sdUsed = sdUsed
        self.sdFloor = sdFloor
        self.sdFloorApplied = sdFloorApplied
        self.zClipped = zClipped
        self.t = t
        self.df = df
        self.p = p
        self.alphaShare = alphaShare
        self.intervalLow = intervalLow
        self.intervalHigh = intervalHigh
        self.outside = outside
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey {
        case n, mean, sd
        case sdUsed = "sd_used"
        case sdFloor = "sd_floor"
        case sdFloorApplied = "sd_floor_applied"
        case zClipped = "z_clipped"
        case t, df, p
        case alphaShare = "alpha_share"
        case intervalLow = "interval_low"
        case intervalHigh = "interval_high"
        case outside, scale
    }
}
