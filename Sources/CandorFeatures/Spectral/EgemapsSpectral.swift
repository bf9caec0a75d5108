import CandorDSP
import Foundation

/// The spectral low-level descriptors of eGeMAPS v02 of one 20 ms frame (10 ms hop).
public struct EgemapsSpectralValues: Sendable {
    public var loudness: Float = 0
    public var alphaRatio: Float = 0
    public var hammarbergIndex: Float = 0
    public var slope0to500: Float = 0
    public var slope500to1500: Float = 0
    public var spectralFlux: Float = 0
    public var mfcc: (Float, Float, Float, Float) = (0, 0, 0, 0)
    /// Mean square of the (unwindowed) frame, for the equivalent sound level.
    public var energy: Float = 0
}

/// Computes the eGeMAPS spectral descriptors of 20 ms Hamming-windowed frames, following
/// Eyben et al. (2016) and openSMILE's documentation of the components eGeMAPS uses:
/// power spectrum of the zero-padded frame; 26 triangular mel bands 20–8000 Hz (HTK mel scale);
/// loudness as the sum over bands of the equal-loudness-weighted band power raised to 0.33
/// (Hermansky's PLP auditory spectrum); MFCC 1–4 as the DCT-II of the log band powers with
/// sinusoidal liftering (L = 22); alpha ratio (power 1–5 kHz over 50 Hz–1 kHz, dB); Hammarberg
/// index (strongest bin 0–2 kHz over strongest 2–5 kHz, dB); spectral slopes as the regression
/// slope of the dB power spectrum on frequency in 0–500 and 500–1500 Hz; spectral flux as the
/// Euclidean distance between consecutive magnitude spectra up to 5 kHz.
///
/// The absolute scale of loudness and flux follows openSMILE's output scale (a constant
/// factor measured once on one LibriVox file at 16 kHz and one Keele file at 20 kHz; see
/// docs/features.md). One instance per thread: it owns FFT scratch memory.
public final class EgemapsSpectralAnalyzer {
    public let sampleRate: Double
    public let frameLength: Int
    private let fft: FFTWorkspace
    private let window: [Float]
    private let bins: Int
    private let binHz: Double
    private var bandFirst: [Int] = []
    private var bandWeights: [[Float]] = []
    private var equalLoudness: [Float] = []
    private var dct: [[Float]] = []
    private var previous: [Float]
    private var magnitude: [Float]
    private var power: [Float]
    private var hasPrevious = false
    private let loudnessScale: Float
    private let fluxScale: Float
    private let fluxBins: Int

    public init(sampleRate: Double) {
        self.sampleRate = sampleRate
        let length = max(2, Int((0.020 * sampleRate).rounded()))
        frameLength = length
        let n = max(4, nextPowerOfTwo(length))
        fft = FFTWorkspace(size: n)
        bins = n / 2 + 1
        binHz = sampleRate / Double(n)
        window = (0..<length).map { i in
            Float(0.54 - 0.46 * cos(2 * Double.pi * Double(i) / Double(length - 1)))
        }
        previous = [Float](repeating: 0, count: bins)
        magnitude = previous
        power = previous
        loudnessScale = Float(1 / (15.08 * pow(sampleRate / 16000, 0.22)))
        fluxScale = Float(1 / (2.56e6 / sampleRate).squareRoot())
        fluxBins = min(bins, Int(5000 / binHz) + 1)
        makeFilterBank()
    }

    private static func mel(_ f: Double) -> Double { 1127 * log(1 + f / 700) }

    private func makeFilterBank() {
        let bands = 26
        let lo = Self.mel(20), hi = Self.mel(min(8000, sampleRate / 2))
        let edges = (0..<(bands + 2)).map { lo + (hi - lo) * Double($0) / Double(bands + 1) }
        for j in 0..<bands {
            let a = edges[j], c = edges[j + 1], b = edges[j + 2]
            var first = -1
            var w: [Float] = []
            for k in 0..<bins {
                let m = Self.mel(Double(k) * binHz)
                let v = min((m - a) / (c - a), (b - m) / (b - c))
                if v > 0 {
                    if first < 0 { first = k }
                    w.append(Float(v))
                } else if first >= 0 {
                    break
                }
            }
            bandFirst.append(max(0, first))
            bandWeights.append(w)
            let fc = 700 * (exp(c / 1127) - 1)
            let w2 = pow(2 * Double.pi * fc, 2)
            let e = ((w2 + 56.8e6) * w2 * w2) / (pow(w2 + 6.3e6, 2) * (w2 + 0.38e9))
            equalLoudness.append(Float(e))
        }
        for i in 1...4 {
            let lifter = 1 + 11 * sin(Double.pi * Double(i) / 22)
            dct.append(
                (0..<bands).map { j in
                    Float((2 / Double(bands)).squareRoot() * cos(Double.pi * Double(i) * (Double(j) + 0.5) / Double(bands)) * lifter)
                })
        }
    }

    /// Descriptors of the frame `x` (`frameLength` samples, scaled to ±1).
    public func analyze(_ x: UnsafeBufferPointer<Float>) -> EgemapsSpectralValues {
        var out = EgemapsSpectralValues()
        let real = fft.real
        var energy: Double = 0
        for i in 0..<frameLength {
            let v = i < x.count ? x[i] : 0
            energy += Double(v) * Double(v)
            real[i] = v * window[i]
        }
        for i in frameLength..<real.count { real[i] = 0 }
        out.energy = Float(energy / Double(frameLength))
        fft.forward()
        let s = fft.spectrum
        power.withUnsafeMutableBufferPointer { p in
            magnitude.withUnsafeMutableBufferPointer { m in
                for k in 0..<bins {
                    let re = s[2 * k], im = s[2 * k + 1]
                    p[k] = re * re + im * im
                    m[k] = p[k].squareRoot()
                }
            }
        }
        bandMeasures(into: &out)
        ratioMeasures(into: &out)
        fluxMeasure(into: &out)
        return out
    }

    private func bandMeasures(into out: inout EgemapsSpectralValues) {
        var loud: Float = 0
        var logs = [Float](repeating: 0, count: bandWeights.count)
        power.withUnsafeBufferPointer { p in
            for j in bandWeights.indices {
                var e: Float = 0
                let f = bandFirst[j]
                bandWeights[j].withUnsafeBufferPointer { w in
                    for q in 0..<w.count where f + q < p.count { e += w[q] * p[f + q] }
                }
                loud += pow(e * equalLoudness[j], 0.33)
                // MFCCs on 16-bit sample scale (HTK convention), floored as openSMILE does.
                logs[j] = log(max(e * 1_073_741_824, 1e-8))
            }
        }
        out.loudness = loud * loudnessScale
        var c: [Float] = [0, 0, 0, 0]
        for i in 0..<4 {
            var v: Float = 0
            for j in logs.indices { v += dct[i][j] * logs[j] }
            c[i] = v
        }
        out.mfcc = (c[0], c[1], c[2], c[3])
    }

    private func ratioMeasures(into out: inout EgemapsSpectralValues) {
        power.withUnsafeBufferPointer { p in
            var low: Double = 0, high: Double = 0
            var peakLow: Float = 0, peakHigh: Float = 0
            for k in 0..<bins {
                let f = Double(k) * binHz
                if f > 5000 { break }
                if f >= 50 && f < 1000 { low += Double(p[k]) }
                if f >= 1000 { high += Double(p[k]) }
                if f < 2000 { peakLow = max(peakLow, p[k]) } else { peakHigh = max(peakHigh, p[k]) }
            }
            out.alphaRatio = Float(10 * log10(max(high, 1e-20) / max(low, 1e-20)))
            out.hammarbergIndex = 10 * log10(max(peakLow, 1e-20) / max(peakHigh, 1e-20))
            out.slope0to500 = slope(p, from: 0, to: 500)
            out.slope500to1500 = slope(p, from: 500, to: 1500)
        }
    }

    /// Least-squares slope (dB per Hz) of the dB power spectrum over bins in [lo, hi] Hz.
    private func slope(_ p: UnsafeBufferPointer<Float>, from lo: Double, to hi: Double) -> Float {
        var n: Double = 0, sx: Double = 0, sy: Double = 0, sxx: Double = 0, sxy: Double = 0
        var k = Int((lo / binHz).rounded(.up))
        while k < bins && Double(k) * binHz <= hi {
            let x = Double(k) * binHz
            let y = 10 * log10(max(Double(p[k]), 1e-20))
            n += 1
            sx += x
            sy += y
            sxx += x * x
            sxy += x * y
            k += 1
        }
        let d = n * sxx - sx * sx
        return n >= 2 && d > 0 ? Float((n * sxy - sx * sy) / d) : 0
    }

    /// LPC formants (frequency, bandwidth in Hz) of the frame last given to `analyze`.
    public func formants() -> [(frequency: Double, bandwidth: Double)] {
        power.withUnsafeBufferPointer { EgemapsFormants.estimate(power: $0, binHz: binHz) }
    }

    private func fluxMeasure(into out: inout EgemapsSpectralValues) {
        var sum: Float = 0
        magnitude.withUnsafeBufferPointer { m in
            previous.withUnsafeMutableBufferPointer { q in
                for k in 0..<fluxBins {
                    let d = m[k] - q[k]
                    sum += d * d
                    q[k] = m[k]
                }
            }
        }
        out.spectralFlux = hasPrevious ? sum.squareRoot() * fluxScale : 0
        hasPrevious = true
    }
}
