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
/// two-speaker fallback use, on a 10 ms grid: frame `i` covers `[i·dt, (i+1)·dt)` and is
/// centred at `grid.time(i) = (i + 0.5)·dt`.
public struct SpeechFrames: Sendable {
    public var grid: FrameGrid
    /// Energy of the 100–4000 Hz band in dB re (2·10⁻⁵)², like Praat's intensity (samples
    /// taken as pascals), from a 30 ms Hann window. The band excludes mains hum and its
    /// first harmonic, and most hiss above the speech band.
    public var bandDb: [Float]
    /// Normalised autocorrelation peak (0–1) for lags 1/600–1/75 s, corrected for the
    /// window (Boersma 1993): a cheap voicing cue for when no pitch track is given.
    public var periodicity: [Float]
    /// Frequency (Hz) of that autocorrelation peak; a crude F0 (0 when no peak).
    public var f0: [Float]
    /// Spectral shape: `SpeechFrames.bandEdges.count - 1` log band energies per frame
    /// (dB relative to the frame's 100–5000 Hz energy), flattened frame-major.
    public var shape: [Float]
    public static let bandEdges: [Double] = [100, 300, 600, 1000, 1800, 3000, 5000]
    public static var shapeBands: Int { bandEdges.count - 1 }

    public init(grid: FrameGrid, bandDb: [Float], periodicity: [Float], f0: [Float], shape: [Float]) {
        self.grid = grid
        self.bandDb = bandDb
        self.periodicity = periodicity
        self.f0 = f0
        self.shape = shape
    }

    /// The band energy as an intensity-like track (for bleed comparison and speech rate
    /// when no Praat intensity is at hand).
    public var levelTrack: IntensityTrack { IntensityTrack(grid: grid, db: bandDb) }
}

/// Streams one channel's samples and computes `SpeechFrames` (10 ms step).
///
/// Feed samples in order with `feed(_:at:)`; overlapping blocks are fine (samples before the
/// already-consumed position are skipped), so the lead can pass each `SampleBlock` as it
/// comes from `BlockStream`. Memory is one window plus the per-frame outputs
/// (≈ 40 bytes per frame, ≈ 45 MB per channel for 3 hours). Cost: two FFTs per frame.
/// Not thread-safe: one analyzer per channel and task.
public final class SpeechFrameAnalyzer {
    public let sampleRate: Int
    public let timeStep: Double
    private let window: Int
    private let maxLag: Int
    private let minLag: Int
    private let ws: FFTWorkspace
    private var hann: [Float]
    private var windowAC: [Float]
    private var hannPower: Double = 0
    private var pending: [Float] = []
    private var pendingStart = 0
    /// Global index of the next sample to accept.
    public private(set) var consumed = 0
    private var nextFrame = 0
    private var bandLo = 0, bandHi = 0, shapeLo = 0, shapeHi = 0
    private var shapeBins: [Int] = []
    private var out = (band: [Float](), per: [Float](), f0: [Float](), shape: [Float]())

    public init(sampleRate: Int, timeStep: Double = 0.01) {
        self.sampleRate = sampleRate
        self.timeStep = timeStep
        let sr = Double(sampleRate)
        window = max(16, Int((0.03 * sr).rounded()))
        maxLag = Int((sr / 75).rounded(.up))
        minLag = max(1, Int((sr / 600).rounded(.down)))
        let n = nextPowerOfTwo(window + maxLag + 1)
        ws = FFTWorkspace(size: n)
        hann = (0..<window).map { j in Float(0.5 - 0.5 * cos(2 * Double.pi * (Double(j) + 0.5) / Double(window))) }
        hannPower = hann.reduce(0) { $0 + Double($1 * $1) }
        // The window's own normalised autocorrelation.
        windowAC = [Float](repeating: 0, count: maxLag + 2)
        for k in 0..<windowAC.count {
            var s = 0.0
            var j = 0
            while j + k < window { s += Double(hann[j] * hann[j + k]); j += 1 }
            windowAC[k] = Float(s / hannPower)
        }
        let binHz = sr / Double(n)
        func bin(_ f: Double) -> Int { min(n / 2, max(0, Int((f / binHz).rounded()))) }
        bandLo = bin(100)
        bandHi = bin(min(4000, sr / 2))
        shapeBins = SpeechFrames.bandEdges.map { bin(min($0, sr / 2)) }
        shapeLo = shapeBins.first!
        shapeHi = shapeBins.last!
    }

    private func centre(_ frame: Int) -> Int { Int(((Double(frame) + 0.5) * timeStep * Double(sampleRate)).rounded()) }

    /// Feeds samples whose first element is global sample `globalStart`. Samples before
    /// `consumed` are ignored; a gap (globalStart > consumed) is filled with zeros.
    public func feed(_ samples: UnsafeBufferPointer<Float>, at globalStart: Int) {
        if globalStart > consumed {
            pending.append(contentsOf: repeatElement(0, count: globalStart - consumed))
            consumed = globalStart
        }
        let skip = consumed - globalStart
        if skip < samples.count {
            pending.append(contentsOf: samples[skip...])
            consumed = globalStart + samples.count
        }
        process(final: false)
    }

    /// Convenience: feeds channel `channel` of a `SampleBlock` from `BlockStream`.
    public func feed(block: SampleBlock, channel: Int) {
        block.channels[channel].withUnsafeBufferPointer { feed($0, at: block.start) }
    }

    /// Convenience for whole signals held in memory (tests, short files).
    public static func analyze(_ samples: [Float], sampleRate: Int) -> SpeechFrames {
        let a = SpeechFrameAnalyzer(sampleRate: sampleRate)
        samples.withUnsafeBufferPointer { a.feed($0, at: 0) }
        return a.finish()
    }

    /// Computes the remaining frames (zero-padding past the end) and returns the track.
    /// Frame count = ⌊samples / (dt·rate)⌋.
    public func finish() -> SpeechFrames {
        process(final: true)
        let grid = FrameGrid(t1: timeStep / 2, dt: timeStep, count: out.band.count)
        return SpeechFrames(grid: grid, bandDb: out.band, periodicity: out.per, f0: out.f0, shape: out.shape)
    }

    private func process(final: Bool) {
        let total = Int((Double(consumed) / (timeStep * Double(sampleRate))).rounded(.down) + 1e-9)
        while true {
            let c = centre(nextFrame)
            let lo = c - window / 2, hi = lo + window
            if final { if nextFrame >= total { break } } else if hi > consumed { break }
            computeFrame(from: lo)
            nextFrame += 1
        }
        // Drop samples no later frame needs.
        let keepFrom = centre(nextFrame) - window / 2
        if keepFrom > pendingStart {
            let drop = min(pending.count, keepFrom - pendingStart)
            pending.removeFirst(drop)
            pendingStart += drop
        }
    }

    private func computeFrame(from lo: Int) {
        let n = ws.plan.size
        let real = ws.real
        // Copy the window (zeros outside the signal), subtract its mean, apply Hann.
        var mean: Float = 0
        pending.withUnsafeBufferPointer { p in
            for j in 0..<window {
                let g = lo + j - pendingStart
                let v: Float = (g >= 0 && g < p.count) ? p[g] : 0
                real[j] = v
                mean += v
            }
        }
        mean /= Float(window)
        hann.withUnsafeBufferPointer { h in
            for j in 0..<window { real[j] = (real[j] - mean) * h[j] }
        }
        (real.baseAddress! + window).update(repeating: 0, count: n - window)
        ws.forward()
        let s = ws.spectrum
        // Power spectrum in place (re = |X|², im = 0); band sums.
        var band = 0.0, shapeTotal = 0.0
        var bands = [Double](repeating: 0, count: SpeechFrames.shapeBands)
        var b = 0
        for k in 0...(n / 2) {
            let re = s[2 * k], im = s[2 * k + 1]
            let p = Double(re * re + im * im)
            s[2 * k] = Float(p)
            s[2 * k + 1] = 0
            if k >= bandLo && k < bandHi { band += p }
            if k >= shapeLo && k < shapeHi {
                while b + 1 < shapeBins.count - 1 && k >= shapeBins[b + 1] { b += 1 }
                bands[b] += p
                shapeTotal += p
            }
        }
        // Parseval: mean square of the band-limited signal = 2·Σ|X|² / (N · Σw²).
        let ms = 2 * band / (Double(n) * hannPower)
        out.band.append(Float(10 * log10(ms / 4e-10 + 1e-10)))
        let tot = 10 * log10(shapeTotal + 1e-30)
        for v in bands { out.shape.append(Float(10 * log10(v + 1e-30) - tot)) }
        // Autocorrelation = inverse FFT of the power spectrum.
        ws.backward()
        let r0 = real[0]
        var best: Float = 0, bestLag = 0
        if r0 > 0 {
            for k in minLag...maxLag where k + 1 < n {
                let v = real[k] / r0 / windowAC[k]
                if v > best && real[k] >= real[k - 1] && real[k] >= real[k + 1] {
                    best = v
                    bestLag = k
                }
            }
        }
        if bestLag > 0 {
            // Parabolic refinement of the lag.
            let a = real[bestLag - 1], c0 = real[bestLag], d = real[bestLag + 1]
            let den = a - 2 * c0 + d
            let shift = den != 0 ? 0.5 * (a - d) / den : 0
            out.f0.append(Float(Double(sampleRate) / (Double(bestLag) + Double(max(-0.5, min(0.5, shift))))))
        } else {
            out.f0.append(0)
        }
        out.per.append(min(1, max(0, best)))
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
    public var belowLoudDb: Double = 35
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
    /// - The noise floor is a running low percentile of the 100–4000 Hz band energy
    ///   (robust to hum below 100 Hz and to slowly changing background noise).
    /// - A frame is speech when its energy is `marginDb` above the floor, or
    ///   `voicedMarginDb` above it while voiced (pitch track when given, else the frame's
    ///   periodicity), and within `belowLoudDb` of the local loud level.
    /// - Gaps < `minGapS` are closed, and short unvoiced blips are dropped.
    /// Unvoiced consonants inside words stay speech: they are energetic, and short gaps close.
    public static func detect(frames: SpeechFrames, pitch: PitchTrack? = nil,
                              config: VoiceActivityConfig = VoiceActivityConfig()) -> [Span] {
        let n = frames.grid.count
        guard n > 0 else { return [] }
        let e = frames.bandDb.map { max($0, 0) }
        let (floor, loud) = levels(e, dt: frames.grid.dt, config: config)
        let voiced = voicing(frames: frames, pitch: pitch, config: config)
        var speech = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let above = Double(e[i]) - Double(floor[i])
            let nearLoud = Double(e[i]) > Double(loud[i]) - config.belowLoudDb
            speech[i] = nearLoud && (above > config.marginDb || (voiced[i] && above > config.voicedMarginDb))
        }
        return cleanUp(speech, voiced: voiced, grid: frames.grid, config: config)
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
    static func levels(_ e: [Float], dt: Double, config: VoiceActivityConfig) -> (floor: [Float], loud: [Float]) {
        let n = e.count
        let chunk = max(1, Int((0.5 / dt).rounded()))
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
        let dt = grid.dt
        var runs = frameRuns(mask)
        // Close short gaps.
        let minGap = Int((config.minGapS / dt).rounded())
        var merged: [Range<Int>] = []
        for r in runs {
            if let last = merged.last, r.lowerBound - last.upperBound < minGap {
                merged[merged.count - 1] = last.lowerBound..<r.upperBound
            } else {
                merged.append(r)
            }
        }
        runs = merged
        let minLen = Int((config.minSpeechS / dt).rounded())
        let minVoiced = Int((config.minVoicedS / dt).rounded())
        var spans: [Span] = []
        for r in runs {
            if r.count < minLen {
                let v = r.reduce(0) { $0 + (voiced[$1] ? 1 : 0) }
                if v < minVoiced { continue }
            }
            spans.append(Span(grid.time(r.lowerBound) - dt / 2, grid.time(r.upperBound - 1) + dt / 2))
        }
        return spans
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
    var m = [Bool](repeating: false, count: grid.count)
    for s in spans {
        let a = max(0, Int(((s.start - grid.t1) / grid.dt).rounded(.up)))
        let b = min(grid.count - 1, Int(((s.end - grid.t1) / grid.dt).rounded(.up)) - 1)
        if a <= b { for i in a...b { m[i] = true } }
    }
    return m
}
