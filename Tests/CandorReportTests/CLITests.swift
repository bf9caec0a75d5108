import CandorJSON
import CandorAudit
import Foundation
import Testing
@testable import CandorReport

/// `candor report` and `candor export` end to end: exit codes, atomic outputs, and the
/// case/session form that logs the access before releasing anything.
@Suite struct CLITests {
    /// A workspace with an operator key and the fixture stored as case C1 / session S1's analysis.
    func seededWorkspace() throws -> String {
        let dir = tempDir("candor-ws")
        let ws = dir + "/ws"
        let k = try candor("keys", "init", "--operator", "alice", "--workspace", ws)
        #expect(k.status == 0, "\(k.stderr)")
        let audit = try AuditWorkspace(path: ws)
        let s = try SessionRef(caseID: "C1", sessionID: "S1")
        let stored = try audit.storeResult(s, bytes: try fixtureBytes())
        try audit.append(
            s, operator: "alice",
            [
                RecordDraft(
                    .evidenceIngested,
                    [
                        "path": .string("samples/interview-2ch.flac"), "bytes": .int(404409),
                        "sha256": .string("74c0b134721bff6de91a1dee9c7414c4ee3378adbb600b1a00911494c033d4de"),
                        "format": .string("FLAC"),
                    ]),
                RecordDraft(.analysisCompleted, ["output_sha256": .string(stored.sha256), "result_file": .string(stored.name)]),
            ])
        return ws
    }

    func records(_ ws: String) throws -> [JSONNode] {
        let c = try AuditWorkspace(path: ws).contents(try SessionRef(caseID: "C1", sessionID: "S1"))
        return try c.lines.map { try JSONReader.parse($0) }
    }

    @Test func reportFromCaseSessionLogsTheViewingFirst() throws {
        let ws = try seededWorkspace()
        let out = (ws as NSString).deletingLastPathComponent + "/session.html"
        let r = try candor("report", "--workspace", ws, "--case", "C1", "--session", "S1", "--out", out)
        #expect(r.status == 0, "\(r.stderr)")
        let recs = try records(ws)
        let last = try #require(recs.last)
        #expect(last["type"]?.string == "accessed")
        #expect(last["action"]?.string == "viewed")
        #expect(last["what"]?.string == "report \(out)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("Verification: intact — \(recs.count) records"))
        #expect(html.contains("<td>alice</td><td>viewed</td><td>report \(htmlEscape(out))</td>"))
        #expect(html.contains("Candor session report — case C1, session S1"))
        #expect(html.contains("id=\"contour-1\""))

        // export from the session logs its own access record too.
        let tg = (ws as NSString).deletingLastPathComponent + "/s.TextGrid"
        let e = try candor("export", "--workspace", ws, "--case", "C1", "--session", "S1", "--format", "textgrid", "--out", tg)
        #expect(e.status == 0, "\(e.stderr)")
        let after = try records(ws)
        #expect(after.count == recs.count + 1)
        #expect(after.last?["action"]?.string == "exported")
        #expect(after.last?["what"]?.string == "textgrid \(tg)")
        #expect(try String(contentsOfFile: tg, encoding: .utf8).hasPrefix("File type = \"ooTextFile\""))
    }

    @Test func noReportWhenTheAccessCannotBeLogged() throws {
        let ws = try seededWorkspace()
        // Without an operator key the access cannot be signed: nothing may be released.
        try FileManager.default.removeItem(atPath: ws + "/keys/default-operator")
        let out = (ws as NSString).deletingLastPathComponent + "/denied.html"
        let r = try candor("report", "--workspace", ws, "--case", "C1", "--session", "S1", "--out", out, env: ["CANDOR_OPERATOR": ""])
        #expect(r.status == 1)
        #expect(r.stderr.contains("keys init"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let left = try FileManager.default.contentsOfDirectory(atPath: (ws as NSString).deletingLastPathComponent)
        #expect(!left.contains { $0.contains(".tmp-") })
    }

    @Test func missingOutputFolderFailsBeforeLogging() throws {
        let ws = try seededWorkspace()
        let before = try records(ws).count
        let r = try candor("report", "--workspace", ws, "--case", "C1", "--session", "S1", "--out", ws + "/no/such/dir/r.html")
        #expect(r.status == 1)
        #expect(r.stderr.contains("does not exist"), "\(r.stderr)")
        #expect(try records(ws).count == before, "an access was logged for a report that was never written")
    }

    @Test func unknownSessionIsInvalidInput() throws {
        let ws = try seededWorkspace()
        let r = try candor("report", "--workspace", ws, "--case", "C1", "--session", "nope", "--out", ws + "/x.html")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("nope"))
    }

    @Test func tamperedBundleIsShownAndExitsFour() throws {
        let ws = try seededWorkspace()
        let bundle = (ws as NSString).deletingLastPathComponent + "/bundle"
        let x = try candor("audit", "export", "--workspace", ws, "--case", "C1", "--session", "S1", "--out", bundle)
        #expect(x.status == 0, "\(x.stderr)")
        let out = (ws as NSString).deletingLastPathComponent + "/b.html"
        let ok = try candor("report", "--analysis", TestPaths.fullFixture, "--audit-status", bundle, "--out", out)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("Verification: intact"))
        // Change one operator name in the records: the signature no longer verifies.
        let recordsPath = bundle + "/records.jsonl"
        let text = try String(contentsOfFile: recordsPath, encoding: .utf8)
        try text.replacingOccurrences(of: "\"operator\":\"alice\"", with: "\"operator\":\"alicf\"")
            .write(toFile: recordsPath, atomically: true, encoding: .utf8)
        let bad = try candor("report", "--analysis", TestPaths.fullFixture, "--audit-status", bundle, "--out", out)
        #expect(bad.status == 4, "\(bad.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("Verification FAILED: seq 0"))
    }

    @Test func exitCodesForBadInputAndUsage() throws {
        let dir = tempDir()
        try "{\"schema\": \"candor.analysis/1\", \"channels\": [".write(toFile: dir + "/trunc.json", atomically: true, encoding: .utf8)
        try "{\"schema\": \"something/2\"}".write(toFile: dir + "/other.json", atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["report", "--analysis", dir + "/missing.json", "--out", dir + "/o.html"], 3, "missing.json: cannot read"),
            (["report", "--analysis", dir + "/trunc.json", "--out", dir + "/o.html"], 3, "trunc.json: not valid JSON (line 1"),
            (
                ["export", "--format", "csv", "--analysis", dir + "/other.json", "--out", dir + "/o"], 3,
                "other.json: schema \"something/2\""
            ),
            (["report", "--out", dir + "/o.html"], 2, "--analysis"),
            (["report", "--analysis", TestPaths.fullFixture, "--case", "C", "--out", dir + "/o.html"], 2, "--case and --session"),
            (["export", "--format", "xml", "--analysis", TestPaths.fullFixture], 2, "textgrid or csv"),
            (["export", "--format", "csv", "--analysis", TestPaths.fullFixture, "--out", "-"], 2, "--table"),
            (["report", "--analysis", TestPaths.fullFixture, "--audit-status", dir + "/none", "--out", dir + "/o.html"], 3, "none"),
        ]
        for (args, code, message) in cases {
            let r = try runProcess(TestPaths.candor, args)
            #expect(r.status == code, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count <= 3, "\(args): \(r.stderr)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.sorted() == ["other.json", "trunc.json"], "no partial output: \(files)")
    }

    @Test func csvExportWritesBothTablesAndStdout() throws {
        let dir = tempDir()
        let r = try candor("export", "--format", "csv", "--analysis", TestPaths.fullFixture, "--out", dir + "/t")
        #expect(r.status == 0, "\(r.stderr)")
        let frames = try String(contentsOfFile: dir + "/t.frames.csv", encoding: .utf8)
        let segments = try String(contentsOfFile: dir + "/t.segments.csv", encoding: .utf8)
        let a = try loadFixture()
        #expect(frames.split(separator: "\n").count == 1 + a.channels.reduce(0) { $0 + $1.pitch!.count })
        #expect(segments.split(separator: "\n").count == 1 + a.segments!.count)
        #expect(frames.hasSuffix("\n") && !frames.hasSuffix("\n\n"))
        let s = try candor("export", "--format", "csv", "--table", "segments", "--analysis", TestPaths.fullFixture, "--out", "-")
        #expect(s.status == 0)
        #expect(s.stdout == segments)
        // Default names come from the analysis file name.
        let d = try candor("export", "--format", "textgrid", "--analysis", TestPaths.fullFixture, cwd: dir)
        #expect(d.status == 0, "\(d.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/full.TextGrid"))
    }
}
