import CandorDSP
import Foundation

/// The voice-quality descriptors of eGeMAPS of one voiced 60 ms frame.
public struct EgemapsVoiceValues: Sendable {
    public var jitterLocal: Float = 0
    public var shimmerLocalDB: Float = 0
    public var hnrACF: Float = 0
    public var h1h2: Float = 0
    public var h1a3: Float = 0
    /// F1–F3 frequency (Hz), bandwidth (Hz), and amplitude relative to the F0 harmonic (dB).
    public var formants: [(frequency: Float, bandwidth: Float, amplitude: Float)] = []

    /// In eGeMAPS's order: jitter, shimmer, HNR, H1–H2, H1–A3, then F1 (freq, bandwidth, amplitude), F2, F3.
    var ordered: [Float] {
        var v = [jitterLocal, shimmerLocalDB, hnrACF, h1h2, h1a3]
        for k in 0..<3 {
            let f = k < formants.count ? formants[k] : (0, 0, 0)
            v += [f.0, f.1, f.2]
        }
        return v
    }
}

/// Voice descriptors of 60 ms frames at the F0 the pitch tracker found, as eGeMAPS defines
/// them: the Gaussian-windowed (σ = 0.4) frame's magnitude spectrum gives the harmonic
/// amplitudes H1, H2 (peaks near F0, 2·F0) and the formant amplitudes (the strongest harmonic
/// within each LPC formant's bandwidth), all in dB relative to H1; HNR is 10·log10(r / (1 − r))
/// with r the frame's normalised autocorrelation at the period (rounded to a sample); jitter and shimmer come from
/// the periods found by waveform matching inside the frame.
public final class EgemapsVoiceAnalyzer {
    public let sampleRate: Double
    public let frameLength: Int
    private let fft: FFTWorkspace
    private let window: [Float]
    private var magnitude: [Float]
    private let binHz: Double

    public init(sampleRate: Double) {
        self.sampleRate = sampleRate
        let length = max(2, Int((0.060 * sampleRate).rounded()))
        frameLength = length
        let n = nextPowerOfTwo(2 * length)
        fft = FFTWorkspace(size: n)
        binHz = sampleRate / Double(n)
        magnitude = [Float](repeating: 0, count: n / 2 + 1)
        let half = Double(length - 1) / 2
        window = (0..<length).map { i in
            let u = (Double(i) - half) / (0.4 * half)
            return Float(exp(-0.5 * u * u))
        }
    }

    public func analyze(
        _ x: UnsafeBufferPointer<Float>, f0: Double, formants: [(frequency: Double, bandwidth: Double)]
    ) -> EgemapsVoiceValues {
        var v = EgemapsVoiceValues()
        let real = fft.real
        for i in 0..<real.count { real[i] = i < frameLength && i < x.count ? x[i] * window[i] : 0 }
        fft.forward()
        let s = fft.spectrum
        for k in magnitude.indices {
            let re = s[2 * k], im = s[2 * k + 1]
            magnitude[k] = (re * re + im * im).squareRoot()
        }
        v.hnrACF = hnr(f0: f0)
        let h1 = harmonic(at: f0, f0: f0)
        let h2 = harmonic(at: 2 * f0, f0: f0)
        if h1 > 0 && h2 > 0 { v.h1h2 = Float(20 * log10(h1 / h2)) }
        for (k, f) in formants.prefix(3).enumerated() {
            let a = strongestHarmonic(near: f.frequency, bandwidth: f.bandwidth, f0: f0)
            let rel: Float = h1 > 0 && a > 0 ? Float(20 * log10(a / h1)) : 0
            v.formants.append((Float(f.frequency), Float(f.bandwidth), rel))
            if k == 2 && h1 > 0 && a > 0 { v.h1a3 = Float(20 * log10(h1 / a)) }
        }
        let (jitter, shimmer) = periodPerturbation(x, f0: f0)
        v.jitterLocal = jitter
        v.shimmerLocalDB = shimmer
        return v
    }

    /// Peak magnitude within ±10 % of F0 around `frequency`.
    private func harmonic(at frequency: Double, f0: Double) -> Double {
        let lo = max(0, Int(((frequency - 0.1 * f0) / binHz).rounded(.down)))
        let hi = min(magnitude.count - 1, Int(((frequency + 0.1 * f0) / binHz).rounded(.up)))
        guard lo <= hi else { return 0 }
        var best: Float = 0
        for k in lo...hi { best = max(best, magnitude[k]) }
        return Double(best)
    }

    /// The strongest harmonic within the formant's bandwidth (at least the nearest harmonic).
    private func strongestHarmonic(near frequency: Double, bandwidth: Double, f0: Double) -> Double {
        let nyquist = sampleRate / 2
        let first = max(1, Int(((frequency - bandwidth / 2) / f0).rounded(.up)))
        let last = max(first, Int(((frequency + bandwidth / 2) / f0).rounded(.down)))
        var best = 0.0
        var h = first
        while h <= last && Double(h) * f0 < nyquist {
            best = max(best, harmonic(at: Double(h) * f0, f0: f0))
            h += 1
        }
        if best == 0 {
            let nearest = max(1, Int((frequency / f0).rounded()))
            if Double(nearest) * f0 < nyquist { best = harmonic(at: Double(nearest) * f0, f0: f0) }
        }
        return best
    }

    /// 10·log10(r / (1 − r)) of the windowed frame's normalised autocorrelation peak near the period.
    private func hnr(f0: Double) -> Float {
        let s = fft.spectrum
        let n = fft.plan.size
        var k = 0
        while k < s.count {
            let p = s[k] * s[k] + s[k + 1] * s[k + 1]
            s[k] = p
            s[k + 1] = 0
            k += 2
        }
        fft.backward()
        let r0 = fft.real[0]
        guard r0 > 0 else { return 0 }
        // openSMILE's ACF HNR takes the autocorrelation at the period itself.
        let lag = Int((sampleRate / f0).rounded())
        guard lag >= 1 && lag < n / 2 else { return 0 }
        let best = fft.real[lag]
        let r = min(max(Double(best / r0), 1e-6), 1 - 1e-6)
        return Float(10 * log10(r / (1 - r)))
    }

    /// Local jitter (mean |ΔT| / mean T) and local shimmer (mean |20·log10(A(i+1)/A(i))| dB)
    /// of the periods found by cross-correlating each period with the next (±10 % search).
    private func periodPerturbation(_ x: UnsafeBufferPointer<Float>, f0: Double) -> (Float, Float) {
        let n = min(x.count, frameLength)
        let period = Int((sampleRate / f0).rounded())
        guard period >= 2, 2 * period < n else { return (0, 0) }
        var start = 0
        var peak: Float = -.infinity
        for i in 0..<period where x[i] > peak {
            peak = x[i]
            start = i
        }
        var periods: [Int] = []
        var amplitudes: [Float] = []
        var p = start
        let search = max(1, period / 10)
        while true {
            let length = periods.last ?? period
            var bestLag = 0
            var bestCC = -2.0
            for lag in max(2, length - search)...(length + search) {
                guard p + lag + length <= n else { break }
                var sxy = 0.0, sxx = 0.0, syy = 0.0
                for j in 0..<length {
                    let a = Double(x[p + j]), b = Double(x[p + lag + j])
                    sxy += a * b
                    sxx += a * a
                    syy += b * b
                }
                let cc = sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
                if cc > bestCC {
                    bestCC = cc
                    bestLag = lag
                }
            }
            guard bestLag > 0, bestCC >= 0.5 else { break }
            var a: Float = 0
            for j in p..<(p + bestLag) { a = max(a, abs(x[j])) }
            periods.append(bestLag)
            amplitudes.append(a)
            p += bestLag
        }
        guard periods.count >= 2 else { return (0, 0) }
        var dT = 0.0, dA = 0.0
        for i in 1..<periods.count {
            dT += Double(abs(periods[i] - periods[i - 1]))
            if amplitudes[i] > 0 && amplitudes[i - 1] > 0 { dA += abs(20 * log10(Double(amplitudes[i] / amplitudes[i - 1]))) }
        }
        let meanT = Double(periods.reduce(0, +)) / Double(periods.count)
        let m = Double(periods.count - 1)
        return (Float(dT / m / meanT), Float(dA / m))
    }
}
