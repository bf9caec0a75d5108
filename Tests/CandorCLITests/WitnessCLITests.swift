import Candor
import CandorAudit
import CandorTestSupport
import Foundation
import Testing
@testable import CandorCLI

/// The audit log against an insider who can write the workspace database but holds no keys,
/// with a witness (`candor witness serve`) running: every attack gives exit 4.
@Suite(.serialized) struct WitnessCLITests {
    static let py = Paths.packageRoot.appendingPathComponent("Tests/audit_verifier.py").path

    /// Workspace with C1/S1 analysed, a witness added, two reviews; and C1/S2 analysed.
    static func witnessedWorkspace() throws -> (root: String, ws: String, witness: WitnessProcess) {
        let (root, ws, _, _) = try AuditCLITests.workspaceWithAnalysis()
        let witness = try WitnessProcess(dir: root + "/witness", logKeyFile: ws + "/keys/log.vkey")
        let add = try candor("witness", "add", "--url", witness.url, "--vkey", witness.vkeyFile, "--workspace", ws)
        try #require(add.status == 0, "\(add.stdout)\(add.stderr)")
        #expect(add.stdout.contains("cosigned by witness.test/w1"), "\(add.stdout)")
        for n in 0..<2 {
            let r = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "2", "--note", "note \(n)")
            try #require(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("signed as olga"), "\(r.stderr)")
        }
        let out = root + "/s2.json"
        try Data("{\"schema\":\"candor.analysis/1\",\"s\":2}\n".utf8).write(to: URL(fileURLWithPath: out))
        try auditAnalysis(
            workspace: ws, caseID: "C1", sessionID: "S2", inputPath: out, inputBytes: 10,
            inputSHA256: String(repeating: "b", count: 64), inputFormat: "wav/pcm16", outputPath: out,
            outputSHA256: try sha256(ofFile: out), softwareVersion: "t", gitCommit: "t", parameters: [:], models: [])
        return (root, ws, witness)
    }

    static func verify(_ ws: String, _ extra: String...) throws -> RunResult {
        try run(Paths.candor, ["audit", "verify", "--workspace", ws] + extra)
    }

    @Test func everyAttackOnTheStoreFailsAgainstTheWitness() throws {
        let (root, ws, witness) = try Self.witnessedWorkspace()
        defer { witness.stop(); try? FileManager.default.removeItem(atPath: root) }
        #expect(try Self.verify(ws, "--case", "C1", "--session", "S1").status == 0)
        let all = try Self.verify(ws, "--all")
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.contains("intact: 2 session(s)"), "\(all.stdout)")
        let good = root + "/good.sqlite", old = root + "/old.sqlite"
        try AuditDB.snapshot(ws, to: old)
        let d = try candor(
            "review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "2", "--kind", "disregard", "--note", "wrong file")
        #expect(d.status == 0, "\(d.stderr)")
        try AuditDB.snapshot(ws, to: good)
        let size = try #require(try AuditWorkspace(path: ws).store.latestCheckpoint(SessionRef(caseID: "C1", sessionID: "S1"))).size

        // 1. Rollback to an older copy of the database.
        try AuditDB.restore(ws, from: old)
        let rb = try Self.verify(ws, "--case", "C1", "--session", "S1")
        #expect(rb.status == 4, "\(rb.stdout)\(rb.stderr)")
        #expect(rb.stderr.contains("witness witness.test/w1 cosigned size \(size)"), "\(rb.stderr)")
        #expect(try Self.verify(ws, "--all").status == 4)

        // 2. Truncation: the newest records and their checkpoints deleted.
        try AuditDB.restore(ws, from: good)
        try AuditDB.sql(
            ws,
            "DELETE FROM audit_records WHERE session_id='S1' AND seq >= 5; DELETE FROM audit_checkpoints WHERE session_id='S1' AND size > 5"
        )
        let tr = try Self.verify(ws, "--case", "C1", "--session", "S1")
        #expect(tr.status == 4, "\(tr.stdout)\(tr.stderr)")
        #expect(tr.stderr.contains("cosigned size \(size)") && tr.stderr.contains("has 5 record(s)"), "\(tr.stderr)")

        // 3. Session substitution: S2's rows relabelled as S1.
        try AuditDB.restore(ws, from: good)
        try AuditDB.sql(
            ws,
            """
            DELETE FROM audit_records WHERE session_id='S1'; DELETE FROM audit_checkpoints WHERE session_id='S1';
            UPDATE audit_records SET session_id='S1' WHERE session_id='S2'; UPDATE audit_checkpoints SET session_id='S1' WHERE session_id='S2'
            """)
        let sub = try Self.verify(ws, "--case", "C1", "--session", "S1")
        #expect(sub.status == 4, "\(sub.stdout)\(sub.stderr)")
        #expect(sub.stderr.contains("is not the log of case C1 session S1"), "\(sub.stderr)")

        // 4. A whole session deleted: only --all can see it.
        try AuditDB.restore(ws, from: good)
        try AuditDB.sql(
            ws,
            "DELETE FROM audit_records WHERE session_id='S2'; DELETE FROM audit_checkpoints WHERE session_id='S2'; DELETE FROM audit_results WHERE session_id='S2'"
        )
        #expect(try Self.verify(ws, "--case", "C1", "--session", "S1").status == 0)
        let gone = try Self.verify(ws, "--all")
        #expect(gone.status == 4, "\(gone.stdout)\(gone.stderr)")
        #expect(gone.stdout.contains("case C1 session S2: in the workspace heads log"), "\(gone.stdout)")
        #expect(gone.stdout.contains("witness witness.test/w1 cosigned size"), "\(gone.stdout)")
        // ... also when the heads log is rolled back with it: the witness has cosigned more.
        try AuditDB.sql(
            ws, "DELETE FROM audit_records WHERE case_id='.workspace'; DELETE FROM audit_checkpoints WHERE case_id='.workspace'")
        let noHeads = try Self.verify(ws, "--all")
        #expect(noHeads.status == 4, "\(noHeads.stdout)")
        #expect(noHeads.stdout.contains("heads log: witness witness.test/w1 cosigned size"), "\(noHeads.stdout)")

        // 5. Checkpoints deleted, then repair: refused (the tail is signed), and verify fails.
        try AuditDB.restore(ws, from: good)
        try AuditDB.sql(ws, "DELETE FROM audit_checkpoints WHERE session_id='S1' AND size > 4")
        let rep = try candor("audit", "repair", "--case", "C1", "--session", "S1", "--workspace", ws)
        #expect(rep.status == 4, "\(rep.stdout)\(rep.stderr)")
        #expect(rep.stderr.contains("repair refuses"), "\(rep.stderr)")
        #expect(try Self.verify(ws, "--case", "C1", "--session", "S1").status == 4)
        // Even a repair forced through the library leaves a log the witness contradicts.
        try AuditDB.sql(ws, "DELETE FROM audit_records WHERE session_id='S1' AND seq >= 4")
        let afterRepair = try Self.verify(ws, "--case", "C1", "--session", "S1")
        #expect(afterRepair.status == 4 && afterRepair.stderr.contains("cosigned size \(size)"), "\(afterRepair.stderr)")

        // The genuine database still verifies.
        try AuditDB.restore(ws, from: good)
        #expect(try Self.verify(ws, "--all").status == 0)
    }

    @Test func bundlesVerifyOnlyWithTheTrustAnchor() throws {
        let (root, ws, witness) = try Self.witnessedWorkspace()
        defer { witness.stop(); try? FileManager.default.removeItem(atPath: root) }
        let trust = root + "/trust.json", bundle = root + "/bundle", other = root + "/bundle-s2"
        let t = try candor("keys", "trust", "--out", trust, "--workspace", ws)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("1 witness(es), quorum 1"), "\(t.stdout)")
        #expect(try candor("audit", "export", "--case", "C1", "--session", "S1", "--out", bundle, "--workspace", ws).status == 0)
        #expect(try candor("audit", "export", "--case", "C1", "--session", "S2", "--out", other, "--workspace", ws).status == 0)

        // The genuine bundle, pinned: both verifiers accept it and name the witness.
        let ok = try candor("audit", "verify", bundle, "--trust", trust, "--case", "C1", "--session", "S1")
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("cosigned by: witness.test/w1"), "\(ok.stdout)")
        let pyOK = try run("/usr/bin/env", ["python3", Self.py, bundle, "--trust", trust, "--case", "C1", "--session", "S1"])
        #expect(pyOK.status == 0, "\(pyOK.stdout)\(pyOK.stderr)")
        #expect(pyOK.stdout.contains("cosigned by: witness.test/w1"), "\(pyOK.stdout)")
        // Its cosignature checks out against the witness vkey by the cosignature/v1 rules.
        let note = try String(contentsOfFile: bundle + "/checkpoint", encoding: .utf8)
        let key = try CosignerKey(parsing: String(contentsOfFile: witness.vkeyFile, encoding: .utf8))
        #expect(try SignedNote.cosignatureTime(note, key: key) != nil)

        // Without a trust anchor: refused as unpinned by both.
        let unpinned = try candor("audit", "verify", bundle)
        #expect(unpinned.status == 4 && unpinned.stderr.contains("unpinned"), "\(unpinned.stderr)")
        let pyUnpinned = try run("/usr/bin/env", ["python3", Self.py, bundle])
        #expect(pyUnpinned.status == 4 && pyUnpinned.stdout.contains("unpinned"), "\(pyUnpinned.stdout)")

        // Another session's bundle is not this session's.
        #expect(try candor("audit", "verify", other, "--trust", trust, "--case", "C1", "--session", "S1").status == 4)
        #expect(try run("/usr/bin/env", ["python3", Self.py, other, "--trust", trust, "--case", "C1", "--session", "S1"]).status == 4)

        // A forged bundle: a fresh workspace with new keys, same case and session.
        let (root2, ws2, _, _) = try AuditCLITests.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root2) }
        let forged = root2 + "/forged"
        #expect(try candor("audit", "export", "--case", "C1", "--session", "S1", "--out", forged, "--workspace", ws2).status == 0)
        #expect(try candor("audit", "verify", "--allow-unpinned", forged).status == 0)  // self-consistent
        let f = try candor("audit", "verify", forged, "--trust", trust)
        #expect(f.status == 4 && f.stderr.contains("not pinned"), "\(f.stderr)")
        #expect(try run("/usr/bin/env", ["python3", Self.py, forged, "--trust", trust]).status == 4)

        // The genuine bundle with its cosignature stripped, or altered, fails the quorum.
        let stripped = root + "/stripped"
        try FileManager.default.copyItem(atPath: bundle, toPath: stripped)
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        let noCosig = lines.filter { !$0.contains("witness.test/w1") }.joined(separator: "\n")
        try Data(noCosig.utf8).write(to: URL(fileURLWithPath: stripped + "/checkpoint"))
        #expect(try candor("audit", "verify", stripped, "--trust", trust).status == 4)
        #expect(try run("/usr/bin/env", ["python3", Self.py, stripped, "--trust", trust]).status == 4)
    }

    @Test func unreachableAndRestartedWitness() throws {
        let (root, ws, witness) = try Self.witnessedWorkspace()
        defer { witness.stop(); try? FileManager.default.removeItem(atPath: root) }
        let port = witness.port
        witness.stop()
        // Work goes on while the witness is down; the checkpoint is unwitnessed and verify says so.
        let r = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "offline")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("unreachable") && r.stderr.contains("unwitnessed"), "\(r.stderr)")
        let v = try Self.verify(ws, "--case", "C1", "--session", "S1")
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stderr.contains("unreachable"), "\(v.stderr)")
        #expect(try Self.verify(ws, "--case", "C1", "--session", "S1", "--require-witness").status == 4)
        // The witness restarts (same folder, same port) with its state; sync catches up.
        let again = try WitnessProcess(dir: witness.dir, logKeyFile: ws + "/keys/log.vkey", port: port)
        defer { again.stop() }
        let s = try candor("witness", "sync", "--workspace", ws)
        #expect(s.status == 0, "\(s.stdout)\(s.stderr)")
        let v2 = try Self.verify(ws, "--case", "C1", "--session", "S1", "--require-witness")
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        // State survived the restart: a rollback to before the outage is still caught.
        let size = try #require(try AuditWorkspace(path: ws).store.latestCheckpoint(SessionRef(caseID: "C1", sessionID: "S1"))).size
        try AuditDB.sql(
            ws,
            "DELETE FROM audit_records WHERE session_id='S1' AND seq >= \(size - 1); DELETE FROM audit_checkpoints WHERE session_id='S1' AND size >= \(size)"
        )
        let rb = try Self.verify(ws, "--case", "C1", "--session", "S1")
        #expect(rb.status == 4 && rb.stderr.contains("cosigned size \(size)"), "\(rb.stderr)")
        // A rolled-back log that tries to append is told by the witness.
        let w = try candor("witness", "sync", "--workspace", ws)
        #expect(w.status == 4, "\(w.stdout)\(w.stderr)")
    }

    /// With a certificate, the witness serves HTTPS (NIOSSL).
    @Test func servesHTTPSWithACertificate() throws {
        let root = tempDir("candor-witness-tls")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cert = root + "/cert.pem", key = root + "/key.pem"
        let gen = try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        try #require(gen.status == 0, "\(gen.stderr)")
        let log = try NoteSigner.generate(name: "candor-log-tls")
        try Data((log.verifierKey.encoded + "\n").utf8).write(to: URL(fileURLWithPath: root + "/log.vkey"))
        let w = try WitnessProcess(dir: root + "/w", logKeyFile: root + "/log.vkey", extraArgs: ["--tls-cert", cert, "--tls-key", key])
        defer { w.stop() }
        #expect(w.url.hasPrefix("https://"), "\(w.url)")
        let vkey = try run("/usr/bin/curl", ["-sS", "--cacert", cert, w.url + "/witness.vkey"])
        #expect(vkey.status == 0, "\(vkey.stderr)")
        #expect(vkey.stdout == (try String(contentsOfFile: w.vkeyFile, encoding: .utf8)), "\(vkey.stdout)")
        // Plain HTTP to the TLS port does not get an answer from the witness.
        let plain = try run(
            "/usr/bin/curl", ["-sS", "-m", "5", w.url.replacingOccurrences(of: "https://", with: "http://") + "/witness.vkey"])
        #expect(!plain.stdout.contains("witness.test/w1"))
    }
}
