import CandorAudit
import CandorTestSupport
import Foundation
import Testing

/// Segments files uploaded to `candor serve` (POST …/segments, then the recording with
/// `?segments=SHA256`): checked at upload with the analysis's own readers, kept under their
/// hash, their upload recorded under the uploader's name, and used by the job, so the analysis
/// has per-segment features and scores, and records the segments file and its hash.
@Suite(.serialized) struct ServeSegmentsTests {
    @Test func investigatorUploadsSegmentsAndRecordingAndGetsSegmentScores() async throws {
        let ws = tempDir("candor-serve-segments")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let server = try ServeProcess(
            workspace: ws,
            users: [.init("alice", "investigator", "alice-password-1"), .init("bob", "investigator", "bob-password-22")],
            assignments: [("C1", "alice"), ("C2", "bob")], extraArgs: ["--workers", "1"])
        let http = HTTPClient(base: server.url)
        let alice = try await http.login("alice", "alice-password-1")
        let bob = try await http.login("bob", "bob-password-22")
        let root = PackagePaths.root
        let csv = try Data(contentsOf: root.appendingPathComponent("samples/interview.segments.csv"))
        let audio = try Data(contentsOf: root.appendingPathComponent("samples/interview.flac"))
        let csvSHA = Hex.encode(Merkle.sha256([UInt8](csv)))

        // Not assigned: 403 (and nothing kept); no token: 401.
        let refused = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/segments?format=csv", token: bob, body: csv, contentType: "text/csv")
        #expect(refused.status == 403, "\(refused.text)")
        #expect(
            try await http.send("POST", "/api/v1/cases/C1/sessions/S1/segments", body: csv, contentType: "text/csv").status == 401)
        #expect(!FileManager.default.fileExists(atPath: ws + "/server/uploads/C1/S1/segments/\(csvSHA).csv"))

        // Malformed files: a clear 4xx naming the problem, nothing kept.
        let backwards = Data("start,end,label,speaker,role\n0.5,3.6,Q1,interviewer,question\n5.0,4.0,B1,interviewee,baseline\n".utf8)
        let bad = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/segments?format=csv", token: alice, body: backwards, contentType: "text/csv")
        #expect(bad.status == 422, "\(bad.text)")
        let message = (try? bad.json()["error"] as? String) ?? ""
        #expect(message.contains("segments.csv") && message.contains("line 3") && message.contains("before it starts"), "\(message)")
        #expect(!message.contains("\n"))
        let garbage = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/segments?format=textgrid", token: alice, body: Data("no grid here".utf8))
        #expect(garbage.status == 422, "\(garbage.text)")
        #expect(
            try await http.send("POST", "/api/v1/cases/C1/sessions/S1/segments", token: alice, body: csv, contentType: "image/png").status
                == 415)
        #expect(
            try await http.send("POST", "/api/v1/cases/C1/sessions/S1/segments?format=csv", token: alice, body: Data()).status == 400)
        let kept = (try? FileManager.default.contentsOfDirectory(atPath: ws + "/server/uploads/C1/S1/segments")) ?? []
        #expect(kept.isEmpty, "\(kept)")

        // The assigned investigator uploads the sample's segments: 201 with the file's hash and count.
        let up = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/segments?format=csv", token: alice, body: csv, contentType: "text/csv")
        #expect(up.status == 201, "\(up.text)")
        let created = try up.json()
        #expect(created["segments"] as? String == csvSHA)
        #expect(created["count"] as? Int == 13)

        // A recording naming an unknown segments file: 404; segments that do not fit (no roles,
        // so speakers match nothing): 422, nothing queued.
        let unknown = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/recordings?roles=interviewer,interviewee&segments=" + String(repeating: "0", count: 64),
            token: alice, body: audio, contentType: "audio/flac")
        #expect(unknown.status == 404, "\(unknown.text)")
        let misfit = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/recordings?roles=left,right&segments=\(csvSHA)", token: alice, body: audio,
            contentType: "audio/flac")
        #expect(misfit.status == 422, "\(misfit.text)")
        #expect(((try? misfit.json()["error"] as? String) ?? "").contains("segments"), "\(misfit.text)")
        // A refused recording is checked before it is kept, and then removed: no recording file and
        // no temporary file is left (and a concurrent upload of the same content is never touched).
        let inSession = (try? FileManager.default.contentsOfDirectory(atPath: ws + "/server/uploads/C1/S1")) ?? []
        #expect(inSession == ["segments"], "\(inSession)")
        let incoming = (try? FileManager.default.contentsOfDirectory(atPath: ws + "/server/uploads")) ?? []
        #expect(!incoming.contains { $0.hasPrefix(".incoming-") }, "\(incoming)")

        // The stereo interview with its segments: the job measures and scores each segment.
        let rec = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/recordings?roles=interviewer,interviewee&segments=\(csvSHA)", token: alice,
            body: audio, contentType: "audio/flac")
        #expect(rec.status == 202, "\(rec.text)")
        let job = try #require(try rec.json()["job"] as? Int)
        #expect(try await http.waitForJob(job, token: alice) == "done")
        let doc = try await http.get("/api/v1/cases/C1/sessions/S1/analysis", token: alice).json()
        let segments = doc["segments"] as? [[String: Any]] ?? []
        #expect(segments.count == 13)
        let roles = Set(segments.compactMap { $0["role"] as? String })
        #expect(roles.isSuperset(of: ["baseline", "answer", "question"]), "\(roles)")
        let scores = doc["scores"] as? [[String: Any]] ?? []
        let answers = Set(segments.filter { $0["role"] as? String == "answer" }.compactMap { $0["id"] as? String })
        #expect(scores.contains { answers.contains($0["target"] as? String ?? "") && $0["value"] is Double }, "\(scores.prefix(2))")
        let parameters = doc["parameters"] as? [String: Any] ?? [:]
        #expect(parameters["segments_sha256"] as? String == csvSHA)
        #expect((parameters["segments_file"] as? String)?.hasSuffix("/server/uploads/C1/S1/segments/\(csvSHA).csv") == true)

        // The log: the segments upload names alice; the analysis record carries the segments hash.
        #expect(server.stop() == 0)
        let shown = try run(PackagePaths.candor, ["audit", "show", "--workspace", ws, "--case", "C1", "--session", "S1", "--json"])
        let verify = try run(PackagePaths.candor, ["audit", "verify", "--workspace", ws, "--case", "C1", "--session", "S1"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let records = shown.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(
            records.contains {
                $0["type"] as? String == "evidence_ingested" && $0["what"] as? String == "segments" && $0["user"] as? String == "alice"
                    && $0["sha256"] as? String == csvSHA && $0["segments"] as? Int == 13
            }, "\(shown.stdout.prefix(600)) \(shown.stderr)")
        #expect(
            records.contains {
                $0["type"] as? String == "analysis_completed"
                    && ($0["parameters"] as? [String: Any])?["segments_sha256"] as? String == csvSHA
            })
    }
}
