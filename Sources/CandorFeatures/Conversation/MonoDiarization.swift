import CandorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Mono two-speaker fallback

public struct MonoDiarizationConfig: Sendable, Codable, Equatable {
    /// Labels are smoothed by a majority vote over this window (s).
    public var smoothingS: Double = 0.6
    /// Weight of log-F0 against each spectral-shape band (all standardised).
    public var f0Weight: Double = 2
    public var iterations: Int = 30
    public init() {}
}

extension ConversationAnalysis {
    /// Two-speaker estimate for a mono recording: k-means (k = 2) on the voiced speech
    /// frames' standardised log F0 and spectral shape (`SpeechFrames.shape`), labels spread
    /// to unvoiced speech frames from the nearest voiced frame, majority-smoothed over
    /// `smoothingS`, then the usual turn analysis. The result has `estimate: true`.
    ///
    /// - speakers: names for the two clusters in order of first appearance (e.g. the
    ///   `--roles` list); default `speaker_1`, `speaker_2`.
    /// - pitch: the pitch track when available (else `frames.f0` where periodic).
    public static func analyzeMono(
        frames: SpeechFrames, speech: [Span], pitch: PitchTrack? = nil,
        speakers: [String] = ["speaker_1", "speaker_2"],
        config: MonoDiarizationConfig = MonoDiarizationConfig(),
        vadConfig: VoiceActivityConfig = VoiceActivityConfig(),
        conversationConfig: ConversationConfig = ConversationConfig()
    ) -> Conversation {
        let g = frames.grid
        let mask = spanMask(speech, grid: g)
        let nb = SpeechFrames.shapeBands
        // Voiced speech frames and their features.
        var idx: [Int] = []
        var feats: [Double] = []  // flat, 1 + nb values per voiced frame
        for i in 0..<g.count where mask[i] {
            var f0 = 0.0
            if let pitch {
                f0 = Double(pitch.f0(at: g.time(i)))
            } else if Double(frames.periodicity[i]) >= vadConfig.periodicityThreshold {
                f0 = Double(frames.f0[i])
            }
            guard f0 > 0 else { continue }
            appendMonoFeatures(&feats, f0: f0, shape: frames.shape, frame: i)
            idx.append(i)
        }
        var labels = [Int](repeating: -1, count: g.count)
        if idx.count >= 2 {
            let model = kMeans2(consume feats, dimensions: 1 + nb, f0Weight: config.f0Weight, iterations: config.iterations)
            for (j, i) in idx.enumerated() { labels[i] = model.assign[j] }
        }
        let smooth = smoothLabels(mask: mask, labels: labels, half: monoHalf(config, dt: g.dt))
        let perCluster = (0..<2).map { c in
            let m = (0..<g.count).map { mask[$0] && smooth[$0] == c }
            return VoiceActivity.cleanUp(m, voiced: m, grid: g, config: vadConfig)
        }
        return monoConversation(perCluster, speakers: speakers, config: conversationConfig)
    }

    /// `analyzeMono` over a channel's frame source, in chunks (`TimingChunking`).
    ///
    /// The k-means is fitted on every voiced speech frame when there are at most
    /// `chunking.maxClusterFrames` (then the result equals the in-memory form), else on a
    /// uniform stride subsample of them, every voiced frame then taking its nearest centre.
    /// Label spreading and majority smoothing are local and run on windows of the chunk plus
    /// `chunking.marginS` each side: identical unless the nearest voiced frame of an
    /// unvoiced speech frame lies beyond the margin.
    static func analyzeMono(
        source: ChannelFrameSource, speech: [Span], speakers: [String],
        config: MonoDiarizationConfig, vadConfig: VoiceActivityConfig,
        conversationConfig: ConversationConfig, chunking: TimingChunking
    ) throws -> Conversation {
        let g = source.grid
        let nb = SpeechFrames.shapeBands
        let maxFit = max(2, chunking.maxClusterFrames)
        let th = Float(vadConfig.periodicityThreshold)
        // The f0 feature of frame j of loaded frames (0: not used for clustering).
        func f0(_ f: ChannelFrames, _ j: Int) -> Double {
            if f.pitch.grid.count > 0 { return Double(f.pitch.f0[j]) }
            return f.speech.periodicity[j] >= th ? Double(f.speech.f0[j]) : 0
        }
        // Voiced speech frames in order: count them (`stride` 0), or collect the features of
        // every `stride`-th one into an exactly sized buffer.
        func collect(stride: Int, rows: Int = 0) throws -> (count: Int, feats: [Double]) {
            var count = 0
            var feats: [Double] = []
            feats.reserveCapacity(rows * (1 + nb))
            for (core, _) in ChunkPlan(count: g.count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: 0).chunks {
                let f = try source.loadChecked(core)
                let mask = spanMask(speech, grid: g, range: core)
                for j in 0..<core.count where mask[j] {
                    let v = f0(f, j)
                    guard v > 0 else { continue }
                    if stride > 0 && count % stride == 0 { appendMonoFeatures(&feats, f0: v, shape: f.speech.shape, frame: j) }
                    count += 1
                }
            }
            return (count, feats)
        }
        let voicedCount = try collect(stride: 0).count
        let fitAll = voicedCount <= maxFit
        var model: KMeans2Model? = nil
        if voicedCount >= 2 {
            let stride = fitAll ? 1 : (voicedCount + maxFit - 1) / maxFit
            let feats = try collect(stride: stride, rows: (voicedCount + stride - 1) / stride).feats
            model = kMeans2(consume feats, dimensions: 1 + nb, f0Weight: config.f0Weight, iterations: config.iterations)
        }
        let half = monoHalf(config, dt: g.dt)
        let plan = ChunkPlan(grid: g, chunking: chunking, minMarginS: 2 * config.smoothingS + 1)
        var out = [SpanBuilder](repeating: SpanBuilder(grid: g, config: vadConfig), count: 2)
        var ordinal = 0  // voiced speech frames before the current core
        var row = [Double](repeating: 0, count: 1 + nb)
        for (core, window) in plan.chunks {
            let f = try source.loadChecked(window)
            let mask = spanMask(speech, grid: g, range: window)
            let w0 = window.lowerBound
            var labels = [Int](repeating: -1, count: window.count)
            if let model {
                var o = ordinal - (0..<(core.lowerBound - w0)).reduce(0) { $0 + (mask[$1] && f0(f, $1) > 0 ? 1 : 0) }
                for j in 0..<window.count where mask[j] {
                    let v = f0(f, j)
                    guard v > 0 else { continue }
                    if fitAll {
                        labels[j] = model.assign[o]
                    } else {
                        row[0] = log2(v)
                        for b in 0..<nb { row[1 + b] = Double(f.speech.shape[j * nb + b]) }
                        labels[j] = model.label(row)
                    }
                    if core.contains(j + w0) { ordinal += 1 }
                    o += 1
                }
            }
            let smooth = smoothLabels(mask: mask, labels: labels, half: half)
            for i in core {
                let j = i - w0
                for c in 0..<2 {
                    let on = mask[j] && smooth[j] == c
                    out[c].push(on, voiced: on)
                }
            }
        }
        return monoConversation(
            out.map {
                var b = $0; return b.finish()
            }, speakers: speakers, config: conversationConfig)
    }

    /// Appends a voiced frame's clustering features: log2 F0 and its spectral shape.
    static func appendMonoFeatures(_ feats: inout [Double], f0: Double, shape: [Float], frame i: Int) {
        let nb = SpeechFrames.shapeBands
        feats.append(log2(f0))
        for b in 0..<nb { feats.append(Double(shape[i * nb + b])) }
    }

    /// Half-width (frames) of the label majority vote.
    static func monoHalf(_ config: MonoDiarizationConfig, dt: Double) -> Int {
        max(1, Int((config.smoothingS / dt / 2).rounded()))
    }

    /// Cluster labels of speech frames: voiced frames' labels (`labels`, −1 elsewhere) spread
    /// to unvoiced speech frames from the nearest labelled frame, then majority-smoothed over
    /// ±`half` frames counting speech frames only. Meaningful where `mask` is set.
    static func smoothLabels(mask: [Bool], labels: [Int], half: Int) -> [Int] {
        let n = mask.count
        // Spread to unvoiced speech frames from the nearest labelled frame (two passes).
        var lastLabel = -1, lastPos = -1_000_000
        var fwd = [(Int, Int)](repeating: (-1, Int.max), count: n)
        for i in 0..<n {
            if labels[i] >= 0 { lastLabel = labels[i]; lastPos = i }
            if lastLabel >= 0 { fwd[i] = (lastLabel, i - lastPos) }
        }
        lastLabel = -1; lastPos = 1_000_000_000
        var filled = [Int](repeating: -1, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            if labels[i] >= 0 { lastLabel = labels[i]; lastPos = i }
            guard mask[i] else { continue }
            let back = lastLabel >= 0 ? (lastLabel, lastPos - i) : (-1, Int.max)
            filled[i] = fwd[i].1 <= back.1 ? fwd[i].0 : back.0
            if filled[i] < 0 { filled[i] = 0 }
        }
        // Majority smoothing over the window, counting speech frames only (running counts).
        var smooth = filled
        var c0 = 0, c1 = 0
        func add(_ i: Int, _ d: Int) { if filled[i] == 0 { c0 += d } else if filled[i] == 1 { c1 += d } }
        for i in 0..<min(n, half) { add(i, 1) }
        for i in 0..<n {
            if i + half < n { add(i + half, 1) }
            if i - half - 1 >= 0 { add(i - half - 1, -1) }
            if mask[i] { smooth[i] = c1 > c0 ? 1 : (c0 > c1 ? 0 : filled[i]) }
        }
        return smooth
    }

    /// The mono estimate's conversation from the two clusters' speech, clusters named by
    /// order of first appearance.
    static func monoConversation(_ perCluster: [[Span]], speakers: [String], config: ConversationConfig) -> Conversation {
        let names = speakers.count >= 2 ? Array(speakers.prefix(2)) : ["speaker_1", "speaker_2"]
        let first0 = perCluster[0].first?.start ?? .infinity, first1 = perCluster[1].first?.start ?? .infinity
        let ordered = first0 <= first1 ? perCluster : [perCluster[1], perCluster[0]]
        return analyze(speakers: names, speech: ordered, estimate: true, method: "mono-clustering", config: config)
    }

    /// k-means with k = 2 on standardised features (`x` flat, `dimensions` per row; column 0
    /// weighted by `f0Weight`), started from the lower and upper halves of column 0.
    /// Deterministic; O(rows · dimensions · iterations).
    /// `x` is standardised in place (no copy when the caller gives it up).
    static func kMeans2(_ x: consuming [Double], dimensions d: Int, f0Weight: Double, iterations: Int) -> KMeans2Model {
        var z = consume x
        let n = z.count / d
        var mean = [Double](repeating: 0, count: d), sd = mean
        for r in 0..<n { for j in 0..<d { mean[j] += z[r * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        for r in 0..<n { for j in 0..<d { let v = z[r * d + j] - mean[j]; sd[j] += v * v } }
        for j in 0..<d { sd[j] = max(1e-9, (sd[j] / Double(n)).squareRoot()) }
        for r in 0..<n { for j in 0..<d { z[r * d + j] = (z[r * d + j] - mean[j]) / sd[j] * (j == 0 ? f0Weight : 1) } }
        var col0 = (0..<n).map { z[$0 * d] }
        col0.sort()
        let median = col0[n / 2]
        var assign = (0..<n).map { z[$0 * d] < median ? 0 : 1 }
        var cent = [Double](repeating: 0, count: 2 * d)
        var centresValid = false  // `cent` are the centres `assign` is nearest to
        for _ in 0..<iterations {
            centresValid = false
            for j in cent.indices { cent[j] = 0 }
            var cnt = [0, 0]
            for r in 0..<n {
                let c = assign[r]
                cnt[c] += 1
                for j in 0..<d { cent[c * d + j] += z[r * d + j] }
            }
            guard cnt[0] > 0, cnt[1] > 0 else { break }
            for c in 0..<2 { for j in 0..<d { cent[c * d + j] /= Double(cnt[c]) } }
            centresValid = true
            var changed = false
            for r in 0..<n {
                var d0 = 0.0, d1 = 0.0
                for j in 0..<d {
                    let v = z[r * d + j]
                    d0 += (v - cent[j]) * (v - cent[j])
                    d1 += (v - cent[d + j]) * (v - cent[d + j])
                }
                let a = d1 < d0 ? 1 : 0
                if a != assign[r] { assign[r] = a; changed = true }
            }
            if !changed { break }
        }
        if !centresValid {
            // Degenerate split: the final clusters' means; an empty cluster is never nearest.
            var cnt = [0, 0]
            for j in cent.indices { cent[j] = 0 }
            for r in 0..<n { cnt[assign[r]] += 1; for j in 0..<d { cent[assign[r] * d + j] += z[r * d + j] } }
            for c in 0..<2 { for j in 0..<d { cent[c * d + j] = cnt[c] > 0 ? cent[c * d + j] / Double(cnt[c]) : .infinity } }
        }
        return KMeans2Model(mean: mean, sd: sd, f0Weight: f0Weight, centres: cent, assign: assign)
    }
}

/// A fitted two-means clustering (`ConversationAnalysis.kMeans2`).
struct KMeans2Model {
    var mean: [Double]
    var sd: [Double]
    var f0Weight: Double
    /// Two centres of standardised features, flat.
    var centres: [Double]
    /// The fitted rows' clusters.
    var assign: [Int]

    /// The nearest centre of a new row (standardised as the fitted rows).
    func label(_ x: [Double]) -> Int {
        let d = mean.count
        var d0 = 0.0, d1 = 0.0
        for j in 0..<d {
            let v = (x[j] - mean[j]) / sd[j] * (j == 0 ? f0Weight : 1)
            d0 += (v - centres[j]) * (v - centres[j])
            d1 += (v - centres[d + j]) * (v - centres[d + j])
        }
        return d1 < d0 ? 1 : 0
    }
}
