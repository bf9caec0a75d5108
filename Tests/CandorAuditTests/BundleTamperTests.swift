import Foundation
import Testing
@testable import CandorAudit

@Suite struct BundleTamperTests {
    /// Exports the sample session and returns the bundle folder and its parsed contents.
    static func exported(_ s: Sample) throws -> (dir: String, contents: LogContents) {
        let dir = s.dir + "/bundle"
        let report = try s.ws.export(s.session, to: dir)
        #expect(report.failure == nil)
        return (dir, try AuditBundle.read(dir))
    }

    static func records(_ dir: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/records.jsonl"))) }

    @Test func exportedBundleHasTheDesignLayoutAndVerifies() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let (dir, c) = try Self.exported(s)
        let files = Set(try FileManager.default.subpathsOfDirectory(atPath: dir))
        for f in ["records.jsonl", "checkpoint", "log.vkey", "README.txt", "operators", "results"] { #expect(files.contains(f), "\(f)") }
        #expect(files.contains { $0.hasPrefix("operators/alice.") && $0.hasSuffix(".pub") })
        #expect(c.lines.count == 4)  // 3 records + the export's own accessed record
        let last = try CanonicalJSON.parse(c.lines[3])
        #expect(last["type"]?.stringValue == "accessed")
        #expect(last["action"]?.stringValue == "exported")
        // Refuses to overwrite a non-empty folder.
        #expect(throws: AuditError.self) { try AuditBundle.write(c, session: s.session, to: dir) }
    }

    @Test func everySingleByteFlipInRecordsOrCheckpointIsDetected() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let (_, c) = try Self.exported(s)
        let jsonl: [UInt8] = c.lines.flatMap { $0 + [0x0A] }
        var flips = 0
        for i in jsonl.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var t = jsonl
                t[i] ^= mask
                var m = c
                (m.lines, m.lastLineUnterminated) = LogContents.splitLines(t)
                let r = LogVerifier.verify(m)
                #expect(r.failure != nil, "records.jsonl byte \(i) ^ \(mask) undetected")
                flips += 1
            }
        }
        let cp = Array(try #require(c.checkpoint).utf8)
        for i in cp.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var t = cp
                t[i] ^= mask
                var m = c
                m.checkpoint = String(decoding: t, as: UTF8.self)
                let r = LogVerifier.verify(m)
                #expect(r.failure?.kind == .checkpoint, "checkpoint byte \(i) ^ \(mask) undetected")
                flips += 1
            }
        }
        #expect(flips > 2 * 2000)
    }

    @Test func byteFlipsNameTheRecordTheyHit() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let (_, c) = try Self.exported(s)
        // Flip a byte in the middle of each record's value area: the failure names that seq.
        for seq in c.lines.indices {
            var m = c
            let line = m.lines[seq]
            let pos = Array(line).firstIndex(of: UInt8(ascii: "t"))!  // inside the "time" key or a value
            m.lines[seq][pos] ^= 0x01
            #expect(LogVerifier.verify(m).failure?.seq == seq)
        }
    }

    @Test func deletionReorderInsertionAndTruncationAreDetected() throws {
        let s = try Sample(records: 3)
        defer { s.cleanup() }
        let (_, c) = try Self.exported(s)
        #expect(c.lines.count == 7)
        func check(_ lines: [[UInt8]], _ kind: FailureKind, _ seq: Int?) {
            var m = c
            m.lines = lines
            let f = LogVerifier.verify(m).failure
            #expect(f?.kind == kind, "\(String(describing: f))")
            #expect(f?.seq == seq, "\(String(describing: f))")
        }
        var l = c.lines
        l.remove(at: 3)
        check(l, .chain, 3)  // deleted record
        l = c.lines
        l.swapAt(2, 4)
        check(l, .chain, 2)  // reordered
        l = c.lines
        l.insert(c.lines[1], at: 4)
        check(l, .chain, 4)  // inserted copy
        check(Array(c.lines.prefix(5)), .checkpoint, 5)  // truncated tail
        check([], .checkpoint, 0)  // everything deleted
        l = c.lines
        l.append(c.lines[6])
        check(l, .tornTail, 7)  // extra line after the checkpoint
        // A record from another session, correctly signed, is rejected.
        let other = try SessionRef(caseID: "C-17", sessionID: "S2")
        try s.ws.append(other, [RecordDraft(.accessed, ["action": "viewed", "what": "x"])])
        let foreign = try s.ws.store.records(other)[1].bytes
        l = c.lines
        l[5] = foreign
        check(l, .chain, 5)
    }

    @Test func checkpointSignedByAnUnknownKeyIsRejected() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let (_, c) = try Self.exported(s)
        let cp = try #require(c.checkpoint)
        let body = String(cp[..<cp.range(of: "\n\n")!.lowerBound]) + "\n"
        let logName = try NoteVerifierKey(parsing: c.logKey).name
        for name in [logName, "someone-else"] {
            var m = c
            m.checkpoint = try SignedNote.sign(text: body, signer: try NoteSigner.generate(name: name))
            let f = LogVerifier.verify(m).failure
            #expect(f?.kind == .checkpoint)
        }
        // Replacing log.vkey with the forger's key is caught too if the verifier pins the log key;
        // here the records' signatures still hold, but a new log key means a new, untrusted log.
        var m = c
        m.logKey = try NoteSigner.generate(name: logName).verifierKey.encoded
        #expect(LogVerifier.verify(m).failure?.kind == .checkpoint)
        // An extra signature by an unknown key next to the valid one is ignored.
        let stranger = try NoteSigner.generate(name: "witness")
        let extra = try SignedNote.sign(text: body, signer: stranger)
        var m2 = c
        m2.checkpoint = cp + String(extra[extra.range(of: "\n\n")!.upperBound...])
        #expect(LogVerifier.verify(m2).failure == nil)
    }

    @Test func modifiedOrForeignOperatorKeysAreRejected() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let (_, c) = try Self.exported(s)
        var m = c
        m.operatorKeys = [try NoteSigner.generate(name: "alice").verifierKey.encoded]
        let f = LogVerifier.verify(m).failure
        #expect(f?.kind == .signature)
        #expect(f?.seq == 0)
    }
}
