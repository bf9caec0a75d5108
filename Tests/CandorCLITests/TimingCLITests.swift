import Foundation
import Testing

/// `candor analyze FILE --roles … --segments …` writes every timing, conversation and segment key.
@Suite struct TimingCLITests {
    @Test func analyzeWithRolesAndSegmentsGivesAllKeys() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/a.json"
        for seg in ["interview.TextGrid", "interview.segments.csv"] {
            let r = try candor(
                "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
                "--segments", Paths.sample(seg), "--out", out, "--quiet")
            #expect(r.status == 0, "\(r.stderr)")
            let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
            let chans = d["channels"] as! [[String: Any]]
            for c in chans {
                let t = c["timing"] as! [String: Any]
                for k in [
                    "speech", "pauses", "pause_count", "pause_total_s", "pause_mean_s", "speech_rate_syll_per_s",
                    "articulation_rate_syll_per_s",
                ] {
                    #expect(t[k] != nil, "timing.\(k)")
                }
                #expect(t["pause_count"] as? Int == 2)
            }
            let conv = d["conversation"] as! [String: Any]
            for k in ["turns", "talk_share", "response_latencies_s", "overlaps", "interruptions"] {
                #expect(conv[k] != nil, "conversation.\(k)")
            }
            #expect((conv["turns"] as! [Any]).count == 13)
            let segs = d["segments"] as! [[String: Any]]
            #expect(segs.count == 13)
            for k in ["id", "label", "speaker", "start", "end", "role", "features", "scores"] {
                #expect(segs[0][k] != nil, "segments.\(k)")
            }
        }
    }

    @Test func malformedSegmentsFileExitsThreeNamingTheLine() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = dir + "/bad.vtt"
        try "WEBVTT\n\n00:01.000 --> 00:0x.000\nhi\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try candor("analyze", Paths.sample("interview.flac"), "--segments", bad, "--out", dir + "/o.json")
        #expect(r.status == 3)
        #expect(r.stderr.contains("bad.vtt: line 3:"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o.json"))
    }
}
