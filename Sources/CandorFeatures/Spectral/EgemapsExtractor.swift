import CandorAudio
import CandorCore
import Foundation

/// The 88 eGeMAPS v02 functionals of one file or one stretch of it.
public struct EgemapsFeatures: Sendable, Codable, Equatable {
    /// openSMILE's column names, in openSMILE's order (`egemapsColumnNames`).
    public var names: [String]
    public var values: [Double]
    /// Seconds analysed.
    public var duration: Double

    public subscript(name: String) -> Double? {
        names.firstIndex(of: name).map { values[$0] }
    }
}

/// Streams a file through the eGeMAPS descriptors and functionals. Memory: one block of
/// samples (about 10 s plus context) and two 4-byte contours (F0, loudness) per 10 ms frame for
/// the percentiles and slopes; every other functional is accumulated as it streams.
public enum EgemapsExtractor {
    static let hop = 0.010
    static let framesPerBlock = 1000
    static let pitchContextFrames = 100

    /// eGeMAPS of `path`, or of the samples `[range)` (in sample frames) of it.
    public static func extract(path: String, range: Range<Int>? = nil) throws -> EgemapsFeatures {
        let info = try AudioReader(path: path).info
        guard info.sampleRate >= 8000 else {
            throw InputError(path: path, problem: "sample rate \(info.sampleRate) Hz is below the 8000 Hz eGeMAPS needs")
        }
        let sr = Double(info.sampleRate)
        let whole = 0..<info.frames
        let r = range.map { $0.clamped(to: whole) } ?? whole
        let peak = try globalPeak(path: path, frames: info.frames, range: r)
        let stream = try BlockStream(path: path, totalFrames: info.frames, mix: true)
        let state = EgemapsState(sampleRate: sr)
        let hopSamples = Int((hop * sr).rounded())
        let n20 = state.spectral.frameLength
        let n60 = state.voice.frameLength
        let count = r.count >= n20 ? (r.count - n20) / hopSamples + 1 : 0
        let count60 = r.count >= n60 ? (r.count - n60) / hopSamples + 1 : 0
        var settings = PitchSettings(method: .ac)
        settings.floor = 55
        settings.timeStep = hop
        let pitch = PitchFrameAnalyzer(settings: settings, sampleRate: sr)
        let grid = analysisGrid(samples: r.count, sampleRate: sr, windowDuration: settings.windowDuration, timeStep: hop)
        var i0 = 0
        var block = 0
        while i0 < count {
            let i1 = min(count, i0 + framesPerBlock)
            var lo = r.lowerBound + i0 * hopSamples
            var hi = r.lowerBound + (i1 - 1) * hopSamples + n60
            var f0 = [Float](repeating: 0, count: i1 - i0)
            var pitchRange: (Range<Int>, Range<Int>)?
            if let grid {
                let jlo = grid.nearest(Double(i0) * hop + 0.03)
                let jhi = grid.nearest(Double(i1 - 1) * hop + 0.03) + 1
                let clo = max(0, jlo - pitchContextFrames), chi = min(grid.count, jhi + pitchContextFrames)
                lo = min(lo, r.lowerBound + Int(grid.time(clo) * sr) - pitch.contextSamples)
                hi = max(hi, r.lowerBound + Int(grid.time(chi - 1) * sr) + pitch.contextSamples)
                pitchRange = (clo..<chi, jlo..<jhi)
            }
            lo = max(lo, r.lowerBound)
            hi = min(hi, r.upperBound)
            let samples = try stream.samples(from: lo, to: hi, index: block).channels[0]
            samples.withUnsafeBufferPointer { x in
                if let grid, let (context, core) = pitchRange {
                    let p = analyzePitchBlock(
                        analyzer: pitch, grid: grid, contextRange: context, range: core,
                        samples: x, start: lo - r.lowerBound, globalPeak: peak)
                    for i in i0..<i1 {
                        let j = grid.nearest(Double(i) * hop + 0.03) - core.lowerBound
                        if j >= 0 && j < p.f0.count && i < count60 {
                            f0[i - i0] = p.f0[j]
                        }
                    }
                }
                for i in i0..<i1 {
                    let s = r.lowerBound + i * hopSamples - lo
                    let spectral = state.spectral.analyze(UnsafeBufferPointer(rebasing: x[s..<min(x.count, s + n20)]))
                    let voiced = f0[i - i0] > 0
                    let voice: EgemapsVoiceValues? =
                        voiced
                        ? state.voice.analyze(
                            UnsafeBufferPointer(rebasing: x[s..<min(x.count, s + n60)]), f0: Double(f0[i - i0]),
                            formants: state.spectral.formants())
                        : nil
                    state.add(spectral: spectral, f0: f0[i - i0], voice: voice)
                }
            }
            i0 = i1
            block += 1
        }
        return EgemapsFeatures(names: egemapsColumnNames, values: state.finish(), duration: Double(r.count) / sr)
    }

    /// The largest deviation from the mean of the samples in `range` (the pitch tracker's
    /// silence reference), in one streamed pass.
    static func globalPeak(path: String, frames: Int, range: Range<Int>) throws -> Float {
        let stream = try BlockStream(path: path, totalFrames: frames, mix: true)
        var lo = range.lowerBound
        var sum: Double = 0
        var minimum: Float = 0, maximum: Float = 0
        var index = 0
        while lo < range.upperBound {
            let hi = min(range.upperBound, lo + (1 << 18))
            let x = try stream.samples(from: lo, to: hi, index: index).channels[0]
            for v in x {
                sum += Double(v)
                minimum = min(minimum, v)
                maximum = max(maximum, v)
            }
            lo = hi
            index += 1
        }
        let mean = Float(sum / Double(max(1, range.count)))
        return max(maximum - mean, mean - minimum)
    }
}
