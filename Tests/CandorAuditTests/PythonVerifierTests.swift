import Foundation
import Testing
@testable import CandorAudit

/// Runs the independent Python verifier (Tests/audit_verifier.py: hashlib + cryptography,
/// no Candor code) on exported bundles. Requires python3 with `cryptography`
/// (scripts/setup-test.sh installs it); the test fails, not skips, without them.
enum PythonVerifier {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("audit_verifier.py").path

    static func run(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Without --trust these tests check the bundle's own keys (explicitly unpinned).
        p.arguments = ["python3", script] + args + (args.contains("--trust") ? [] : ["--allow-unpinned"])
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite struct PythonVerifierTests {
    @Test func acceptsExportedBundleAndAgreesOnTheRoot() throws {
        let s = try Sample(records: 2)
        defer { s.cleanup() }
        try s.ws.keys.rotateOperator("alice")
        try s.ws.keys.rotateLog()
        try s.ws.recordLogRotation()
        try s.ws.review(
            s.session, concernsSeq: 2, kind: "override", note: "channel 1 is the interviewer", override: "roles=interviewer,interviewee")
        let dir = s.dir + "/bundle"
        let report = try s.ws.export(s.session, to: dir)
        #expect(report.failure == nil)
        let r = try PythonVerifier.run([dir, "--evidence", s.recording])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("intact: \(report.size) records, root \(Hex.encode(report.root))"), "\(r.output)")
    }

    @Test func rejectsTamperedBundles() throws {
        let s = try Sample(records: 2)
        defer { s.cleanup() }
        let dir = s.dir + "/bundle"
        try s.ws.export(s.session, to: dir)
        let records = try Data(contentsOf: URL(fileURLWithPath: dir + "/records.jsonl"))
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: dir + "/checkpoint"))
        func tamper(_ file: String, _ original: Data, at offset: Int, expect kind: String) throws {
            var d = original
            d[offset] ^= 0x01
            try d.write(to: URL(fileURLWithPath: dir + "/" + file))
            defer { try? original.write(to: URL(fileURLWithPath: dir + "/" + file)) }
            let r = try PythonVerifier.run([dir])
            #expect(r.status == 4, "\(file)@\(offset): \(r.output)")
            #expect(r.output.contains(kind), "\(file)@\(offset): \(r.output)")
            // The Swift verifier agrees that the bundle is not intact.
            #expect(LogVerifier.verify(try AuditBundle.read(dir)).failure != nil)
        }
        // Samples across the file: every 97th byte of the records, every 23rd of the checkpoint.
        for offset in stride(from: 0, to: records.count, by: 97) { try tamper("records.jsonl", records, at: offset, expect: "NOT INTACT") }
        for offset in stride(from: 0, to: checkpoint.count, by: 23) {
            try tamper("checkpoint", checkpoint, at: offset, expect: "checkpoint")
        }
        // A value changed inside a record: signature failure at that seq.
        let text = String(decoding: records, as: UTF8.self)
        let range = try #require(text.range(of: "\"format\":\"wav\""))  // in the evidence record
        let offset = text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound) + 10
        try tamper("records.jsonl", records, at: offset, expect: "seq 1: signature")
        // A modified recording.
        let r = try PythonVerifier.run([dir, "--evidence", dir + "/README.txt"])
        #expect(r.status == 4 && r.output.contains("evidence"), "\(r.output)")
        // Untouched again: intact.
        #expect(try PythonVerifier.run([dir]).status == 0)
    }

    /// The independent verifier also catches every single-byte flip (two bit masks per byte)
    /// of records.jsonl and checkpoint, checked in one Python process.
    @Test func independentVerifierCatchesEveryByteFlip() throws {
        let s = try Sample()
        defer { s.cleanup() }
        let dir = s.dir + "/bundle"
        try s.ws.export(s.session, to: dir)
        let testsDir = (PythonVerifier.script as NSString).deletingLastPathComponent
        let code = """
            import sys
            sys.path.insert(0, sys.argv[1])
            import audit_verifier as v
            files = v.read_bundle(sys.argv[2])
            v.verify(files)
            checked, missed = 0, []
            for name in ("records.jsonl", "checkpoint"):
                orig = files[name]
                for i in range(len(orig)):
                    for m in (0x01, 0x80):
                        b = bytearray(orig); b[i] ^= m; files[name] = bytes(b); checked += 1
                        try:
                            v.verify(files); missed.append((name, i, m))
                        except Exception:
                            pass
                files[name] = orig
            print("checked", checked, "missed", len(missed), missed[:5])
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code, testsDir, dir]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("missed 0 "), "\(text)")
        let checked = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(checked > 4000, "\(text)")
    }
}
