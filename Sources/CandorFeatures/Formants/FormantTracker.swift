#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorDSP

/// Settings of the formant tracker, with the defaults of Praat's `Sound: To Formant (burg)...`
/// (Praat manual): time step 0 (= a quarter of the window length), 5 formants, formant
/// ceiling 5500 Hz (the manual's value for an adult female; 5000 Hz for an adult male),
/// window length 0.025 s (the effective length: the Gaussian-like window is twice as long),
/// pre-emphasis from 50 Hz.
public struct FormantSettings: Sendable, Equatable {
    public var timeStep: Double = 0
    public var maxFormants: Int = 5
    public var ceiling: Double = 5500
    public var windowLength: Double = 0.025
    public var preEmphasisFrom: Double = 50
    public init() {}

    public var effectiveTimeStep: Double { timeStep > 0 ? timeStep : windowLength / 4 }
}

/// One analysis frame: formants sorted by frequency (Hz) with their bandwidths (Hz).
public struct FormantFrame: Sendable, Equatable {
    public var time: Double
    public var frequencies: [Double]
    public var bandwidths: [Double]
}

/// A streaming Burg formant tracker, following the procedure Praat's manual gives for
/// `Sound: To Formant (burg)`: the sound is resampled to twice the formant ceiling, given
/// +6 dB/octave pre-emphasis above `preEmphasisFrom` (x[i] −= e^(−2πFΔt)·x[i−1]), and each frame,
/// under a Gaussian-like window of twice the window length, is fitted with an all-pole model of
/// order 2 × `maxFormants` by Burg's method. The poles' angles and radii give the formants'
/// frequencies and bandwidths; those below 50 Hz or above the ceiling − 50 Hz are dropped.
///
/// Frames are placed as Praat places them: as many as fit whole in the sound, centred in it.
/// Samples are pushed in blocks; memory holds one window of resampled sound.
public struct FormantTracker: Sendable {
    public let settings: FormantSettings
    public let sampleRate: Double
    var resampler: Resampler?
    let rate: Double
    let alpha: Double
    let window: [Double]
    let frameCount: Int
    let firstTime: Double
    let step: Double
    /// Pre-emphasised resampled sound, `buffer[0]` being resampled sample `bufferStart`.
    var buffer: [Float] = []
    var bufferStart = 0
    var lastRaw: Float = 0
    var frameIndex = 0

    /// - Parameters:
    ///   - sampleRate: of the pushed samples.
    ///   - duration: of the whole sound, seconds (it places the frames).
    public init(sampleRate: Double, duration: Double, settings: FormantSettings = FormantSettings()) {
        self.settings = settings
        self.sampleRate = sampleRate
        let target = 2 * settings.ceiling
        if abs(target - sampleRate) < 1e-9 {
            resampler = nil
            rate = sampleRate
        } else {
            resampler = Resampler(inRate: sampleRate, outRate: target)
            rate = target
        }
        alpha = exp(-2 * Double.pi * settings.preEmphasisFrom / rate)
        let n = max(Int((2 * settings.windowLength * rate).rounded(.down)), 2 * settings.maxFormants + 2)
        // Gaussian-like window: a Gaussian reaching e^−12 at the edges, shifted and scaled so it
        // starts and ends at zero.
        let edge = exp(-12.0)
        let mid = Double(n + 1) / 2
        window = (1...n).map { i in
            let d = (Double(i) - mid) / Double(n + 1)
            return (exp(-48 * d * d) - edge) / (1 - edge)
        }
        step = settings.effectiveTimeStep
        let physical = Double(n) / rate
        // Resampling keeps the sound's time domain [0, duration], which places the frames.
        frameCount = duration >= physical ? Int(((duration - physical) / step).rounded(.down)) + 1 : 0
        firstTime = (duration - Double(max(frameCount - 1, 0)) * step) / 2
    }

    /// Adds samples; calls `emit` for each frame now complete, in time order, skipping (without
    /// solving them) the frames whose time `wanted` turns down.
    public mutating func push(
        _ samples: UnsafeBufferPointer<Float>, wanted: (Double) -> Bool = { _ in true }, emit: (FormantFrame) -> Void
    ) {
        var out = [Float]()
        if resampler != nil {
            out.reserveCapacity(samples.count)
            resampler!.push(samples, into: &out)
        } else {
            out.append(contentsOf: samples)
        }
        append(out)
        analyse(final: false, wanted: wanted, emit: emit)
    }

    /// Ends the sound; emits the remaining frames.
    public mutating func finish(wanted: (Double) -> Bool = { _ in true }, emit: (FormantFrame) -> Void) {
        var out = [Float]()
        resampler?.finish(into: &out)
        append(out)
        analyse(final: true, wanted: wanted, emit: emit)
    }

    mutating func append(_ xs: [Float]) {
        for x in xs {
            buffer.append(x - Float(alpha) * lastRaw)
            lastRaw = x
        }
    }

    mutating func analyse(final: Bool, wanted: (Double) -> Bool, emit: (FormantFrame) -> Void) {
        let n = window.count
        var frame = [Double](repeating: 0, count: n)
        while frameIndex < frameCount {
            let t = firstTime + Double(frameIndex) * step
            // Samples i sit at (i + 0.5) / rate; the window's first sample is the one nearest t − n/2.
            let start = Int((t * rate - Double(n) / 2).rounded())
            if start + n > bufferStart + buffer.count && !final { break }
            guard wanted(t) else {
                frameIndex += 1
                continue
            }
            for i in 0..<n {
                let j = start + i - bufferStart
                let v = j >= 0 && j < buffer.count ? Double(buffer[j]) : 0
                frame[i] = v * window[i]
            }
            emit(
                FormantFrame(time: t, frequencies: [], bandwidths: []).solved(
                    frame, order: 2 * settings.maxFormants, rate: rate, ceiling: settings.ceiling))
            frameIndex += 1
        }
        // Keep from the next frame's start on.
        let nextStart = Int(((firstTime + Double(frameIndex) * step) * rate - Double(n) / 2).rounded())
        let drop = min(max(nextStart - bufferStart, 0), buffer.count)
        if drop > 8192 || (final && drop > 0) {
            buffer.removeFirst(drop)
            bufferStart += drop
        }
    }
}

extension FormantFrame {
    /// This frame with the formants of the windowed samples `x`.
    func solved(_ x: [Double], order: Int, rate: Double, ceiling: Double) -> FormantFrame {
        var out = self
        guard let a = x.withUnsafeBufferPointer({ BurgLPC.coefficients($0, order: order) }) else { return out }
        var poles: [(f: Double, b: Double)] = []
        for var z in BurgLPC.roots(predictor: a) {
            guard z.im >= 0 else { continue }
            // A pole outside the unit circle is reflected inside (same frequency).
            var r = (z.re * z.re + z.im * z.im).squareRoot()
            if r > 1 {
                z = (z.re / (r * r), z.im / (r * r))
                r = 1 / r
            }
            guard r > 0 else { continue }
            let f = atan2(z.im, z.re) * rate / (2 * Double.pi)
            let b = -log(r) * rate / Double.pi
            if f >= 50 && f <= ceiling - 50 { poles.append((f, b)) }
        }
        poles.sort { $0.f < $1.f }
        out.frequencies = poles.map(\.f)
        out.bandwidths = poles.map(\.b)
        return out
    }
}
