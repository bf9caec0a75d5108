import Candor
import CandorTestSupport
import Candor
import CandorAudit
import Foundation
import Testing
@testable import CandorCLI

/// End-to-end tests of the audit commands through the built `candor` executable, plus the
/// hooks `candor analyze` calls (`auditAnalysis`, `auditAccess`).
@Suite(.serialized) struct AuditCLITests {
    /// A workspace with operator "olga" and one analysed session (C1/S1) written by the hook.
    static func workspaceWithAnalysis() throws -> (root: String, ws: String, input: String, output: String) {
        let root = tempDir("candor-audit-cli")
        let ws = root + "/ws"
        let r = try candor("keys", "init", "--operator", "olga", "--workspace", ws)
        #expect(r.status == 0, "\(r.stderr)")
        let input = root + "/interview.wav"
        writeWAV(input, samples: sine(180, seconds: 0.5))
        let output = root + "/interview.analysis.json"
        try Data("{\"schema\":\"candor.analysis/1\"}\n".utf8).write(to: URL(fileURLWithPath: output))
        let inSHA = try sha256(ofFile: input), outSHA = try sha256(ofFile: output)
        let bytes = try FileManager.default.attributesOfItem(atPath: input)[.size] as! Int
        try auditAnalysis(
            workspace: ws, caseID: "C1", sessionID: "S1", inputPath: input, inputBytes: bytes,
            inputSHA256: inSHA, inputFormat: "wav/pcm16", outputPath: output, outputSHA256: outSHA,
            softwareVersion: CandorVersion.version, gitCommit: "test",
            parameters: ["pitch_floor_hz": "75", "pitch_ceiling_hz": "600"],
            models: [(id: "baseline-z/1", sha256: String(repeating: "a", count: 64))])
        return (root, ws, input, output)
    }

    @Test func keysInitIsPrivateAndRefusesOverwrite() throws {
        let root = tempDir("candor-audit-cli")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ws = root + "/ws"
        #expect(try candor("keys", "init", "--operator", "ann", "--workspace", ws).status == 0)
        let again = try candor("keys", "init", "--operator", "ann", "--workspace", ws)
        #expect(again.status == 1)
        #expect(again.stderr.contains("refusing to overwrite"), "\(again.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: ws + "/keys/operators/ann.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try candor("keys", "init", "--operator", "bad name", "--workspace", ws).status == 2)  // a usage error (docs/exit-codes.md)
    }

    @Test func hookWithoutOperatorKeyFailsClearly() throws {
        let root = tempDir("candor-audit-cli")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: CLIError.self) { try auditPreflight(workspace: root + "/ws", caseID: "C1", sessionID: "S1") }
        #expect(throws: CLIError.self) { try auditPreflight(workspace: root + "/ws", caseID: "C 1", sessionID: "S1") }
        do {
            try auditAnalysis(
                workspace: root + "/ws", caseID: "C1", sessionID: "S1", inputPath: "x.wav", inputBytes: 1,
                inputSHA256: String(repeating: "0", count: 64), inputFormat: "wav", outputPath: "-",
                outputSHA256: String(repeating: "0", count: 64), softwareVersion: "0", gitCommit: "x",
                parameters: [:], models: [])
            Issue.record("auditAnalysis succeeded without an operator key")
        } catch let e as CLIError {
            #expect(e.code == 1)
            #expect(e.message.contains("run candor keys init --operator"), "\(e.message)")
        }
    }

    @Test func analysisLogVerifiesExportsAndPassesThePythonVerifier() throws {
        let (root, ws, input, output) = try Self.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let v = try candor("audit", "verify", "--case", "C1", "--session", "S1", "--workspace", ws, "--evidence", input, output)
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("intact"), "\(v.stdout)")
        #expect(v.stdout.contains("result files re-hashed: 1"), "\(v.stdout)")
        let show = try candor("audit", "show", "--case", "C1", "--session", "S1", "--workspace", ws, env: ["CANDOR_OPERATOR": "olga"])
        #expect(show.status == 0, "\(show.stderr)")
        for t in ["session_opened", "evidence_ingested", "analysis_completed", "accessed"] { #expect(show.stdout.contains(t), "\(t)") }
        let bundle = root + "/bundle"
        let e = try candor("audit", "export", "--case", "C1", "--session", "S1", "--out", bundle, "--workspace", ws)
        #expect(e.status == 0, "\(e.stderr)")
        let b = try candor("audit", "verify", "--allow-unpinned", bundle, "--evidence", input)
        #expect(b.status == 0, "\(b.stdout)\(b.stderr)")
        let py = try run(
            "/usr/bin/env",
            [
                "python3", Paths.packageRoot.appendingPathComponent("Tests/audit_verifier.py").path, bundle, "--allow-unpinned",
                "--evidence", input,
            ])
        #expect(py.status == 0, "\(py.stdout)\(py.stderr)")
        // A modified recording is reported, naming its evidence_ingested record (seq 1).
        let changed = root + "/changed.wav"
        var d = try Data(contentsOf: URL(fileURLWithPath: input))
        d[d.count - 1] ^= 0x01
        try d.write(to: URL(fileURLWithPath: changed))
        let bad = try candor("audit", "verify", "--allow-unpinned", bundle, "--evidence", changed)
        #expect(bad.status == 4)
        #expect(bad.stderr.contains("seq 1: evidence"), "\(bad.stderr)")
        // A flipped byte in a record of the bundle: exit 4 naming seq and kind.
        var recs = try Data(contentsOf: URL(fileURLWithPath: bundle + "/records.jsonl"))
        let text = String(decoding: recs, as: UTF8.self)
        let at = text.utf8.distance(from: text.utf8.startIndex, to: text.range(of: "pitch_floor_hz\":\"75")!.upperBound) - 1
        recs[at] = UInt8(ascii: "6")
        try recs.write(to: URL(fileURLWithPath: bundle + "/records.jsonl"))
        let flipped = try candor("audit", "verify", "--allow-unpinned", bundle)
        #expect(flipped.status == 4)
        #expect(flipped.stderr.contains("seq 2: signature"), "\(flipped.stderr)")
        let asJSON = try candor("audit", "verify", "--json", "--allow-unpinned", bundle)
        #expect(asJSON.status == 4)
        let verdict = try CanonicalJSON.parse(Array(asJSON.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
        #expect(verdict["intact"] == .bool(false))
        #expect(verdict["failure"]?["kind"]?.stringValue == "signature")
        #expect(verdict["failure"]?["seq"]?.intValue == 2)
        // Not a folder: exit 3. A folder without the bundle files: not intact, exit 4.
        #expect(try candor("audit", "verify", root + "/nothing-here").status == 3)
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        #expect(try candor("audit", "verify", root + "/empty").status == 4)
        #expect(try candor("audit", "verify").status == 2)
        // A pinned log key that differs from the bundle's is refused.
        let other = try NoteSigner.generate(name: "candor-log-other").verifierKey.encoded
        #expect(try candor("audit", "verify", "--allow-unpinned", bundle, "--log-key", other).status == 4)
    }

    @Test func reviewAndSinceCheckpointThroughTheCLI() throws {
        let (root, ws, _, _) = try Self.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ckpt = root + "/kept.checkpoint"
        let audit = try AuditWorkspace(path: ws)
        let s = try SessionRef(caseID: "C1", sessionID: "S1")
        try Data(try #require(try audit.store.latestCheckpoint(s)).note.utf8).write(to: URL(fileURLWithPath: ckpt))
        let rot = try candor("keys", "rotate", "--log", "--workspace", ws)
        #expect(rot.status == 0, "\(rot.stderr)")
        #expect(rot.stdout.contains("recorded in 1 session log(s)"), "\(rot.stdout)")
        #expect(try candor("keys", "rotate", "--workspace", ws).status == 2)
        let r = try candor(
            "review", "--case", "C1", "--session", "S1", "--seq", "2", "--kind", "disregard",
            "--note", "wrong file", "--workspace", ws)
        #expect(r.status == 0, "\(r.stderr)")
        let r2 = try candor(
            "audit", "review", "--case", "C1", "--session", "S1", "--seq", "2", "--kind", "override",
            "--note", "roles swapped", "--workspace", ws)
        #expect(r2.status == 2)  // override needs --value
        let v = try candor("audit", "verify", "--case", "C1", "--session", "S1", "--since", ckpt, "--workspace", ws)
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("consistent with the earlier checkpoint"))
        let p = try candor("audit", "proof", "--case", "C1", "--session", "S1", "--seq", "1", "--workspace", ws)
        #expect(p.status == 0)
        #expect(p.stdout.contains("inclusion of seq 1 in tree size 5"), "\(p.stdout)")
        // Unknown session: reading it never creates it.
        let none = try candor("audit", "show", "--case", "C1", "--session", "S9", "--workspace", ws)
        #expect(none.status == 3)  // an unknown session is invalid input, as for report
        #expect(none.stderr.contains("no audit log"), "\(none.stderr)")
    }

    /// Several processes append to one session at once: the sequence stays contiguous and valid.
    @Test func concurrentAppendsFromSeveralProcesses() throws {
        let (root, ws, _, _) = try Self.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let processes = 4, each = 6
        let script =
            (0..<processes).map { p in
                "(for i in $(seq 1 \(each)); do '\(Paths.candor)' review --workspace '\(ws)' --case C1 --session S1 --seq 1 --note \"p\(p) n$i\" --quiet || echo FAIL; done) &"
            }.joined(separator: "\n") + "\nwait\n"
        let r = try run("/bin/bash", ["-c", script])
        #expect(!r.stdout.contains("FAIL"), "\(r.stdout)\(r.stderr)")
        let audit = try AuditWorkspace(path: ws)
        let s = try SessionRef(caseID: "C1", sessionID: "S1")
        let recs = try audit.store.records(s)
        #expect(recs.count == 3 + processes * each)
        #expect(recs.map(\.seq) == Array(0..<recs.count))
        let notes = Set(recs.compactMap { try? CanonicalJSON.parse($0.bytes)["note"]?.stringValue })
        #expect(notes.count == processes * each)
        #expect(try audit.verify(s).failure == nil)
        #expect(try candor("audit", "verify", "--case", "C1", "--session", "S1", "--workspace", ws).status == 0)
    }

    /// Processes killed in the middle of an append (between writing a record and its
    /// checkpoint) leave a log that verifies, and appends continue.
    @Test func killedMidAppendLeavesAVerifiableLog() throws {
        let (root, ws, _, _) = try Self.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let audit = try AuditWorkspace(path: ws)
        let s = try SessionRef(caseID: "C1", sessionID: "S1")
        for round in 0..<3 {
            let before = try audit.store.records(s).count
            // The pause (4 s) sits inside the transaction; the kill comes at 1.5 s.
            let r = try run(
                "/usr/bin/timeout",
                [
                    "-s", "KILL", "1.5", Paths.candor, "review", "--workspace", ws, "--case", "C1",
                    "--session", "S1", "--seq", "0", "--note", "killed \(round)",
                ],
                env: ["CANDOR_AUDIT_TEST_PAUSE_MS": "4000"])
            #expect(r.status == 137 || r.status == 9 || r.status == 124, "exit \(r.status)")
            #expect(r.stderr.contains("test pause mid-append"), "the kill did not land mid-append: \(r.stderr)")
            let report = try audit.verify(s)
            #expect(report.failure == nil || report.failure?.kind == .tornTail, "\(String(describing: report.failure))")
            #expect(try audit.store.records(s).count == before)  // the interrupted append left nothing
            #expect(
                try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "0", "--note", "after \(round)").status
                    == 0)
        }
        #expect(try audit.verify(s).failure == nil)
    }

    /// A torn tail (records beyond the last checkpoint) is reported, blocks appends, and is
    /// repaired by `candor audit repair`, which logs itself.
    @Test func tornTailBlocksAppendsUntilRepair() throws {
        let (root, ws, _, _) = try Self.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try SQLiteAuditStore(path: ws + "/audit.sqlite")
        // Deleting the checkpoint alone leaves a tail that chains and is validly signed: that is
        // deletion, not a torn write, and repair refuses it (exit 4).
        try store.executeRaw("DELETE FROM audit_checkpoints WHERE size = 3")
        let refused = try candor("audit", "repair", "--case", "C1", "--session", "S1", "--workspace", ws)
        #expect(refused.status == 4, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("chain and carry valid signatures"), "\(refused.stderr)")
        // A torn write: the tail record's bytes are incomplete.
        try store.executeRaw("UPDATE audit_records SET bytes = substr(bytes, 1, 40) WHERE case_id = 'C1' AND session_id = 'S1' AND seq = 2")
        let v = try candor("audit", "verify", "--case", "C1", "--session", "S1", "--workspace", ws)
        #expect(v.status == 4)
        #expect(v.stderr.contains("seq 2: torn-tail"), "\(v.stderr)")
        #expect(throws: CLIError.self) { try auditPreflight(workspace: ws, caseID: "C1", sessionID: "S1") }
        let blocked = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "0", "--note", "x")
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("candor audit repair"), "\(blocked.stderr)")
        let rep = try candor("audit", "repair", "--case", "C1", "--session", "S1", "--workspace", ws)
        #expect(rep.status == 0, "\(rep.stderr)")
        #expect(rep.stdout.contains("set aside 1 record"), "\(rep.stdout)")
        #expect(try store.quarantined(SessionRef(caseID: "C1", sessionID: "S1")).count == 1)
        let shown = try candor("audit", "show", "--case", "C1", "--session", "S1", "--workspace", ws)
        #expect(shown.stdout.contains("quarantined records (set aside by audit repair, not in the log): 1"), "\(shown.stdout)")
        #expect(try candor("audit", "verify", "--case", "C1", "--session", "S1", "--workspace", ws).status == 0)
        try auditPreflight(workspace: ws, caseID: "C1", sessionID: "S1")
        let show = try candor("audit", "show", "--json", "--case", "C1", "--session", "S1", "--workspace", ws)
        #expect(show.stdout.contains("\"type\":\"repaired\""), "\(show.stdout)")
        #expect(try candor("audit", "repair", "--case", "C1", "--session", "S1", "--workspace", ws).stdout.contains("nothing to repair"))
    }

    @Test func accessHookRefusesUnknownSessionsAndLogsKnownOnes() throws {
        let (root, ws, _, _) = try Self.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: CLIError.self) { try auditAccess(workspace: ws, caseID: "C1", sessionID: "nope", action: "viewed", what: "report") }
        try auditAccess(workspace: ws, caseID: "C1", sessionID: "S1", action: "exported", what: "csv out.csv")
        let results = try loadAnalysisResults(workspace: ws, caseID: "C1", sessionID: "S1")
        #expect(results.count == 1)
        let audit = try AuditWorkspace(path: ws)
        let last = try CanonicalJSON.parse(try #require(try audit.store.records(SessionRef(caseID: "C1", sessionID: "S1")).last).bytes)
        #expect(last["type"]?.stringValue == "accessed")
        #expect(last["what"]?.stringValue == "csv out.csv")
    }
}
