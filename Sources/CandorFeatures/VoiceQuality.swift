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
    /// Bootstrap resamples for the standard errors (0 = none), and their seed.
    public var bootstrapResamples = 200
    public var bootstrapSeed: UInt64 = 0x5EED
    public init() {}
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
/// time range into a `VoiceReport`. Memory: 16 bytes per pulse and per 10 ms frame.
public struct VoiceData: Sendable {
    public private(set) var pulses: [Double] = []
    public private(set) var amplitudes: [Double?] = []
    public private(set) var jitterPulses: [Double] = []
    public private(set) var hnr: [HNRFrame] = []
    public private(set) var samples = 0
    public private(set) var clippedSamples = 0
    public var settings: VoiceSettings

    public init(settings: VoiceSettings = VoiceSettings()) { self.settings = settings }

    /// Appends the next block (blocks must come in time order, cores not overlapping).
    /// At the junction, a first pulse closer than 0.6 periods to the previous block's last
    /// pulse is taken as the same pulse found twice and dropped.
    public mutating func append(_ b: VoiceBlock) {
        var start = 0
        if let last = pulses.last, let first = b.pulses.times.first {
            let prevPeriod = pulses.count >= 2 ? last - pulses[pulses.count - 2] : settings.rules.maximumPeriod
            if first - last < 0.6 * min(prevPeriod, settings.rules.maximumPeriod) { start = 1 }
        }
        if start < b.pulses.times.count {
            pulses.append(contentsOf: b.pulses.times[start...])
            amplitudes.append(contentsOf: b.pulses.amplitudes[start...])
            jitterPulses.append(contentsOf: b.pulses.jitterTimes[start...])
        }
        hnr.append(contentsOf: b.hnr)
        samples += b.samples
        clippedSamples += b.clippedSamples
    }

    /// The voice report of [t0, t1) (whole signal by default).
    public func report(from t0: Double = -.infinity, to t1: Double = .infinity) -> VoiceReport {
        let lo = lowerBound(pulses, t0), hi = lowerBound(pulses, t1)
        let ts = Array(pulses[lo..<hi])
        let amps = Array(amplitudes[lo..<hi])
        let frames = hnr.filter { $0.time >= t0 && $0.time < t1 }.compactMap(\.db)
        var r = voiceReport(pulses: ts, amplitudes: amps, jitterPulses: Array(jitterPulses[lo..<hi]),
                            hnrFrames: frames, settings: settings)
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

func lowerBound(_ a: [Double], _ x: Double) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let m = (lo + hi) / 2
        if a[m] < x { lo = m + 1 } else { hi = m }
    }
    return lo
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
                         settings: VoiceSettings = VoiceSettings()) -> VoiceData {
    let peak = peakAboveMean(samples)
    let grid = settings.harmonicity.grid(samples: samples.count, sampleRate: fs)
    let block = samples.withUnsafeBufferPointer {
        analyzeVoiceBlock(samples: $0, start: 0, sampleRate: fs, coreStart: -.infinity, coreEnd: .infinity,
                          pitch: pitch, hnrGrid: grid, globalPeak: peak, settings: settings)
    }
    var data = VoiceData(settings: settings)
    data.append(block)
    return data
}

// MARK: - Measures

/// Small deterministic generator for the bootstrap (xorshift64*).
struct BootstrapRNG {
    var s: UInt64
    init(seed: UInt64) { s = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    /// The next 31-bit value (draw an index below n as `FastModulo(n).of(next31())`).
    @inline(__always) mutating func next31() -> UInt64 {
        s ^= s >> 12
        s ^= s << 25
        s ^= s >> 27
        return (s &* 2_685_821_657_736_338_717) >> 33
    }
}

/// x mod d for x, d < 2³², without a division (Lemire, Kaser & Kurz 2019, "Faster remainder
/// by direct computation"): exact for every such x and d, so draws equal `x % d`.
struct FastModulo {
    let d: UInt64
    let m: UInt64
    init(_ d: Int) {
        precondition(d > 0 && d < 1 << 32)
        self.d = UInt64(d)
        m = UInt64.max / UInt64(d) &+ 1  // wraps to 0 for d = 1, which then gives 0: correct
    }
    @inline(__always) func of(_ x: UInt64) -> Int {
        Int((m &* x).multipliedFullWidth(by: d).high)
    }
}

/// A perturbation measure: mean of per-position terms divided by a normaliser.
struct Measure {
    var terms: [Double]
    var denominator: Double
    var value: Double? { terms.isEmpty || !(denominator > 0) ? nil : terms.reduce(0, +) / Double(terms.count) / denominator }

    /// Moving-block bootstrap SE of the mean term (blocks of 10 consecutive terms keep the
    /// overlap between neighbouring terms), over the fixed denominator.
    func standardError(resamples: Int, seed: UInt64) -> Double? {
        let n = terms.count
        guard n >= 2, denominator > 0, resamples > 1 else { return nil }
        let L = min(10, n)
        let blocks = n - L + 1
        var rng = BootstrapRNG(seed: seed)
        let mod = FastModulo(blocks)
        // Sums of each block of L consecutive terms, from prefix sums.
        var prefix = [Double](repeating: 0, count: n + 1)
        for i in 0..<n { prefix[i + 1] = prefix[i] + terms[i] }
        let blockSum = (0..<blocks).map { prefix[$0 + L] - prefix[$0] }
        var sum = 0.0, sum2 = 0.0
        let perSample = (n + L - 1) / L
        for _ in 0..<resamples {
            var acc = 0.0
            for _ in 0..<perSample { acc += blockSum[mod.of(rng.next31())] }
            let m = acc / Double(perSample * L) / denominator
            sum += m
            sum2 += m * m
        }
        let mean = sum / Double(resamples)
        return max(0, sum2 / Double(resamples) - mean * mean).squareRoot()
    }
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

/// Computes the report from pulses (and their amplitudes) of one range plus HNR frames.
/// `jitterPulses` (default: `pulses`) are the times the jitter measures use.
public func voiceReport(pulses t: [Double], amplitudes a: [Double?], jitterPulses: [Double]? = nil,
                        hnrFrames: [Double], settings: VoiceSettings = VoiceSettings()) -> VoiceReport {
    var r = VoiceReport(pulses: t.count)
    let ps = PeriodSeries(times: jitterPulses ?? t, rules: settings.rules)
    let counted = ps.counted
    r.periodsUsed = counted.count
    let meanT = counted.isEmpty ? 0 : counted.reduce(0, +) / Double(counted.count)
    let seed = settings.bootstrapSeed, B = settings.bootstrapResamples
    func set(_ m: Measure, _ v: inout Double?, _ se: inout Double?, scale: Double = 1) {
        v = m.value.map { $0 * scale }
        se = m.standardError(resamples: B, seed: seed).map { $0 * scale }
    }
    let local = Measure(terms: ps.iv.indices.compactMap { ps.run($0, 2) ? abs(ps.iv[$0 + 1] - ps.iv[$0]) : nil },
                        denominator: meanT)
    set(local, &r.jitterLocal, &r.jitterLocalSE)
    set(Measure(terms: local.terms, denominator: 1), &r.jitterLocalAbs, &r.jitterLocalAbsSE)
    let rap = Measure(terms: ps.quotientTerms(3), denominator: meanT)
    set(rap, &r.jitterRap, &r.jitterRapSE)
    set(Measure(terms: ps.quotientTerms(5), denominator: meanT), &r.jitterPpq5, &r.jitterPpq5SE)
    set(rap, &r.jitterDdp, &r.jitterDdpSE, scale: 3)

    // Shimmer: the amplitude points are the pulses with an amplitude (both surrounding
    // intervals are periods); pairs/runs need in-range intervals and amplitude ratios
    // within the amplitude factor. The normaliser is the mean of all amplitude points.
    var at: [Double] = [], av: [Double] = []
    for (k, v) in a.enumerated() where k < t.count {
        if let v, v > 0 { at.append(t[k]); av.append(v) }
    }
    r.amplitudesUsed = av.count
    let meanA = av.isEmpty ? 0 : av.reduce(0, +) / Double(av.count)
    func ampRun(_ k: Int, _ len: Int) -> Bool {
        guard k + len <= av.count else { return false }
        for j in k..<(k + len - 1) {
            guard isPeriod(at[j + 1] - at[j], settings.rules),
                  max(av[j], av[j + 1]) <= settings.rules.maximumAmplitudeFactor * min(av[j], av[j + 1]) else { return false }
        }
        return true
    }
    func apq(_ len: Int) -> Measure {
        Measure(terms: av.indices.compactMap { k in
            guard ampRun(k, len) else { return nil }
            return abs(av[k + len / 2] - av[k..<(k + len)].reduce(0, +) / Double(len))
        }, denominator: meanA)
    }
    let pairs = av.indices.filter { ampRun($0, 2) }
    set(Measure(terms: pairs.map { abs(av[$0 + 1] - av[$0]) }, denominator: meanA), &r.shimmerLocal, &r.shimmerLocalSE)
    set(Measure(terms: pairs.map { abs(20 * log10(av[$0 + 1] / av[$0])) }, denominator: 1), &r.shimmerLocalDB, &r.shimmerLocalDBSE)
    let apq3 = apq(3)
    set(apq3, &r.shimmerApq3, &r.shimmerApq3SE)
    set(apq(5), &r.shimmerApq5, &r.shimmerApq5SE)
    set(apq(11), &r.shimmerApq11, &r.shimmerApq11SE)
    set(apq3, &r.shimmerDda, &r.shimmerDdaSE, scale: 3)

    r.hnrFrames = hnrFrames.count
    if !hnrFrames.isEmpty {
        let m = hnrFrames.reduce(0, +) / Double(hnrFrames.count)
        r.hnrDB = m
        if hnrFrames.count >= 2 {
            let v = hnrFrames.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(hnrFrames.count - 1)
            r.hnrDBSE = (v / Double(hnrFrames.count)).squareRoot()
        }
    }

    var reasons: [String] = []
    if t.isEmpty {
        reasons.append(hnrFrames.isEmpty ? "no voiced frames" : "no glottal pulses found")
    } else if r.jitterLocal == nil {
        reasons.append("too few periods: \(t.count) pulses give \(counted.count) usable periods, at least 2 consecutive are needed")
    } else if counted.count < settings.minimumReliablePeriods {
        reasons.append("only \(counted.count) periods (fewer than \(settings.minimumReliablePeriods)): unreliable")
    }
    if hnrFrames.isEmpty && !t.isEmpty { reasons.append("no voiced harmonicity frames: hnr_db is null") }
    r.reliable = counted.count >= settings.minimumReliablePeriods && r.jitterLocal != nil && r.hnrDB != nil
    r.reason = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    return r
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

    enum CodingKeys: String, CodingKey {
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
