/// Own-voice measurement: what a speaker's summaries are computed over when each
/// microphone also carries the other speakers (crosstalk, "bleed").
///
/// A frame of a channel belongs to its speaker's own voice when it lies inside the
/// channel's speech after bleed removal (`ConversationAnalysis.suppressBleed`, the
/// `conversation.speech` of a multi-channel recording). The per-channel pitch summary,
/// intensity mean and voice report then leave out the frames where that microphone only
/// picked up someone else; real double talk stays in both speakers' own voice.

/// Sets `values[i]` (frame `range.lowerBound + i` of `grid`) to `fill` when the frame's
/// centre lies outside every span of `spans` (sorted, disjoint).
public func maskOutside(_ spans: [Span], grid: FrameGrid, range: Range<Int>, _ values: inout [Float], fill: Float = 0) {
    let keep = spanMask(spans, grid: grid, range: range)
    for i in values.indices where i < keep.count && !keep[i] { values[i] = fill }
}

extension VoiceData {
    /// The voice report over `spans` only (sorted, disjoint): pulses and HNR frames inside
    /// them, streamed span by span from the temporary file (the accumulator's own period
    /// rules decide whether pulses either side of a gap between spans are one period).
    /// Throws `SpillError` if the file cannot be read.
    public func report(only spans: [Span]) throws -> VoiceReport {
        var acc = VoiceAccumulator(settings: settings)
        var hnr = HNRStats()
        for s in spans where s.end > s.start {
            try forEachPulseRun(from: s.start, to: s.end) { t, a, j in acc.add(times: t, amplitudes: a, jitterTimes: j) }
            try forEachHNR(from: s.start, to: s.end) { hnr.add($0) }
        }
        acc.finishPulses()
        return withClipping(acc.report(hnr: hnr))
    }
}

/// The crosstalk estimate of one channel: how strongly the other speakers' voices reach it.
public struct BleedEstimate: Sendable, Codable, Equatable {
    /// Level of the loudest other voice in this channel relative to that voice on its own
    /// microphone (dB, ≤ 0 normally: −24 means 24 dB weaker). nil when no other voice rises
    /// above this channel's noise floor (no measurable bleed).
    public var bleedDb: Double?
    /// The channel the estimate comes from (the other speaker's own channel).
    public var fromChannel: Int?
    /// True when `bleedDb` is above `OwnVoiceConfig.warnBleedDb` (a warning is issued).
    public var warning: Bool
    public init(bleedDb: Double?, fromChannel: Int?, warning: Bool) {
        self.bleedDb = bleedDb
        self.fromChannel = fromChannel
        self.warning = warning
    }
    enum CodingKeys: String, CodingKey {
        case bleedDb = "bleed_db"
        case fromChannel = "from_channel"
        case warning
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bleedDb.map { ($0 * 10).rounded() / 10 }, forKey: .bleedDb)
        try c.encode(fromChannel, forKey: .fromChannel)
        try c.encode(warning, forKey: .warning)
    }
}

/// Settings of the crosstalk (bleed) estimate.
public struct OwnVoiceConfig: Sendable, Codable, Equatable {
    /// A channel's noise floor: this quantile of its level over the whole recording.
    public var floorQuantile: Double = 0.05
    /// A frame shows j's voice alone (to measure j → k bleed) when j is at least this far
    /// above its own floor …
    public var dominantAboveFloorDb: Double = 20
    /// … and at least this much louder than k.
    public var dominantOverOtherDb: Double = 3
    /// Only j's loudest dominant frames are used: level_j at or above this quantile of
    /// level_j over the dominant frames (where weak bleed still rises above k's noise).
    public var loudQuantile: Double = 0.8
    /// In such a frame, k carries measurable bleed when it is this far above its floor.
    public var measurableAboveFloorDb: Double = 6
    /// Bleed is measured when at least this fraction of j's loud dominant frames show it.
    public var measurableFraction: Double = 0.5
    /// Bleed stronger than this (dB) gets a warning: attribution is then harder and
    /// voice measures on quiet own speech may carry the other voice.
    public var warnBleedDb: Double = -30
    /// A channel's voiced frame whose F0 is within this ratio of a louder channel's F0 at the
    /// same instant (both in their own speech) carries the other voice's pitch
    /// (`ownPitchSpans`).
    public var samePitchRatio: Double = 0.04
    public init() {}
}

extension ConversationAnalysis {
    /// The bleed coupling `[j][k]` (dB, positive: how much weaker j's voice reaches k's
    /// microphone), measured only where it can be seen: over the frames of j's speech where j
    /// is well above its noise floor and louder than k ("dominant"), and among them the
    /// loudest (level_j at or above their `loudQuantile`), the median of level_j − level_k
    /// over those frames where k rises above its own floor. nil when fewer than
    /// `measurableFraction` of those loud frames (or fewer than 10) show anything in k: the
    /// bleed is then below k's noise floor and nothing of j needs removing from k.
    ///
    /// Unlike `coupling`, frames where k speaks (and j only carries k's bleed) do not enter:
    /// they would pull the median towards the reverse coupling whenever k talks as much as j.
    /// Exact medians (`ExactQuantile`, two passes), chunked: memory does not grow with length.
    static func bleedCoupling(
        sources: [ChannelFrameSource], speech: [[Span]], chunking: TimingChunking,
        config: OwnVoiceConfig = OwnVoiceConfig()
    ) throws -> [[Double?]] {
        let nc = sources.count
        var out = [[Double?]](repeating: [Double?](repeating: nil, count: nc), count: nc)
        let g = sources[0].grid
        guard nc > 1, g.count > 0 else { return out }
        let plan = ChunkPlan(count: g.count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: 0)
        func scan(_ body: ([[Float]], [[Bool]], Int) -> Void) throws {
            for (core, _) in plan.chunks {
                let levels = try commonLevels(sources, window: core)
                body(levels, speech.map { spanMask($0, grid: g, range: core) }, core.count)
            }
        }
        // Noise floors: a low quantile of each channel's level.
        var fq = (0..<nc).map { _ in ExactQuantile(q: config.floorQuantile) }
        try scan { lv, _, n in for k in 0..<nc { for i in 0..<n { fq[k].add(lv[k][i]) } } }
        guard fq.allSatisfy({ $0.count > 0 }) else { return out }
        for k in 0..<nc { _ = fq[k].startSecondPass() }
        try scan { lv, _, n in for k in 0..<nc { for i in 0..<n { fq[k].refine(lv[k][i]) } } }
        let floor = fq.map { $0.result() }
        let aboveJ = Float(config.dominantAboveFloorDb), over = Float(config.dominantOverOtherDb)
        let aboveK = Float(config.measurableAboveFloorDb)
        // Dominant frames of j over k: body(j, k, level_j, level_k).
        func dominantFrames(_ body: (Int, Int, Float, Float) -> Void) throws {
            try scan { lv, masks, n in
                for j in 0..<nc {
                    for i in 0..<n where masks[j][i] && lv[j][i] >= floor[j] + aboveJ {
                        for k in 0..<nc where k != j && lv[j][i] - lv[k][i] >= over { body(j, k, lv[j][i], lv[k][i]) }
                    }
                }
            }
        }
        // The loudness threshold per pair: a quantile of level_j over the dominant frames.
        var lq = [[ExactQuantile]](repeating: [], count: nc)
        for j in 0..<nc { lq[j] = (0..<nc).map { _ in ExactQuantile(q: config.loudQuantile) } }
        try dominantFrames { j, k, lj, _ in lq[j][k].add(lj) }
        var loud = [[Float]](repeating: [Float](repeating: .infinity, count: nc), count: nc)
        for j in 0..<nc { for k in 0..<nc where k != j { _ = lq[j][k].startSecondPass() } }
        try dominantFrames { j, k, lj, _ in lq[j][k].refine(lj) }
        for j in 0..<nc { for k in 0..<nc where k != j && lq[j][k].count > 0 { loud[j][k] = lq[j][k].result() } }
        // Loud dominant frames, and those showing j's voice in k (d = level_j − level_k).
        var dominant = [[Int]](repeating: [Int](repeating: 0, count: nc), count: nc)
        var q = [[ExactQuantile]](repeating: [], count: nc)
        for j in 0..<nc { q[j] = (0..<nc).map { _ in ExactQuantile(q: 0.5) } }
        func frames(_ body: (Int, Int, Float) -> Void) throws {
            try dominantFrames { j, k, lj, lk in
                guard lj >= loud[j][k] else { return }
                body(j, k, lk >= floor[k] + aboveK ? lj - lk : .nan)
            }
        }
        try frames { j, k, d in
            dominant[j][k] += 1; if !d.isNaN { q[j][k].add(d) }
        }
        var measurable = [[Bool]](repeating: [Bool](repeating: false, count: nc), count: nc)
        for j in 0..<nc {
            for k in 0..<nc where k != j {
                let seen = q[j][k].count
                measurable[j][k] = seen >= 10 && Double(seen) >= config.measurableFraction * Double(dominant[j][k])
                if measurable[j][k] { _ = q[j][k].startSecondPass() }
            }
        }
        try frames { j, k, d in if measurable[j][k] && !d.isNaN { q[j][k].refine(d) } }
        for j in 0..<nc { for k in 0..<nc where k != j && measurable[j][k] { out[j][k] = Double(q[j][k].result()) } }
        return out
    }

    /// Each channel's bleed estimate from `bleedCoupling`: the strongest other voice.
    public static func bleedEstimates(_ att: [[Double?]], config: OwnVoiceConfig = OwnVoiceConfig()) -> [BleedEstimate] {
        att.indices.map { k in
            var best: (db: Double, from: Int)? = nil
            for j in att.indices where j != k {
                if let a = att[j][k], best == nil || -a > best!.db { best = (-a, j) }
            }
            return BleedEstimate(bleedDb: best?.db, fromChannel: best?.from, warning: (best?.db ?? -.infinity) > config.warnBleedDb)
        }
    }

    /// Bleed threshold offsets from `bleedCoupling`: as `bleedOffsets`, except that a pair
    /// with no measurable bleed removes nothing (infinite offset).
    static func ownVoiceOffsets(_ att: [[Double?]], config: ConversationConfig) -> [[Float]] {
        var offset = bleedOffsets(att, config: config)
        for j in att.indices { for k in att.indices where k != j && att[j][k] == nil { offset[j][k] = .infinity } }
        return offset
    }
}

extension ConversationAnalysis {
    /// `bleedCoupling(sources:…)` over levels and speech masks in memory (the same numbers).
    static func bleedCoupling(levels: [[Float]], masks: [[Bool]], config: OwnVoiceConfig = OwnVoiceConfig()) -> [[Double?]] {
        let nc = levels.count
        var out = [[Double?]](repeating: [Double?](repeating: nil, count: nc), count: nc)
        guard nc > 1, let n = levels.first?.count, n > 0 else { return out }
        let floor = levels.map { percentileSorted($0.sorted(), config.floorQuantile) }
        let aboveJ = Float(config.dominantAboveFloorDb), over = Float(config.dominantOverOtherDb)
        let aboveK = Float(config.measurableAboveFloorDb)
        for j in 0..<nc {
            for k in 0..<nc where k != j {
                let dom = (0..<n).filter { masks[j][$0] && levels[j][$0] >= floor[j] + aboveJ && levels[j][$0] - levels[k][$0] >= over }
                guard !dom.isEmpty else { continue }
                let loud = percentileSorted(dom.map { levels[j][$0] }.sorted(), config.loudQuantile)
                var dominant = 0
                var seen: [Float] = []
                for i in dom where levels[j][i] >= loud {
                    dominant += 1
                    if levels[k][i] >= floor[k] + aboveK { seen.append(levels[j][i] - levels[k][i]) }
                }
                guard seen.count >= 10, Double(seen.count) >= config.measurableFraction * Double(dominant) else { continue }
                seen.sort()
                out[j][k] = Double(percentileSorted(seen, 0.5))
            }
        }
        return out
    }
}

extension ConversationAnalysis {
    /// Each channel's own-voice pitch frames, as spans: its own speech (`own[k]`, after
    /// bleed removal) minus the frames where its pitch is another speaker's. In double talk a
    /// weak own voice can let the tracker lock onto the louder crosstalk; such a frame is
    /// voiced in both channels at once with F0 within `samePitchRatio` of each other while
    /// the other channel is the louder one. (Two people rarely hold the same F0 at the same
    /// instant; when they do, the quieter channel's frame is dropped, which costs a frame,
    /// not a bias.) Channels on different grids are returned unchanged. Chunked.
    public static func ownPitchSpans(
        sources: [ChannelFrameSource], own: [[Span]], chunking: TimingChunking,
        config: OwnVoiceConfig = OwnVoiceConfig()
    ) throws -> [[Span]] {
        let nc = sources.count
        guard nc > 1, own.count == nc, let g = sources.first?.grid, g.count > 0,
            sources.allSatisfy({ $0.grid == g })
        else { return own }
        let plan = ChunkPlan(count: g.count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: 0)
        var runs = [RunStream](repeating: RunStream(), count: nc)
        var out = [[Span]](repeating: [], count: nc)
        let ratio = Float(config.samePitchRatio)
        func add(_ k: Int, _ r: Range<Int>?) {
            guard let r else { return }
            out[k].append(Span(g.time(r.lowerBound) - g.dt / 2, g.time(r.upperBound - 1) + g.dt / 2))
        }
        for (core, _) in plan.chunks {
            let frames = try sources.map { try $0.loadChecked(core) }
            let masks = own.map { spanMask($0, grid: g, range: core) }
            for i in 0..<core.count {
                for k in 0..<nc {
                    var keep = masks[k][i]
                    let fk = i < frames[k].pitch.f0.count ? frames[k].pitch.f0[i] : 0
                    if keep, fk > 0 {
                        for j in 0..<nc where j != k && masks[j][i] {
                            let fj = i < frames[j].pitch.f0.count ? frames[j].pitch.f0[i] : 0
                            if fj > 0, abs(fk / fj - 1) < ratio, frames[j].speech.bandDb[i] > frames[k].speech.bandDb[i] {
                                keep = false
                                break
                            }
                        }
                    }
                    add(k, runs[k].push(keep))
                }
            }
        }
        for k in 0..<nc { add(k, runs[k].finish()) }
        return out
    }
}
