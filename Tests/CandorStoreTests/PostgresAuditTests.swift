import CandorStore
import Foundation
import Testing

/// Session audit logs in PostgreSQL (`$CANDOR_AUDIT_DB`), written by `candor analyze`.
@Suite("PostgreSQL audit store")
struct PostgresAuditTests {
    @Test("concurrent appends to one session from several processes serialise, and the log verifies")
    func concurrentAppends() throws {
        let db = try Backend.postgres.freshQueue()
        let dir = tempDir("candor-pg-audit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let files = makeRecordings(dir, count: 4)
        let env = ["CANDOR_AUDIT_DB": db]
        nonisolated(unsafe) var statuses = [Int32](repeating: -1, count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { k in
            let r = try? candor(
                [
                    "analyze", files[k], "--out", dir + "/out\(k).json", "--case", "PG-1", "--session", "s1",
                    "--workspace", ws, "--quiet",
                ], env: env)
            statuses[k] = r?.status ?? -2
        }
        #expect(statuses == [0, 0, 0, 0])
        let v = try candor(
            [
                "audit", "verify", "--case", "PG-1", "--session", "s1", "--workspace", ws,
                "--evidence",
            ] + files, env: env)
        #expect(v.status == 0, "\(v.stdout) \(v.stderr)")
        // session_opened once, then evidence_ingested + analysis_completed per file.
        #expect(v.stdout.contains("9 records"), "\(v.stdout)")
        let show = try candor(["audit", "show", "--case", "PG-1", "--session", "s1", "--workspace", ws], env: env)
        for k in 0..<files.count {
            #expect(show.stdout.contains("output_sha256: \(sha256(ofFile: dir + "/out\(k).json"))"))
        }
        // The workspace's own SQLite holds nothing for this session.
        #expect(try candor(["audit", "verify", "--case", "PG-1", "--session", "s1", "--workspace", ws]).status == 3)
    }
}
