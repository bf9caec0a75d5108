import CandorAudio
import Foundation
import Testing

/// samples/interview.flac against its truth file: the turn boundaries are exact to the sample.
@Suite("Interview sample truth")
struct SynthInterviewSampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func turnsArePreciseToTheSample() throws {
        let truth =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.root.appendingPathComponent("samples/interview.truth.json"))) as! [String: Any]
        let reader = try AudioReader(path: Self.root.appendingPathComponent("samples/interview.flac").path)
        #expect(reader.info.channels == 2 && reader.info.sampleRate == 16000)
        let frames = truth["samples"] as! Int
        #expect(reader.info.frames == frames)
        var inter = [Float](repeating: 0, count: frames * 2)
        let n = try inter.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: frames) }
        #expect(n == frames)
        let threshold = Float(truth["trim_threshold"] as! Double)
        let q: Float = 1.0 / 32768  // FLAC 16-bit rounding
        let turns = truth["turns"] as! [[String: Any]]
        let pauses = truth["pauses"] as! [String: [[Double]]]
        var covered = [[Bool]](repeating: [Bool](repeating: false, count: frames), count: 2)
        for t in turns {
            let ch = (t["speaker"] as! String) == "interviewer" ? 0 : 1
            let s = t["start_sample"] as! Int, e = t["end_sample"] as! Int
            #expect(abs((t["start"] as! Double) - Double(s) / 16000) < 1e-9)
            // First and last samples of a turn are above the threshold, the ones outside are not.
            #expect(abs(inter[2 * s + ch]) > threshold - q, "\(t["label"]!) start")
            #expect(abs(inter[2 * (e - 1) + ch]) > threshold - q, "\(t["label"]!) end")
            #expect(abs(inter[2 * (s - 1) + ch]) <= threshold + q, "\(t["label"]!) before start")
            #expect(abs(inter[2 * e + ch]) <= threshold + q, "\(t["label"]!) after end")
            for i in s..<e { covered[ch][i] = true }
        }
        // Outside its turns a channel is silent.
        for ch in 0..<2 {
            var loud = 0
            for i in 0..<frames where !covered[ch][i] && abs(inter[2 * i + ch]) > threshold + q { loud += 1 }
            #expect(loud == 0, "channel \(ch) has \(loud) loud samples outside its turns")
        }
        // Pauses inside turns are silent and at least 0.25 s; A4 holds the planned 0.7 s pause.
        for (speaker, list) in pauses {
            let ch = speaker == "interviewer" ? 0 : 1
            for p in list {
                #expect(p[1] - p[0] >= 0.25)
                let a = Int((p[0] * 16000).rounded()), b = Int((p[1] * 16000).rounded())
                #expect((a..<b).allSatisfy { abs(inter[2 * $0 + ch]) <= threshold + q })
            }
        }
        #expect(pauses["interviewee"]!.contains { abs($0[1] - $0[0] - 0.70) < 0.01 })
        // The interruption: Q6 starts 0.6 s before A5 ends.
        let overlaps = truth["overlaps"] as! [[String: Any]]
        #expect(overlaps.count == 1 && abs((overlaps[0]["end"] as! Double) - (overlaps[0]["start"] as! Double) - 0.6) < 1e-3)
    }
}
