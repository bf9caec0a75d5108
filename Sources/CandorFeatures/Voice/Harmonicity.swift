#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Praat's "To Harmonicity (cc)": a forward cross-correlation pitch analysis with a 0.01 s
/// step, 75 Hz floor, one period per window, silence threshold 0.1, no voicing threshold
/// and no path costs; each frame's HNR is 10·log10(r / (1 − r)) of its strongest
/// candidate's correlation r, and frames left unvoiced (silent) have no HNR.
public struct HarmonicitySettings: Sendable, Equatable, Codable {
    public var timeStep: Double = 0.01
    public var floor: Double = 75
    public var silenceThreshold: Double = 0.1
    public var periodsPerWindow: Double = 1
    public init() {}

    /// The pitch settings that realise this analysis at `sampleRate`.
    public func pitchSettings(sampleRate: Double) -> PitchSettings {
        var s = PitchSettings(method: .cc)
        s.timeStep = timeStep
        s.floor = floor
        s.ceiling = sampleRate / 2
        s.silenceThreshold = silenceThreshold
        s.voicingThreshold = 0
        s.octaveCost = 0
        s.octaveJumpCost = 0
        s.voicedUnvoicedCost = 0
        s.periodsPerWindow = periodsPerWindow
        return s
    }

    /// Praat's frame grid of the harmonicity analysis for a signal of `samples` samples.
    public func grid(samples: Int, sampleRate: Double) -> FrameGrid? {
        let s = pitchSettings(sampleRate: sampleRate)
        return analysisGrid(samples: samples, sampleRate: sampleRate, windowDuration: s.windowDuration, timeStep: timeStep)
    }
}

/// One harmonicity frame: its centre time and HNR in dB (nil = silent/unvoiced).
public struct HNRFrame: Sendable, Equatable {
    public var time: Double
    public var db: Double?
}

/// Converts a correlation to dB with Praat's clamps (r → [1e-15, 1 − 1e-15]).
@inline(__always) func hnrDB(_ r: Double) -> Double {
    let rr = min(1 - 1e-15, max(1e-15, r))
    return 10 * log10(rr / (1 - rr))
}

/// HNR frames `range` of `grid` from a block holding global samples
/// `[start, start + samples.count)`. `globalPeak` is the channel's largest |x − mean|.
public func harmonicityBlock(
    samples: UnsafeBufferPointer<Float>, start: Int, sampleRate: Double,
    grid: FrameGrid, range: Range<Int>, globalPeak: Float,
    settings: HarmonicitySettings = HarmonicitySettings()
) -> [HNRFrame] {
    guard !range.isEmpty else { return [] }
    let analyzer = PitchFrameAnalyzer(settings: settings.pitchSettings(sampleRate: sampleRate), sampleRate: sampleRate)
    // No path costs: the path finder reduces to the best candidate per frame.
    let r = analyzePitchBlock(
        analyzer: analyzer, grid: grid, contextRange: range, range: range,
        samples: samples, start: start, globalPeak: globalPeak)
    return range.enumerated().map { k, i in
        HNRFrame(time: grid.time(i), db: r.f0[k] > 0 ? hnrDB(Double(r.strength[k])) : nil)
    }
}
