import CandorAudit
import CandorStore
import CandorTestSupport
import Foundation
import Testing

/// The witness against a PostgreSQL administrator: deleting or relabelling rows of the
/// `candor_audit_*` tables gives exit 4.
@Suite("PostgreSQL audit store with a witness", .serialized)
struct PostgresWitnessTests {
    @Test("truncation, session substitution, whole-session deletion and repair after deleted checkpoints fail against the witness")
    func attacksFail() throws {
        let db = try Backend.postgres.freshQueue()
        let dir = tempDir("candor-pg-witness")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let env = ["CANDOR_AUDIT_DB": db]
        let files = makeRecordings(dir, count: 2)
        for (k, f) in files.enumerated() {
            let r = try candor(
                [
                    "analyze", f, "--out", dir + "/out\(k).json", "--case", "PG-W", "--session", "s\(k + 1)",
                    "--workspace", ws, "--quiet",
                ], env: env)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let witness = try WitnessProcess(dir: dir + "/witness", logKeyFile: ws + "/keys/log.vkey")
        defer { witness.stop() }
        let add = try candor(["witness", "add", "--url", witness.url, "--vkey", witness.vkeyFile, "--workspace", ws], env: env)
        try #require(add.status == 0, "\(add.stdout)\(add.stderr)")
        for n in 0..<2 {
            #expect(
                try candor(["review", "--case", "PG-W", "--session", "s1", "--seq", "2", "--note", "n\(n)", "--workspace", ws], env: env)
                    .status == 0)
        }
        func verify(_ args: String...) throws -> RunResult { try candor(["audit", "verify", "--workspace", ws] + args, env: env) }
        #expect(try verify("--case", "PG-W", "--session", "s1").status == 0)
        let all = try verify("--all")
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        guard case .postgres(let target) = try QueueLocation.parse(db) else { Issue.record("not a PostgreSQL URL"); return }
        let store = try PostgresAuditStore(target)
        let size = try #require(try store.latestCheckpoint(SessionRef(caseID: "PG-W", sessionID: "s1"))).size

        // Checkpoints deleted, then repair: refused.
        try store.executeRaw("DELETE FROM candor_audit_checkpoints WHERE session_id = 's1' AND size > 3")
        let rep = try candor(["audit", "repair", "--case", "PG-W", "--session", "s1", "--workspace", ws], env: env)
        #expect(rep.status == 4 && rep.stderr.contains("repair refuses"), "\(rep.stderr)")
        // Truncation: the newest records deleted as well.
        try store.executeRaw("DELETE FROM candor_audit_records WHERE session_id = 's1' AND seq >= 3")
        let tr = try verify("--case", "PG-W", "--session", "s1")
        #expect(tr.status == 4 && tr.stderr.contains("cosigned size \(size)"), "\(tr.stdout)\(tr.stderr)")
        // Session substitution: s2's rows relabelled as s1.
        try store.executeRaw("DELETE FROM candor_audit_records WHERE session_id = 's1'")
        try store.executeRaw("DELETE FROM candor_audit_checkpoints WHERE session_id = 's1'")
        try store.executeRaw("UPDATE candor_audit_records SET session_id = 's1' WHERE session_id = 's2'")
        try store.executeRaw("UPDATE candor_audit_checkpoints SET session_id = 's1' WHERE session_id = 's2'")
        let sub = try verify("--case", "PG-W", "--session", "s1")
        #expect(sub.status == 4, "\(sub.stdout)\(sub.stderr)")
        // Whole-session deletion (s2 is gone now): --all.
        let gone = try verify("--all")
        #expect(gone.status == 4 && gone.stdout.contains("case PG-W session s2: in the workspace heads log"), "\(gone.stdout)")
    }

    @Test("restoring an older copy of the audit tables fails against the witness")
    func rollbackToAnOlderCopyFails() throws {
        let db = try Backend.postgres.freshQueue()
        let dir = tempDir("candor-pg-rollback")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let env = ["CANDOR_AUDIT_DB": db]
        let file = makeRecordings(dir, count: 1)[0]
        let r = try candor(
            ["analyze", file, "--out", dir + "/out.json", "--case", "PG-R", "--session", "s1", "--workspace", ws, "--quiet"], env: env)
        try #require(r.status == 0, "\(r.stderr)")
        let witness = try WitnessProcess(dir: dir + "/witness", logKeyFile: ws + "/keys/log.vkey")
        defer { witness.stop() }
        try #require(
            try candor(["witness", "add", "--url", witness.url, "--vkey", witness.vkeyFile, "--workspace", ws], env: env).status == 0)
        guard case .postgres(let target) = try QueueLocation.parse(db) else { Issue.record("not a PostgreSQL URL"); return }
        let store = try PostgresAuditStore(target)
        // The older copy: every audit table as it is now (a backup).
        let tables = ["candor_audit_records", "candor_audit_checkpoints", "candor_audit_results", "candor_audit_quarantine"]
        for t in tables {
            try store.executeRaw("DROP TABLE IF EXISTS backup_\(t)")
            try store.executeRaw("CREATE TABLE backup_\(t) AS SELECT * FROM \(t)")
        }
        // The log grows and the witness cosigns the larger log.
        for n in 0..<2 {
            #expect(
                try candor(["review", "--case", "PG-R", "--session", "s1", "--seq", "2", "--note", "n\(n)", "--workspace", ws], env: env)
                    .status == 0)
        }
        #expect(try candor(["audit", "verify", "--case", "PG-R", "--session", "s1", "--workspace", ws], env: env).status == 0)
        // An insider restores the backup: a consistent, older, fully signed log.
        for t in tables {
            try store.executeRaw("DELETE FROM \(t)")
            try store.executeRaw("INSERT INTO \(t) SELECT * FROM backup_\(t)")
        }
        let v = try candor(["audit", "verify", "--case", "PG-R", "--session", "s1", "--workspace", ws], env: env)
        #expect(v.status == 4 && v.stderr.contains("cosigned size"), "\(v.stdout)\(v.stderr)")
        let all = try candor(["audit", "verify", "--all", "--workspace", ws], env: env)
        #expect(all.status == 4, "\(all.stdout)\(all.stderr)")
        for t in tables { try store.executeRaw("DROP TABLE backup_\(t)") }
    }
}
