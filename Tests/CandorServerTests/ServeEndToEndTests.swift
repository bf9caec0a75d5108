import CandorTestSupport
import Foundation
import Testing

/// Acceptance test of `candor serve` (issue 18), as its users and an attacker meet it, over
/// real HTTP on loopback against the built `candor` executable.
@Suite(.serialized) struct ServeEndToEndTests {
    static let users = [
        ServeProcess.User("alice", "investigator", "alice-password-1"),
        ServeProcess.User("bob", "investigator", "bob-password-22"),
        ServeProcess.User("carol", "supervisor", "carol-password-3"),
        ServeProcess.User("rita", "researcher", "rita-password-44"),
    ]

    @Test func investigatorUploadsSupervisorReadsEveryAccessIsLogged() async throws {
        let ws = tempDir("candor-serve-e2e")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let server = try ServeProcess(
            workspace: ws, users: Self.users, assignments: [("C1", "alice"), ("C2", "bob")],
            extraArgs: ["--workers", "1", "--max-upload-mb", "4"])
        let http = HTTPClient(base: server.url)

        #expect(try await http.get("/healthz").status == 200)
        // 401 without a token, with a made-up token, and for a wrong password.
        let anonymous = try await http.get("/api/v1/cases")
        #expect(anonymous.status == 401)
        #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(try await http.get("/api/v1/cases", token: String(repeating: "a", count: 64)).status == 401)
        #expect(try await http.postJSON("/api/v1/login", ["user": "alice", "password": "not-her-password"]).status == 401)
        #expect(try await http.postJSON("/api/v1/login", ["user": "nobody", "password": "whatever-it-is"]).status == 401)

        let alice = try await http.login("alice", "alice-password-1")
        let bob = try await http.login("bob", "bob-password-22")
        let carol = try await http.login("carol", "carol-password-3")
        let rita = try await http.login("rita", "rita-password-44")

        // The assigned investigator uploads the stereo sample interview: 202 with a job.
        let audio = try Data(contentsOf: PackagePaths.root.appendingPathComponent("samples/interview.flac"))
        let upload = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/recordings?roles=interviewer,interviewee", token: alice,
            body: audio, contentType: "audio/flac")
        #expect(upload.status == 202, "\(upload.text)")
        let job = try #require(try upload.json()["job"] as? Int)

        // Attacks while it runs. Another investigator's case: 403 for upload, job and reads.
        #expect(
            try await http.send("POST", "/api/v1/cases/C1/sessions/S9/recordings", token: bob, body: audio, contentType: "audio/flac")
                .status == 403)
        #expect(try await http.get("/api/v1/jobs/\(job)", token: bob).status == 403)
        // The researcher and the supervisor may not upload.
        #expect(
            try await http.send("POST", "/api/v1/cases/C1/sessions/S9/recordings", token: carol, body: audio, contentType: "audio/flac")
                .status == 403)
        // Path traversal in case and session ids: refused before any file or log is touched.
        for bad in ["..%2F..%2Fetc", "..", "C1%00", "%2E%2E", "C1%2FS1"] {
            let r = try await http.get("/api/v1/cases/\(bad)/sessions/S1/analysis", token: carol)
            #expect(r.status == 400 || r.status == 404, "case id \(bad): \(r.status)")
            let u = try await http.send(
                "POST", "/api/v1/cases/C1/sessions/\(bad)/recordings", token: alice, body: audio, contentType: "audio/flac")
            #expect(u.status == 400 || u.status == 404, "session id \(bad): \(u.status)")
        }
        // An oversized upload (limit 4 MiB here): 413 and nothing kept.
        let big = Data(count: 5 * 1024 * 1024)
        #expect(
            try await http.send("POST", "/api/v1/cases/C1/sessions/S2/recordings", token: alice, body: big, contentType: "audio/wav").status
                == 413)
        // Not audio: 422, nothing queued.
        #expect(
            try await http.send(
                "POST", "/api/v1/cases/C1/sessions/S3/recordings", token: alice, body: Data("hello".utf8), contentType: "audio/wav"
            ).status == 422)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: ws + "/server/uploads").filter {
            $0.hasSuffix(".wav") || $0.contains(".incoming-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // The job finishes; the investigator gets its analysis.
        var state = ""
        for _ in 0..<600 {
            let j = try await http.get("/api/v1/jobs/\(job)", token: alice)
            #expect(j.status == 200)
            state = (try j.json()["state"] as? String) ?? ""
            if state == "done" || state == "failed" { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        #expect(state == "done")
        let analysis = try await http.get("/api/v1/cases/C1/sessions/S1/analysis", token: alice)
        #expect(analysis.status == 200)
        #expect(try analysis.json()["schema"] as? String == "candor.analysis/1")
        #expect(try await http.get("/api/v1/cases/C1/sessions/S1/analysis", token: bob).status == 403)
        #expect(try await http.get("/api/v1/cases/C1/sessions/S1/report", token: rita).status == 403)

        // The supervisor gets the report and the audit log (and sees every case).
        let report = try await http.get("/api/v1/cases/C1/sessions/S1/report", token: carol)
        #expect(report.status == 200)
        #expect(report.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(report.text.contains("<svg"))
        let audit = try await http.get("/api/v1/cases/C1/sessions/S1/audit", token: carol)
        #expect(audit.status == 200)
        let log = try audit.json()
        #expect(log["intact"] as? Bool == true)
        let records = (log["records"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }
        let accessed = records.filter { $0["type"] as? String == "accessed" && $0["action"] as? String == "viewed" }
        #expect(Set(accessed.compactMap { $0["user"] as? String }) == ["alice", "carol"])
        // The audit read itself is in the log it returns (appended before the data was sent).
        #expect(accessed.last?["user"] as? String == "carol" && (accessed.last?["what"] as? String ?? "").hasPrefix("audit log"))
        // The uploader is named on the evidence record; bob's refusal is in the log too.
        #expect(records.contains { $0["type"] as? String == "evidence_ingested" && $0["user"] as? String == "alice" })
        #expect(
            records.contains {
                $0["type"] as? String == "accessed" && $0["action"] as? String == "refused" && $0["user"] as? String == "bob"
            })
        let cases = try await http.get("/api/v1/cases", token: carol).json()["cases"] as? [[String: Any]] ?? []
        #expect(Set(cases.compactMap { $0["case"] as? String }) == ["C1", "C2"])
        let bobsCases = try await http.get("/api/v1/cases", token: bob).json()["cases"] as? [[String: Any]] ?? []
        #expect(bobsCases.compactMap { $0["case"] as? String } == ["C2"])

        // The researcher gets the de-identified feature table only: pseudonyms, no ids or labels.
        let table = try await http.get("/api/v1/features", token: rita)
        #expect(table.status == 200)
        let rows = table.text.split(separator: "\n")
        #expect(rows.first?.hasPrefix("session,unit,index,role,start_s,end_s,") == true)
        #expect(rows.count == 3, "\(table.text)")  // one per channel of the stereo interview
        #expect(rows.dropFirst().allSatisfy { $0.contains(",channel,") && ($0.contains(",interviewer,") || $0.contains(",interviewee,")) })
        #expect(!table.text.contains("C1") && !table.text.contains("S1") && !table.text.contains("alice"))
        #expect(try await http.get("/api/v1/features", token: alice).status == 403)

        // A supervisor's review, signed with the supervisor's own key; an investigator may not review.
        let review = try await http.postJSON(
            "/api/v1/cases/C1/sessions/S1/reviews", ["concerns_seq": 1, "kind": "note", "note": "listened; fine"], token: carol)
        #expect(review.status == 201, "\(review.text)")
        #expect(
            try await http.postJSON("/api/v1/cases/C1/sessions/S1/reviews", ["concerns_seq": 1, "kind": "note", "note": "x"], token: alice)
                .status == 403)

        // No record, no data: with the server's signing key gone, a read fails and sends nothing.
        let key = ws + "/keys/operators/candor-server.key"
        try FileManager.default.moveItem(atPath: key, toPath: key + ".away")
        let blocked = try await http.get("/api/v1/cases/C1/sessions/S1/analysis", token: alice)
        #expect(blocked.status == 500)
        #expect(!blocked.text.contains("candor.analysis/1"))
        try FileManager.default.moveItem(atPath: key + ".away", toPath: key)

        // Session theft: a revoked token and a disabled account's token stop working.
        #expect(try await http.send("POST", "/api/v1/logout", token: rita).status == 204)
        #expect(try await http.get("/api/v1/cases", token: rita).status == 401)
        #expect(try await http.get("/api/v1/users", token: alice).status == 403)
        #expect(try run(PackagePaths.candor, ["users", "disable", "bob", "--workspace", ws]).status == 0)
        #expect(try await http.get("/api/v1/cases", token: bob).status == 401)
        #expect(try await http.postJSON("/api/v1/login", ["user": "bob", "password": "bob-password-22"]).status == 401)

        // Brute force: after 5 wrong passwords for a name, 429 even for the right password.
        for _ in 0..<5 { #expect(try await http.postJSON("/api/v1/login", ["user": "alice", "password": "guess"]).status == 401) }
        let throttled = try await http.postJSON("/api/v1/login", ["user": "alice", "password": "alice-password-1"])
        #expect(throttled.status == 429)
        #expect(Int(throttled.header("Retry-After") ?? "") ?? 0 > 0)
        // Guessing across many names from one address: 429 once the address has 20 failures.
        var statuses: [Int] = []
        for k in 0..<16 { statuses.append(try await http.postJSON("/api/v1/login", ["user": "user\(k)", "password": "guess"]).status) }
        #expect(statuses.last == 429, "\(statuses)")

        // /metrics: Prometheus text with the counters this run produced.
        let metrics = try await http.get("/metrics")
        #expect(metrics.status == 200)
        let lines = Set(metrics.text.split(separator: "\n").map(String.init))
        func value(_ prefix: String) -> Double? {
            lines.first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value("candor_login_failures_total") ?? 0 >= 8)
        #expect(value("candor_login_throttled_total") ?? 0 >= 2)
        #expect(value("candor_jobs{state=\"done\"}") == 1)
        #expect(value("candor_queue_depth") == 0)
        #expect(value("candor_analysis_seconds_count") == 1)
        #expect(
            value(#"candor_http_requests_total{route="/api/v1/cases/{case}/sessions/{session}/analysis",method="GET",status="403"}"#) ?? 0
                >= 1)
        #expect(value(#"candor_http_requests_total{route="/api/v1/login",method="POST",status="429"}"#) ?? 0 >= 2)

        // Graceful stop on SIGTERM; then the session log verifies offline.
        #expect(server.stop() == 0)
        let verify = try run(PackagePaths.candor, ["audit", "verify", "--workspace", ws, "--case", "C1", "--session", "S1"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let shown = try run(PackagePaths.candor, ["audit", "show", "--workspace", ws, "--case", "C1", "--session", "S1"])
        #expect(shown.stdout.contains("alice") && shown.stdout.contains("carol"))
    }
}
