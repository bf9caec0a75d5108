import CandorDSP
import Foundation

/// Intensity in dB: for each frame, the mean-removed, window-weighted mean square of the
/// samples (taken as pascals, as Praat does) relative to (2·10⁻⁵ Pa)². The window is a
/// Hann window of 3.2 / minimumPitch seconds (32 ms for 100 Hz), so a 100 Hz voice's
/// periodic ripple is averaged out.
public final class IntensityFrameAnalyzer {
    public let sampleRate: Double
    let window: [Float]
    let half: Int
    let windowSum: Double

    public init(sampleRate: Double, minimumPitch: Double = 100) {
        self.sampleRate = sampleRate
        let n = max(3, Int((3.2 / minimumPitch * sampleRate).rounded()) | 1)
        half = n / 2
        var w = [Float](repeating: 0, count: n)
        var s = 0.0
        for j in 0..<n {
            let v = 0.5 - 0.5 * cos(2 * Double.pi * Double(j + 1) / Double(n + 1))
            w[j] = Float(v)
            s += v
        }
        window = w
        windowSum = s
    }

    public var contextSamples: Int { half + 2 }

    /// dB of the frame centred at `t`, from samples `x` holding global samples from `start`.
    /// Silence gives -∞ → reported as the floor value -100 dB... clipped to a finite floor.
    public func intensity(t: Double, x: UnsafeBufferPointer<Float>, start: Int) -> Float {
        let centre = Int((t * sampleRate - 0.5).rounded())
        let first = centre - half - start
        // Clip the window to the samples held; one pass for the weighted sums.
        let j0 = max(0, -first), j1 = min(window.count, x.count - first)
        guard j1 > j0 else { return Self.floorDB }
        let (sw, swx, swxx) = window.withUnsafeBufferPointer { w in
            weightedMoments(w.baseAddress! + j0, x.baseAddress! + first + j0, j1 - j0)
        }
        guard sw > 0 else { return Self.floorDB }
        let mean = swx / sw
        let power = swxx / sw - mean * mean
        guard power > 1e-20 else { return Self.floorDB }
        return Float(max(Double(Self.floorDB), 10 * log10(power / 4e-10)))
    }

    /// The value reported for digital silence (instead of -∞).
    public static let floorDB: Float = -100
}

/// Energy-weighted mean intensity in dB over frames (Praat's "energy" averaging), ignoring
/// frames at the silence floor.
public func meanIntensityDB(_ db: ArraySlice<Float>) -> Double? {
    var mean = EnergyMean()
    for v in db { mean.add(v) }
    return mean.db
}

/// The energy mean of intensity frames in dB, as Praat's "Get mean… (energy)": every frame
/// counts, and a frame at the floor (digital silence) adds no energy. Nil when every frame is
/// at the floor (nothing but silence).
struct EnergyMean {
    private var sum = 0.0
    private var frames = 0
    private var audible = 0

    mutating func add(_ v: Float) {
        guard v.isFinite else { return }
        frames += 1
        guard v > IntensityFrameAnalyzer.floorDB else { return }
        sum += pow(10, Double(v) / 10)
        audible += 1
    }

    var db: Double? { audible > 0 ? 10 * log10(sum / Double(frames)) : nil }
}
