import CandorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Frame sources (chunked)

extension ConversationAnalysis {
    /// `commonLevels` over frames `window` of the first source's grid: each channel's band
    /// energy (`SpeechFrames.bandDb`), by nearest frame when its grid differs.
    static func commonLevels(_ sources: [ChannelFrameSource], window: Range<Int>) throws -> [[Float]] {
        let g = sources[0].grid
        return try sources.map { s in
            if s.grid == g { return try s.loadChecked(window).speech.bandDb }
            guard s.grid.count > 0, !window.isEmpty else { return [Float](repeating: -100, count: window.count) }
            let lo = s.grid.nearest(g.time(window.lowerBound)), hi = s.grid.nearest(g.time(window.upperBound - 1))
            let db = try s.loadChecked(min(lo, hi)..<(max(lo, hi) + 1)).speech.bandDb
            return window.map { db[s.grid.nearest(g.time($0)) - min(lo, hi)] }
        }
    }

    /// `coupling(levels:masks:)` of channels given as frame sources and their speech,
    /// exactly (the medians by `ExactQuantile`: two passes over the frames, 256 KB per
    /// ordered pair of channels whatever the length).
    static func coupling(sources: [ChannelFrameSource], speech: [[Span]], chunking: TimingChunking) throws -> [[Double?]] {
        let nc = sources.count
        var out = [[Double?]](repeating: [Double?](repeating: nil, count: nc), count: nc)
        let g = sources[0].grid
        guard nc > 1, g.count > 0 else { return out }
        var q = [[ExactQuantile]](repeating: [], count: nc)
        for j in 0..<nc { q[j] = (0..<nc).map { _ in ExactQuantile(q: 0.5) } }
        let plan = ChunkPlan(count: g.count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: 0)
        func pass(_ body: (Int, Int, Float) -> Void) throws {
            for (core, _) in plan.chunks {
                let levels = try commonLevels(sources, window: core)
                let masks = speech.map { spanMask($0, grid: g, range: core) }
                for j in 0..<nc {
                    for k in 0..<nc where k != j {
                        for i in 0..<core.count where masks[j][i] { body(j, k, levels[j][i] - levels[k][i]) }
                    }
                }
            }
        }
        try pass { j, k, v in q[j][k].add(v) }
        var refine = false
        for j in 0..<nc { for k in 0..<nc where k != j && q[j][k].count >= 10 { refine = q[j][k].startSecondPass() || refine } }
        guard refine else { return out }
        try pass { j, k, v in if q[j][k].count >= 10 { q[j][k].refine(v) } }
        for j in 0..<nc { for k in 0..<nc where k != j && q[j][k].count >= 10 { out[j][k] = Double(q[j][k].result()) } }
        return out
    }

    /// `suppressBleed` over frame sources (speech from `VoiceActivity.detect`, couplings from
    /// `coupling(sources:…)`), window by window: the noise floors (±15 s), the labels' spread
    /// inside a speech stretch and the bleed runs are local, so the result equals the
    /// in-memory form unless a speech stretch holds no frame of known label for longer than
    /// the margin. `offsets` (e.g. `ownVoiceOffsets`) replace the ones derived from `att`.
    static func suppressBleed(
        sources: [ChannelFrameSource], speech raw: [[Span]], coupling att: [[Double?]],
        offsets: [[Float]]? = nil,
        config: ConversationConfig, chunking: TimingChunking
    ) throws -> [[Span]] {
        let g = sources[0].grid
        let nc = sources.count
        guard nc > 1, g.count > 0 else { return raw }
        let offset = offsets ?? bleedOffsets(att, config: config)
        let plan = ChunkPlan(
            grid: g, chunking: chunking, minMarginS: VoiceActivityConfig().floorWindowS + 1,
            align: VoiceActivity.levelBlock(dt: g.dt))
        var runs = [RunStream](repeating: RunStream(), count: nc)
        var out = [[Span]](repeating: [], count: nc)
        func add(_ k: Int, _ r: Range<Int>?) {
            if let r, let s = bleedFreeSpan(r, grid: g, original: raw[k], config: config) { out[k].append(s) }
        }
        for (core, window) in plan.chunks {
            let levels = try commonLevels(sources, window: window)
            let masks = raw.map { spanMask($0, grid: g, range: window) }
            let kept = ownSpeech(levels: levels, masks: masks, offset: offset, dt: g.dt, config: config)
            for k in 0..<nc { for i in core { add(k, runs[k].push(kept[k][i - window.lowerBound])) } }
        }
        for k in 0..<nc { add(k, runs[k].finish()) }
        return out
    }
}
