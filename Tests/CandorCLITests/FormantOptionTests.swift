import CandorTestSupport
import Foundation
import Testing

/// Formants are measured only when asked for (`--formants`): the pass costs more CPU than all
/// the other measurements together.
@Suite struct FormantOptionTests {
    @Test func formantsOnlyWithTheOption() throws {
        let dir = tempDir("candor-formants")
        func analyse(_ extra: String...) throws -> [String: Any] {
            let out = dir + "/a\(extra.count).json"
            let args =
                [
                    "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
                    "--segments", Paths.sample("interview.segments.csv"), "--out", out, "--quiet",
                ] + extra
            let r = try run(Paths.candor, args)
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        }
        let plain = try analyse()
        let channels = try #require(plain["channels"] as? [[String: Any]])
        #expect(channels.allSatisfy { $0["formants"] == nil })
        #expect(((plain["segments"] as? [[String: Any]]) ?? []).allSatisfy { $0["formants"] == nil })

        let with = try analyse("--formants")
        let measured = try #require(with["channels"] as? [[String: Any]])
        for ch in measured {
            let f = try #require(ch["formants"] as? [String: Any], "channel \(ch["index"] ?? "?") has no formants")
            let f1 = try #require(f["f1_median_hz"] as? NSNumber)
            #expect(f1.doubleValue > 200 && f1.doubleValue < 1200)
        }
        #expect(((with["segments"] as? [[String: Any]]) ?? []).contains { $0["formants"] != nil })

        let refused = try candor("analyze", Paths.sample("interview.flac"), "--pitch-only", "--formants", "--out", dir + "/x.json")
        #expect(refused.status == 2 && refused.stderr.contains("--formants"), "\(refused.stderr)")
    }
}
