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

/// Voice descriptors of 60 ms frames at the F0 the pitch tracker found.
public final class EgemapsVoiceAnalyzer {
    public let sampleRate: Double
    public let frameLength: Int

    public init(sampleRate: Double) {
        self.sampleRate = sampleRate
        frameLength = max(2, Int((0.060 * sampleRate).rounded()))
    }

    /// HNR from the normalised autocorrelation `strength` r of the F0 candidate: 10·log10(r / (1 − r)).
    public func analyze(_ x: UnsafeBufferPointer<Float>, f0: Double, strength: Double) -> EgemapsVoiceValues {
        var v = EgemapsVoiceValues()
        let r = min(max(strength, 1e-6), 1 - 1e-6)
        v.hnrACF = Float(10 * log10(r / (1 - r)))
        return v
    }
}
