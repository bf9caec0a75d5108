import Foundation
import Testing

/// The sample interview's segments as CSV and as TextGrid (roles in the labels) give the same
/// segments and ids, and Candor's own exported TextGrid reads back to them.
@Suite struct SegmentRoundTripTests {
    func segments(_ path: String) throws -> [[String]] {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return ((doc["segments"] as? [[String: Any]]) ?? []).map { s in
            [s["id"], s["label"], s["speaker"], s["role"]].map { "\($0 ?? "")" }
                + [s["start"], s["end"]].map { String(format: "%.2f", ($0 as? Double) ?? -1) }
        }
    }

    @Test func csvTextGridAndOwnExportAgree() throws {
        let dir = tempDir("candor-segments")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func analyze(_ seg: String, _ out: String) throws {
            let r = try candor(
                "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
                "--segments", seg, "--out", dir + "/" + out)
            #expect(r.status == 0, "\(r.stderr)")
        }
        try analyze(Paths.sample("interview.segments.csv"), "csv.json")
        try analyze(Paths.sample("interview.TextGrid"), "tg.json")
        let fromCSV = try segments(dir + "/csv.json")
        #expect(fromCSV.count == 13)
        #expect(fromCSV.first?.prefix(4) == ["Q1", "Q1", "interviewer", "question"])
        #expect(try segments(dir + "/tg.json") == fromCSV)
        let ex = try candor("export", "--format", "textgrid", "--analysis", dir + "/csv.json", "--out", dir + "/own.TextGrid")
        #expect(ex.status == 0, "\(ex.stderr)")
        try analyze(dir + "/own.TextGrid", "own.json")
        #expect(try segments(dir + "/own.json") == fromCSV)
        // The segment file is recorded with its hash.
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/csv.json"))) as! [String: Any]
        let params = doc["parameters"] as? [String: Any]
        #expect((params?["segments_file"] as? String) == Paths.sample("interview.segments.csv"))
        #expect((params?["segments_sha256"] as? String)?.count == 64)
    }
}
