import CandorAudio
import CandorSynth
import Foundation
import Testing

@Suite("Synthetic voice generator")
struct SynthVoiceTests {
    @Test func deterministicForASeed() throws {
        let c = SynthVoice.Config(f0: 140, jitter: 0.01, shimmer: 0.03, snrDB: 20, duration: 0.5, seed: 42)
        let a = try SynthVoice.render(c), b = try SynthVoice.render(c)
        #expect(a.samples == b.samples)
        #expect(a.pulseTimes == b.pulseTimes)
        var c2 = c
        c2.seed = 43
        #expect(try SynthVoice.render(c2).samples != a.samples)
    }

    @Test func pulsesFollowTheF0Contour() throws {
        var c = SynthVoice.Config(f0: 100, duration: 2)
        c.f0 = .glide(from: 100, to: 200)
        let r = try SynthVoice.render(c)
        // Without jitter each period is 1/F0 at its start.
        for k in 1..<r.pulseTimes.count {
            let start = r.pulseTimes[k - 1]
            let expected = 1 / c.f0.hz(at: start, duration: 2)
            #expect(abs((r.pulseTimes[k] - start) - expected) < 1e-12)
        }
        #expect(abs(r.f0Truth(at: 1.0) - 100 * 2.0.squareRoot()) < 1e-9)
        #expect(r.realised.jitterLocal < 0.01)  // only the slow glide
    }

    @Test(arguments: [0.005, 0.01, 0.02, 0.03])
    func realisedJitterIsNearTheTarget(target: Double) throws {
        let r = try SynthVoice.render(SynthVoice.Config(f0: 120, jitter: target, shimmer: target, duration: 10, seed: 3))
        let re = r.realised
        // ~1200 periods: the sample mean of |ΔT| has a relative SD of about 3%.
        #expect(abs(re.jitterLocal / target - 1) < 0.12, "jitter \(re.jitterLocal)")
        #expect(abs(re.shimmerLocal / target - 1) < 0.12, "shimmer \(re.shimmerLocal)")
        #expect(abs(re.jitterDdp - 3 * re.jitterRap) < 1e-12)
        #expect(re.periods > 1100)
    }

    @Test func unvoicedStretchesHaveNoPulsesAndNoSignal() throws {
        var c = SynthVoice.Config(f0: 200, duration: 1)
        c.voiced = [.init(0.1, 0.4), .init(0.6, 0.9)]
        let r = try SynthVoice.render(c)
        #expect(r.pulseTimes.allSatisfy { (0.1...0.4).contains($0) || (0.6...0.9).contains($0) })
        #expect(r.f0Truth(at: 0.5) == 0 && r.f0Truth(at: 0.2) == 200)
        // 0.45–0.55 s is far from any pulse: silent up to filter ringing.
        let quiet = r.samples[Int(0.45 * 16000)..<Int(0.55 * 16000)].map { abs($0) }.max()!
        #expect(quiet < 1e-4)
        #expect(r.samples.map { abs($0) }.max()! > 0.4)
    }

    @Test func snrIsAsRequested() throws {
        let clean = try SynthVoice.render(SynthVoice.Config(f0: 150, duration: 2, seed: 9))
        let noisy = try SynthVoice.render(SynthVoice.Config(f0: 150, snrDB: 10, duration: 2, seed: 9))
        var ps = 0.0, pn = 0.0
        for i in clean.samples.indices {
            ps += Double(clean.samples[i] * clean.samples[i])
            let d = Double(noisy.samples[i] - clean.samples[i])
            pn += d * d
        }
        #expect(abs(10 * log10(ps / pn) - 10) < 0.3)
    }

    @Test func rejectsBadConfig() {
        #expect(throws: SynthError.self) { try SynthVoice.render(SynthVoice.Config(f0: 5000, duration: 1)) }
        #expect(throws: SynthError.self) { try SynthVoice.render(SynthVoice.Config(f0: 100, jitter: -1)) }
        #expect(throws: SynthError.self) { try SynthVoice.render(SynthVoice.Config(f0: 100, duration: 0)) }
    }

    /// Sample-exact round trip for the lossless formats (the lossy ones are covered by
    /// FormatTests in CandorCLITests, through pitch).
    @Test(arguments: AudioWriter.Format.allCases.filter { ![.oggVorbis, .opus, .mp3].contains($0) })
    func writerRoundTripsThroughTheReader(format: AudioWriter.Format) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("candor-synth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let left = (0..<1600).map { Float(sin(Double($0) * 0.05) * 0.5) }
        let right = (0..<1600).map { Float(cos(Double($0) * 0.03) * 0.25) }
        let path = dir.appendingPathComponent(format == .flac16 ? "x.flac" : "x.wav").path
        try AudioWriter.write(path: path, channels: [left, right], sampleRate: 16000, format: format)
        let reader = try AudioReader(path: path)
        #expect(reader.info.channels == 2 && reader.info.sampleRate == 16000 && reader.info.frames == 1600)
        var buf = [Float](repeating: 0, count: 3200)
        let n = try buf.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: 1600) }
        #expect(n == 1600)
        let tol: Float = format == .wavFloat ? 0 : 1.0 / 32768 + 1e-7
        for i in 0..<1600 {
            #expect(abs(buf[2 * i] - left[i]) <= tol && abs(buf[2 * i + 1] - right[i]) <= tol)
            if abs(buf[2 * i] - left[i]) > tol { break }
        }
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 1)
    }

    @Test func writerLeavesNothingOnFailure() throws {
        let path = "/nonexistent-dir-candor/x.wav"
        #expect(throws: OutputError.self) {
            try AudioWriter.write(path: path, mono: [0, 0.1], sampleRate: 16000, format: .wavPCM16)
        }
        #expect(throws: OutputError.self) {
            try AudioWriter.write(path: "/tmp/candor-nan.wav", mono: [.nan], sampleRate: 16000, format: .wavPCM16)
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/candor-nan.wav"))
    }

    /// The committed samples/synth files are what the generator makes from their recorded
    /// config (so the truth files cannot drift from the audio).
    @Test func committedSamplesMatchTheGenerator() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/synth").path
        let truths = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".truth.json") }.sorted()
        #expect(truths.count >= 4)
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        for name in truths {
            let truth = try dec.decode(SynthTruth.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let r = try SynthVoice.render(truth.config)
            #expect(r.pulseTimes == truth.pulseTimes, "\(name)")
            #expect(r.realised == truth.realised, "\(name)")
            let wav = dir + "/" + name.replacingOccurrences(of: ".truth.json", with: ".wav")
            let reader = try AudioReader(path: wav)
            var buf = [Float](repeating: 0, count: reader.info.frames)
            let n = try buf.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: reader.info.frames) }
            #expect(n == r.samples.count)
            let worst = zip(buf, r.samples).map { abs($0 - $1) }.max() ?? 1
            #expect(worst <= 1.0 / 32768 + 1e-6, "\(name): 16-bit rounding only")
        }
    }
}
