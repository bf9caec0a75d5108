import CandorTestSupport
import Foundation
import Testing

/// Listing commands have `--json`; `keys show` marks retired operator keys.
@Suite struct ListingJSONTests {
    @Test func keysShowMarksRetiredKeysAndPrintsJSON() throws {
        let dir = tempDir("candor-keys")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        #expect(try run(Paths.candor, ["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        #expect(try run(Paths.candor, ["keys", "rotate", "--operator", "op", "--workspace", ws]).status == 0)
        let text = try run(Paths.candor, ["keys", "show", "--workspace", ws])
        #expect(text.status == 0)
        #expect(text.stdout.components(separatedBy: "(retired)").count - 1 == 1, "\(text.stdout)")
        #expect(text.stdout.components(separatedBy: "(current)").count - 1 == 1, "\(text.stdout)")
        let json = try run(Paths.candor, ["keys", "show", "--workspace", ws, "--json"])
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let operators = (doc?["operators"] as? [[String: String]]) ?? []
        #expect(Set(operators.map { $0["status"] ?? "" }) == ["current", "retired"])
        #expect((doc?["log"] as? String)?.hasPrefix("candor-log-") == true)
    }

    @Test func modelsListPrintsJSON() throws {
        let r = try run(Paths.candor, ["models", "list", "--json", "--models", Paths.packageRoot.appendingPathComponent("models").path])
        #expect(r.status == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let ids = ((doc?["models"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("baseline-deviation") && ids.contains("interview-quality"))
    }
}

/// `audit show` gives each record's signature status and reads bundles; `audit verify
/// --evidence` with a wrong file blames the file, not the log.
@Suite struct SupervisorAuditTests {
    @Test func showMarksEachRecordAndVerifyBlamesTheFile() throws {
        let dir = tempDir("candor-supervisor")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        #expect(try run(Paths.candor, ["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let a = try run(
            Paths.candor,
            [
                "analyze", Paths.sample("interview.flac"), "--pitch-only", "--case", "C1", "--session", "S1",
                "--workspace", ws, "--out", dir + "/a.json",
            ])
        #expect(a.status == 0, "\(a.stderr)")
        let list = try run(Paths.candor, ["audit", "list", "--json", "--workspace", ws])
        let listed = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]) ?? []
        #expect(
            listed.count == 1 && (listed.first?["case"] as? String) == "C1" && (listed.first?["session"] as? String) == "S1",
            "\(list.stdout)")
        let show = try run(Paths.candor, ["audit", "show", "--case", "C1", "--session", "S1", "--workspace", ws])
        #expect(show.status == 0, "\(show.stderr)")
        let lines = show.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(lines.count >= 4 && lines.allSatisfy { $0.contains("good signature") && $0.contains("signed by op") }, "\(show.stdout)")
        // Parameters are shown as JSON, not as a JSON string with escaped quotes.
        #expect(!show.stdout.contains("\\\""), "\(show.stdout)")
        // A bundle is read too, with the same statuses.
        #expect(
            try run(Paths.candor, ["audit", "export", "--case", "C1", "--session", "S1", "--workspace", ws, "--out", dir + "/b"]).status
                == 0)
        let fromBundle = try run(Paths.candor, ["audit", "show", dir + "/b"])
        #expect(fromBundle.status == 0, "\(fromBundle.stderr)")
        #expect(fromBundle.stdout.contains("good signature") && fromBundle.stdout.contains("unpinned"))
        // A tampered record in the bundle is BAD on its own line.
        var recs = try String(contentsOfFile: dir + "/b/records.jsonl", encoding: .utf8)
        recs = recs.replacingOccurrences(of: "\"action\":\"viewed\"", with: "\"action\":\"edited\"")
        try recs.write(toFile: dir + "/b/records.jsonl", atomically: true, encoding: .utf8)
        let tampered = try run(Paths.candor, ["audit", "show", dir + "/b"])
        #expect(tampered.stdout.contains("BAD: signature"), "\(tampered.stdout)")
        // A wrong --evidence file: the log is intact, the file matches nothing.
        try "not the recording".write(toFile: dir + "/other.wav", atomically: true, encoding: .utf8)
        let v = try run(
            Paths.candor, ["audit", "verify", "--case", "C1", "--session", "S1", "--workspace", ws, "--evidence", dir + "/other.wav"])
        #expect(v.status == 4)
        #expect(
            v.stdout.contains("the log verifies") && v.stdout.contains("EVIDENCE MISMATCH") && !v.stdout.contains("NOT INTACT"),
            "\(v.stdout)")
    }
}
