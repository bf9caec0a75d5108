import CandorTestSupport
import Foundation
import Testing

/// Issue 9: `--threads N` changes only the speed. The whole analysis JSON (pitch,
/// intensity, voice quality, timing, conversation, segments, scores) is byte-identical
/// for any N, on the stereo interview with segments and on a mono clip.
struct ScalingTests {
    @Test func wholeAnalysisIsIdenticalForAnyThreadCount() throws {
        let dir = tempDir("candor-threads")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs: [[String]] = [
            [
                Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
                "--segments", Paths.sample("interview.segments.csv"),
            ],
            [try #require(Paths.realClips.first)],
        ]
        for (k, input) in inputs.enumerated() {
            var outputs: [Data] = []
            for threads in ["1", "2", "5"] {
                let out = "\(dir)/a\(k)-\(threads).json"
                let r = try run(Paths.candor, ["analyze"] + input + ["--threads", threads, "--out", out, "--quiet"])
                #expect(r.status == 0, "\(r.stderr)")
                outputs.append(try Data(contentsOf: URL(fileURLWithPath: out)))
            }
            #expect(outputs[0].count > 10_000)
            #expect(outputs[0] == outputs[1])
            #expect(outputs[0] == outputs[2])
        }
    }
}
