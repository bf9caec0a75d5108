import CandorJSON
import CandorModels

extension CueBaseline {
    /// The evidence behind one cue of a baseline-deviation score, read tolerantly from the
    /// analysis JSON (`scores[].contributions[].baseline`); nil when a core field is missing.
    init?(reading node: JSONNode) {
        guard let n = node["n"]?.int, let mean = node["mean"]?.double, let sd = node["sd"]?.double,
            let t = node["t"]?.double, let p = node["p"]?.double,
            let low = node["interval_low"]?.double, let high = node["interval_high"]?.double
        else { return nil }
        self.init(
            n: n, mean: mean, sd: sd, sdUsed: node["sd_used"]?.double ?? sd, sdFloor: node["sd_floor"]?.double ?? 0,
            sdFloorApplied: node["sd_floor_applied"]?.bool ?? false, zClipped: node["z_clipped"]?.bool ?? false,
            t: t, df: node["df"]?.int ?? max(n - 1, 1), p: p, alphaShare: node["alpha_share"]?.double ?? 0,
            intervalLow: low, intervalHigh: high, outside: node["outside"]?.bool ?? false, scale: node["scale"]?.string)
    }
}

extension FlagEvidence {
    /// A baseline-deviation score's error-rate evidence (`scores[].evidence`), read tolerantly.
    init?(reading node: JSONNode) {
        guard let alpha = node["alpha"]?.double else { return nil }
        var measured: MeasuredRate?
        if let m = node["measured_false_flag_rate"], let n = m["baseline_n"]?.int, let flagged = m["flagged"]?.int,
            let scored = m["scored"]?.int
        {
            // The figures as written in the document (not recomputed).
            var rate = MeasuredRate(baselineN: n, flagged: flagged, scored: scored, source: m["source"]?.string ?? "neutral speech")
            rate.rate = m["rate"]?.double ?? rate.rate
            rate.ciLow = m["ci_low"]?.double ?? rate.ciLow
            rate.ciHigh = m["ci_high"]?.double ?? rate.ciHigh
            measured = rate
        }
        let p = node["ppv"]
        var ppv = PPVArithmetic(
            baseRate: p?["base_rate"]?.double ?? 0.10, sensitivity: p?["sensitivity"]?.double ?? 0.70,
            falseFlagRate: p?["false_flag_rate"]?.double ?? alpha)
        ppv.ppv = p?["ppv"]?.double ?? ppv.ppv
        ppv.text = p?["text"]?.string ?? ppv.text
        self.init(
            alpha: alpha, baselineN: node["baseline_n"]?.int ?? 0, method: node["method"]?.string ?? "", measured: measured, ppv: ppv)
    }
}
