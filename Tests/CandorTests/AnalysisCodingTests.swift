import Candor
import Foundation
import Testing

/// The typed `Analysis` is the one schema: its own layout (`jsonBytes`) and any other
/// encoder carry the same keys and values, and a document reads back into the same value.
@Suite struct AnalysisCodingTests {
    /// Three seconds of stereo: a buzz with harmonics on the left, then a higher one on the right.
    static func twoSpeakers() -> [[Float]] {
        let fs = 16000.0
        var left = [Float](repeating: 0, count: 48000)
        var right = left
        for i in 0..<16000 {
            let t = Double(i) / fs
            let a = 0.3 * sin(2 * .pi * 140 * t) + 0.15 * sin(2 * .pi * 280 * t) + 0.05 * sin(2 * .pi * 420 * t)
            let b = 0.3 * sin(2 * .pi * 210 * t) + 0.15 * sin(2 * .pi * 420 * t) + 0.05 * sin(2 * .pi * 630 * t)
            left[i + 4000] = Float(a)
            right[i + 26000] = Float(b)
            right[i + 4000] += Float(0.01 * a)  // a little bleed
        }
        // A faint noise floor, so no channel is digital silence.
        var seed: UInt64 = 7
        for i in 0..<left.count {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let n = Float(Int64(bitPattern: seed >> 11) % 1000) * 1e-7
            left[i] += n
            right[i] -= n
        }
        return [left, right]
    }

    static func analysis() async throws -> Analysis {
        var options = AnalyzeOptions()
        options.roles = ["interviewer", "interviewee"]
        options.threads = 1
        return try await Candor.analyze(samples: twoSpeakers(), sampleRate: 16000, name: "two-speakers", options: options)
    }

    @Test func anyEncoderGetsTheSameKeysAndValues() async throws {
        let a = try await Self.analysis()
        #expect(a.input.path == "two-speakers")
        #expect(a.channels.count == 2)
        #expect(a.channels[0].role == "interviewer")
        let ours = try JSONSerialization.jsonObject(with: Data(try a.jsonBytes()))
        let theirs = try JSONSerialization.jsonObject(with: JSONEncoder().encode(a))
        var differences: [String] = []
        compare(ours, theirs, path: "", into: &differences)
        #expect(differences.isEmpty, "\(differences.prefix(10))")
    }

    @Test func aDocumentReadsBackIntoTheSameDocument() async throws {
        let a = try await Self.analysis()
        let bytes = try a.jsonBytes()
        let back = try JSONDecoder().decode(Analysis.self, from: Data(bytes))
        #expect(back.channels.count == a.channels.count)
        #expect(back.channels[1].pitchSummary.voicedFrames == a.channels[1].pitchSummary.voicedFrames)
        #expect(try back.channels[0].pitch.frames.allValues().count == a.channels[0].pitch.frames.grid.count)
        #expect(try back.jsonBytes() == bytes)
    }

    @Test func pitchOnlyLeavesOutTheSpeechLevelKeys() async throws {
        var options = AnalyzeOptions()
        options.pitchOnly = true
        let a = try await Candor.analyze(samples: Self.twoSpeakers(), sampleRate: 16000, options: options)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try a.jsonBytes())) as? [String: Any])
        #expect(object["conversation"] == nil && object["segments"] == nil && object["scores"] == nil)
        #expect(a.channels.allSatisfy { $0.voice == nil && $0.timing == nil })
    }
}

/// Records where two parsed JSON values differ: keys, kinds, strings, and numbers beyond
/// rounding (the document rounds per field; other encoders write the rounded value too).
func compare(_ a: Any, _ b: Any, path: String, into out: inout [String]) {
    switch (a, b) {
    case (let x as [String: Any], let y as [String: Any]):
        if Set(x.keys) != Set(y.keys) { out.append("\(path): keys \(x.keys.sorted()) vs \(y.keys.sorted())") }
        for (k, v) in x { if let w = y[k] { compare(v, w, path: path + "." + k, into: &out) } }
    case (let x as [Any], let y as [Any]):
        if x.count != y.count { out.append("\(path): \(x.count) vs \(y.count) items"); return }
        for (i, (v, w)) in zip(x, y).enumerated() { compare(v, w, path: "\(path)[\(i)]", into: &out) }
    case (let x as NSNumber, let y as NSNumber):
        let d = abs(x.doubleValue - y.doubleValue)
        if d > 1e-9 * max(1, abs(x.doubleValue)) { out.append("\(path): \(x) vs \(y)") }
    case (let x as String, let y as String):
        if x != y { out.append("\(path): \(x) vs \(y)") }
    case (is NSNull, is NSNull): break
    default: out.append("\(path): \(type(of: a)) vs \(type(of: b))")
    }
}
