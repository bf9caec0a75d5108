import Foundation
import Testing
@testable import CandorFeatures

/// A synthetic voice: harmonics of `f0` (1/k amplitudes up to 4 kHz) under an envelope of
/// `syllables` raised-cosine bumps of `syllableS` each, dipping to `dipGain` between them.
func syllableTrain(
    syllables: Int, syllableS: Double = 0.2, f0: Double = 120, rate: Double = 16000,
    dipGain: Double = 0.1, amplitude: Double = 0.1
) -> [Float] {
    let n = Int(Double(syllables) * syllableS * rate)
    var x = [Float](repeating: 0, count: n)
    let harmonics = Int(4000 / f0)
    for i in 0..<n {
        let t = Double(i) / rate
        let phase = (t / syllableS).truncatingRemainder(dividingBy: 1)
        let env = dipGain + (1 - dipGain) * 0.5 * (1 - cos(2 * .pi * phase))
        var v = 0.0
        for k in 1...harmonics { v += sin(2 * .pi * f0 * Double(k) * t) / Double(k) }
        x[i] = Float(amplitude * env * v)
    }
    return x
}

struct TimingSignal {
    var x: [Float]
    var rate: Double
    var phrases: [Span] = []
    mutating func put(_ y: [Float], at t: Double) {
        let a = Int(t * rate)
        for (k, v) in y.enumerated() where a + k < x.count { x[a + k] += v }
        phrases.append(Span(Double(a) / rate, Double(a + y.count) / rate))
    }
}

@Suite struct TimingTests {
    /// Four phrases of 5 syllables with gaps of 0.5, 0.3 and 0.2 s: two pauses ≥ 0.25 s.
    func phrases() -> TimingSignal {
        var s = TimingSignal(x: [Float](repeating: 0, count: 16000 * 7), rate: 16000)
        var t = 0.3
        for gap in [0.5, 0.3, 0.2, 0] {
            s.put(syllableTrain(syllables: 5), at: t)
            t = s.phrases.last!.end + gap
        }
        return s
    }

    @Test func pausesAndRatesOnSyllableTrains() {
        let s = phrases()
        let r = analyzeChannel(s.x, rate: s.rate)
        let f = Timing.analyze(speech: r.speech, frames: r.frames, pitch: r.pitch)
        // Every edge is found within 20 ms (the 30 ms analysis window widens speech by about
        // 15 ms per side): pause total within 4 edges, speech total within 8 edges.
        #expect(f.pauseCount == 2, "pauses \(f.pauses)")
        #expect(abs(f.pauseTotalS - 0.8) <= 0.08, "total \(f.pauseTotalS)")
        #expect(abs((f.pauseMeanS ?? 0) - 0.4) <= 0.04)
        if f.pauses.count == 2 {
            #expect(abs(f.pauses[0].start - s.phrases[0].end) <= 0.02 && abs(f.pauses[0].end - s.phrases[1].start) <= 0.02)
        }
        #expect(f.syllableCount == 20, "nuclei \(f.syllableCount)")
        let speechTime = 4.0
        #expect(abs(f.speechTotalS - (speechTime + 0.2)) <= 0.16, "the 0.2 s gap is not a pause: \(f.speechTotalS)")
        #expect(abs((f.articulationRateSyllPerS ?? 0) - 20 / f.speechTotalS) < 1e-9)
        #expect(abs((f.speechRateSyllPerS ?? 0) - 20 / (f.speechTotalS + f.pauseTotalS)) < 1e-9)
        #expect(abs((f.articulationRateSyllPerS ?? 0) - 20 / 4.2) <= 0.1)
    }

    @Test func minimumPauseIsConfigurable() {
        let s = phrases()
        let r = analyzeChannel(s.x, rate: s.rate)
        var c = TimingConfig()
        c.minPauseS = 0.15
        #expect(Timing.analyze(speech: r.speech, frames: r.frames, pitch: r.pitch, config: c).pauseCount == 3)
        c.minPauseS = 0.4
        #expect(Timing.analyze(speech: r.speech, frames: r.frames, pitch: r.pitch, config: c).pauseCount == 1)
    }

    @Test func unvoicedStretchesAreNotPauses() {
        // Syllables, then 150 ms of fricative-like noise (no F0), then syllables: no pause,
        // though the pitch track is unvoiced for the noise.
        var s = TimingSignal(x: [Float](repeating: 0, count: 16000 * 3), rate: 16000)
        s.put(syllableTrain(syllables: 3), at: 0.3)
        var g = TimingFixture.Noise(state: 5)
        let fric = (0..<Int(0.15 * 16000)).map { _ in 0.02 * g.gaussian() }
        s.put(fric, at: s.phrases.last!.end)
        s.put(syllableTrain(syllables: 3), at: s.phrases.last!.end)
        let r = analyzeChannel(s.x, rate: s.rate)
        let mid = (s.phrases[1].start + s.phrases[1].end) / 2
        #expect(r.pitch.f0(at: mid) == 0, "the fricative is unvoiced")
        let f = Timing.analyze(speech: r.speech, frames: r.frames, pitch: r.pitch)
        #expect(f.pauseCount == 0, "pauses \(f.pauses)")
        #expect(r.speech.count == 1)
        #expect(f.syllableCount == 6)
    }

    @Test func perSegmentRange() {
        let s = phrases()
        let r = analyzeChannel(s.x, rate: s.rate)
        // The range covers phrases 2–3 and the 0.3 s pause between them.
        let range = Span(s.phrases[1].start - 0.1, s.phrases[2].end + 0.05)
        let f = Timing.analyze(speech: r.speech, frames: r.frames, pitch: r.pitch, range: range)
        #expect(f.pauseCount == 1)
        #expect(f.syllableCount == 10)
        #expect(f.speech.allSatisfy { $0.start >= range.start && $0.end <= range.end })
        #expect(abs(f.speechTotalS - 2.0) <= 0.08)
    }

    @Test func otherSpeakersTalkIsNotAPause() {
        let speech = [Span(0, 1), Span(2, 3), Span(3.5, 4)]
        let flat = IntensityTrack(grid: FrameGrid(t1: 0.005, dt: 0.01, count: 500), db: [Float](repeating: 60, count: 500))
        let f = Timing.analyze(speech: speech, intensity: flat, voiced: { _ in true }, otherSpeech: [Span(1.2, 1.8)])
        #expect(f.pauses == [Span(3, 3.5)])
        let g = Timing.analyze(speech: speech, intensity: flat, voiced: { _ in true })
        #expect(g.pauses == [Span(1, 2), Span(3, 3.5)])
        #expect(g.syllableCount == 0, "a flat intensity has no peaks")
    }

    @Test func espeakSyllableCountsAreClose() throws {
        // de Jong & Wempe's counter is approximate; on synthetic speech it should be close.
        let cases: [(String, Int)] = [
            ("Where were you on the evening of the third", 10),
            ("nobody else came by that night", 8),
            ("my sister was visiting", 7),
            ("What time did your sister leave", 8),
        ]
        var total = 0, truth = 0
        for (text, n) in cases {
            let x = try TimingFixture.phrase(text, voice: "en-us", pitch: 40)
            var pad = [Float](repeating: 0, count: Int(0.3 * TimingFixture.rate))
            pad += x + [Float](repeating: 0, count: Int(0.3 * TimingFixture.rate))
            let r = analyzeChannel(pad, rate: TimingFixture.rate)
            let f = Timing.analyze(speech: r.speech, frames: r.frames, pitch: r.pitch)
            print("[timing] syllables '\(text)': \(f.syllableCount) (truth \(n))")
            #expect(abs(f.syllableCount - n) <= 3, "\(text)")
            total += f.syllableCount
            truth += n
        }
        #expect(abs(Double(total - truth)) / Double(truth) <= 0.2, "total \(total) vs \(truth)")
    }

    @Test func timingJSONKeys() throws {
        let f = Timing.analyze(
            speech: [Span(0.5, 1.25)],
            intensity: IntensityTrack(grid: FrameGrid(t1: 0.005, dt: 0.01, count: 200), db: [Float](repeating: 50, count: 200)),
            voiced: { _ in true })
        let obj = try JSONSerialization.jsonObject(with: JSONEncoder().encode(f)) as! [String: Any]
        for key in [
            "speech", "pauses", "pause_count", "pause_total_s", "pause_mean_s",
            "speech_rate_syll_per_s", "articulation_rate_syll_per_s",
        ] {
            #expect(obj.keys.contains(key), "missing \(key)")
        }
        #expect(obj["pause_mean_s"] is NSNull, "no pause: mean is null")
        #expect((obj["speech"] as? [[Double]]) == [[0.5, 1.25]])
    }

    @Test func vadOnSilenceAndEmptyInput() {
        let frames = SpeechFrameAnalyzer.analyze([Float](repeating: 0, count: 16000), sampleRate: 16000)
        #expect(VoiceActivity.detect(frames: frames).isEmpty)
        let none = SpeechFrameAnalyzer.analyze([], sampleRate: 16000)
        #expect(none.grid.count == 0 && VoiceActivity.detect(frames: none).isEmpty)
        var g = TimingFixture.Noise(state: 3)
        let noise = (0..<32000).map { _ in 0.05 * g.gaussian() }
        let nf = SpeechFrameAnalyzer.analyze(noise, sampleRate: 16000)
        #expect(totalDuration(VoiceActivity.detect(frames: nf)) <= 0.1, "steady noise is not speech")
    }

    @Test func speechFramesBlockwiseEqualWhole() {
        // The lead computes frames per block (with context); the result must not depend on it.
        let s = phrases()
        let grid = FrameGrid(t1: 0.02, dt: 0.01, count: 650)
        let whole = SpeechFrameAnalyzer.analyze(s.x, sampleRate: s.rate, grid: grid)
        let a = SpeechFrameAnalyzer(sampleRate: s.rate)
        var joined = SpeechFrames(grid: grid)
        for b in stride(from: 0, to: grid.count, by: 100) {
            let core = b..<min(grid.count, b + 100)
            let lo = max(0, Int(grid.time(core.lowerBound) * s.rate) - a.contextSamples)
            let hi = min(s.x.count, Int(grid.time(core.upperBound - 1) * s.rate) + a.contextSamples)
            let part = Array(s.x[lo..<hi]).withUnsafeBufferPointer { a.analyze(grid: grid, range: core, x: $0, start: lo) }
            joined.replace(from: core.lowerBound, with: part)
        }
        #expect(joined.bandDb == whole.bandDb)
        #expect(joined.periodicity == whole.periodicity)
        #expect(joined.shape == whole.shape)
    }

    /// The optional edge trim: a stretch's unvoiced edge frames that only the hysteresis let
    /// in (3 dB above the floor) and that are far below the stretch's peak are cut; off by
    /// default, where the hysteresis keeps them.
    @Test func edgeTrimCutsWeakUnvoicedTails() {
        var e = [Float](repeating: 20, count: 4000)
        var voiced = [Bool](repeating: false, count: 4000)
        for i in 1000..<1100 {
            e[i] = 80
            voiced[i] = true
        }
        for i in 990..<1000 { e[i] = 23 }
        for i in 1100..<1115 { e[i] = 23 }
        let kept = VoiceActivity.speechMask(bandDb: e, voiced: voiced, dt: 0.01, config: VoiceActivityConfig())
        #expect(kept[992] && kept[1110], "the hysteresis keeps the weak edges by default")
        var config = VoiceActivityConfig()
        config.edgeBelowPeakDb = 25
        let trimmed = VoiceActivity.speechMask(bandDb: e, voiced: voiced, dt: 0.01, config: config)
        #expect(trimmed.indices.filter { trimmed[$0] } == Array(1000..<1100))
    }
}
