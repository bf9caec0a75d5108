import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Settings of the glottal-pulse search (Praat's "Sound & Pitch: To PointProcess (cc)" idea).
public struct PulseSettings: Sendable, Equatable, Codable {
    /// A candidate is accepted only if its normalised correlation with the previous
    /// period exceeds this.
    public var minimumCorrelation: Double = 0.3
    /// ... and the candidate period's peak exceeds this fraction of the global peak.
    public var minimumPeakFraction: Double = 0.01
    /// The next pulse is searched between these multiples of the local period away.
    public var searchLow: Double = 0.8
    public var searchHigh: Double = 1.25
    /// The correlated window reaches this many periods before and after the pulse.
    public var windowBefore: Double = 0.5
    public var windowAfter: Double = 0.5
    /// Pulses may lie this many periods outside the voiced stretch.
    public var edgeTolerance: Double = 0.5
    /// Refine the intervals on the LPC residual where its consecutive periods correlate at
    /// least this well (nil = Praat's raw-waveform pulses only). See `refinePulses`.
    public var residualRefinement: Double? = 0.7
    /// How the refined intervals are placed between samples (nil: `.parabolic`, the
    /// Praat-compatible default, and the key is then left out of the analysis JSON).
    /// `.sinc` (`--pulses precise`) interpolates the correlation peak band-limitedly.
    public var interpolation: PulseInterpolation? = nil
    public init() {}
}

/// Glottal pulses of one stretch of signal, with the Hann-windowed RMS amplitude around
/// each pulse (nil where the pulse's two surrounding intervals are not both periods).
public struct PulseBlock: Sendable {
    public var times: [Double]
    public var amplitudes: [Double?]
    /// Pulse times for the jitter measures: `times` with LPC-residual-refined intervals.
    public var jitterTimes: [Double]
    public init(times: [Double] = [], amplitudes: [Double?] = [], jitterTimes: [Double] = []) {
        self.times = times
        self.amplitudes = amplitudes
        self.jitterTimes = jitterTimes
    }
}

/// Linear interpolation of F0 between voiced frames (nearest voiced frame at the edges of
/// a voiced stretch). Returns 0 outside the voiced frames' span.
func interpolatedF0(_ pitch: PitchTrack, at t: Double) -> Double {
    let g = pitch.grid
    guard g.count > 0 else { return 0 }
    let x = (t - g.t1) / g.dt
    let i0 = Int(x.rounded(.down))
    let i1 = i0 + 1
    let f0a = i0 >= 0 && i0 < g.count ? Double(pitch.f0[i0]) : 0
    let f0b = i1 >= 0 && i1 < g.count ? Double(pitch.f0[i1]) : 0
    if f0a > 0 && f0b > 0 { return f0a + (x - Double(i0)) * (f0b - f0a) }
    return f0a > 0 ? f0a : f0b
}

/// Voiced stretches of the pitch track as time intervals: each run of voiced frames spans
/// from half a frame before its first frame centre to half a frame after its last.
public func voicedIntervals(_ pitch: PitchTrack) -> [(start: Double, end: Double)] {
    var out: [(start: Double, end: Double)] = []
    let g = pitch.grid
    var i = 0
    while i < g.count {
        guard pitch.f0[i] > 0 else { i += 1; continue }
        var j = i
        while j + 1 < g.count && pitch.f0[j + 1] > 0 { j += 1 }
        out.append((g.time(i) - 0.5 * g.dt, g.time(j) + 0.5 * g.dt))
        i = j + 1
    }
    return out
}

/// Finds glottal pulses in `samples` (sample k at time `startTime + k / sampleRate`),
/// guided by `pitch`. In each voiced stretch it starts at the absolute extremum within
/// half a period of the stretch's middle, then walks left and right: the next pulse is the
/// place, 0.8–1.25 local periods away, whose one-period window correlates best with the
/// current pulse's one-period window (parabolic refinement of the correlation peak). The
/// walk stops at the stretch's edge, or when the best correlation is ≤ 0.3, or when the
/// candidate period's peak is ≤ 1% of `globalPeak`.
///
/// Only stretches (or parts) inside `[startTime, startTime + count/fs)` are searched.
public func findPulses(
    samples x: UnsafeBufferPointer<Float>, sampleRate fs: Double, startTime: Double,
    pitch: PitchTrack, globalPeak: Float? = nil,
    settings: PulseSettings = PulseSettings()
) -> [Double] {
    let n = x.count
    guard n > 4 else { return [] }
    var peak: Float = 0
    if let g = globalPeak { peak = g } else { for v in x { peak = max(peak, abs(v)) } }
    guard peak > 0 else { return [] }
    let endTime = startTime + Double(n) / fs
    // Sample index (fractional) of time t.
    // Sample k is centred at startTime + (k + 0.5)/fs (the pitch analysis's convention, and Praat's).
    @inline(__always) func pos(_ t: Double) -> Double { (t - startTime) * fs - 0.5 }
    @inline(__always) func time(_ p: Double) -> Double { startTime + (p + 0.5) / fs }

    /// Absolute extremum of x in [a, b] (sample indices), parabolically refined.
    func extremum(_ a: Int, _ b: Int) -> Double? {
        let lo = max(1, a), hi = min(n - 2, b)
        guard lo <= hi else { return nil }
        var best = lo
        var bv: Float = -1
        for i in lo...hi where abs(x[i]) > bv { bv = abs(x[i]); best = i }
        let ym = abs(x[best - 1]), y0 = abs(x[best]), yp = abs(x[best + 1])
        let d = ym - 2 * y0 + yp
        let shift = d < 0 ? Double(0.5 * (ym - yp) / d) : 0
        return Double(best) + max(-0.5, min(0.5, shift))
    }

    /// Normalised correlations of the window of length w starting at a with the windows
    /// starting at b0, b0+1, ..., b0+count−1 (the candidates' energies slide along).
    func correlations(_ a: Int, _ b0: Int, _ w: Int, _ count: Int, into rs: inout [Double]) {
        guard let base = x.baseAddress else { return }
        let pa = base + a
        let saa = sumOfSquaresAsDouble(pa, w)
        var sbb = sumOfSquaresAsDouble(base + b0, w)
        rs.withUnsafeMutableBufferPointer { out in
            // Cross products of all candidates first (four at a time, bit-identical).
            slidingDotProducts(pa, base + b0, w, count: count, into: out.baseAddress!)
            for c in 0..<count {
                let pb = base + b0 + c
                if c > 0 {
                    let gone = Double(pb[-1]), new = Double(pb[w - 1])
                    sbb = max(0, sbb - gone * gone + new * new)
                }
                let d = (saa * sbb).squareRoot()
                out[c] = d > 0 ? out[c] / d : 0
            }
        }
    }

    var rs: [Double] = []  // correlations of one step (reused)
    /// From pulse at sample position p, the best-correlating place 0.8–1.25 periods away in
    /// `direction` (±1) and whether it qualifies as a pulse; nil when the signal ends.
    func step(from p: Double, direction: Double) -> (q: Double, accept: Bool)? {
        let f0 = interpolatedF0(pitch, at: time(p))
        guard f0 > 0 else { return nil }
        let period = fs / f0
        let w = max(2, Int(((settings.windowBefore + settings.windowAfter) * period).rounded()))
        let before = Int((settings.windowBefore * period).rounded())
        let a = Int(p.rounded()) - before
        let cLo = Int((p + direction * (direction > 0 ? settings.searchLow : settings.searchHigh) * period).rounded(.down))
        let cHi = Int((p + direction * (direction > 0 ? settings.searchHigh : settings.searchLow) * period).rounded(.up))
        // Candidate centre c: its window starts at c − before.
        let first = max(cLo, before + 1), last = min(cHi, n - 2 - w + before)
        guard a >= 0, a + w <= n, first + 1 < last else { return nil }
        rs.removeAll(keepingCapacity: true)
        rs.append(contentsOf: repeatElement(0, count: last - first + 1))
        correlations(a, first - before, w, rs.count, into: &rs)
        var bestK = 0
        for k in rs.indices where rs[k] > rs[bestK] { bestK = k }
        var shift = 0.0
        if bestK > 0 && bestK < rs.count - 1 {
            let d = rs[bestK - 1] - 2 * rs[bestK] + rs[bestK + 1]
            if d < 0 { shift = max(-0.5, min(0.5, 0.5 * (rs[bestK - 1] - rs[bestK + 1]) / d)) }
        }
        let q = Double(first + bestK) + shift
        // The candidate period must carry some signal.
        let s0 = max(0, Int(q) - before), s1 = min(n - 1, s0 + w)
        let m = s0 <= s1 ? maxAbs(x.baseAddress! + s0, s1 - s0 + 1) : 0
        let accept = rs[bestK] > settings.minimumCorrelation && Double(m) > settings.minimumPeakFraction * Double(peak)
        return (q, accept)
    }

    var pulses: [Double] = []
    for iv in voicedIntervals(pitch) {
        // The whole stretch bounds the walk; the walk also stops where the samples end.
        let t0 = iv.start, t1 = iv.end
        guard min(t1, endTime) > max(t0, startTime) else { continue }
        // Anchor in the stretch's middle, so a block holding the whole stretch finds the same
        // pulses as a whole-signal pass; if the middle is not in this block, in the middle
        // of the part that is.
        var mid = 0.5 * (t0 + t1)
        if mid - 0.02 < startTime || mid + 0.02 > endTime { mid = 0.5 * (max(t0, startTime) + min(t1, endTime)) }
        let f0 = interpolatedF0(pitch, at: mid)
        guard f0 > 0 else { continue }
        let half = 0.5 * fs / f0
        guard let p0 = extremum(Int((pos(mid) - half).rounded()), Int((pos(mid) + half).rounded())) else { continue }
        // Walk while the current place is inside the stretch; the last pulse found may lie
        // just outside it. Places that do not qualify are passed over, not added.
        var left: [Double] = []
        var p = p0
        while p > pos(t0), let s = step(from: p, direction: -1) {
            if s.accept && s.q >= pos(t0) - settings.edgeTolerance * fs / f0 { left.append(s.q) }
            p = s.q
        }
        pulses.append(contentsOf: left.reversed().map(time))
        if Double(abs(x[Int(p0.rounded())])) > settings.minimumPeakFraction * Double(peak) { pulses.append(time(p0)) }
        p = p0
        while p < pos(t1), let s = step(from: p, direction: 1) {
            if s.accept && s.q <= pos(t1) + settings.edgeTolerance * fs / f0 { pulses.append(time(s.q)) }
            p = s.q
        }
    }
    return pulses
}

/// Praat's period rules for the interval between two pulses.
@inline(__always) func isPeriod(_ p: Double, _ rules: PeriodRules) -> Bool {
    p >= rules.minimumPeriod && p <= rules.maximumPeriod
}

/// The period and amplitude rules of Praat's jitter and shimmer measures.
public struct PeriodRules: Sendable, Equatable, Codable {
    public var minimumPeriod: Double = 0.0001
    public var maximumPeriod: Double = 0.02
    public var maximumPeriodFactor: Double = 1.3
    public var maximumAmplitudeFactor: Double = 1.6
    public init() {}
}

/// The amplitude around each pulse whose two surrounding intervals are both periods (in
/// range, within the period factor); nil elsewhere. The signal is multiplied by a window
/// that rises as a Hann half over 0.2 of the left period before the pulse and falls over
/// 0.2 of the right period after it; the amplitude is the RMS of the windowed signal
/// normalised by the window's own energy, sqrt(Σ(w·x)² / Σw²). (This normalisation
/// reproduces Praat's shimmer values on identical pulses to within 0.1%.)
public func pulseAmplitudes(
    samples x: UnsafeBufferPointer<Float>, sampleRate fs: Double, startTime: Double,
    pulses t: [Double], rules: PeriodRules = PeriodRules()
) -> [Double?] {
    var out = [Double?](repeating: nil, count: t.count)
    guard t.count >= 3 else { return out }
    for k in 1..<(t.count - 1) {
        let pl = t[k] - t[k - 1], pr = t[k + 1] - t[k]
        guard isPeriod(pl, rules), isPeriod(pr, rules),
            max(pl, pr) <= rules.maximumPeriodFactor * min(pl, pr)
        else { continue }
        let c = (t[k] - startTime) * fs - 0.5
        let wl = 0.2 * pl * fs, wr = 0.2 * pr * fs
        let i0 = Int((c - wl).rounded(.up)), i1 = Int((c + wr).rounded(.down))
        guard i0 >= 0, i1 < x.count, i1 > i0 else { continue }
        var s: Double = 0, sw: Double = 0
        for i in i0...i1 {
            let d = Double(i) - c
            let w = 0.5 + 0.5 * cos(Double.pi * d / (d < 0 ? wl : wr))
            let v = w * Double(x[i])
            s += v * v
            sw += w * w
        }
        if sw > 0 { out[k] = (s / sw).squareRoot() }
    }
    return out
}
