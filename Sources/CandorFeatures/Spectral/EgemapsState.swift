import Foundation

/// One gated, smoothed descriptor stream: raw values (0 where gated out) → sma3(nz) → moments.
struct SmoothedMoments {
    var smoother: Sma3Smoother
    var moments: MomentAccumulator

    init(nonZero: Bool) {
        smoother = Sma3Smoother(skipZeros: nonZero)
        moments = MomentAccumulator(nonZeroOnly: nonZero)
    }

    mutating func push(_ v: Float) {
        if let s = smoother.push(v) { moments.add(s) }
    }

    mutating func finish() -> MomentAccumulator {
        if let s = smoother.finish() { moments.add(s) }
        return moments
    }
}

/// The running state of one eGeMAPS extraction: the descriptors of each 10 ms frame go in,
/// the 88 functionals come out, with eGeMAPS's voiced/unvoiced gating (a frame is voiced when
/// it has an F0).
final class EgemapsState {
    let spectral: EgemapsSpectralAnalyzer
    let voice: EgemapsVoiceAnalyzer
    private var loudness = Sma3Smoother(skipZeros: false)
    private var loudnessContour: [Float] = []
    private var pitch = Sma3Smoother(skipZeros: true)
    private var pitchContour: [Float] = []
    /// spectral flux, MFCC 1–4 over every frame.
    private var all = [SmoothedMoments](repeating: SmoothedMoments(nonZero: false), count: 5)
    /// jitter … F3 amplitude over voiced frames (`EgemapsVoiceValues.ordered`).
    private var voiceStreams = [SmoothedMoments](repeating: SmoothedMoments(nonZero: true), count: 14)
    /// alpha ratio, Hammarberg, slopes, flux, MFCC 1–4 over voiced frames.
    private var voicedSpectral = [SmoothedMoments](repeating: SmoothedMoments(nonZero: true), count: 9)
    /// alpha ratio, Hammarberg, slopes, flux over unvoiced frames.
    private var unvoicedSpectral = [SmoothedMoments](repeating: SmoothedMoments(nonZero: true), count: 5)
    private var energy: Double = 0
    private var frames = 0

    init(sampleRate: Double) {
        spectral = EgemapsSpectralAnalyzer(sampleRate: sampleRate)
        voice = EgemapsVoiceAnalyzer(sampleRate: sampleRate)
    }

    func add(spectral s: EgemapsSpectralValues, f0: Float, voice v: EgemapsVoiceValues?) {
        frames += 1
        energy += Double(s.energy)
        if let l = loudness.push(s.loudness) { loudnessContour.append(l) }
        let semitone: Float = f0 > 0 ? max(Float.leastNonzeroMagnitude, 12 * log2(f0 / 27.5)) : 0
        if let p = pitch.push(semitone) { pitchContour.append(p) }
        let everyFrame = [s.spectralFlux, s.mfcc.0, s.mfcc.1, s.mfcc.2, s.mfcc.3]
        for k in all.indices { all[k].push(everyFrame[k]) }
        let voiced = f0 > 0
        let quality = v?.ordered ?? [Float](repeating: 0, count: 14)
        for k in voiceStreams.indices { voiceStreams[k].push(voiced ? quality[k] : 0) }
        let spectralValues = [s.alphaRatio, s.hammarbergIndex, s.slope0to500, s.slope500to1500, s.spectralFlux]
        let withMfcc = spectralValues + [s.mfcc.0, s.mfcc.1, s.mfcc.2, s.mfcc.3]
        for k in voicedSpectral.indices { voicedSpectral[k].push(voiced ? withMfcc[k] : 0) }
        for k in unvoicedSpectral.indices { unvoicedSpectral[k].push(voiced ? 0 : spectralValues[k]) }
    }

    /// The 88 values in `egemapsColumnNames` order.
    /// The 88 values are NaN (missing) when the stretch is shorter than one 20 ms frame.
    func finish() -> [Double] {
        if frames == 0 { return [Double](repeating: .nan, count: egemapsColumnNames.count) }
        if let l = loudness.finish() { loudnessContour.append(l) }
        if let p = pitch.finish() { pitchContour.append(p) }
        let step = EgemapsExtractor.hop
        var out: [Double] = []
        out += contourFunctionals(pitchContour, nonZeroOnly: true, frameStep: step).values
        let loud = contourFunctionals(loudnessContour, nonZeroOnly: false, frameStep: step)
        out += loud.values
        func moments(_ streams: inout [SmoothedMoments], stddev: Bool) {
            for k in streams.indices {
                let m = streams[k].finish()
                out.append(m.mean)
                if stddev { out.append(m.stddevNorm) }
            }
        }
        moments(&all, stddev: true)
        moments(&voiceStreams, stddev: true)
        moments(&voicedSpectral, stddev: true)
        moments(&unvoicedSpectral, stddev: false)
        let seconds = Double(frames) * step
        out.append(seconds > 0 ? Double(loud.peaks) / seconds : 0)
        let voicedRuns = runLengths(pitchContour, voiced: true)
        let unvoicedRuns = runLengths(pitchContour, voiced: false)
        out.append(seconds > 0 ? Double(voicedRuns.count) / seconds : 0)
        let (vm, vs) = meanAndDeviation(voicedRuns.map { $0 * step })
        let (um, us) = meanAndDeviation(unvoicedRuns.map { $0 * step })
        out += [vm, vs, um, us]
        out.append(frames > 0 && energy > 0 ? 10 * log10(energy / Double(frames)) : -200)
        return out
    }
}
