import CandorAudio

/// File-level voice analysis: a second streaming pass over a file whose pitch tracks are
/// already known (from `analyzeAudio`). Blocks of `blockSeconds` with `marginSeconds` of
/// context on each side are read one at a time, so memory stays flat with duration (a few
/// blocks of samples; `VoiceData` keeps pulses and HNR frames in a temporary file).
///
/// A voiced stretch that lies wholly inside a block (core plus margins) gets exactly the
/// pulses a whole-signal pass would give; only stretches longer than the margin that cross
/// a block boundary may differ slightly (their walk is anchored in the block's part).
public struct VoiceStreamOptions: Sendable {
    public var settings = VoiceSettings()
    public var blockSeconds: Double = 30
    public var marginSeconds: Double = 2
    /// Downmix all channels to one (must match the pitch analysis).
    public var mix = false
    /// Blocks analysed in parallel. Results do not depend on it.
    public var threads = 2
    public init() {}
}

/// The pitch frames a block of samples `[lo, hi)` needs: its frames plus whole voiced
/// stretches crossing its edges (a stretch's pulse walk starts from its middle, so a cut
/// stretch would give other pulses than the whole-track pass). The extension stops
/// `maxExtension` frames (60 s) beyond the block, so a recording voiced without a break
/// (a test tone, a hum the pitch tracker follows) cannot make every block load the whole
/// track; only such over-a-minute stretches may get pulses that differ from a one-pass
/// analysis.
func pitchForBlock(
    _ source: ChannelFrameSource, from t0: Double, to t1: Double,
    maxExtension: Int = 6000
) throws -> PitchTrack {
    let g = source.grid
    guard g.count > 0 else { return PitchTrack(grid: g, f0: [], strength: []) }
    let step = 500
    let a0 = max(0, Int(((t0 - g.t1) / g.dt).rounded(.down)) - 2)
    let b0 = min(g.count, Int(((t1 - g.t1) / g.dt).rounded(.up)) + 3)
    var a = a0, b = b0
    guard a < b else { return PitchTrack(grid: FrameGrid(t1: g.time(a), dt: g.dt, count: 0), f0: [], strength: []) }
    let aMin = max(0, a0 - maxExtension), bMax = min(g.count, b0 + maxExtension)
    var p = try source.load(a..<b).pitch
    while (a > aMin && p.f0.first! > 0) || (b < bMax && p.f0.last! > 0) {
        if a > aMin && p.f0.first! > 0 { a = max(aMin, a - step) }
        if b < bMax && p.f0.last! > 0 { b = min(bMax, b + step) }
        p = try source.load(a..<b).pitch
    }
    return p
}

/// Analyses every output channel of `path`; `pitch[k]` pages channel k's pitch track (block by
/// block, see `pitchForBlock`).
/// Returns one `VoiceData` per channel: call `.report()` for the channel's `voice` object
/// and `.report(from:to:)` for a segment's.
public func analyzeVoiceFile(
    path: String, scan: AudioScan, pitch: [ChannelFrameSource],
    options: VoiceStreamOptions = VoiceStreamOptions(),
    progress: ProgressHandler? = nil
) async throws -> [VoiceData] {
    let fs = Double(scan.info.sampleRate)
    let stream = try BlockStream(path: path, totalFrames: scan.framesRead, mix: options.mix)
    let nch = stream.outputChannels
    guard pitch.count == nch else {
        throw InputError(path: path, problem: "internal: \(pitch.count) pitch tracks for \(nch) channels")
    }
    let peaks = scan.globalPeaks(mix: options.mix)
    let settings = options.settings
    let grid = settings.harmonicity.grid(samples: scan.framesRead, sampleRate: fs)
    let blockFrames = max(1, Int(options.blockSeconds * fs))
    let margin = max(0, Int(options.marginSeconds * fs))
    let blocks = (scan.framesRead + blockFrames - 1) / blockFrames
    var data = (0..<nch).map { _ in VoiceData(settings: settings) }
    try await withThrowingTaskGroup(of: (Int, [VoiceBlock]).self) { group in
        var next = 0, done = 0
        var pending: [Int: [VoiceBlock]] = [:]
        func submit() throws {
            let b = next
            next += 1
            let coreLo = b * blockFrames, coreHi = min(scan.framesRead, coreLo + blockFrames)
            let block = try stream.samples(from: coreLo - margin, to: coreHi + margin, index: b)
            // The first block's core starts at -inf and the last one's ends at +inf so that
            // pulses just outside the signal's ends (edge tolerance) are kept.
            let coreStart = b == 0 ? -Double.infinity : Double(coreLo) / fs
            let coreEnd = b == blocks - 1 ? Double.infinity : Double(coreHi) / fs
            let blockPitch = try pitch.map {
                try pitchForBlock(
                    $0, from: Double(block.start) / fs,
                    to: Double(block.start + (block.channels.first?.count ?? 0)) / fs)
            }
            group.addTask {
                let out = (0..<nch).map { c in
                    block.channels[c].withUnsafeBufferPointer {
                        analyzeVoiceBlock(
                            samples: $0, start: block.start, sampleRate: fs, coreStart: coreStart,
                            coreEnd: coreEnd, pitch: blockPitch[c], hnrGrid: grid, globalPeak: peaks[c],
                            settings: settings)
                    }
                }
                return (b, out)
            }
        }
        while next < min(max(1, options.threads), blocks) { try submit() }
        while let (b, out) = try await group.next() {
            pending[b] = out
            // Blocks are merged strictly in order.
            while let ready = pending.removeValue(forKey: done) {
                for c in 0..<nch { try data[c].append(ready[c]) }
                done += 1
                progress?(Double(done) / Double(blocks))
            }
            if next < blocks { try submit() }
        }
    }
    return data
}
