import CandorCore
import Foundation

/// The features measured on one segment. Keys are feature names such as `f0_mean_st`,
/// `jitter_local` or `response_latency_s`; a nil value means "not measured in this segment".
public struct SegmentFeatures: Sendable, Equatable {
    public var id: String
    public var speaker: String
    public var role: SegmentRole
    public var features: [String: Double?]

    public init(id: String, speaker: String, role: SegmentRole, features: [String: Double?]) {
        self.id = id
        self.speaker = speaker
        self.role = role
        self.features = features
    }
}

/// For each answer segment: is it consistent with the same speaker's baseline segments, cue by
/// cue, at a stated per-answer false-flag rate α (parameter `alpha`, default 0.05)?
///
/// Per cue j, with the speaker's nⱼ baseline values: tⱼ = (answer − mean) / (max(s, sd_floor)·√(1 + 1/nⱼ)),
/// which follows Student's t with nⱼ − 1 degrees of freedom when nothing changed (a prediction
/// interval; see `PredictionInterval`), and its two-sided p-value pⱼ. A cue whose spec says
/// `scale: "log"` (positive, SD- or ratio-like features such as the SD of F0, jitter, shimmer)
/// is compared on the natural logs of its values, where its spread across segments is closer
/// to the normal model than its right-skewed raw values are.
///
/// Cues are combined by the weighted Bonferroni rule: cue j gets the share αⱼ = α·wⱼ/W of α
/// (W = Σ wⱼ over the cues usable for this answer) and the answer is flagged when any pⱼ ≤ αⱼ.
/// By the union bound, P(flag | no change) ≤ Σ αⱼ = α whatever the correlation between cues and
/// whatever the baseline size; SD floors only widen the intervals. The weights (a literature
/// prior, see the model card) decide how α is shared, not whether it holds.
///
/// The index is α/(α + q) with q = minⱼ pⱼ·W/wⱼ (the Bonferroni-adjusted p-value, unclipped):
/// continuous, 0.5 exactly at the flag boundary, near 0 for answers like the baseline.
/// With fewer than `min_baseline_segments` baseline segments the model abstains and says why:
/// it never substitutes population norms.
public struct BaselineDeviationModel: Sendable {
    public let model: LoadedModel

    public init(_ model: LoadedModel) throws {
        guard model.file.kind == .baselineDeviation else {
            throw ModelInputError(path: model.path, "model '\(model.id)' is of kind \(model.file.kind.rawValue), not baseline-deviation")
        }
        self.model = model
    }

    public var alpha: Double { model.file.parameters["alpha"] ?? 0.05 }
    public var minBaseline: Int { max(2, Int(model.file.parameters["min_baseline_segments"] ?? 3)) }

    /// The evidence block for a speaker with `baselineN` baseline segments.
    public func evidence(baselineN: Int) -> FlagEvidence {
        let measured = (model.file.calibration.nullFalseFlagRate ?? [])
            .filter { $0.baselineN <= baselineN }.max { $0.baselineN < $1.baselineN }
        return FlagEvidence(
            alpha: alpha, baselineN: baselineN,
            method:
                "t prediction interval per cue (n − 1 df, scale SD·√(1 + 1/n), SD floors; SD- and ratio-like cues on a log scale), weighted Bonferroni over cues",
            measured: measured, ppv: PPVArithmetic(falseFlagRate: alpha))
    }

    /// One score per answer segment, in input order.
    public func score(segments: [SegmentFeatures]) -> [ModelScore] {
        let p = model.file.parameters
        let alpha = self.alpha
        let minBaseline = self.minBaseline
        let minFeatures = max(1, Int(p["min_features"] ?? 3))
        let zClip = p["z_clip"] ?? 5

        var baselines: [String: [SegmentFeatures]] = [:]
        for s in segments where s.role == .baseline { baselines[s.speaker, default: []].append(s) }
        // t quantiles by (share of α, df): answers of one speaker repeat them, and each costs a bisection.
        var quantiles: [Double: [Int: Double]] = [:]
        func quantile(_ share: Double, _ df: Int) -> Double {
            if let q = quantiles[share]?[df] { return q }
            let q = StudentT.twoSidedQuantile(p: min(1, share), df: Double(df))
            quantiles[share, default: [:]][df] = q
            return q
        }

        return segments.filter { $0.role == .answer }.map { answer in
            let base = baselines[answer.speaker] ?? []
            let evidence = evidence(baselineN: base.count)
            guard base.count >= minBaseline else {
                return .abstain(
                    model, target: answer.id,
                    reason:
                        "speaker '\(answer.speaker)' has \(base.count) baseline segment(s); at least \(minBaseline) are needed "
                        + "for a prediction interval that can flag a change while keeping false flags at \(Self.pct(alpha)) "
                        + "(with 2 the t interval has 1 degree of freedom and is over 100 SDs wide); population norms are not used",
                    evidence: evidence)
            }
            var contributions: [Contribution] = []
            var usable: [(index: Int, w: Double, p: Double, pi: PredictionInterval, x: Double, log: Bool)] = []
            for spec in model.file.features {
                let w = spec.weight ?? 0
                let logScale = spec.scale == "log"
                guard let raw = answer.features[spec.name] ?? nil, raw.isFinite else {
                    contributions.append(
                        Contribution(
                            feature: spec.name, weight: w, status: "not available",
                            note: "not measured in this segment"))
                    continue
                }
                // A log-scale cue is compared on the logs of its (positive) values.
                guard !logScale || raw > 0 else {
                    contributions.append(
                        Contribution(
                            feature: spec.name, value: raw, weight: w, status: "not available",
                            note: "compared on a log scale, so the value must be positive"))
                    continue
                }
                let x = logScale ? log(raw) : raw
                let values = base.compactMap { $0.features[spec.name] ?? nil }.filter { $0.isFinite && (!logScale || $0 > 0) }
                    .map { logScale ? log($0) : $0 }
                guard values.count >= minBaseline, let pi = PredictionInterval(values: values, sdFloor: spec.sdFloor ?? 0) else {
                    contributions.append(
                        Contribution(
                            feature: spec.name, value: raw, weight: w, status: "not available",
                            note: "only \(values.count) \(logScale ? "positive " : "")baseline value(s); at least \(minBaseline) are needed"
                        ))
                    continue
                }
                guard pi.scale > 0 else {
                    contributions.append(
                        Contribution(
                            feature: spec.name, value: raw, weight: w, status: "not available",
                            note: "baseline values are all equal and the model sets no SD floor"))
                    continue
                }
                usable.append((contributions.count, w, pi.p(x), pi, x, logScale))
                contributions.append(Contribution(feature: spec.name, value: raw, weight: w, source: spec.source, evidence: spec.evidence))
            }
            let weightSum = usable.reduce(0) { $0 + $1.w }
            guard usable.count >= minFeatures, weightSum > 0 else {
                return .abstain(
                    model, target: answer.id,
                    reason:
                        "only \(usable.count) feature(s) could be compared with the baseline; at least \(minFeatures) are needed",
                    contributions: contributions, evidence: evidence)
            }
            // q_j = p_j·W/w_j: the answer is flagged when some q_j ≤ α.
            var q = Double.infinity
            var surprise: [Double] = []
            for u in usable {
                let qj = u.w > 0 ? u.p * weightSum / u.w : .infinity
                q = min(q, qj)
                surprise.append(qj < 1 ? -log(max(qj, 1e-300)) : 0)
            }
            let index = alpha / (alpha + q)
            let totalSurprise = surprise.reduce(0, +)
            for (k, u) in usable.enumerated() {
                let share = alpha * u.w / weightSum
                let tq = share > 0 ? quantile(share, u.pi.df) : .infinity
                // Interval and mean in the feature's units (back from logs for a log-scale cue).
                let back: (Double) -> Double = u.log ? { exp($0) } : { $0 }
                let interval = (low: back(u.pi.mean - tq * u.pi.scale), high: back(u.pi.mean + tq * u.pi.scale))
                let rawZ = (u.x - u.pi.mean) / u.pi.sdUsed
                let z = min(zClip, max(-zClip, rawZ))
                let outside = share > 0 && u.p <= share
                let ev = CueBaseline(
                    n: u.pi.n, mean: back(u.pi.mean), sd: u.pi.sd, sdUsed: u.pi.sdUsed,
                    sdFloor: model.file.features.first { $0.name == contributions[u.index].feature }?.sdFloor ?? 0,
                    sdFloorApplied: u.pi.floorApplied, zClipped: z != rawZ, t: u.pi.t(u.x), df: u.pi.df, p: u.p,
                    alphaShare: share, intervalLow: interval.low, intervalHigh: interval.high, outside: outside,
                    scale: u.log ? "log" : nil)
                var notes = [
                    u.log
                        ? "log scale: baseline n = \(u.pi.n), geometric mean \(Self.fmt(ev.mean)), SD of ln \(Self.fmt(u.pi.sd))"
                        : "baseline n = \(u.pi.n), mean \(Self.fmt(u.pi.mean)), SD \(Self.fmt(u.pi.sd))"
                ]
                if u.pi.floorApplied { notes.append("SD floor \(Self.fmt(u.pi.sdUsed))\(u.log ? " (ln)" : "") applied") }
                notes.append(
                    share > 0
                        ? "interval [\(Self.fmt(interval.low)), \(Self.fmt(interval.high))] at level 1 − \(Self.fmt(share)); t = \(Self.fmt(ev.t)), p = \(Self.fmt(u.p))"
                        : "weight 0: shown, never flags")
                if z != rawZ { notes.append("z clipped from \(Self.fmt(rawZ)) for display") }
                contributions[u.index].z = z
                contributions[u.index].baseline = ev
                contributions[u.index].status =
                    outside
                    ? (u.x > u.pi.mean ? "above baseline interval" : "below baseline interval")
                    : (abs(z) < 1 ? "near baseline" : "within baseline interval")
                contributions[u.index].contribution = totalSurprise > 0 ? index * surprise[k] / totalSurprise : 0
                contributions[u.index].note = notes.joined(separator: "; ")
            }
            contributions.sort { ($0.contribution ?? -1) > ($1.contribution ?? -1) }
            // Top cues: those outside their interval, else those closest to it (q_j < 1), largest first.
            let outsideCues = contributions.filter { $0.baseline?.outside == true }.map(\.feature)
            let top = outsideCues.isEmpty ? contributions.filter { ($0.contribution ?? 0) > 0 }.prefix(3).map(\.feature) : outsideCues
            return ModelScore(
                model: model.id, modelVersion: model.version, modelSHA256: model.sha256, target: answer.id,
                value: index, flag: q <= alpha ? ModelScore.followUpFlag : nil,
                contributions: contributions, topCues: Array(top.prefix(3)), evidence: evidence)
        }
    }

    static func fmt(_ v: Double) -> String { String(format: "%.4g", v) }
    static func pct(_ v: Double) -> String { String(format: "%g%%", v * 100) }
}
