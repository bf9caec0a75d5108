import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

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
                    max(av[j], av[j + 1]) <= rules.maximumAmplitudeFactor * min(av[j], av[j + 1])
                else { return false }
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
