import CandorAudio
@testable import CandorFeatures
import CandorSynth
import Foundation
import Testing

// Helpers shared by the voice-quality tests. Praat (`Praat.run`, PitchPraatTests.swift) is
// a test-only dependency; scripts/praat/voice_report.praat prints Praat's voice report.

/// Praat's voice report of a sound file: key → value.
func praatVoice(_ file: String, floor: Double = 75, ceiling: Double = 600) throws -> [String: Double] {
    try parsePraatKeys(
        Praat.run([
            Praat.root.appendingPathComponent("scripts/praat/voice_report.praat").path,
            file, "\(floor)", "\(ceiling)",
        ]))
}

/// Praat's jitter and shimmer for given pulses (scripts/praat/voice_from_pulses.praat).
func praatVoice(_ file: String, pulses: [Double], duration: Double) throws -> [String: Double] {
    let pp = FileManager.default.temporaryDirectory.appendingPathComponent("candor-\(UUID().uuidString).PointProcess").path
    defer { try? FileManager.default.removeItem(atPath: pp) }
    let body =
        "File type = \"ooTextFile\"\nObject class = \"PointProcess\"\n\n0\n\(duration)\n\(pulses.count)\n"
        + pulses.map { String(format: "%.9f", $0) }.joined(separator: "\n") + "\n"
    try body.write(toFile: pp, atomically: true, encoding: .utf8)
    return try parsePraatKeys(Praat.run([Praat.root.appendingPathComponent("scripts/praat/voice_from_pulses.praat").path, file, pp]))
}

func parsePraatKeys(_ text: String) -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") {
        let p = line.split(separator: " ")
        guard p.count == 2 else { continue }
        var v = String(p[1])
        var scale = 1.0
        if v.hasSuffix("e-6") { v.removeLast(3); scale = 1e-6 }
        if let d = Double(v) { out[String(p[0])] = d * scale }
    }
    return out
}

func writeTemp(_ r: SynthResult) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("candor-voice-\(UUID().uuidString).wav").path
    try AudioWriter.write(path: path, mono: r.samples, sampleRate: r.config.sampleRate, format: .wavFloat)
    return path
}

/// The report's values by JSON key (as the analysis JSON will carry them).
func jsonValues(_ r: VoiceReport) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
}

let jitterKeys = ["jitter_local", "jitter_local_abs_s", "jitter_rap", "jitter_ppq5", "jitter_ddp"]
let shimmerKeys = ["shimmer_local", "shimmer_local_db", "shimmer_apq3", "shimmer_apq5", "shimmer_apq11", "shimmer_dda"]

/// Candor end to end (its own pitch track, then pulses, jitter, shimmer, HNR) on a mono signal.
func candorVoice(_ x: [Float], _ fs: Double, settings: VoiceSettings = VoiceSettings()) throws -> VoiceData {
    let pitch = try #require(pitchTrack(samples: x, sampleRate: fs))
    return try analyzeVoice(samples: x, sampleRate: fs, pitch: pitch, settings: settings)
}

struct SynthCase: CustomTestStringConvertible, Sendable {
    var f0: Double
    var jitter: Double
    var snr: Double?
    var testDescription: String { "F0 \(Int(f0)) Hz, jitter \(jitter * 100)%, SNR \(snr.map { "\(Int($0)) dB" } ?? "clean")" }
    func render(seed: UInt64 = 11) throws -> SynthResult {
        try SynthVoice.render(SynthVoice.Config(f0: f0, jitter: jitter, shimmer: 0.04, snrDB: snr, duration: 3, seed: seed))
    }
}

let cleanCases = [110.0, 220.0].flatMap { f in [0.005, 0.01, 0.02, 0.03].map { SynthCase(f0: f, jitter: $0, snr: nil) } }
let noisyCases = [110.0, 220.0].flatMap { f in
    [0.005, 0.01, 0.02, 0.03].flatMap { j in [20.0, 10.0, 5.0].map { SynthCase(f0: f, jitter: j, snr: $0) } }
}

@Suite("Voice quality (issue 3)", .serialized)
struct VoiceQualityTests {
    /// Issue 3: jitter_local within 15% of the truth on clean voices at every level, male and female.
    @Test(arguments: cleanCases)
    func jitterMatchesTruthOnCleanVoices(_ c: SynthCase) throws {
        let r = try c.render()
        let truth = r.realised
        let v = try candorVoice(r.samples, r.sampleRate).report()
        let j = try #require(v.jitterLocal)
        #expect(abs(j / truth.jitterLocal - 1) <= 0.15, "jitter_local \(j) vs truth \(truth.jitterLocal)")
        // The other jitter measures follow (a looser bound: they are smaller, noisier numbers).
        #expect(abs(try #require(v.jitterRap) / truth.jitterRap - 1) <= 0.25)
        #expect(abs(try #require(v.jitterPpq5) / truth.jitterPpq5 - 1) <= 0.25)
        #expect(abs(try #require(v.jitterDdp) - 3 * v.jitterRap!) < 1e-12)
        #expect(v.reliable && v.reason == nil)
        #expect(v.periodsUsed > 250 && v.periodsUsed <= truth.periods + 3)
        // Shimmer was set to 4%; the measured RMS amplitudes also carry the formant filter's
        // memory, so only a loose check against the source truth.
        let s = try #require(v.shimmerLocal)
        #expect(s > 0.5 * truth.shimmerLocal && s < 2.5 * truth.shimmerLocal, "shimmer_local \(s)")
    }

    /// The truth bar holds at telephone and studio rates too.
    @Test(arguments: [8000, 44100])
    func jitterMatchesTruthAtOtherSampleRates(rate: Int) throws {
        for f0 in [110.0, 220.0] {
            for j in [0.005, 0.03] {
                let r = try SynthVoice.render(SynthVoice.Config(f0: f0, jitter: j, shimmer: 0.04, duration: 3, sampleRate: rate, seed: 11))
                let v = try candorVoice(r.samples, r.sampleRate).report()
                let got = try #require(v.jitterLocal)
                #expect(
                    abs(got / r.realised.jitterLocal - 1) <= 0.15, "\(rate) Hz, F0 \(f0), jitter \(j): \(got) vs \(r.realised.jitterLocal)")
            }
        }
    }

    /// In noise the truth is out of reach for every pulse tracker (noise adds jitter; Praat's
    /// cc method also smooths it away, which partly cancels). The bar is Praat's own error:
    /// Candor's error may exceed Praat's by at most 20% of the truth, and from 2% jitter up
    /// Candor must be at least as close to the truth as Praat (within 5% of the truth).
    /// HNR must agree with Praat's within 0.5 dB, shimmer within 15%.
    @Test(arguments: noisyCases)
    func noisyVoicesAtLeastAsCloseAsPraat(_ c: SynthCase) throws {
        let r = try c.render()
        let truth = r.realised.jitterLocal
        let path = try writeTemp(r)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = try praatVoice(path)
        let v = try candorVoice(r.samples, r.sampleRate).report()
        let j = try #require(v.jitterLocal), pj = try #require(p["jitter_local"])
        #expect(abs(j - truth) <= abs(pj - truth) + 0.2 * truth, "candor \(j) praat \(pj) truth \(truth)")
        if c.jitter >= 0.02 {
            #expect(abs(j - truth) <= abs(pj - truth) + 0.05 * truth, "candor \(j) praat \(pj) truth \(truth)")
        }
        #expect(abs(try #require(v.hnrDB) - p["hnr_db"]!) <= 0.5)
        let s = try #require(v.shimmerLocal), ps = try #require(p["shimmer_local"])
        #expect(abs(s / ps - 1) <= 0.15, "shimmer candor \(s) praat \(ps)")
    }

    /// Issue 3: real speech against Praat: jitter and shimmer within 15%, HNR within 1.5 dB.
    @Test func realSpeechMatchesPraat() throws {
        #expect(realClips.count >= 3)
        for clip in realClips {
            let (x, fs) = try readAll(clip)
            let v = try jsonValues(try candorVoice(x, fs).report())
            let p = try praatVoice(clip)
            let name = (clip as NSString).lastPathComponent
            for k in jitterKeys + shimmerKeys {
                let c = try #require(v[k] as? Double, "\(name) \(k)")
                let ref = try #require(p[k])
                #expect(abs(c / ref - 1) <= 0.15, "\(name) \(k): candor \(c) praat \(ref)")
            }
            let h = try #require(v["hnr_db"] as? Double)
            #expect(abs(h - p["hnr_db"]!) <= 1.5, "\(name) hnr_db: candor \(h) praat \(p["hnr_db"]!)")
            let pulses = try #require(v["pulses"] as? Int)
            #expect(abs(Double(pulses) / p["pulses"]! - 1) <= 0.1, "\(name) pulses \(pulses) vs \(p["pulses"]!)")
        }
    }

    /// The same real clips resampled (sox) to other rates: still within 15% of Praat on
    /// the same file (below 16 kHz the pulse search correlates on an interpolated grid).
    @Test(arguments: [8000, 22050, 44100])
    func realSpeechAtOtherSampleRatesMatchesPraat(rate: Int) throws {
        for clip in realClips.prefix(3) {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("candor-\(rate)-\(UUID().uuidString).wav").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let sox = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["sox", clip, "-r", "\(rate)", "-b", "16", out])
            sox.waitUntilExit()
            try #require(sox.terminationStatus == 0)
            let (x, fs) = try readAll(out)
            #expect(Int(fs) == rate)
            let v = try jsonValues(try candorVoice(x, fs).report())
            let p = try praatVoice(out)
            let name = (clip as NSString).lastPathComponent
            for k in jitterKeys + shimmerKeys {
                let c = try #require(v[k] as? Double), ref = try #require(p[k])
                #expect(abs(c / ref - 1) <= 0.15, "\(rate) Hz \(name) \(k): candor \(c) praat \(ref)")
            }
            #expect(abs(try #require(v["hnr_db"] as? Double) - p["hnr_db"]!) <= 1.5)
        }
    }

    /// The measure definitions on the SAME pulses agree with Praat's to rounding (jitter)
    /// and within 0.3% (shimmer: the amplitude window is our own code): this isolates the
    /// formulas and Praat's period/amplitude rules from pulse detection. The pulse list has
    /// a gap (> 0.02 s), a displaced pulse (period ratio > 1.3) and two voiced stretches.
    @Test(arguments: [110.0, 220.0])
    func measureDefinitionsMatchPraatOnGivenPulses(f0: Double) throws {
        var cfg = SynthVoice.Config(f0: f0, jitter: 0.02, shimmer: 0.06, snrDB: 25, duration: 3, seed: 5)
        cfg.voiced = [.init(0.1, 1.2), .init(1.5, 2.9)]
        let r = try SynthVoice.render(cfg)
        var t = r.pulseTimes
        t[20] += 0.4 / f0
        t.remove(at: 60)
        let path = try writeTemp(r)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = try praatVoice(path, pulses: t, duration: r.duration)
        let amps = r.samples.withUnsafeBufferPointer {
            pulseAmplitudes(samples: $0, sampleRate: r.sampleRate, startTime: 0, pulses: t)
        }
        let v = try jsonValues(voiceReport(pulses: t, amplitudes: amps, hnrFrames: []))
        for k in jitterKeys {
            let c = try #require(v[k] as? Double), ref = try #require(p[k])
            #expect(abs(c / ref - 1) < 1e-5, "\(k): candor \(c) praat \(ref)")
        }
        for k in shimmerKeys {
            let c = try #require(v[k] as? Double), ref = try #require(p[k])
            #expect(abs(c / ref - 1) < 0.003, "\(k): candor \(c) praat \(ref)")
        }
        // The synthesizer's independent truth code agrees with Praat on the same rules.
        let truth = RealisedPerturbation(times: t, amplitudes: t.map { _ in 1 })
        #expect(abs(truth.jitterLocal / p["jitter_local"]! - 1) < 1e-5)
        #expect(abs(truth.jitterPpq5 / p["jitter_ppq5"]! - 1) < 1e-5)
    }
}

@Suite("Voice quality: edge cases, ranges, streaming, JSON")
struct VoiceQualityEdgeTests {
    @Test func silenceGivesNullsAndAReason() throws {
        let x = [Float](repeating: 0, count: 16000)
        let pitch = PitchTrack(
            grid: FrameGrid(t1: 0.02, dt: 0.01, count: 97), f0: .init(repeating: 0, count: 97),
            strength: .init(repeating: 0, count: 97))
        let v = try analyzeVoice(samples: x, sampleRate: 16000, pitch: pitch).report()
        #expect(v.pulses == 0 && v.jitterLocal == nil && v.shimmerLocal == nil && v.hnrDB == nil)
        #expect(!v.reliable)
        #expect(v.reason == "no voiced frames")
        let j = try jsonValues(v)
        #expect(j["jitter_local"] is NSNull && j["hnr_db"] is NSNull && j["reason"] as? String == "no voiced frames")
    }

    /// Shorter than one analysis window: no pitch track, no HNR grid; nulls and a reason, no crash.
    @Test func tooShortInput() throws {
        let r = try SynthVoice.render(SynthVoice.Config(f0: 150, duration: 0.02))
        #expect(pitchTrack(samples: r.samples, sampleRate: r.sampleRate) == nil)
        #expect(HarmonicitySettings().grid(samples: r.samples.count, sampleRate: r.sampleRate) == nil)
        let empty = PitchTrack(grid: FrameGrid(t1: 0, dt: 0.01, count: 0), f0: [], strength: [])
        let v = try analyzeVoice(samples: r.samples, sampleRate: r.sampleRate, pitch: empty).report()
        #expect(v.pulses == 0 && v.jitterLocal == nil && v.hnrDB == nil && !v.reliable)
        #expect(v.reason == "no voiced frames")
        let none = try analyzeVoice(samples: [], sampleRate: 16000, pitch: empty).report()
        #expect(none.pulses == 0 && none.reason == "no voiced frames")
    }

    @Test func whiteNoiseHasNoVoice() throws {
        var rng = SplitMix64(seed: 3)
        let x = (0..<32000).map { _ in Float(0.1 * rng.gaussian()) }
        let v = try candorVoice(x, 16000).report()
        #expect(v.jitterLocal == nil || v.periodsUsed < 20)
        #expect(!v.reliable && v.reason != nil)
    }

    @Test func aSinglePeriodIsTooShort() throws {
        // Pulses at 0.1 and 0.11 s: one period, no consecutive pair.
        let v = voiceReport(pulses: [0.1, 0.11], amplitudes: [nil, nil], hnrFrames: [])
        #expect(v.jitterLocal == nil && v.shimmerLocal == nil && !v.reliable)
        #expect(v.reason?.contains("too few periods") == true)
        // A short voiced burst in a real signal: measured, but flagged as unreliable.
        var cfg = SynthVoice.Config(f0: 120, duration: 1)
        cfg.voiced = [.init(0.4, 0.5)]
        let r = try SynthVoice.render(cfg)
        let w = try analyzeVoice(samples: r.samples, sampleRate: r.sampleRate, pitch: truthTrack(r)).report()
        #expect(w.periodsUsed < 20 && !w.reliable)
        #expect(w.reason?.contains("fewer than 20") == true)
    }

    @Test func clippingIsFlaggedAndJitterSurvives() throws {
        var cfg = SynthVoice.Config(f0: 130, jitter: 0.01, shimmer: 0.03, duration: 3, seed: 2)
        cfg.peak = 0.99
        cfg.clipLevel = 0.6
        let r = try SynthVoice.render(cfg)
        let v = try candorVoice(r.samples, r.sampleRate).report()
        #expect(!v.reliable)
        #expect(v.reason?.contains("clipping") == true)
        #expect(abs(try #require(v.jitterLocal) / r.realised.jitterLocal - 1) <= 0.2)
    }

    /// A segment's report only uses its own pulses and frames.
    @Test func subRangesMatchSeparateAnalyses() throws {
        var cfg = SynthVoice.Config(f0: 110, jitter: 0.01, duration: 3, seed: 4)
        cfg.voiced = [.init(0.1, 1.4), .init(1.6, 2.9)]
        cfg.f0 = .glide(from: 110, to: 200)
        let r = try SynthVoice.render(cfg)
        let data = try analyzeVoice(samples: r.samples, sampleRate: r.sampleRate, pitch: truthTrack(r))
        let a = try data.report(from: 0, to: 1.5), b = try data.report(from: 1.5, to: 3)
        #expect(a.pulses + b.pulses == data.report().pulses)
        let ta = RealisedPerturbation(times: r.pulseTimes.filter { $0 < 1.5 }, amplitudes: r.pulseAmplitudes)
        #expect(abs(try #require(a.jitterLocal) / ta.jitterLocal - 1) < 0.15)
        #expect(try #require(a.hnrDB) > 10 && (try #require(b.hnrDB)) > 10)
        #expect(a.hnrFrames + b.hnrFrames == data.report().hnrFrames)
        let empty = try data.report(from: 1.42, to: 1.58)
        #expect(empty.pulses == 0 && empty.jitterLocal == nil && empty.reason != nil)
    }

    /// Two overlapping blocks merged give the same numbers as one whole-signal pass.
    @Test func blockStreamingMatchesWholeSignal() throws {
        let r = try SynthVoice.render(SynthVoice.Config(f0: 150, jitter: 0.015, shimmer: 0.05, snrDB: 30, duration: 4, seed: 8))
        let fs = r.sampleRate
        let pitch = try #require(pitchTrack(samples: r.samples, sampleRate: fs))
        let whole = try analyzeVoice(samples: r.samples, sampleRate: fs, pitch: pitch)
        let peak = r.samples.map { abs($0) }.max()!
        let grid = HarmonicitySettings().grid(samples: r.samples.count, sampleRate: fs)
        var merged = VoiceData()
        for (core, span) in [((0.0, 2.0), (0, 40000)), ((2.0, 4.0), (24000, 64000))] {
            let block = Array(r.samples[span.0..<span.1])
            try merged.append(
                block.withUnsafeBufferPointer {
                    analyzeVoiceBlock(
                        samples: $0, start: span.0, sampleRate: fs, coreStart: core.0, coreEnd: core.1,
                        pitch: pitch, hnrGrid: grid, globalPeak: peak)
                })
        }
        let a = whole.report(), b = merged.report()
        // The stretch's middle lies in both blocks, so both anchor the same pulse: identical.
        #expect(a.pulses == b.pulses)
        #expect(abs(try #require(b.jitterLocal) / a.jitterLocal! - 1) < 1e-9)
        #expect(abs(try #require(b.shimmerLocal) / a.shimmerLocal! - 1) < 1e-9)
        #expect(abs(try #require(b.hnrDB) - a.hnrDB!) < 1e-6)
        #expect(a.hnrFrames == b.hnrFrames)
    }

    /// The bootstrap SE is of the size of the actual spread of the estimate across seeds.
    @Test func standardErrorIsRealistic() throws {
        var values: [Double] = [], ses: [Double] = []
        for seed in 1...8 as ClosedRange<UInt64> {
            let r = try SynthVoice.render(SynthVoice.Config(f0: 120, jitter: 0.01, shimmer: 0.04, duration: 2, seed: seed))
            let v = try analyzeVoice(samples: r.samples, sampleRate: r.sampleRate, pitch: truthTrack(r)).report()
            values.append(try #require(v.jitterLocal))
            ses.append(try #require(v.jitterLocalSE))
            #expect(try #require(v.shimmerLocalSE) > 0 && (try #require(v.hnrDBSE)) > 0)
        }
        let m = values.reduce(0, +) / 8
        let sd = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 7).squareRoot()
        let meanSE = ses.reduce(0, +) / 8
        #expect(meanSE > sd / 2.5 && meanSE < sd * 2.5, "mean SE \(meanSE) vs spread \(sd)")
    }

    @Test func jsonHasDesignKeys() throws {
        let r = try SynthVoice.render(SynthVoice.Config(f0: 120, jitter: 0.01, duration: 1))
        let j = try jsonValues(try analyzeVoice(samples: r.samples, sampleRate: r.sampleRate, pitch: truthTrack(r)).report())
        for k in ["pulses"] + jitterKeys + shimmerKeys + ["hnr_db", "periods_used", "reliable", "reason"] {
            #expect(j[k] != nil, "missing \(k)")
        }
        for k in jitterKeys + shimmerKeys + ["hnr_db"] { #expect(j[k + "_se"] != nil, "missing \(k)_se") }
        // Fractions, not percent.
        #expect((j["jitter_local"] as! Double) < 0.05)
    }
}

/// The true F0 of a synthetic voice as a pitch track on a 10 ms grid.
func truthTrack(_ r: SynthResult) -> PitchTrack {
    let g = analysisGrid(samples: r.samples.count, sampleRate: r.sampleRate, windowDuration: 0.04, timeStep: 0.01)!
    let f0 = (0..<g.count).map { Float(r.f0Truth(at: g.time($0))) }
    return PitchTrack(grid: g, f0: f0, strength: f0.map { $0 > 0 ? 0.9 : 0 })
}
