import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

func formatPercent(_ x: Double) -> String {
    let p = (x * 1000).rounded() / 10
    return "\(p)%"
}

/// Samples in a clipped run: three or more consecutive samples at the block's extreme value
/// (within 0.1%), and at least 0.5 of full scale.
func countClipped(_ x: UnsafeBufferPointer<Float>, range: Range<Int>) -> Int {
    guard range.count >= 3 else { return 0 }
    let base = x.baseAddress! + range.lowerBound
    let peak = maxAbs(base, range.count)
    guard peak >= 0.5 else { return 0 }
    let level = peak * 0.999
    var count = 0, run = 0
    var i = range.lowerBound
    while i < range.upperBound {
        // Eight samples all below the level end any run (vector test), else one by one.
        if i + 8 <= range.upperBound {
            if maxAbs(x.baseAddress! + i, 8) < level {
                if run >= 3 { count += run }
                run = 0
                i += 8
                continue
            }
        }
        if abs(x[i]) >= level {
            run += 1
        } else {
            if run >= 3 { count += run }
            run = 0
        }
        i += 1
    }
    if run >= 3 { count += run }
    return count
}

/// Analyses one block of one channel. `samples` holds global samples
/// `[start, start + samples.count)`; only pulses and HNR frames whose times lie in the
/// block's core `[coreStart, coreEnd)` are kept, so overlapping blocks (≥ 0.1 s margin each
/// side is plenty) merge without duplicates. `pitch` may be the whole-signal track.
/// `hnrGrid` is the signal's harmonicity grid (`HarmonicitySettings.grid`), `globalPeak`
/// the channel's largest |x − mean| (Praat's silence criteria are relative to it).
public func analyzeVoiceBlock(
    samples x: UnsafeBufferPointer<Float>, start: Int, sampleRate fs: Double,
    coreStart: Double, coreEnd: Double, pitch: PitchTrack,
    hnrGrid: FrameGrid?, globalPeak: Float,
    settings: VoiceSettings = VoiceSettings()
) -> VoiceBlock {
    let startTime = Double(start) / fs
    // Below 16 kHz, correlate on an interpolated grid of at least 16 kHz: sample m of the
    // interpolated signal is centred at the original time of fractional sample m / factor.
    let factor = fs < 16000 ? Int((16000 / fs).rounded(.up)) : 1
    let fsUp = fs * Double(factor)
    let shifted = startTime + 0.5 * Double(factor - 1) / fsUp
    let found: [Double]
    if factor > 1 {
        let y = upsample(x, factor: factor)
        found = y.withUnsafeBufferPointer {
            findPulses(
                samples: $0, sampleRate: fsUp, startTime: shifted, pitch: pitch,
                globalPeak: globalPeak, settings: settings.pulses)
        }
    } else {
        found = findPulses(
            samples: x, sampleRate: fs, startTime: startTime, pitch: pitch,
            globalPeak: globalPeak, settings: settings.pulses)
    }
    var all = found
    var jt = found
    if found.count >= 2, settings.pulses.residualRefinement != nil || settings.pulses.interpolation == .sinc {
        let near = found.map { Int((($0 - startTime) * fs).rounded()) }
        var e = lpcResidual(x, sampleRate: fs, onlyNear: near)
        if factor > 1 { e = e.withUnsafeBufferPointer { upsample($0, factor: factor) } }
        if let threshold = settings.pulses.residualRefinement {
            jt = e.withUnsafeBufferPointer {
                refinePulses(
                    found, residual: $0, sampleRate: fsUp, startTime: shifted,
                    maximumPeriod: settings.rules.maximumPeriod, minimumCorrelation: threshold
                ).times
            }
        }
        if settings.pulses.interpolation == .sinc {
            // `--pulses precise`: each pulse on its residual's closure spike, interpolated
            // band-limitedly, pulses without a spike dropped; runs whose spikes do not stand
            // out of a noisy residual keep the placement above.
            let placed = e.withUnsafeBufferPointer {
                peakPulses(found, signal: $0, sampleRate: fsUp, startTime: shifted, maximumPeriod: settings.rules.maximumPeriod)
            }
            let kept = keptPulseIndices(found, peaks: placed.peaks, maximumPeriod: settings.rules.maximumPeriod)
            all = kept.map { found[$0] }
            jt = kept.map { placed.peaks[$0].isNaN ? jt[$0] : placed.times[$0] }
        }
    }
    let amps = pulseAmplitudes(samples: x, sampleRate: fs, startTime: startTime, pulses: all, rules: settings.rules)
    var kept = PulseBlock()
    for (k, t) in all.enumerated() where t >= coreStart && t < coreEnd {
        kept.times.append(t)
        kept.amplitudes.append(amps[k])
        kept.jitterTimes.append(jt[k])
    }
    var frames: [HNRFrame] = []
    // The core clipped to the block's samples (cores may be open-ended: ±infinity).
    let blockEnd = startTime + Double(x.count) / fs
    let cs = min(max(coreStart, startTime), blockEnd), ce = max(min(coreEnd, blockEnd), cs)
    if let g = hnrGrid, g.count > 0 {
        let a = max(0, Int(((cs - g.t1) / g.dt).rounded(.up)))
        let b = min(g.count, Int(((ce - g.t1) / g.dt).rounded(.up)))
        // Frames need their whole window inside the block.
        let need = settings.harmonicity.pitchSettings(sampleRate: fs).windowDuration / 2
        let lo = max(a, Int(((startTime + need - g.t1) / g.dt).rounded(.up)))
        let hi = min(b, Int(((startTime + Double(x.count) / fs - need - g.t1) / g.dt).rounded(.down)) + 1)
        if lo < hi {
            frames = harmonicityBlock(
                samples: x, start: start, sampleRate: fs, grid: g, range: lo..<hi,
                globalPeak: globalPeak, settings: settings.harmonicity)
        }
    }
    let c0 = max(0, Int(((cs - startTime) * fs).rounded())), c1 = min(x.count, Int(((ce - startTime) * fs).rounded()))
    return VoiceBlock(
        pulses: kept, hnr: frames, samples: max(0, c1 - c0),
        clippedSamples: c0 < c1 ? countClipped(x, range: c0..<c1) : 0)
}

/// Whole-signal convenience (tests, short clips): pulses, amplitudes and HNR of an
/// in-memory mono signal with its pitch track, as one block.
func analyzeVoice(
    samples: [Float], sampleRate fs: Double, pitch: PitchTrack,
    settings: VoiceSettings = VoiceSettings()
) throws -> VoiceData {
    let peak = peakAboveMean(samples)
    let grid = settings.harmonicity.grid(samples: samples.count, sampleRate: fs)
    let block = samples.withUnsafeBufferPointer {
        analyzeVoiceBlock(
            samples: $0, start: 0, sampleRate: fs, coreStart: -.infinity, coreEnd: .infinity,
            pitch: pitch, hnrGrid: grid, globalPeak: peak, settings: settings)
    }
    var data = VoiceData(settings: settings)
    try data.append(block)
    return data
}
