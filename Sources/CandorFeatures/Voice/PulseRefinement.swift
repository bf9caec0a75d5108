import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How the jitter intervals are placed between samples.
///
/// - `parabolic`: the peak of the adjacent cycles' cross-correlation is refined by a
///   parabola through its three highest samples (Praat-compatible default).
/// - `sinc` (`--pulses precise`): each pulse is placed on the glottal-closure spike of the
///   LPC residual (the excitation the formants ring from; Markel & Gray 1976, Ananthapadmanabha
///   & Yegnanarayana 1979), interpolated between samples band-limitedly (a Lanczos-windowed
///   sinc with `PulseInterpolation.lanczosLobes` lobes each side, maximum searched on a
///   1/32-sample grid; Lanczos 1956, Duchon 1979), and pulses without a closure spike are
///   dropped (`keptPulseIndices`). A whole-cycle correlation aligns cycle shapes, which
///   change with the open phase from period to period, and a parabola through three
///   samples is biased toward the nearest sample; both add spurious jitter at 16 kHz.
public enum PulseInterpolation: String, Sendable, Codable, CaseIterable {
    case parabolic
    case sinc

    /// Lobes of the Lanczos window each side of the interpolated point.
    static let lanczosLobes = 8
    /// Steps per sample of the fine search around the best integer lag.
    static let fineSteps = 32
}

/// Lanczos kernel sinc(x)·sinc(x/a) for |x| < a, else 0.
@inline(__always) func lanczos(_ x: Double, lobes a: Int) -> Double {
    let ax = abs(x)
    guard ax < Double(a) else { return 0 }
    guard ax > 1e-12 else { return 1 }
    let px = Double.pi * x
    return Double(a) * sin(px) * sin(px / Double(a)) / (px * px)
}

/// The Lanczos-interpolated value of `s` at fractional sample position `x`.
@inline(__always) func interpolatedSample(_ s: UnsafeBufferPointer<Float>, at x: Double, lobes a: Int) -> Double {
    let f = Int(x.rounded(.down))
    let lo = max(0, f - a + 1), hi = min(s.count - 1, f + a)
    guard lo <= hi else { return 0 }
    var v = 0.0
    for i in lo...hi { v += lanczos(x - Double(i), lobes: a) * Double(s[i]) }
    return v
}

/// The maximum of `sign` × the Lanczos-interpolated `s` within one sample of sample
/// `best`: searched on a grid of 1/`fineSteps` sample, then refined by a parabola through
/// the three best grid points (whose error at that spacing is below 10⁻³ sample). Returns
/// the fractional position and the value there.
func interpolatedMaximum(
    _ s: UnsafeBufferPointer<Float>, near best: Int, sign: Double,
    lobes a: Int = PulseInterpolation.lanczosLobes, fineSteps m: Int = PulseInterpolation.fineSteps
) -> (position: Double, value: Double) {
    var values = [Double](repeating: 0, count: 2 * m + 1)
    var kb = m
    for g in 0...(2 * m) {
        values[g] = sign * interpolatedSample(s, at: Double(best) + Double(g - m) / Double(m), lobes: a)
        if values[g] > values[kb] { kb = g }
    }
    var shift = 0.0
    if kb > 0 && kb < 2 * m {
        let d = values[kb - 1] - 2 * values[kb] + values[kb + 1]
        if d < 0 { shift = max(-0.5, min(0.5, 0.5 * (values[kb - 1] - values[kb + 1]) / d)) }
    }
    return (Double(best) + (Double(kb - m) + shift) / Double(m), values[kb])
}

/// Places each pulse on the extremum of `s` (the LPC residual, whose largest excursion in
/// a cycle marks the glottal closure) of the excitation's polarity (the sign of the
/// skewness of `s` around the pulses): the largest sample of that polarity near the pulse
/// (see the offset below), then the maximum of the Lanczos-interpolated signal within one sample
/// of it on a 1/`fineSteps`-sample grid (a parabola through the three best grid points
/// finishes it). A run is a sequence of pulses less than `maximumPeriod` apart. Pulses
/// whose window leaves the signal keep their time (and a NaN peak), and so do all pulses of
/// a run whose median spike prominence (largest excursion over the window's RMS) is below
/// `minimumProminence`. Also returns each
/// pulse's interpolated peak value (times the polarity).
func peakPulses(
    _ pulses: [Double], signal s: UnsafeBufferPointer<Float>, sampleRate fs: Double,
    startTime: Double, maximumPeriod: Double, before: Double = 0.45, after: Double = 0.15,
    minimumProminence: Double = 4,
    lobes a: Int = PulseInterpolation.lanczosLobes, fineSteps m: Int = PulseInterpolation.fineSteps
) -> (times: [Double], peaks: [Double]) {
    var out = pulses
    var peaks = [Double](repeating: .nan, count: pulses.count)
    let n = s.count
    guard pulses.count >= 2, n > 2 * a else { return (out, peaks) }
    @inline(__always) func pos(_ t: Double) -> Double { (t - startTime) * fs - 0.5 }
    /// The wide search window of pulse k in samples (`before` periods before it to `after`
    /// periods after: the closure precedes the waveform extremum the pulse search finds by
    /// the formants' delay, up to a few ms) and its local period, or nil.
    func window(_ k: Int) -> (Int, Int, Double)? {
        let left = k > 0 ? pulses[k] - pulses[k - 1] : .infinity
        let right = k + 1 < pulses.count ? pulses[k + 1] - pulses[k] : .infinity
        let T = min(left, right)
        guard T <= maximumPeriod else { return nil }
        let p = pos(pulses[k])
        let i0 = Int((p - before * T * fs).rounded(.up)), i1 = Int((p + after * T * fs).rounded(.down))
        guard i0 >= a, i1 < n - a, i0 < i1 else { return nil }
        return (i0, i1, T)
    }
    // Polarity of the excitation: the sign of the skewness of `s` over the pulses' windows
    // (the closure spikes of the residual dominate its third moment).
    var third = 0.0
    for j in pulses.indices {
        guard let (i0, i1, _) = window(j) else { continue }
        for i in i0...i1 {
            let v = Double(s[i])
            third += v * v * v
        }
    }
    let sign: Double = third < 0 ? -1 : 1
    var k = 0
    while k < pulses.count {
        var end = k + 1
        while end < pulses.count && pulses[end] - pulses[end - 1] <= maximumPeriod { end += 1 }
        // The run's median offset from the pulses to their extrema of that polarity: the
        // final search is ± 0.1 period around pulse + offset, so a cycle
        // whose secondary excursion (glottal opening, formant ringing) wins in the wide
        // window is still placed on the same event as its neighbours.
        var offsets: [Double] = [], prominences: [Double] = []
        for j in k..<end {
            guard let (i0, i1, _) = window(j) else { continue }
            var best = i0
            var energy = 0.0
            for i in i0...i1 {
                if sign * Double(s[i]) > sign * Double(s[best]) { best = i }
                energy += Double(s[i]) * Double(s[i])
            }
            offsets.append(Double(best) - pos(pulses[j]))
            let rms = (energy / Double(i1 - i0 + 1)).squareRoot()
            prominences.append(rms > 0 ? sign * Double(s[best]) / rms : 0)
        }
        offsets.sort()
        prominences.sort()
        let offset = offsets.isEmpty ? 0 : offsets[offsets.count / 2]
        // Where the spikes do not stand out of the residual (noise: the largest of the
        // window's ~50–100 samples of Gaussian noise is about 2.5–3 RMS), the run is left as
        // it is (the caller keeps its default placement).
        guard let prominence = prominences.isEmpty ? nil : prominences[prominences.count / 2],
            prominence >= minimumProminence
        else {
            k = end
            continue
        }
        for j in k..<end {
            guard let (_, _, T) = window(j) else { continue }
            let centre = pos(pulses[j]) + offset, half = 0.1 * T * fs
            let i0 = max(a, Int((centre - half).rounded(.up))), i1 = min(n - a - 1, Int((centre + half).rounded(.down)))
            guard i0 < i1 else { continue }
            var best = i0
            for i in i0...i1 where sign * Double(s[i]) > sign * Double(s[best]) { best = i }
            let (x, v) = interpolatedMaximum(s, near: best, sign: sign, lobes: a, fineSteps: m)
            out[j] = startTime + (x + 0.5) / fs
            peaks[j] = v
        }
        k = end
    }
    return (out, peaks)
}

/// The pulses `--pulses precise` keeps: within each run (pulses less than `maximumPeriod`
/// apart), a pulse whose excitation peak is below `minimumPeak` of the run's median peak is
/// dropped (no glottal closure: decaying formant ringing after a voiced stretch, or the
/// pitch track's doubled F0 at its edge), and so is a pulse closer than `minimumFraction`
/// of the run's median interval to the previous kept pulse. Kept, such pulses' short or
/// misplaced intervals count as periods and inflate jitter. Runs are judged on their own,
/// so the result does not depend on where a block boundary falls outside the run.
func keptPulseIndices(
    _ t: [Double], peaks: [Double], maximumPeriod: Double, minimumPeak: Double = 0.3, minimumFraction: Double = 0.7
) -> [Int] {
    var kept: [Int] = []
    var k = 0
    while k < t.count {
        var end = k + 1
        while end < t.count && t[end] - t[end - 1] <= maximumPeriod { end += 1 }
        var pk = (k..<end).map { peaks[$0] }.filter { !$0.isNaN }
        pk.sort()
        let medPeak = pk.isEmpty ? 0 : pk[pk.count / 2]
        guard !pk.isEmpty else {
            // No spike placed in this run (a noisy residual): every pulse kept as found.
            kept.append(contentsOf: k..<end)
            k = end
            continue
        }
        // (A pulse of a placed run without a peak of its own, at the signal's edge, is
        // dropped too: its time is on another event than its neighbours'.)
        let strong = (k..<end).filter { !peaks[$0].isNaN && peaks[$0] >= minimumPeak * medPeak }
        var iv: [Double] = []
        for j in strong.indices.dropFirst() { iv.append(t[strong[j]] - t[strong[j - 1]]) }
        iv.sort()
        let med = iv.isEmpty ? 0 : iv[iv.count / 2]
        var last = -Double.infinity
        for j in strong where t[j] - last >= minimumFraction * med {
            kept.append(j)
            last = t[j]
        }
        k = end
    }
    return kept
}
