import CandorAudio
import CandorDSP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Time spans

/// A half-open time range `[start, end)` in seconds. Encodes as the JSON array `[start, end]`.
public struct Span: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var start: Double
    public var end: Double
    public init(_ start: Double, _ end: Double) {
        self.start = start
        self.end = end
    }
    public var duration: Double { max(0, end - start) }
    public var description: String { "[\(start), \(end)]" }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        start = try c.decode(Double.self)
        end = try c.decode(Double.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(roundMs(start))
        try c.encode(roundMs(end))
    }
    /// `[[start, end], ...]`, the form the analysis JSON uses.
    public var pair: [Double] { [start, end] }

    /// The part of the span inside `range`, or nil when they do not intersect.
    public func clipped(to range: Span) -> Span? {
        let s = max(start, range.start), e = min(end, range.end)
        return e > s ? Span(s, e) : nil
    }
}

/// Rounds seconds to the millisecond for output (frame steps are 10 ms; more digits are noise).
@inlinable func roundMs(_ t: Double) -> Double { (t * 1000).rounded() / 1000 }

/// Sum of the spans' durations.
public func totalDuration(_ spans: [Span]) -> Double { spans.reduce(0) { $0 + $1.duration } }

// MARK: - Per-frame speech features

/// Per-frame features the voice-activity detector, the speech-rate counter and the mono
/// two-speaker fallback use, on the analysis frame grid (the pitch grid, 10 ms).
public struct SpeechFrames: Sendable {
    public var grid: FrameGrid
    /// Energy of the 250–4000 Hz band in dB re (2·10⁻⁵)², like Praat's intensity (samples
    /// taken as pascals), from a 30 ms Hann window. The band excludes mains hum (50/60 Hz)
    /// and its harmonics up to 180 Hz, and most hiss above the speech band.
    public var bandDb: [Float]
    /// Normalised autocorrelation peak (0–1) for lags 1/600–1/75 s, corrected for the
    /// window (Boersma 1993): a cheap voicing cue for when no pitch track is given.
    public var periodicity: [Float]
    /// Frequency (Hz) of that autocorrelation peak; a crude F0 (0 when no peak).
    public var f0: [Float]
    /// Praat intensity with a 50 Hz minimum pitch (64 ms window): the contour de Jong &
    /// Wempe (2009) pick syllable nuclei from.
    public var syllableDb: [Float]
    /// Spectral shape: `SpeechFrames.shapeBands` log band energies per frame (dB relative
    /// to the frame's 100–5000 Hz energy), flattened frame-major.
    public var shape: [Float]
    /// Lower edge of the voice-activity band: above mains hum and its first two harmonics.
    public static let bandLowHz = 250.0
    public static let bandEdges: [Double] = [100, 300, 600, 1000, 1800, 3000, 5000]
    public static var shapeBands: Int { bandEdges.count - 1 }

    public init(grid: FrameGrid, bandDb: [Float], periodicity: [Float], f0: [Float], syllableDb: [Float], shape: [Float]) {
        self.grid = grid
        self.bandDb = bandDb
        self.periodicity = periodicity
        self.f0 = f0
        self.syllableDb = syllableDb
        self.shape = shape
    }

    /// All-zero frames on `grid`, to be filled block by block with `replace(from:with:)`.
    public init(grid: FrameGrid) {
        self.grid = grid
        bandDb = [Float](repeating: 0, count: grid.count)
        periodicity = bandDb
        f0 = bandDb
        syllableDb = bandDb
        shape = [Float](repeating: 0, count: grid.count * Self.shapeBands)
    }

    /// Writes a block's frames (`part`, e.g. from `SpeechFrameAnalyzer.analyze(grid:range:…)`)
    /// at frame index `base`.
    public mutating func replace(from base: Int, with part: SpeechFrames) {
        let n = part.bandDb.count
        bandDb.replaceSubrange(base..<(base + n), with: part.bandDb)
        periodicity.replaceSubrange(base..<(base + n), with: part.periodicity)
        f0.replaceSubrange(base..<(base + n), with: part.f0)
        syllableDb.replaceSubrange(base..<(base + n), with: part.syllableDb)
        let nb = Self.shapeBands
        shape.replaceSubrange((base * nb)..<((base + n) * nb), with: part.shape)
    }

    /// The band energy as an intensity-like track (for bleed comparison and speech rate
    /// when no Praat intensity is at hand).
    public var levelTrack: IntensityTrack { IntensityTrack(grid: grid, db: bandDb) }
    /// The 50 Hz-minimum-pitch intensity as a track (for `Timing.syllableNuclei`).
    public var syllableTrack: IntensityTrack { IntensityTrack(grid: grid, db: syllableDb) }
}

/// Computes `SpeechFrames` for frames of a grid from a block of one channel's samples,
/// like `IntensityFrameAnalyzer`: global sample `i` is at time `(i + 0.5) / sampleRate`.
/// Cost: two FFTs per frame. One analyzer per task (it owns FFT buffers).
public final class SpeechFrameAnalyzer {
    public let sampleRate: Double
    private let window: Int
    private let maxLag: Int
    private let minLag: Int
    private let ws: FFTWorkspace
    private let hann: [Float]
    private let windowAC: [Float]
    private let hannPower: Double
    private let bandLo: Int, bandHi: Int
    private let shapeBins: [Int]
    private let syllableIntensity: IntensityFrameAnalyzer
    /// Per-frame band accumulator (reused: no allocation per frame).
    private var acc = [Double](repeating: 0, count: SpeechFrames.shapeBands)

    public init(sampleRate: Double) {
        self.sampleRate = sampleRate
        let sr = sampleRate
        window = max(16, Int((0.03 * sr).rounded()))
        maxLag = Int((sr / 75).rounded(.up))
        minLag = max(2, Int((sr / 600).rounded(.down)))
        let n = nextPowerOfTwo(window + maxLag + 2)
        ws = FFTWorkspace(size: n)
        let w = window
        let h = (0..<w).map { j in Float(0.5 - 0.5 * cos(2 * Double.pi * (Double(j) + 0.5) / Double(w))) }
        hann = h
        let hp = h.reduce(0) { $0 + Double($1 * $1) }
        hannPower = hp
        // The window's own normalised autocorrelation.
        windowAC = (0..<(maxLag + 2)).map { k in
            var s = 0.0
            var j = 0
            while j + k < w { s += Double(h[j] * h[j + k]); j += 1 }
            return Float(max(s / hp, 1e-6))
        }
        let binHz = sr / Double(n)
        func bin(_ f: Double) -> Int { min(n / 2, max(0, Int((f / binHz).rounded()))) }
        bandLo = bin(SpeechFrames.bandLowHz)
        bandHi = bin(min(4000, sr / 2))
        shapeBins = SpeechFrames.bandEdges.map { bin(min($0, sr / 2)) }
        syllableIntensity = IntensityFrameAnalyzer(sampleRate: sr, minimumPitch: 50)
    }

    /// Samples a block needs on each side of its first and last frame centres.
    public var contextSamples: Int { max(window / 2 + 2, syllableIntensity.contextSamples) }

    /// Frames `range` of `grid`, from `x` holding global samples starting at `start`
    /// (samples outside `x` count as zeros). The result's grid starts at `range.lowerBound`.
    public func analyze(grid: FrameGrid, range: Range<Int>, x: UnsafeBufferPointer<Float>, start: Int) -> SpeechFrames {
        var out = SpeechFrames(
            grid: FrameGrid(t1: grid.time(range.lowerBound), dt: grid.dt, count: range.count),
            bandDb: [], periodicity: [], f0: [], syllableDb: [], shape: [])
        out.bandDb.reserveCapacity(range.count)
        out.periodicity.reserveCapacity(range.count)
        out.f0.reserveCapacity(range.count)
        out.syllableDb.reserveCapacity(range.count)
        out.shape.reserveCapacity(range.count * SpeechFrames.shapeBands)
        for i in range { frame(t: grid.time(i), x: x, start: start, into: &out) }
        return out
    }

    /// Whole signal in memory (tests, short files), on `grid` (default: 10 ms frames
    /// centred at 5, 15, 25 … ms).
    public static func analyze(_ samples: [Float], sampleRate: Double, grid: FrameGrid? = nil) -> SpeechFrames {
        let g = grid ?? FrameGrid(t1: 0.005, dt: 0.01, count: Int(Double(samples.count) / sampleRate / 0.01))
        let a = SpeechFrameAnalyzer(sampleRate: sampleRate)
        return samples.withUnsafeBufferPointer { a.analyze(grid: g, range: 0..<g.count, x: $0, start: 0) }
    }

    private func frame(t: Double, x: UnsafeBufferPointer<Float>, start: Int, into out: inout SpeechFrames) {
        out.syllableDb.append(syllableIntensity.intensity(t: t, x: x, start: start))
        let n = ws.plan.size
        let real = ws.real
        let first = Int((t * sampleRate - 0.5).rounded()) - window / 2 - start
        // Copy the window (zeros outside the block), subtract its mean, apply Hann.
        if first >= 0 && first + window <= x.count {
            let src = x.baseAddress! + first
            let mean = sum(src, window) / Float(window)
            hann.withUnsafeBufferPointer { h in
                for j in 0..<window { real[j] = (src[j] - mean) * h[j] }
            }
        } else {
            var mean: Float = 0
            for j in 0..<window {
                let i = first + j
                let v: Float = (i >= 0 && i < x.count) ? x[i] : 0
                real[j] = v
                mean += v
            }
            mean /= Float(window)
            hann.withUnsafeBufferPointer { h in
                for j in 0..<window { real[j] = (real[j] - mean) * h[j] }
            }
        }
        (real.baseAddress! + window).update(repeating: 0, count: n - window)
        ws.forward()
        let s = ws.spectrum
        // Power spectrum in place (re = |X|², im = 0) and band sums.
        let nb = SpeechFrames.shapeBands
        var band = 0.0, shapeTotal = 0.0
        for k in 0...(n / 2) {
            let re = s[2 * k], im = s[2 * k + 1]
            s[2 * k] = re * re + im * im
            s[2 * k + 1] = 0
        }
        // Band sums in Double, four bins at a time (independent partial sums).
        @inline(__always) func bandSum(_ lo: Int, _ hi: Int) -> Double {
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var k = lo
            while k + 4 <= hi {
                s0 += Double(s[2 * k])
                s1 += Double(s[2 * k + 2])
                s2 += Double(s[2 * k + 4])
                s3 += Double(s[2 * k + 6])
                k += 4
            }
            var t = (s0 + s1) + (s2 + s3)
            while k < hi {
                t += Double(s[2 * k])
                k += 1
            }
            return t
        }
        band = bandSum(bandLo, bandHi)
        shapeBins.withUnsafeBufferPointer { edges in
            for j in 0..<nb {
                acc[j] = bandSum(edges[j], edges[j + 1])
                shapeTotal += acc[j]
            }
        }
        // Parseval: mean square of the band-limited signal = 2·Σ|X|² / (N · Σw²).
        let ms = 2 * band / (Double(n) * hannPower)
        out.bandDb.append(Float(max(-100, 10 * log10(ms / 4e-10 + 1e-30))))
        let tot = 10 * log10(shapeTotal + 1e-30)
        for j in 0..<nb { out.shape.append(Float(10 * log10(acc[j] + 1e-30) - tot)) }
        // Autocorrelation = inverse FFT of the power spectrum.
        ws.backward()
        let r0 = real[0]
        var best: Float = 0, bestLag = 0
        if r0 > 0 {
            windowAC.withUnsafeBufferPointer { wac in
                for k in minLag...maxLag where real[k] >= real[k - 1] && real[k] >= real[k + 1] {
                    // Only local maxima are normalised (the same test, cheapest part first).
                    let v = real[k] / r0 / wac[k]
                    if v > best {
                        best = v
                        bestLag = k
                    }
                }
            }
        }
        if bestLag > 0 {
            // Parabolic refinement of the lag.
            let a = real[bestLag - 1], c0 = real[bestLag], d = real[bestLag + 1]
            let den = a - 2 * c0 + d
            let shift = den != 0 ? max(-0.5, min(0.5, 0.5 * (a - d) / den)) : 0
            out.f0.append(Float(sampleRate / (Double(bestLag) + Double(shift))))
        } else {
            out.f0.append(0)
        }
        out.periodicity.append(min(1, max(0, best)))
    }
}

// MARK: - Voice activity

/// Settings of the voice-activity detector. Every one changes the output; the lead records
/// them in the analysis JSON's `parameters`.
public struct VoiceActivityConfig: Sendable, Codable, Equatable {
    /// A frame is speech when its band energy exceeds the local noise floor by this much…
    public var marginDb: Double = 6
    /// …or, when voiced, by this smaller margin.
    public var voicedMarginDb: Double = 3
    /// And never when it is this far below the local loud level (95th percentile): keeps
    /// reverberation tails and breaths out of clean recordings whose floor is digital silence.
    public var belowLoudDb: Double = 50
    /// Stretches extend while the energy stays this far above the floor (hysteresis).
    public var extendMarginDb: Double = 1.5
    /// The extension test averages the power of ±this many frames.
    public var extendSmoothingFrames: Int = 1
    /// An unvoiced stretch whose loudest frame stays this far below the local loud level is
    /// breath or background, not speech (`dropBreaths`).
    public var breathBelowLoudDb: Double = 25
    /// When set, a stretch's weak unvoiced edge frames this far below its peak are trimmed.
    public var edgeBelowPeakDb: Double? = nil
    /// Noise floor: the `floorPercentile` of per-chunk low percentiles over ±`floorWindowS`.
    public var floorWindowS: Double = 15
    public var floorPercentile: Double = 0.1
    /// Periodicity above which a frame counts as voiced when no pitch track is given.
    public var periodicityThreshold: Double = 0.6
    /// Gaps shorter than this inside speech are closed (they are not pauses anyway).
    public var minGapS: Double = 0.1
    /// Speech stretches shorter than this are dropped unless voiced for at least `minVoicedS`.
    public var minSpeechS: Double = 0.12
    public var minVoicedS: Double = 0.05
    public init() {}
}

/// Energy-and-voicing voice-activity detection against an adaptive noise floor.
public enum VoiceActivity {
    /// Speech stretches of one channel.
    ///
    /// - The noise floor is a running low percentile of the 250–4000 Hz band energy
    ///   (robust to mains hum and to slowly changing background noise).
    /// - A frame is speech when its energy is `marginDb` above the floor, or
    ///   `voicedMarginDb` above it while voiced (pitch track when given, else the frame's
    ///   periodicity), and within `belowLoudDb` of the local loud level.
    /// - Gaps < `minGapS` are closed, and short unvoiced blips are dropped.
    /// Unvoiced consonants inside words stay speech: they are energetic, and short gaps close.
    public static func detect(
        frames: SpeechFrames, pitch: PitchTrack? = nil,
        config: VoiceActivityConfig = VoiceActivityConfig()
    ) -> [Span] {
        guard frames.grid.count > 0 else { return [] }
        let voiced = voicing(frames: frames, pitch: pitch, config: config)
        let speech = speechMask(bandDb: frames.bandDb, voiced: voiced, dt: frames.grid.dt, config: config)
        return cleanUp(speech, voiced: voiced, grid: frames.grid, config: config)
    }

    /// `detect` over a channel's frame source, one chunk of `chunking.coreS` at a time with
    /// `chunking.marginS` of context on each side (at least the noise-floor window), so
    /// memory does not grow with the recording's length.
    ///
    /// Every step is local — the noise floor and loud level (±`floorWindowS`, in 0.5 s blocks
    /// aligned as on the whole track), the hysteresis (contiguous runs of frames above the
    /// extension margin), gap closing and blip removal (streamed across chunks) — so the
    /// spans equal `detect(frames:pitch:)` on the whole tracks exactly, unless a hysteresis
    /// extension runs unbroken for longer than the margin minus the floor window (about 44 s).
    /// A recording no longer than one core is analysed in one piece. Voicing: the source's
    /// pitch track (same grid), or periodicity when the source has no pitch frames.
    public static func detect(
        source: ChannelFrameSource, config: VoiceActivityConfig = VoiceActivityConfig(),
        chunking: TimingChunking = TimingChunking()
    ) throws -> [Span] {
        let g = source.grid
        guard g.count > 0 else { return [] }
        let plan = ChunkPlan(grid: g, chunking: chunking, minMarginS: config.floorWindowS + 1, align: levelBlock(dt: g.dt))
        var out = SpanBuilder(grid: g, config: config)
        for (core, window) in plan.chunks {
            let f = try source.loadChecked(window)
            let voiced = voicing(f, config: config)
            let speech = speechMask(bandDb: f.speech.bandDb, voiced: voiced, dt: g.dt, config: config)
            for i in core { out.push(speech[i - window.lowerBound], voiced: voiced[i - window.lowerBound]) }
        }
        return out.finish()
    }

    /// Frames per block of `levels` (0.5 s).
    static func levelBlock(dt: Double) -> Int { max(1, Int((0.5 / dt).rounded())) }

    /// Per-frame voicing of loaded frames: the pitch track (same grid) when it has frames,
    /// else periodicity.
    static func voicing(_ f: ChannelFrames, config: VoiceActivityConfig) -> [Bool] {
        if f.pitch.grid.count > 0 { return f.pitch.f0.map { $0 > 0 } }
        let th = Float(config.periodicityThreshold)
        return f.speech.periodicity.map { $0 >= th }
    }

    /// The speech mask before clean-up: energy against the local floor and loud level, then
    /// hysteresis.
    static func speechMask(bandDb: [Float], voiced: [Bool], dt: Double, config: VoiceActivityConfig) -> [Bool] {
        let n = bandDb.count
        let e = bandDb.map { max($0, 0) }
        let (floor, loud) = levels(e, dt: dt, config: config)
        var speech = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let above = Double(e[i]) - Double(floor[i])
            let nearLoud = Double(e[i]) > Double(loud[i]) - config.belowLoudDb
            speech[i] = nearLoud && (above > config.marginDb || (voiced[i] && above > config.voicedMarginDb))
        }
        // Hysteresis: extend every stretch while the energy stays `extendMarginDb` above
        // the floor (weak word endings and onsets in noise).
        var i = 0
        while i < n {
            guard speech[i] else { i += 1; continue }
            var a = i
            while a > 0 && !speech[a - 1] && lowOK(a - 1) { a -= 1; speech[a] = true }
            var b = i
            while b + 1 < n && speech[b + 1] { b += 1 }
            while b + 1 < n && !speech[b + 1] && lowOK(b + 1) { b += 1; speech[b] = true }
            i = b + 1
        }
        dropBreaths(&speech, e: e, loud: loud, voiced: voiced, config: config)
        trimEdges(&speech, e: e, floor: floor, voiced: voiced, config: config)
        func lowOK(_ i: Int) -> Bool {
            // Mean power of the frame and its neighbours: steadier than one frame in noise.
            var p = 0.0
            let h = config.extendSmoothingFrames
            for j in max(0, i - h)...min(n - 1, i + h) { p += pow(10, Double(e[j]) / 10) }
            let smooth = 10 * log10(p / Double(min(n - 1, i + h) - max(0, i - h) + 1))
            return smooth > Double(floor[i]) + config.extendMarginDb
                && Double(e[i]) > Double(loud[i]) - config.belowLoudDb - 5
        }
        return speech
    }

    /// Per-frame voicing: the pitch track (by time) when given, else periodicity.
    static func voicing(frames: SpeechFrames, pitch: PitchTrack?, config: VoiceActivityConfig) -> [Bool] {
        let g = frames.grid
        if let pitch, pitch.grid.count > 0 {
            return (0..<g.count).map { pitch.f0(at: g.time($0)) > 0 }
        }
        let th = Float(config.periodicityThreshold)
        return frames.periodicity.map { $0 >= th }
    }

    /// Local noise floor and loud level per frame. Chunks of 0.5 s give a low (10th) and a
    /// high (95th) percentile; the floor is the `floorPercentile` of chunk lows within
    /// ±`floorWindowS`, the loud level the 90th percentile of chunk highs. O(frames).
    public static func levels(_ e: [Float], dt: Double, config: VoiceActivityConfig) -> (floor: [Float], loud: [Float]) {
        let n = e.count
        let chunk = levelBlock(dt: dt)
        let chunks = (n + chunk - 1) / chunk
        var lows = [Float](), highs = [Float]()
        lows.reserveCapacity(chunks)
        highs.reserveCapacity(chunks)
        var buf = [Float]()
        for c in 0..<chunks {
            buf.removeAll(keepingCapacity: true)
            buf.append(contentsOf: e[(c * chunk)..<min(n, (c + 1) * chunk)])
            buf.sort()
            lows.append(percentileSorted(buf, 0.1))
            highs.append(percentileSorted(buf, 0.95))
        }
        let half = max(1, Int((config.floorWindowS / 0.5).rounded()))
        var floorC = [Float](repeating: 0, count: chunks), loudC = floorC
        for c in 0..<chunks {
            let a = max(0, c - half), b = min(chunks, c + half + 1)
            buf.removeAll(keepingCapacity: true)
            buf.append(contentsOf: lows[a..<b])
            buf.sort()
            floorC[c] = percentileSorted(buf, config.floorPercentile)
            buf.removeAll(keepingCapacity: true)
            buf.append(contentsOf: highs[a..<b])
            buf.sort()
            loudC[c] = percentileSorted(buf, 0.9)
        }
        var floor = [Float](repeating: 0, count: n), loud = floor
        for i in 0..<n {
            floor[i] = floorC[i / chunk]
            loud[i] = loudC[i / chunk]
        }
        return (floor, loud)
    }

    /// Turns a frame mask into spans: closes short gaps, drops short unvoiced blips.
    static func cleanUp(_ mask: [Bool], voiced: [Bool], grid: FrameGrid, config: VoiceActivityConfig) -> [Span] {
        var out = SpanBuilder(grid: grid, config: config)
        for i in mask.indices { out.push(mask[i], voiced: voiced[i]) }
        return out.finish()
    }
}

/// Maximal runs of `true` in a mask.
func frameRuns(_ mask: [Bool]) -> [Range<Int>] {
    var runs: [Range<Int>] = []
    var i = 0
    let n = mask.count
    while i < n {
        if !mask[i] { i += 1; continue }
        let s = i
        while i < n && mask[i] { i += 1 }
        runs.append(s..<i)
    }
    return runs
}

/// Linear-interpolated percentile of a sorted array (q in 0…1).
func percentileSorted(_ a: [Float], _ q: Double) -> Float {
    guard !a.isEmpty else { return 0 }
    let x = q * Double(a.count - 1)
    let i = Int(x)
    let f = Float(x - Double(i))
    return i + 1 < a.count ? a[i] * (1 - f) + a[i + 1] * f : a[i]
}

/// Frame mask of spans on a grid (frame i set when its centre lies in a span).
func spanMask(_ spans: [Span], grid: FrameGrid) -> [Bool] {
    spanMask(spans, grid: grid, range: 0..<grid.count)
}
