import CandorAudio

/// Options of a whole-file analysis.
public struct AnalysisOptions: Sendable {
    public var pitch = PitchSettings()
    /// Downmix all channels to one before analysis.
    public var mix = false
    /// Blocks analysed in parallel (1 = sequential). Results do not depend on it.
    public var threads = 2
    /// Frames per block core. Fixed for a file, so results never depend on `threads`.
    public var blockFrames = 3000
    /// Extra frames each side of a block for the path finder to settle.
    public var contextFrames = 200
    /// Compute the voice-activity frame features (needed for timing and conversation).
    public var speechFeatures = true
    /// `--pitch-range auto`: the range was set from a first pass (nil: the range was given).
    public var pitchRangeAuto = false
    /// The first pass's quartiles (nil when too few frames were voiced: the given range kept).
    public var pitchRange: PitchRangeEstimate?
    /// Sub-sample placement of the jitter intervals for the voice pass (nil: the
    /// Praat-compatible parabolic default).
    public var pulseInterpolation: PulseInterpolation?
    public init() {}
}

/// Per-channel output of the frame-level analysis: pitch, intensity and (unless
/// `speechFeatures` was off) the voice-activity frame features (band level, periodicity,
/// spectral shape), all on the pitch grid, paged from the analysis's spill file.
public struct ChannelAnalysis: Sendable {
    public var index: Int
    public var source: ChannelFrameSource
    public var grid: FrameGrid { source.grid }
    /// Frames `r` of every track.
    public func load(_ r: Range<Int>) throws -> ChannelFrames { try source.load(r) }
    /// The whole channel in memory: for tests and short signals only (a three-hour channel
    /// is about 50 MB); the CLI pages ranges instead.
    func loadAll() throws -> ChannelFrames { try source.load(0..<grid.count) }
}

/// Output of `analyzeAudio`.
public struct AudioAnalysis: Sendable {
    public var scan: AudioScan
    /// The per-frame tracks of every channel (an unlinked temporary file).
    public var store: FrameStore
    public var channels: [ChannelAnalysis]
}

/// Progress callback: fraction done in [0, 1].
public typealias ProgressHandler = @Sendable (Double) -> Void

/// Everything one block yields for one channel.
struct BlockOutput: Sendable {
    var f0: [Float]
    var strength: [Float]
    var intensity: [Float]
    var speech: SpeechFrames
}

/// Streams `path` (already validated by `scanAudio`) in overlapping blocks and analyses
/// the blocks on up to `options.threads` tasks. Memory holds only the blocks in flight;
/// finished blocks are written to a `FrameStore` (temporary file).
public func analyzeAudio(
    path: String, scan: AudioScan, options: AnalysisOptions,
    progress: ProgressHandler? = nil
) async throws -> AudioAnalysis {
    let fs = Double(scan.info.sampleRate)
    let settings = options.pitch
    if let problem = settings.validate(sampleRate: fs) {
        throw InputError(path: path, problem: problem)
    }
    guard
        let grid = analysisGrid(
            samples: scan.framesRead, sampleRate: fs,
            windowDuration: settings.windowDuration, timeStep: settings.effectiveTimeStep)
    else {
        throw InputError(
            path: path,
            problem:
                "too short: \(formatSeconds(scan.duration)) s is less than one analysis window (\(formatSeconds(settings.windowDuration)) s at a \(settings.floor) Hz pitch floor)"
        )
    }
    let stream = try BlockStream(path: path, totalFrames: scan.framesRead, mix: options.mix)
    let nch = stream.outputChannels
    let globalPeaks = scan.globalPeaks(mix: options.mix)
    let probe = PitchFrameAnalyzer(settings: settings, sampleRate: fs)
    let intensityProbe = IntensityFrameAnalyzer(sampleRate: fs)
    let speechProbe = SpeechFrameAnalyzer(sampleRate: fs)
    let ctxSamples = max(probe.contextSamples, intensityProbe.contextSamples, speechProbe.contextSamples) + 2
    let blockFrames = max(1, options.blockFrames)
    let blockCount = (grid.count + blockFrames - 1) / blockFrames

    let wantSpeech = options.speechFeatures
    // Finished blocks go straight to the spill file: memory holds only the blocks in flight.
    let store = try FrameStore(grid: grid, channels: nch, hasSpeech: wantSpeech)
    let threads = max(1, options.threads)

    try await withThrowingTaskGroup(of: (Int, [BlockOutput]).self) { group in
        var next = 0
        var done = 0
        func submit() throws {
            let b = next
            next += 1
            let core = (b * blockFrames)..<min(grid.count, (b + 1) * blockFrames)
            let ctx = max(0, core.lowerBound - options.contextFrames)..<min(grid.count, core.upperBound + options.contextFrames)
            let lo = Int((grid.time(ctx.lowerBound) * fs).rounded(.down)) - ctxSamples
            let hi = Int((grid.time(ctx.upperBound - 1) * fs).rounded(.up)) + ctxSamples
            let block = try stream.samples(from: lo, to: hi, index: b)
            group.addTask {
                let pitchAnalyzer = PitchFrameAnalyzer(settings: settings, sampleRate: fs)
                let intensityAnalyzer = IntensityFrameAnalyzer(sampleRate: fs)
                let speechAnalyzer = SpeechFrameAnalyzer(sampleRate: fs)
                var outs: [BlockOutput] = []
                for c in 0..<block.channels.count {
                    let out = block.channels[c].withUnsafeBufferPointer { x -> BlockOutput in
                        let p = analyzePitchBlock(
                            analyzer: pitchAnalyzer, grid: grid, contextRange: ctx, range: core,
                            samples: x, start: block.start, globalPeak: globalPeaks[c])
                        var db = [Float](repeating: 0, count: core.count)
                        for (k, i) in core.enumerated() {
                            db[k] = intensityAnalyzer.intensity(t: grid.time(i), x: x, start: block.start)
                        }
                        let sf =
                            wantSpeech
                            ? speechAnalyzer.analyze(grid: grid, range: core, x: x, start: block.start)
                            : SpeechFrames(grid: FrameGrid(t1: grid.t1, dt: grid.dt, count: 0))
                        return BlockOutput(f0: p.f0, strength: p.strength, intensity: db, speech: sf)
                    }
                    outs.append(out)
                }
                return (b, outs)
            }
        }
        while next < min(threads, blockCount) { try submit() }
        while let (b, outs) = try await group.next() {
            let base = b * blockFrames
            for c in 0..<nch {
                let o = outs[c]
                try store.write(
                    channel: c, base: base, f0: o.f0, strength: o.strength, intensity: o.intensity,
                    speech: wantSpeech ? o.speech : nil)
            }
            done += 1
            progress?(Double(done) / Double(blockCount))
            if next < blockCount { try submit() }
        }
    }
    let channels = (0..<nch).map { c in ChannelAnalysis(index: c, source: store.source(channel: c)) }
    return AudioAnalysis(scan: scan, store: store, channels: channels)
}
