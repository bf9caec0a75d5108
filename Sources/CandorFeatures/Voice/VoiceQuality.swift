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
    func forEachPulseRun(
        from t0: Double, to t1: Double,
        _ body: ([Double], [Double?], [Double]) throws -> Void
    ) throws {
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
