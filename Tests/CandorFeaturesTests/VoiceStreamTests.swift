import CandorAudio
@testable import CandorFeatures
import CandorSynth
import Foundation
import Testing

@Suite("Voice quality: file streaming")
struct VoiceStreamTests {
    /// Small blocks over a file whose voiced stretches are shorter than the margin: the
    /// streamed result equals the whole-signal one exactly.
    @Test func smallBlocksEqualWholeSignal() async throws {
        var cfg = SynthVoice.Config(f0: 180, jitter: 0.01, shimmer: 0.04, snrDB: 30, duration: 4, seed: 21)
        cfg.voiced = (0..<8).map { SynthVoice.Span(0.1 + Double($0) * 0.48, 0.42 + Double($0) * 0.48) }
        let r = try SynthVoice.render(cfg)
        let path = try writeTemp(r)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scan = try scanAudio(path: path)
        let analysis = try await analyzeAudio(path: path, scan: scan, options: AnalysisOptions())
        var opts = VoiceStreamOptions()
        opts.blockSeconds = 0.7
        opts.marginSeconds = 0.4
        opts.threads = 3  // blocks finish out of order; the merge must not care
        let streamed = try await analyzeVoiceFile(path: path, scan: scan, pitch: analysis.channels.map(\.source), options: opts)
        let (x, fs) = try readAll(path)
        let whole = try analyzeVoice(samples: x, sampleRate: fs, pitch: analysis.channels[0].loadAll().pitch)
        #expect(streamed.count == 1)
        let ps = try streamed[0].pulseTimes(), pw = try whole.pulseTimes()
        #expect(ps.count == pw.count)
        #expect(zip(ps, pw).allSatisfy { abs($0 - $1) < 1e-9 })
        let a = whole.report(), b = streamed[0].report()
        // Equal up to floating-point rounding of the block offsets.
        let ja = try jsonValues(a), jb = try jsonValues(b)
        for (k, v) in ja {
            if let x = v as? Double, let y = jb[k] as? Double {
                #expect(abs(x - y) <= 1e-7 * max(1, abs(x)), "\(k): \(x) vs \(y)")
            } else {
                #expect("\(v)" == "\(jb[k] ?? "missing")", "\(k)")
            }
        }
        #expect(a.pulses > 400 && a.reliable)
        #expect(abs(try #require(b.jitterLocal) / r.realised.jitterLocal - 1) < 0.25)
    }

    /// The stereo mock interview: each channel is analysed on its own; per-turn reports use
    /// only that turn's pulses, and the silent channel between turns has no pulses.
    @Test func interviewChannelsAndTurns() async throws {
        let path = Praat.root.appendingPathComponent("samples/interview.flac").path
        let truthURL = Praat.root.appendingPathComponent("samples/interview.truth.json")
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: truthURL)) as! [String: Any]
        let turns = truth["turns"] as! [[String: Any]]
        let scan = try scanAudio(path: path)
        #expect(scan.info.channels == 2)
        let analysis = try await analyzeAudio(path: path, scan: scan, options: AnalysisOptions())
        var opts = VoiceStreamOptions()
        opts.blockSeconds = 10
        let voice = try await analyzeVoiceFile(path: path, scan: scan, pitch: analysis.channels.map(\.source), options: opts)
        #expect(voice.count == 2)
        for t in turns {
            let ch = (t["speaker"] as! String) == "interviewer" ? 0 : 1
            let s = t["start"] as! Double, e = t["end"] as! Double
            let own = try voice[ch].report(from: s, to: e)
            #expect(own.pulses > 20, "\(t["label"]!) has pulses on its own channel")
            #expect(own.jitterLocal != nil && own.hnrDB != nil)
            // The other channel is digitally silent during this turn, except where the turns overlap.
            let other = voice[1 - ch]
            let overlapping = turns.contains { u in
                (u["speaker"] as! String) != (t["speaker"] as! String) && (u["start"] as! Double) < e && (u["end"] as! Double) > s
            }
            if !overlapping { #expect(try other.report(from: s, to: e).pulses == 0, "\(t["label"]!) other channel silent") }
        }
        // Whole-channel reports equal the in-memory analysis of each channel.
        let reader = try AudioReader(path: path)
        var inter = [Float](repeating: 0, count: scan.framesRead * 2)
        let n = try inter.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: scan.framesRead) }
        #expect(n == scan.framesRead)
        for c in 0..<2 {
            let x = stride(from: c, to: inter.count, by: 2).map { inter[$0] }
            let whole = try analyzeVoice(samples: x, sampleRate: 16000, pitch: analysis.channels[c].loadAll().pitch).report()
            let streamed = voice[c].report()
            #expect(abs(whole.pulses - streamed.pulses) <= 2)
            #expect(abs(try #require(streamed.hnrDB) - whole.hnrDB!) < 0.05)
        }
    }
}
