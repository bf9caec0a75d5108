import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Settings of the voice-quality analysis (Praat's voice-report defaults).
public struct VoiceSettings: Sendable, Equatable, Codable {
    public var pulses = PulseSettings()
    public var rules = PeriodRules()
    public var harmonicity = HarmonicitySettings()
    /// A measure from fewer periods than this is marked unreliable.
    public var minimumReliablePeriods = 20
    /// Standard errors of jitter and shimmer: the moving-block bootstrap of the mean term
    /// (blocks of 10 terms) in its exact limit of infinitely many resamples (`TermStats`).
    /// False leaves them null.
    public var standardErrors = true
    public init() {}

    private enum EncodingKeys: String, CodingKey {
        case pulses, rules, harmonicity, minimumReliablePeriods, standardErrors, bootstrapResamples, bootstrapSeed
    }

    /// Writes every setting. `bootstrapResamples` and `bootstrapSeed` (a Monte-Carlo
    /// bootstrap's settings, written by earlier versions) stay in the analysis JSON as null:
    /// keys are never removed within `candor.analysis/1`, and null says no resampling was
    /// done (the standard errors are the bootstrap's exact limit).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: EncodingKeys.self)
        try c.encode(pulses, forKey: .pulses)
        try c.encode(rules, forKey: .rules)
        try c.encode(harmonicity, forKey: .harmonicity)
        try c.encode(minimumReliablePeriods, forKey: .minimumReliablePeriods)
        try c.encode(standardErrors, forKey: .standardErrors)
        try c.encodeNil(forKey: .bootstrapResamples)
        try c.encodeNil(forKey: .bootstrapSeed)
    }
}

/// What one block of one channel yields; blocks are merged in time order by `VoiceData`.
public struct VoiceBlock: Sendable {
    public var pulses: PulseBlock
    public var hnr: [HNRFrame]
    /// Samples in the block's core and how many of them look clipped.
    public var samples: Int
    public var clippedSamples: Int
}

/// Pulses, amplitudes and HNR frames of one channel, accumulated block by block; turns any
/// time range into a `VoiceReport`.
///
/// Memory is flat with duration: the pulses (time, amplitude or NaN, jitter time: 24 bytes
/// each) and the voiced HNR frames (time, dB: 16 bytes each) go to an unlinked temporary
/// file (`VoiceSpill`), and only a small index of extents stays in memory. A range's report
/// reads back only the extents that overlap the range and streams them in chunks (see
/// `VoiceAccumulator`); the whole-channel report is accumulated while blocks are appended,
/// holding a few thousand pulses at a time. Copies share the append-only file but keep
/// their own index (value semantics).
public struct VoiceData: Sendable {
    public private(set) var samples = 0
    public private(set) var clippedSamples = 0
    public let settings: VoiceSettings
    private var spill: VoiceSpill?
    /// Records [time, amplitude or NaN, jitter time].
    private var pulseIndex = SpillIndex(width: 3)
    /// Records [time, HNR dB] of the voiced frames only (the report ignores the others).
    private var hnrIndex = SpillIndex(width: 2)
    /// The last two pulse times, for the junction rule.
    private var lastPulse: Double?
    private var previousPulse: Double?
    /// The whole channel's report so far (everything appended streams through these).
    private var whole: VoiceAccumulator
    private var wholeHNR = HNRStats()

    public init(settings: VoiceSettings = VoiceSettings()) {
        self.settings = settings
        whole = VoiceAccumulator(settings: settings)
    }

    /// Tests: a given spill file and chunk size.
    init(settings: VoiceSettings = VoiceSettings(), spill: VoiceSpill?, chunkPulses: Int = 4096) {
        self.init(settings: settings)
        self.spill = spill
        whole.chunkPulses = chunkPulses
    }

    /// Chunks the whole-channel report has processed so far (tests).
    var wholeChunks: Int { whole.chunks }

    /// Pulses kept so far.
    public var pulseCount: Int { pulseIndex.count }
    /// Voiced HNR frames kept so far.
    public var voicedHNRFrames: Int { hnrIndex.count }

    /// Appends the next block (blocks must come in time order, cores not overlapping).
    /// At the junction, a first pulse closer than 0.6 periods to the previous block's last
    /// pulse is taken as the same pulse found twice and dropped.
    /// Throws `SpillError` when the temporary file cannot be created or written (the
    /// value is then incomplete and should be discarded).
    public mutating func append(_ b: VoiceBlock) throws {
        var start = 0
        if let last = lastPulse, let first = b.pulses.times.first {
            let prevPeriod = previousPulse.map { last - $0 } ?? settings.rules.maximumPeriod
            if first - last < 0.6 * min(prevPeriod, settings.rules.maximumPeriod) { start = 1 }
        }
        let times = b.pulses.times, amps = b.pulses.amplitudes, jt = b.pulses.jitterTimes
        let voiced = b.hnr.filter { $0.db != nil }
        if start < times.count || !voiced.isEmpty, spill == nil { spill = try VoiceSpill() }
        if start < times.count, let spill {
            var rec = [Double]()
            rec.reserveCapacity(3 * (times.count - start))
            for k in start..<times.count {
                rec.append(times[k])
                rec.append(amps[k] ?? .nan)
                rec.append(jt[k])
            }
            try rec.withUnsafeBufferPointer { try pulseIndex.append($0, to: spill) }
            whole.add(times: Array(times[start...]), amplitudes: Array(amps[start...]), jitterTimes: Array(jt[start...]))
            if times.count - start >= 2 { previousPulse = times[times.count - 2] } else { previousPulse = lastPulse }
            lastPulse = times[times.count - 1]
        }
        if !voiced.isEmpty, let spill {
            var rec = [Double]()
            rec.reserveCapacity(2 * voiced.count)
            for f in voiced {
                rec.append(f.time)
                rec.append(f.db!)
            }
            try rec.withUnsafeBufferPointer { try hnrIndex.append($0, to: spill) }
            for f in voiced { wholeHNR.add(f.db!) }
        }
        samples += b.samples
        clippedSamples += b.clippedSamples
    }

    /// Calls `body` with runs of pulses in [t0, t1) in time order: times, amplitudes and
    /// jitter times (a run is at most one extent).
    func forEachPulseRun(from t0: Double, to t1: Double,
                         _ body: ([Double], [Double?], [Double]) throws -> Void) throws {
        guard let spill else { return }
        var t: [Double] = [], a: [Double?] = [], j: [Double] = []
        try pulseIndex.forEachExtent(from: t0, to: t1, in: spill) { r in
            t.removeAll(keepingCapacity: true)
            a.removeAll(keepingCapacity: true)
            j.removeAll(keepingCapacity: true)
            for i in stride(from: 0, to: r.count, by: 3) where r[i] >= t0 && r[i] < t1 {
                t.append(r[i])
                a.append(r[i + 1].isNaN ? nil : r[i + 1])
                j.append(r[i + 2])
            }
            if !t.isEmpty { try body(t, a, j) }
        }
    }

    /// Calls `body` with each voiced HNR value (dB) of frames in [t0, t1), in time order.
    func forEachHNR(from t0: Double, to t1: Double, _ body: (Double) -> Void) throws {
        guard let spill else { return }
        try hnrIndex.forEachExtent(from: t0, to: t1, in: spill) { r in
            for i in stride(from: 0, to: r.count, by: 2) where r[i] >= t0 && r[i] < t1 { body(r[i + 1]) }
        }
    }

    /// The pulse times in [t0, t1), read back from the temporary file.
    public func pulseTimes(from t0: Double = -.infinity, to t1: Double = .infinity) throws -> [Double] {
        var out: [Double] = []
        try forEachPulseRun(from: t0, to: t1) { t, _, _ in out.append(contentsOf: t) }
        return out
    }

    /// The voice report of the whole channel. It is kept up to date by `append` (the
    /// pulses stream through a `VoiceAccumulator` as they arrive), so it reads nothing back.
    public func report() -> VoiceReport {
        var acc = whole
        acc.finishPulses()
        return withClipping(acc.report(hnr: wholeHNR))
    }

    /// The voice report of [t0, t1), read back from the temporary file (only the extents
    /// that overlap the range, streamed: memory does not depend on the range's length).
    /// Throws `SpillError` if the file cannot be read.
    public func report(from t0: Double, to t1: Double) throws -> VoiceReport {
        var acc = VoiceAccumulator(settings: settings)
        try forEachPulseRun(from: t0, to: t1) { t, a, j in acc.add(times: t, amplitudes: a, jitterTimes: j) }
        acc.finishPulses()
        var hnr = HNRStats()
        try forEachHNR(from: t0, to: t1) { hnr.add($0) }
        return withClipping(acc.report(hnr: hnr))
    }

    /// Marks the report unreliable when the channel clips (a channel-wide property).
    func withClipping(_ report: VoiceReport) -> VoiceReport {
        var r = report
        let clipFraction = samples > 0 ? Double(clippedSamples) / Double(samples) : 0
        if clipFraction > 0.001 {
            r.reliable = false
            r.reason = [r.reason, "clipping in \(formatPercent(clipFraction)) of samples: shimmer and HNR are biased"]
                .compactMap { $0 }.joined(separator: "; ")
        }
        return r
    }
}

func formatPercent(_ x: Double) -> String {
    let p = (x * 1000).rounded() / 10
    return "\(p)%"
}

/// Samples in a clipped run: three or more consecutive samples at the block's extreme value
/// (within 0.1%), and at least 0.5 of full scale.
func countClipped(_ x: UnsafeBufferPointer<Float>, range: Range<Int>) -> Int {
    guard range.count >= 3 else { return 0 }
    let base = x.baseAddress! + range.lowerBound
    let peak = maxAbs(base, range.count)
    guard peak >= 0.5 else { return 0 }
    let level = peak * 0.999
    var count = 0, run = 0
    var i = range.lowerBound
    while i < range.upperBound {
        // Eight samples all below the level end any run (vector test), else one by one.
        if i + 8 <= range.upperBound {
            if maxAbs(x.baseAddress! + i, 8) < level {
                if run >= 3 { count += run }
                run = 0
                i += 8
                continue
            }
        }
        if abs(x[i]) >= level { run += 1 } else {
            if run >= 3 { count += run }
            run = 0
        }
        i += 1
    }
    if run >= 3 { count += run }
    return count
}

/// Analyses one block of one channel. `samples` holds global samples
/// `[start, start + samples.count)`; only pulses and HNR frames whose times lie in the
/// block's core `[coreStart, coreEnd)` are kept, so overlapping blocks (≥ 0.1 s margin each
/// side is plenty) merge without duplicates. `pitch` may be the whole-signal track.
/// `hnrGrid` is the signal's harmonicity grid (`HarmonicitySettings.grid`), `globalPeak`
/// the channel's largest |x − mean| (Praat's silence criteria are relative to it).
public func analyzeVoiceBlock(samples x: UnsafeBufferPointer<Float>, start: Int, sampleRate fs: Double,
                              coreStart: Double, coreEnd: Double, pitch: PitchTrack,
                              hnrGrid: FrameGrid?, globalPeak: Float,
                              settings: VoiceSettings = VoiceSettings()) -> VoiceBlock {
    let startTime = Double(start) / fs
    // Below 16 kHz, correlate on an interpolated grid of at least 16 kHz: sample m of the
    // interpolated signal is centred at the original time of fractional sample m / factor.
    let factor = fs < 16000 ? Int((16000 / fs).rounded(.up)) : 1
    let fsUp = fs * Double(factor)
    let shifted = startTime + 0.5 * Double(factor - 1) / fsUp
    let all: [Double]
    if factor > 1 {
        let y = upsample(x, factor: factor)
        all = y.withUnsafeBufferPointer {
            findPulses(samples: $0, sampleRate: fsUp, startTime: shifted, pitch: pitch,
                       globalPeak: globalPeak, settings: settings.pulses)
        }
    } else {
        all = findPulses(samples: x, sampleRate: fs, startTime: startTime, pitch: pitch,
                         globalPeak: globalPeak, settings: settings.pulses)
    }
    let amps = pulseAmplitudes(samples: x, sampleRate: fs, startTime: startTime, pulses: all, rules: settings.rules)
    var jt = all
    if let threshold = settings.pulses.residualRefinement, all.count >= 2 {
        let near = all.map { Int((($0 - startTime) * fs).rounded()) }
        var e = lpcResidual(x, sampleRate: fs, onlyNear: near)
        if factor > 1 { e = e.withUnsafeBufferPointer { upsample($0, factor: factor) } }
        jt = e.withUnsafeBufferPointer {
            refinePulses(all, residual: $0, sampleRate: fsUp, startTime: shifted,
                         maximumPeriod: settings.rules.maximumPeriod, minimumCorrelation: threshold).times
        }
    }
    var kept = PulseBlock()
    for (k, t) in all.enumerated() where t >= coreStart && t < coreEnd {
        kept.times.append(t)
        kept.amplitudes.append(amps[k])
        kept.jitterTimes.append(jt[k])
    }
    var frames: [HNRFrame] = []
    // The core clipped to the block's samples (cores may be open-ended: ±infinity).
    let blockEnd = startTime + Double(x.count) / fs
    let cs = min(max(coreStart, startTime), blockEnd), ce = max(min(coreEnd, blockEnd), cs)
    if let g = hnrGrid, g.count > 0 {
        let a = max(0, Int(((cs - g.t1) / g.dt).rounded(.up)))
        let b = min(g.count, Int(((ce - g.t1) / g.dt).rounded(.up)))
        // Frames need their whole window inside the block.
        let need = settings.harmonicity.pitchSettings(sampleRate: fs).windowDuration / 2
        let lo = max(a, Int(((startTime + need - g.t1) / g.dt).rounded(.up)))
        let hi = min(b, Int(((startTime + Double(x.count) / fs - need - g.t1) / g.dt).rounded(.down)) + 1)
        if lo < hi {
            frames = harmonicityBlock(samples: x, start: start, sampleRate: fs, grid: g, range: lo..<hi,
                                      globalPeak: globalPeak, settings: settings.harmonicity)
        }
    }
    let c0 = max(0, Int(((cs - startTime) * fs).rounded())), c1 = min(x.count, Int(((ce - startTime) * fs).rounded()))
    return VoiceBlock(pulses: kept, hnr: frames, samples: max(0, c1 - c0),
                      clippedSamples: c0 < c1 ? countClipped(x, range: c0..<c1) : 0)
}

/// Whole-signal convenience (tests, short clips): pulses, amplitudes and HNR of an
/// in-memory mono signal with its pitch track, as one block.
public func analyzeVoice(samples: [Float], sampleRate fs: Double, pitch: PitchTrack,
                         settings: VoiceSettings = VoiceSettings()) throws -> VoiceData {
    let peak = peakAboveMean(samples)
    let grid = settings.harmonicity.grid(samples: samples.count, sampleRate: fs)
    let block = samples.withUnsafeBufferPointer {
        analyzeVoiceBlock(samples: $0, start: 0, sampleRate: fs, coreStart: -.infinity, coreEnd: .infinity,
                          pitch: pitch, hnrGrid: grid, globalPeak: peak, settings: settings)
    }
    var data = VoiceData(settings: settings)
    try data.append(block)
    return data
}

// MARK: - Measures

/// Running statistics of one perturbation measure's terms (|T_{i+1} − T_i|, the RAP/PPQ
/// and APQ deviations…), fed in time order: their sum and count for the value, and what
/// its standard error needs.
///
/// Standard error: the moving-block bootstrap of the mean term (Künsch 1989), which keeps
/// the dependence between neighbouring terms (each term shares pulses with the next ones):
/// the n terms give n − L + 1 overlapping blocks of L = min(10, n) consecutive terms, and a
/// resample draws P = ⌈n / L⌉ blocks uniformly with replacement. We report its exact limit
/// for infinitely many resamples instead of a Monte-Carlo estimate: the resampled mean is
/// (S_1 + … + S_P) / (P·L) with the S_j drawn independently from the block sums, so its
/// standard deviation is sqrt(Var(S) / P) / L, Var(S) being the population variance of the
/// n − L + 1 block sums; divided by the measure's normaliser. This needs no random numbers
/// and no stored terms: a ring of the last L terms gives each block sum, whose variance is
/// accumulated from compensated (Kahan) sums of deviations from the first block sum.
struct TermStats {
    static let blockLength = 10
    private(set) var count = 0
    /// Sum of the terms, added one by one in time order (as `reduce(0, +)` over an array).
    private(set) var sum = 0.0
    private var ring = [Double](repeating: 0, count: TermStats.blockLength)
    private var blocks = 0
    private var shift = 0.0
    private var deviations = KahanSum(), squaredDeviations = KahanSum()

    mutating func add(_ x: Double) {
        let L = Self.blockLength
        sum += x
        ring[count % L] = x
        count += 1
        guard count >= L else { return }
        // The block of the last L terms, summed oldest first; the oldest sits at count % L.
        var s = 0.0
        for j in 0..<L { s += ring[(count + j) % L] }
        if blocks == 0 { shift = s }
        let d = s - shift
        deviations.add(d)
        squaredDeviations.add(d * d)
        blocks += 1
    }

    func value(denominator: Double) -> Double? {
        count == 0 || !(denominator > 0) ? nil : sum / Double(count) / denominator
    }

    /// The ideal (B → ∞) moving-block bootstrap SE of the mean term over `denominator`.
    func standardError(denominator: Double) -> Double? {
        guard count >= 2, denominator > 0 else { return nil }
        // Fewer than 10 terms: one block of all of them, every resample is the same.
        guard count >= Self.blockLength else { return 0 }
        let L = Double(Self.blockLength), nb = Double(blocks)
        let mean = deviations.value / nb
        let variance = max(0, squaredDeviations.value / nb - mean * mean)
        let perSample = Double((count + Self.blockLength - 1) / Self.blockLength)
        return (variance / perSample).squareRoot() / L / denominator
    }
}

/// Mean HNR (dB) over voiced frames and its standard error sqrt(s² / n), in one pass: the
/// variance from compensated sums of deviations from the first value (no cancellation).
struct HNRStats {
    private(set) var count = 0
    /// Added one by one in time order (as `reduce(0, +)` over an array).
    private var sum = 0.0
    private var shift = 0.0
    private var deviations = KahanSum(), squaredDeviations = KahanSum()

    mutating func add(_ x: Double) {
        if count == 0 { shift = x }
        count += 1
        sum += x
        let d = x - shift
        deviations.add(d)
        squaredDeviations.add(d * d)
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    var standardError: Double? {
        guard count >= 2 else { return nil }
        let n = Double(count), d = deviations.value
        let variance = max(0, squaredDeviations.value - d * d / n) / (n - 1)
        return (variance / n).squareRoot()
    }
}

/// Kahan–Babuška (Neumaier) compensated sum.
struct KahanSum {
    private var s = 0.0, c = 0.0
    mutating func add(_ x: Double) {
        let t = s + x
        c += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
        s = t
    }
    var value: Double { s + c }
}

/// Jitter terms from pulse times with Praat's period rules.
struct PeriodSeries {
    let iv: [Double]
    let ok: [Bool]            // interval is a period (in range)
    let close: [Bool]         // interval k and k+1 within the period factor
    init(times t: [Double], rules: PeriodRules) {
        let v = t.count > 1 ? (1..<t.count).map { t[$0] - t[$0 - 1] } : []
        iv = v
        ok = v.map { isPeriod($0, rules) }
        close = v.count > 1 ? (1..<v.count).map {
            max(v[$0], v[$0 - 1]) <= rules.maximumPeriodFactor * min(v[$0], v[$0 - 1])
        } : []
    }
    /// `len` consecutive periods from k, neighbours within the factor.
    func run(_ k: Int, _ len: Int) -> Bool {
        guard k + len <= iv.count else { return false }
        for j in k..<(k + len) where !ok[j] { return false }
        for j in k..<(k + len - 1) where !close[j] { return false }
        return true
    }
    /// Periods counted by the mean period (as Praat counts them): in range, with at least
    /// one neighbour that is in range and within the factor.
    var counted: [Double] {
        iv.indices.compactMap { k in
            guard ok[k] else { return nil }
            let left = k > 0 && ok[k - 1] && close[k - 1]
            let right = k + 1 < iv.count && ok[k + 1] && close[k]
            return left || right ? iv[k] : nil
        }
    }
    /// |x_mid − mean(x over len)| for each valid run of `len` periods.
    func quotientTerms(_ len: Int) -> [Double] {
        iv.indices.compactMap { k in
            guard run(k, len) else { return nil }
            let m = iv[k..<(k + len)].reduce(0, +) / Double(len)
            return abs(iv[k + len / 2] - m)
        }
    }
}

/// Turns pulses into a `VoiceReport` chunk by chunk, so a whole channel never has to be
/// in memory. Every term of every measure looks only at consecutive periods or consecutive
/// amplitude points joined by periods, so cutting the pulse sequence where the interval
/// is not a period (longer than the maximum period both in pulse and in jitter times)
/// loses no term and adds none: the chunks' terms, in order, are exactly the terms of the
/// whole sequence, and sums and counts add up. `add` cuts its input that way itself, so
/// callers may pass runs of any length; a chunk is processed once it holds at least
/// `chunkPulses` pulses and a cut is possible. A stretch voiced without any gap for
/// `maxChunkPulses` pulses (65,536: over 7 minutes at 150 Hz — a tone or a hum, never
/// speech) is cut anyway, so memory stays bounded; such a forced cut drops the few terms
/// that span it (at most 10 per measure in 65,536).
struct VoiceAccumulator {
    let settings: VoiceSettings
    var chunkPulses = 4096
    var maxChunkPulses = 1 << 16
    private var t: [Double] = [], a: [Double?] = [], jt: [Double] = []
    private(set) var pulses = 0
    private(set) var chunks = 0
    private var counted = 0, countedSum = 0.0
    private var amplitudePoints = 0, amplitudeSum = 0.0
    private var local = TermStats(), rap = TermStats(), ppq5 = TermStats()
    private var shimmerPairs = TermStats(), shimmerPairsDB = TermStats()
    private var apq3 = TermStats(), apq5 = TermStats(), apq11 = TermStats()

    init(settings: VoiceSettings) { self.settings = settings }

    /// A cut between pulses k−1 and k loses no term (see the type's comment).
    private func canCut(_ t0: Double, _ j0: Double, _ t1: Double, _ j1: Double) -> Bool {
        t1 - t0 > settings.rules.maximumPeriod && !isPeriod(j1 - j0, settings.rules)
    }

    /// Adds the next pulses (in time order, after all those added before).
    mutating func add(times: [Double], amplitudes: [Double?], jitterTimes: [Double]) {
        for k in times.indices {
            if t.count >= chunkPulses, let lt = t.last, let lj = jt.last, canCut(lt, lj, times[k], jitterTimes[k]) {
                flush()
            } else if t.count >= maxChunkPulses {
                flush()  // forced: see the type's comment
            }
            t.append(times[k])
            a.append(amplitudes[k])
            jt.append(jitterTimes[k])
        }
    }

    /// Processes the pending chunk; call once after the last `add`.
    mutating func finishPulses() { flush() }

    private mutating func flush() {
        guard !t.isEmpty else { return }
        addChunk(times: t, amplitudes: a, jitterTimes: jt)
        t.removeAll(keepingCapacity: true)
        a.removeAll(keepingCapacity: true)
        jt.removeAll(keepingCapacity: true)
    }

    /// The terms of one chunk of pulses whose ends are cuts (see the type's comment).
    /// `amplitudes` beyond `times` are ignored and missing ones count as nil.
    mutating func addChunk(times t: [Double], amplitudes a: [Double?], jitterTimes: [Double]) {
        pulses += t.count
        chunks += 1
        let rules = settings.rules
        let ps = PeriodSeries(times: jitterTimes, rules: rules)
        for p in ps.counted {
            counted += 1
            countedSum += p
        }
        for k in ps.iv.indices where ps.run(k, 2) { local.add(abs(ps.iv[k + 1] - ps.iv[k])) }
        for x in ps.quotientTerms(3) { rap.add(x) }
        for x in ps.quotientTerms(5) { ppq5.add(x) }

        // Shimmer: the amplitude points are the pulses with an amplitude (both surrounding
        // intervals are periods); pairs/runs need in-range intervals and amplitude ratios
        // within the amplitude factor. The normaliser is the mean of all amplitude points.
        var at: [Double] = [], av: [Double] = []
        for (k, v) in a.enumerated() where k < t.count {
            if let v, v > 0 { at.append(t[k]); av.append(v) }
        }
        for v in av {
            amplitudePoints += 1
            amplitudeSum += v
        }
        func ampRun(_ k: Int, _ len: Int) -> Bool {
            guard k + len <= av.count else { return false }
            for j in k..<(k + len - 1) {
                guard isPeriod(at[j + 1] - at[j], rules),
                      max(av[j], av[j + 1]) <= rules.maximumAmplitudeFactor * min(av[j], av[j + 1]) else { return false }
            }
            return true
        }
        func apq(_ len: Int, _ stats: inout TermStats) {
            for k in av.indices where ampRun(k, len) {
                stats.add(abs(av[k + len / 2] - av[k..<(k + len)].reduce(0, +) / Double(len)))
            }
        }
        for k in av.indices where ampRun(k, 2) {
            shimmerPairs.add(abs(av[k + 1] - av[k]))
            shimmerPairsDB.add(abs(20 * log10(av[k + 1] / av[k])))
        }
        apq(3, &apq3)
        apq(5, &apq5)
        apq(11, &apq11)
    }

    /// The report from everything added (after `finishPulses`) and the statistics of the
    /// range's voiced HNR frames.
    func report(hnr: HNRStats) -> VoiceReport {
        assert(t.isEmpty, "finishPulses() before report")
        var r = VoiceReport(pulses: pulses)
        r.periodsUsed = counted
        let meanT = counted == 0 ? 0 : countedSum / Double(counted)
        let withSE = settings.standardErrors
        func set(_ m: TermStats, _ denominator: Double, _ v: inout Double?, _ se: inout Double?, scale: Double = 1) {
            v = m.value(denominator: denominator).map { $0 * scale }
            se = withSE ? m.standardError(denominator: denominator).map { $0 * scale } : nil
        }
        set(local, meanT, &r.jitterLocal, &r.jitterLocalSE)
        set(local, 1, &r.jitterLocalAbs, &r.jitterLocalAbsSE)
        set(rap, meanT, &r.jitterRap, &r.jitterRapSE)
        set(ppq5, meanT, &r.jitterPpq5, &r.jitterPpq5SE)
        set(rap, meanT, &r.jitterDdp, &r.jitterDdpSE, scale: 3)

        r.amplitudesUsed = amplitudePoints
        let meanA = amplitudePoints == 0 ? 0 : amplitudeSum / Double(amplitudePoints)
        set(shimmerPairs, meanA, &r.shimmerLocal, &r.shimmerLocalSE)
        set(shimmerPairsDB, 1, &r.shimmerLocalDB, &r.shimmerLocalDBSE)
        set(apq3, meanA, &r.shimmerApq3, &r.shimmerApq3SE)
        set(apq5, meanA, &r.shimmerApq5, &r.shimmerApq5SE)
        set(apq11, meanA, &r.shimmerApq11, &r.shimmerApq11SE)
        set(apq3, meanA, &r.shimmerDda, &r.shimmerDdaSE, scale: 3)

        r.hnrFrames = hnr.count
        r.hnrDB = hnr.mean
        r.hnrDBSE = hnr.standardError
        let hnrCount = hnr.count

        var reasons: [String] = []
        if pulses == 0 {
            reasons.append(hnrCount == 0 ? "no voiced frames" : "no glottal pulses found")
        } else if r.jitterLocal == nil {
            reasons.append("too few periods: \(pulses) pulses give \(counted) usable periods, at least 2 consecutive are needed")
        } else if counted < settings.minimumReliablePeriods {
            reasons.append("only \(counted) periods (fewer than \(settings.minimumReliablePeriods)): unreliable")
        }
        if hnrCount == 0 && pulses > 0 { reasons.append("no voiced harmonicity frames: hnr_db is null") }
        r.reliable = counted >= settings.minimumReliablePeriods && r.jitterLocal != nil && r.hnrDB != nil
        r.reason = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        return r
    }
}

/// Computes the report from pulses (and their amplitudes) of one range plus HNR frames.
/// `jitterPulses` (default: `pulses`) are the times the jitter measures use. (The same
/// computation as `VoiceData.report`, from arrays.)
public func voiceReport(pulses t: [Double], amplitudes a: [Double?], jitterPulses: [Double]? = nil,
                        hnrFrames: [Double], settings: VoiceSettings = VoiceSettings()) -> VoiceReport {
    var acc = VoiceAccumulator(settings: settings)
    // One chunk, no cuts: the reference the chunked `VoiceData.report` must reproduce.
    acc.addChunk(times: t, amplitudes: a, jitterTimes: jitterPulses ?? t)
    var hnr = HNRStats()
    for x in hnrFrames { hnr.add(x) }
    return acc.report(hnr: hnr)
}

/// The `voice` object of the analysis JSON (DESIGN.md): Praat's jitter, shimmer and HNR as
/// fractions (not percent), plus their uncertainty. A measure that cannot be computed is
/// null, and `reason` says why; it is never a made-up number.
public struct VoiceReport: Sendable, Codable, Equatable {
    public var pulses: Int
    /// Periods counted by the mean period (Praat's rules).
    public var periodsUsed = 0
    /// Pulses with an amplitude (both surrounding intervals are periods).
    public var amplitudesUsed = 0
    public var hnrFrames = 0
    public var jitterLocal: Double?
    public var jitterLocalAbs: Double?
    public var jitterRap: Double?
    public var jitterPpq5: Double?
    public var jitterDdp: Double?
    public var shimmerLocal: Double?
    public var shimmerLocalDB: Double?
    public var shimmerApq3: Double?
    public var shimmerApq5: Double?
    public var shimmerApq11: Double?
    public var shimmerDda: Double?
    public var hnrDB: Double?
    public var jitterLocalSE: Double?
    public var jitterLocalAbsSE: Double?
    public var jitterRapSE: Double?
    public var jitterPpq5SE: Double?
    public var jitterDdpSE: Double?
    public var shimmerLocalSE: Double?
    public var shimmerLocalDBSE: Double?
    public var shimmerApq3SE: Double?
    public var shimmerApq5SE: Double?
    public var shimmerApq11SE: Double?
    public var shimmerDdaSE: Double?
    public var hnrDBSE: Double?
    /// False when fewer than 20 periods were used, a measure is missing, or clipping biases it.
    public var reliable = false
    public var reason: String?

    public init(pulses: Int) { self.pulses = pulses }

    package enum CodingKeys: String, CodingKey {
        case pulses, reliable, reason
        case periodsUsed = "periods_used"
        case amplitudesUsed = "amplitudes_used"
        case hnrFrames = "hnr_frames"
        case jitterLocal = "jitter_local"
        case jitterLocalAbs = "jitter_local_abs_s"
        case jitterRap = "jitter_rap"
        case jitterPpq5 = "jitter_ppq5"
        case jitterDdp = "jitter_ddp"
        case shimmerLocal = "shimmer_local"
        case shimmerLocalDB = "shimmer_local_db"
        case shimmerApq3 = "shimmer_apq3"
        case shimmerApq5 = "shimmer_apq5"
        case shimmerApq11 = "shimmer_apq11"
        case shimmerDda = "shimmer_dda"
        case hnrDB = "hnr_db"
        case jitterLocalSE = "jitter_local_se"
        case jitterLocalAbsSE = "jitter_local_abs_s_se"
        case jitterRapSE = "jitter_rap_se"
        case jitterPpq5SE = "jitter_ppq5_se"
        case jitterDdpSE = "jitter_ddp_se"
        case shimmerLocalSE = "shimmer_local_se"
        case shimmerLocalDBSE = "shimmer_local_db_se"
        case shimmerApq3SE = "shimmer_apq3_se"
        case shimmerApq5SE = "shimmer_apq5_se"
        case shimmerApq11SE = "shimmer_apq11_se"
        case shimmerDdaSE = "shimmer_dda_se"
        case hnrDBSE = "hnr_db_se"
    }

    /// Writes every key, with null for missing values (the JSON contract needs the keys).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pulses, forKey: .pulses)
        try c.encode(periodsUsed, forKey: .periodsUsed)
        try c.encode(amplitudesUsed, forKey: .amplitudesUsed)
        try c.encode(hnrFrames, forKey: .hnrFrames)
        let values: [(Double?, CodingKeys)] = [
            (jitterLocal, .jitterLocal), (jitterLocalAbs, .jitterLocalAbs), (jitterRap, .jitterRap),
            (jitterPpq5, .jitterPpq5), (jitterDdp, .jitterDdp), (shimmerLocal, .shimmerLocal),
            (shimmerLocalDB, .shimmerLocalDB), (shimmerApq3, .shimmerApq3), (shimmerApq5, .shimmerApq5),
            (shimmerApq11, .shimmerApq11), (shimmerDda, .shimmerDda), (hnrDB, .hnrDB),
            (jitterLocalSE, .jitterLocalSE), (jitterLocalAbsSE, .jitterLocalAbsSE), (jitterRapSE, .jitterRapSE),
            (jitterPpq5SE, .jitterPpq5SE), (jitterDdpSE, .jitterDdpSE), (shimmerLocalSE, .shimmerLocalSE),
            (shimmerLocalDBSE, .shimmerLocalDBSE), (shimmerApq3SE, .shimmerApq3SE), (shimmerApq5SE, .shimmerApq5SE),
            (shimmerApq11SE, .shimmerApq11SE), (shimmerDdaSE, .shimmerDdaSE), (hnrDBSE, .hnrDBSE),
        ]
        for (v, k) in values {
            if let v, v.isFinite { try c.encode(v, forKey: k) } else { try c.encodeNil(forKey: k) }
        }
        try c.encode(reliable, forKey: .reliable)
        try c.encode(reason, forKey: .reason)
    }
}
