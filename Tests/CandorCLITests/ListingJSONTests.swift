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
