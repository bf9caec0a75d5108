import Foundation
import Testing
@testable import CandorAudit

/// A fresh workspace in a temporary folder, with an operator and a sample session log.
struct Sample {
    let dir: String
    let ws: AuditWorkspace
    let session: SessionRef
    let recording: String

    init(records extra: Int = 0) throws {
        dir = NSTemporaryDirectory() + "candor-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        ws = try AuditWorkspace(path: dir + "/ws")
        try ws.keys.initOperator("alice")
        session = try SessionRef(caseID: "C-17", sessionID: "S1")
        recording = dir + "/interview.wav"
        let audio = [UInt8]((0..<4000).map { UInt8($0 % 251) })
        try Data(audio).write(to: URL(fileURLWithPath: recording))
        let audioSHA = Hex.encode(Merkle.sha256(audio))
        let result = try ws.storeResult(session, bytes: Array("{\"schema\":\"candor.analysis/1\"}\n".utf8))
        try ws.append(
            session,
            [
                RecordDraft(
                    .evidenceIngested,
                    ["path": .string(recording), "bytes": .int(Int64(audio.count)), "sha256": .string(audioSHA), "format": "wav"]),
                RecordDraft(
                    .analysisCompleted,
                    [
                        "input_sha256": .string(audioSHA), "output_sha256": .string(result.sha256),
                        "result_file": .string(result.name), "software_version": "0.1.0", "git_commit": "abc123",
                        "executable_sha256": .string(String(repeating: "1", count: 64)),
                        "parameters": .object(["pitch_floor_hz": "75", "pitch_ceiling_hz": "600"]),
                        "models": .array([.object(["id": "baseline-z/1", "sha256": .string(String(repeating: "2", count: 64))])]),
                    ]),
            ])
        for i in 0..<extra {
            try ws.append(session, [RecordDraft(.accessed, ["action": "viewed", "what": .string("report \(i)")])])
        }
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }

    func sqlite() throws -> SQLiteAuditStore { try #require(ws.store as? SQLiteAuditStore) }
}

@Suite struct AuditLogTests {
    @Test func operatorKeyIsPrivateAndNeverOverwritten() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let keyPath = s.dir + "/ws/keys/operators/alice.key"
        let attrs = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        let before = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(throws: AuditError.self) { try s.ws.keys.initOperator("alice") }
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == before)
        let logAttrs = try FileManager.default.attributesOfItem(atPath: s.dir + "/ws/keys/log.key")
        #expect((logAttrs[.posixPermissions] as? Int) == 0o600)
    }

    @Test func freshLogVerifiesAndHasExpectedRecords() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let report = try s.ws.verify(s.session)
        #expect(report.failure == nil)
        #expect(report.size == 3)
        #expect(report.checkedResults == 1)
        let types = try s.ws.store.records(s.session).map { try CanonicalJSON.parse($0.bytes)["type"]?.stringValue }
        #expect(types == ["session_opened", "evidence_ingested", "analysis_completed"])
        // Every stored checkpoint (one per tree size) is consistent with the latest one.
        for size in 1...3 {
            let old = try #require(try s.ws.store.checkpoint(s.session, size: size))
            #expect(try s.ws.verify(s.session, since: old).failure == nil)
        }
    }

    @Test func showIsLoggedBeforeDataIsReturned() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let shown = try s.ws.show(s.session)
        #expect(shown.last?["type"]?.stringValue == "accessed")
        #expect(shown.last?["action"]?.stringValue == "viewed")
        #expect(try s.ws.verify(s.session).failure == nil)
    }

    @Test func reviewLinksToTheRecordItConcerns() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let seq = try s.ws.review(s.session, concernsSeq: 2, kind: "disregard", note: "wrong channel mapping")
        #expect(seq == 3)
        #expect(try s.ws.verify(s.session).failure == nil)
        #expect(throws: AuditError.self) { try s.ws.review(s.session, concernsSeq: 99, kind: "note", note: "x") }
        // A review pointing at the wrong leaf is a chain failure.
        var c = try s.ws.contents(s.session)
        var obj = try CanonicalJSON.parse(c.lines[3]).objectValue!
        obj["concerns_seq"] = 1
        c.lines[3] = CanonicalJSON.encode(.object(obj))
        let r = LogVerifier.verify(c)
        #expect(r.failure?.seq == 3)
    }

    @Test func evidenceAndResultFilesAreRehashed() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let sha = Hex.encode(Merkle.sha256([UInt8](try Data(contentsOf: URL(fileURLWithPath: s.recording)))))
        let good = try s.ws.verify(s.session, evidence: [EvidenceFile(path: s.recording, sha256: sha)])
        #expect(good.failure == nil)
        #expect(good.matchedEvidence.first?.seq == 1)
        let bad = try s.ws.verify(s.session, evidence: [EvidenceFile(path: s.recording, sha256: String(repeating: "0", count: 64))])
        #expect(bad.failure?.kind == .evidence)
        #expect(bad.failure?.seq == 1)
        // A modified result file.
        var c = try s.ws.contents(s.session)
        let name = try #require(c.results?.keys.first)
        c.results?[name]?[0] ^= 0x20
        let r = LogVerifier.verify(c)
        #expect(r.failure?.kind == .evidence)
        #expect(r.failure?.seq == 2)
    }

    @Test func keyRotationKeepsOldRecordsVerifying() throws {
        let s = try Sample()
        defer { s.cleanup() }
        try s.ws.keys.rotateOperator("alice")
        try s.ws.keys.rotateOperator("alice")
        try s.ws.append(s.session, [RecordDraft(.accessed, ["action": "viewed", "what": "report"])])
        let recs = try s.ws.store.records(s.session).map { try CanonicalJSON.parse($0.bytes) }
        #expect(recs[3]["type"]?.stringValue == "key_rotated")
        #expect(recs[3]["endorsements"]?.arrayValue?.count == 2)
        #expect(recs[0]["operator_key"] != recs[4]["operator_key"])
        #expect(try s.ws.verify(s.session).failure == nil)
        // Without the retired keys the old records cannot be checked.
        var c = try s.ws.contents(s.session)
        let current = try s.ws.keys.operatorSigner("alice").verifierKey.encoded
        c.operatorKeys = [current]
        #expect(LogVerifier.verify(c).failure?.kind == .signature)
        #expect(LogVerifier.verify(c).failure?.seq == 0)
    }

    @Test func logKeyRotationIsRecordedAndEarlierCheckpointsStayCheckable() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let other = try SessionRef(caseID: "C-17", sessionID: "S2")
        try s.ws.append(other, [RecordDraft(.accessed, ["action": "viewed", "what": "x"])])
        let kept = try #require(try s.ws.store.latestCheckpoint(s.session)).note
        let (old, new) = try s.ws.keys.rotateLog()
        #expect(old.name == new.name && old.keyID != new.keyID)
        // Before the rotation is recorded, the stored logs still verify (retired key, endorsed).
        #expect(try s.ws.verify(s.session).failure == nil)
        #expect(try s.ws.recordLogRotation() == 2)
        let last = try CanonicalJSON.parse(try #require(try s.ws.store.records(s.session).last).bytes)
        #expect(last["type"]?.stringValue == "key_rotated")
        #expect(last["key_kind"]?.stringValue == "log")
        let cp = try #require(try s.ws.store.latestCheckpoint(s.session)).note
        #expect(try Checkpoint.open(cp, logKey: new).size == 4)
        #expect(throws: AuditError.self) { try Checkpoint.open(cp, logKey: old) }
        let report = try s.ws.verify(s.session, since: kept)
        #expect(report.failure == nil, "\(String(describing: report.failure))")
        #expect(try s.ws.verify(other).failure == nil)
        // A rotation record whose endorsement is forged fails.
        var c = try s.ws.contents(s.session)
        var obj = try CanonicalJSON.parse(c.lines[3]).objectValue!
        let forger = try NoteSigner.generate(name: old.name)
        let sig = try forger.sign(AuditRecord.rotationMessage(oldKey: old.encoded, newKey: new.encoded))
        obj["endorsements"] = .array([
            .object(["old_key": .string(old.encoded), "new_key": .string(new.encoded), "endorsement": .string(Base64.encode(sig))])
        ])
        obj.removeValue(forKey: "sig")
        let alice = try s.ws.keys.operatorSigner("alice")
        obj["sig"] = .string(Base64.encode(try alice.sign(CanonicalJSON.encode(.object(obj)))))
        c.lines[3] = CanonicalJSON.encode(.object(obj))
        #expect(LogVerifier.verify(c).failure?.kind == .signature)
        #expect(LogVerifier.verify(c).failure?.seq == 3)
    }

    @Test func tornTailRefusesAppendsUntilRepairWhichIsLogged() throws {
        let s = try Sample(records: 2)
        defer { s.cleanup() }
        // Simulate an append cut short after its record but before its checkpoint (possible
        // with a non-transactional copy of the store or a crash of a backend without atomic commit).
        try s.sqlite().executeRaw("DELETE FROM audit_checkpoints WHERE size = 5")
        let torn = try s.ws.verify(s.session)
        #expect(torn.failure?.kind == .tornTail)
        #expect(torn.failure?.seq == 4)
        #expect(throws: AuditError.self) { try s.ws.append(s.session, [RecordDraft(.accessed, ["action": "viewed", "what": "x"])]) }
        // The record beyond the checkpoint chains and is validly signed: the checkpoint was
        // deleted, not torn, and repair refuses to quarantine it.
        do {
            _ = try s.ws.repair(s.session)
            Issue.record("repair quarantined a validly signed tail")
        } catch let e as AuditError {
            #expect(e.message.contains("repair refuses"), "\(e.message)")
        }
        // A torn write: the record's bytes are incomplete.
        try s.sqlite().executeRaw(
            "UPDATE audit_records SET bytes = substr(bytes, 1, 30) WHERE case_id = 'C-17' AND session_id = 'S1' AND seq = 4")
        #expect(try s.ws.repair(s.session) == 1)
        #expect(try s.ws.store.quarantined(s.session).count == 1)
        let after = try s.ws.verify(s.session)
        #expect(after.failure == nil)
        let last = try CanonicalJSON.parse(try #require(try s.ws.store.records(s.session).last).bytes)
        #expect(last["type"]?.stringValue == "repaired")
        #expect(last["discarded_from_seq"]?.intValue == 4)
        #expect(last["seq"]?.intValue == 4)
        try s.ws.append(s.session, [RecordDraft(.accessed, ["action": "viewed", "what": "x"])])
        #expect(try s.ws.verify(s.session).failure == nil)
        // A garbage partial record (torn write) is also a torn tail.
        try s.sqlite().executeRaw("INSERT INTO audit_records VALUES ('C-17','S1',6,x'7b22636173','00')")
        #expect(try s.ws.verify(s.session).failure?.kind == .tornTail)
        #expect(try s.ws.repair(s.session) == 1)
        #expect(try s.ws.verify(s.session).failure == nil)
    }

    @Test func repairRefusesToTouchATamperedLog() throws {
        let s = try Sample()
        defer { s.cleanup() }
        try s.sqlite().executeRaw("UPDATE audit_records SET bytes = replace(bytes, 'wav', 'mp3') WHERE seq = 1")
        #expect(try s.ws.verify(s.session).failure?.kind == .signature)
        #expect(throws: AuditError.self) { try s.ws.repair(s.session) }
        #expect(throws: AuditError.self) { try s.ws.append(s.session, [RecordDraft(.accessed, ["action": "viewed", "what": "x"])]) }
    }

    @Test func inclusionAndConsistencyProofsFromTheStore() throws {
        let s = try Sample(records: 5)
        defer { s.cleanup() }
        for seq in 0..<8 {
            let p = try s.ws.inclusionProof(s.session, seq: seq)
            #expect(p.size == 8)
            #expect(Merkle.verifyInclusion(index: seq, size: p.size, leafHash: p.leafHash, proof: p.proof, root: p.root))
        }
        let logKey = try s.ws.keys.logVerifierKey()
        for old in 1...8 {
            let (o, n, proof) = try s.ws.consistencyProof(s.session, oldSize: old)
            let a = try Checkpoint.open(o, logKey: logKey), b = try Checkpoint.open(n, logKey: logKey)
            #expect(Merkle.verifyConsistency(size1: a.size, size2: b.size, root1: a.root, root2: b.root, proof: proof))
        }
    }

    @Test func forkedEarlierCheckpointFailsConsistency() throws {
        let s = try Sample(records: 2)
        defer { s.cleanup() }
        let logSigner = try s.ws.keys.logSigner()
        let forged = try Checkpoint(
            origin: AuditRecord.origin(logKeyName: logSigner.name, caseID: "C-17", sessionID: "S1"),
            size: 3, root: Merkle.sha256([9])
        ).signed(by: logSigner)
        let r = try s.ws.verify(s.session, since: forged)
        #expect(r.failure?.kind == .consistency)
        let otherKey = try NoteSigner.generate(name: logSigner.name)
        let good = try #require(try s.ws.store.checkpoint(s.session, size: 3))
        let body = String(good[..<good.range(of: "\n\n")!.lowerBound]) + "\n"
        #expect(try s.ws.verify(s.session, since: SignedNote.sign(text: body, signer: otherKey)).failure?.kind == .consistency)
    }
}
