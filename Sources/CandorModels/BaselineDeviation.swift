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

/// For each answer segment: z-scores of the speaker's features against the same speaker's
/// baseline segments, combined into a deviation index in [0, 1] with a "follow-up suggested" flag.
///
/// index = D² / (D² + c²), where D² = Σ wᵢ zᵢ² / Σ wᵢ over the usable features (a weighted mean
/// square z) and c = `index_half_point` (the RMS z at which the index is 0.5). The weights are a
/// documented prior (see the model card), not trained. Without enough baseline segments for the
/// speaker the model abstains: it never substitutes population norms.
public struct BaselineDeviationModel: Sendable {
    public let model: LoadedModel

    public init(_ model: LoadedModel) throws {
        guard model.file.kind == .baselineDeviation else {
            throw ModelInputError(path: model.path, "model '\(model.id)' is of kind \(model.file.kind.rawValue), not baseline-deviation")
        }
        self.model = model
    }

    /// One score per answer segment, in input order.
    public func score(segments: [SegmentFeatures]) -> [ModelScore] {
        let p = model.file.parameters
        let minBaseline = max(2, Int(p["min_baseline_segments"] ?? 2))
        let minFeatures = max(1, Int(p["min_features"] ?? 3))
        let zClip = p["z_clip"] ?? 5
        let c = p["index_half_point"] ?? 2
        let threshold = model.file.calibration.flagThreshold ?? 0.5

        var baselines: [String: [SegmentFeatures]] = [:]
        for s in segments where s.role == .baseline { baselines[s.speaker, default: []].append(s) }

        return segments.filter { $0.role == .answer }.map { answer in
            let base = baselines[answer.speaker] ?? []
            guard base.count >= minBaseline else {
                return .abstain(model, target: answer.id, reason:
                    "speaker '\(answer.speaker)' has \(base.count) baseline segment(s); at least \(minBaseline) are needed "
                    + "for a standard deviation, and population norms are not used")
            }
            var contributions: [Contribution] = []
            var usable: [(index: Int, w: Double, z: Double)] = []
            for spec in model.file.features {
                let w = spec.weight ?? 0
                guard let x = answer.features[spec.name] ?? nil, x.isFinite else {
                    contributions.append(Contribution(feature: spec.name, weight: w, status: "not available",
                                                      note: "not measured in this segment"))
                    continue
                }
                let values = base.compactMap { $0.features[spec.name] ?? nil }.filter(\.isFinite)
                guard values.count >= 2 else {
                    contributions.append(Contribution(feature: spec.name, value: x, weight: w, status: "not available",
                                                      note: "only \(values.count) baseline value(s); at least 2 are needed"))
                    continue
                }
                let mean = values.reduce(0, +) / Double(values.count)
                let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
                let sdUsed = max(sd, spec.sdFloor ?? 0)
                guard sdUsed > 0 else {
                    contributions.append(Contribution(feature: spec.name, value: x, weight: w, status: "not available",
                                                      note: "baseline values are all equal and the model sets no SD floor"))
                    continue
                }
                let rawZ = (x - mean) / sdUsed
                let z = min(zClip, max(-zClip, rawZ))
                var notes: [String] = ["baseline mean \(Self.fmt(mean)), SD \(Self.fmt(sd)) from \(values.count) segments"]
                if sdUsed > sd { notes.append("SD floor \(Self.fmt(sdUsed)) applied") }
                if z != rawZ { notes.append("z clipped from \(Self.fmt(rawZ))") }
                let status = abs(z) < 1 ? "near baseline" : (z > 0 ? "above baseline" : "below baseline")
                usable.append((contributions.count, w, z))
                contributions.append(Contribution(feature: spec.name, value: x, z: z, weight: w, status: status,
                                                  source: spec.source, evidence: spec.evidence, note: notes.joined(separator: "; ")))
            }
            let weightSum = usable.reduce(0) { $0 + $1.w }
            guard usable.count >= minFeatures, weightSum > 0 else {
                return .abstain(model, target: answer.id, reason:
                    "only \(usable.count) feature(s) could be compared with the baseline; at least \(minFeatures) are needed",
                    contributions: contributions)
            }
            let weightedSquares = usable.reduce(0) { $0 + $1.w * $1.z * $1.z }
            let d2 = weightedSquares / weightSum
            let index = d2 / (d2 + c * c)
            for u in usable {
                contributions[u.index].contribution = weightedSquares > 0 ? index * u.w * u.z * u.z / weightedSquares : 0
            }
            contributions.sort { ($0.contribution ?? -1) > ($1.contribution ?? -1) }
            // Top cues: the largest contributions among features at least 1 SD from baseline.
            let top = contributions.filter { ($0.contribution ?? 0) > 0 && abs($0.z ?? 0) >= 1 }.prefix(3).map(\.feature)
            return ModelScore(model: model.id, modelVersion: model.version, modelSHA256: model.sha256, target: answer.id,
                              value: index, flag: index >= threshold ? ModelScore.followUpFlag : nil,
                              contributions: contributions, topCues: Array(top))
        }
    }

    static func fmt(_ v: Double) -> String { String(format: "%.4g", v) }
}
