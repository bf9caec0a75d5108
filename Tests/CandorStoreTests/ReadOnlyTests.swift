import CandorStore
import CandorTestSupport
import Foundation
import Testing

/// Reading commands on a workspace that cannot be written (a read-only mount, or a folder
/// without write permission when the tests do not run as root).
@Suite("Read-only workspaces (processes)", .serialized)
struct ReadOnlyTests {
    /// Every file under `dir` with its size and modification time.
    static func snapshot(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        for name in FileManager.default.subpaths(atPath: dir) ?? [] {
            var st = stat()
            if stat(dir + "/" + name, &st) == 0 { out[name] = "\(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)" }
        }
        return out
    }

    @Test("batch status and audit verify work on a read-only workspace and change nothing in it")
    func readOnlyWorkspace() async throws {
        let dir = tempDir("candor-ro")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        _ = makeRecordings(inputs, count: 2)
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        #expect(try candor(["batch", "submit", inputs, "--workspace", ws, "--case", "R"]).status == 0)
        #expect(try candor(["worker", "--workspace", ws, "--exit-when-empty", "--threads", "1"]).status == 0)
        let before = Self.snapshot(ws)

        // As root a read-only bind mount (permissions would not stop root); else no write permission.
        let ro: String
        let asRoot = getuid() == 0
        if asRoot {
            ro = dir + "/ro"
            try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
            try #require(try run("/bin/mount", ["--bind", ws, ro]).status == 0)
            try #require(try run("/bin/mount", ["-o", "remount,ro,bind", ro]).status == 0)
        } else {
            ro = ws
            #expect(try run("/bin/chmod", ["-R", "a-w", ws]).status == 0)
        }
        defer {
            if asRoot { _ = try? run("/bin/umount", [ro]) } else { _ = try? run("/bin/chmod", ["-R", "u+w", ws]) }
        }
        #expect(!FileManager.default.isWritableFile(atPath: ro), "the workspace copy should be read-only")

        let status = try candor(["batch", "status", "--json", "--workspace", ro])
        #expect(status.status == 0, "\(status.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let counts = try #require(doc["counts"] as? [String: Any])
        #expect(counts["done"] as? Int == 2, "\(status.stdout)")
        let jobs = try #require(doc["jobs"] as? [[String: Any]])
        for job in jobs {
            let history = try #require(job["history"] as? [[String: Any]])
            #expect(history.allSatisfy { $0["started_at"] is String && $0["finished_at"] is String }, "\(history)")
        }
        for session in ["rec000", "rec001"] {
            let v = try candor(["audit", "verify", "--case", "R", "--session", session, "--workspace", ro])
            #expect(v.status == 0, "\(session): \(v.stdout) \(v.stderr)")
        }
        #expect(Self.snapshot(ws) == before, "the read-only commands changed the workspace")
    }

    @Test("audit verify in a workspace without its keys fails clearly and creates no key")
    func verifyWithoutKeys() throws {
        let dir = tempDir("candor-nokeys")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", file = dir + "/a.wav"
        writeWAV(file, samples: buzz(f0: 120, seconds: 1))
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let a = try candor(["analyze", file, "--case", "N", "--session", "S", "--workspace", ws, "--out", dir + "/a.json"])
        try #require(a.status == 0, "\(a.stderr)")
        // The log copied without the keys folder.
        try FileManager.default.removeItem(atPath: ws + "/keys")
        let v = try candor(["audit", "verify", "--case", "N", "--session", "S", "--workspace", ws])
        #expect(v.status != 0 && v.status != 4, "no keys is not tampering: \(v.status) \(v.stdout) \(v.stderr)")
        #expect(v.stderr.contains("no log key"), "\(v.stderr)")
        #expect(v.stderr.split(separator: "\n").count == 1, "\(v.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws + "/keys"), "verification created a keys folder")
    }
}
