import CandorTestSupport
import Foundation
import Testing

/// Over real HTTP against the built `candor serve`: an upload's pitch method and range reach
/// the job, the analysis and its audit records; and the errors a user of the web UI meets are
/// pages in the browser's language (zh-TW here), with the API's codes beside its English lines.
@Suite(.serialized) struct ServeUploadOptionsTests {
    /// A multipart/form-data body with text fields and file parts (name, file name, bytes).
    static func multipart(_ fields: [(String, String)], files: [(String, String, Data)]) -> (Data, String) {
        let boundary = "candor-test-\(UUID().uuidString)"
        var body = Data()
        for (k, v) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8))
        }
        for (name, filename, data) in files {
            body.append(
                Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        .utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    @Test func robustUploadIsRecordedAndWebErrorsAreInChinese() async throws {
        let ws = tempDir("candor-serve-options")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let server = try ServeProcess(
            workspace: ws,
            users: [.init("alice", "investigator", "alice-password-1"), .init("bob", "investigator", "bob-password-22")],
            assignments: [("C1", "alice"), ("C2", "bob")], extraArgs: ["--workers", "1", "--max-upload-mb", "1"])
        let http = HTTPClient(base: server.url)
        let alice = try await http.login("alice", "alice-password-1")
        let wav = OpenAPITests.wav()

        // API: a method or range that is not a choice is refused with its code; nothing queued.
        for query in ["method=fast", "pitch_range=wide"] {
            let r = try await http.send(
                "POST", "/api/v1/cases/C1/sessions/S1/recordings?\(query)", token: alice, body: wav, contentType: "audio/wav")
            #expect(r.status == 400, "\(r.text)")
            #expect(try r.json()["code"] as? String == "invalid_option", "\(r.text)")
        }
        // Every API refusal carries its code (here: no token; an unknown route).
        #expect(try await http.get("/api/v1/cases").json()["code"] as? String == "sign_in_required")
        #expect(try await http.get("/api/v1/nothing-here", token: alice).json()["code"] as? String == "not_found")

        // A robust upload with the automatic range: the analysis and the audit log record both.
        let up = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/recordings?method=robust&pitch_range=auto", token: alice, body: wav,
            contentType: "audio/wav")
        #expect(up.status == 202, "\(up.text)")
        let job = try #require(try up.json()["job"] as? Int)

        // Meanwhile, the web UI in Traditional Chinese.
        let zhTW = ["Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"]
        func form(_ path: String, _ body: String, cookie: String? = nil) async throws -> HTTPReply {
            var h = zhTW
            if let cookie { h["Cookie"] = cookie }
            return try await http.send(
                "POST", path, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded", headers: h)
        }
        let wrong = try await form("/ui/login", "user=alice&password=not-hers")
        #expect(wrong.status == 401 && wrong.text.contains("使用者名稱或密碼錯誤"), "\(wrong.text.prefix(300))")
        let signIn = try await form("/ui/login", "user=alice&password=alice-password-1")
        let cookie = String(try #require(signIn.header("Set-Cookie")).split(separator: ";")[0])
        var headers = zhTW
        headers["Cookie"] = cookie
        let uploadPage = try await http.send("GET", "/ui/upload", headers: headers)
        #expect(uploadPage.text.contains("音高分析方法") && uploadPage.text.contains("name=\"pitch_range\""))
        let csrf = try #require(
            uploadPage.text.range(of: "name=\"csrf\" value=\"").map { String(uploadPage.text[$0.upperBound...].prefix(64)) })

        func upload(_ fields: [(String, String)], _ files: [(String, String, Data)]) async throws -> HTTPReply {
            let (body, type) = Self.multipart(fields, files: files)
            return try await http.send("POST", "/ui/upload", body: body, contentType: type, headers: headers)
        }
        let base = [("csrf", csrf), ("case", "C1"), ("session", "S2")]
        let backwards = Data("start,end,label,speaker,role\n0.5,3.6,Q1,interviewer,question\n5.0,4.0,B1,interviewee,baseline\n".utf8)
        // (status, Chinese text expected) per refused upload.
        let refusals: [(String, HTTPReply, Int, String)] = [
            ("wrong type", try await upload(base, [("recording", "notes.txt", Data("hello".utf8))]), 415, "不接受此檔案類型"),
            ("too large", try await upload(base, [("recording", "big.wav", Data(count: 1_500_000))]), 413, "檔案超過 1 MiB 的上限"),
            ("not audio", try await upload(base, [("recording", "x.wav", Data("not a wav".utf8))]), 422, "無法將此檔案讀取為錄音"),
            (
                "bad segments",
                try await upload(base, [("recording", "a.wav", wav), ("segments", "s.csv", backwards)]), 422, "無法讀取段落檔"
            ),
            ("bad method", try await upload(base + [("method", "fast")], [("recording", "a.wav", wav)]), 400, "method 的值不在可選項目內"),
            ("no csrf", try await upload(Array(base.dropFirst()), [("recording", "a.wav", wav)]), 403, "表單已失效"),
            (
                "another's case",
                try await upload([("csrf", csrf), ("case", "C2"), ("session", "S1")], [("recording", "a.wav", wav)]), 403,
                "您的帳號無權執行此操作"
            ),
            ("other case page", try await http.send("GET", "/ui/cases/C2/sessions/S1", headers: headers), 403, "您的帳號無權執行此操作"),
            ("no such session", try await http.send("GET", "/ui/cases/C1/sessions/S404", headers: headers), 404, "案件 C1 沒有場次 S404"),
            ("no such job", try await http.send("GET", "/ui/jobs/9999", headers: headers), 404, "找不到您可查看的分析工作 9999"),
            ("no such page", try await http.send("GET", "/ui/nothing-here", headers: headers), 404, "找不到此頁面或項目"),
        ]
        for (what, r, status, chinese) in refusals {
            #expect(r.status == status, "\(what): \(r.status) \(r.text.prefix(400))")
            #expect(r.text.contains(chinese), "\(what): \(r.text.prefix(600))")
            #expect(r.text.contains("<html lang=\"zh-Hant-TW\">"), "\(what)")
            #expect(!r.text.contains(ws) && !r.text.contains("/server/uploads") && !r.text.contains(".incoming-"), "\(what)")
            #expect(WebLanguageTests.verdictWords(r.text).isEmpty, "\(what)")
        }
        // The segments reader's line is offered as a detail; the bad upload left nothing behind.
        #expect(refusals[3].1.text.contains("line 3"))
        let left = try FileManager.default.subpathsOfDirectory(atPath: ws + "/server/uploads").filter {
            $0.contains("S2") || $0.contains(".incoming-")
        }
        #expect(left.isEmpty, "\(left)")
        // A browser whose sign-in ended is told so on the sign-in page.
        var stale = zhTW
        stale["Cookie"] = "candor_session=" + String(repeating: "c", count: 64)
        #expect(try await http.send("GET", "/ui/login", headers: stale).text.contains("您的登入已逾時或已結束"))

        // The robust job: its analysis and its records name the method and the range.
        #expect(try await http.waitForJob(job, token: alice) == "done")
        let doc = try await http.get("/api/v1/cases/C1/sessions/S1/analysis", token: alice).json()
        let parameters = doc["parameters"] as? [String: Any] ?? [:]
        #expect(parameters["pitch_method"] as? String == "robust", "\(parameters)")
        #expect((parameters["pitch_range"] as? String)?.hasPrefix("auto") == true, "\(parameters)")
        let log = try await http.get("/api/v1/cases/C1/sessions/S1/audit", token: alice).json()
        let records = (log["records"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }
        let completed = records.first { $0["type"] as? String == "analysis_completed" }
        #expect((completed?["parameters"] as? [String: Any])?["pitch_method"] as? String == "robust", "\(completed ?? [:])")
        let ingested = records.first { $0["type"] as? String == "evidence_ingested" }
        #expect(ingested?["pitch_method"] as? String == "robust" && ingested?["pitch_range"] as? String == "auto")
        // The session page's audit timeline shows the choice.
        let sessionPage = try await http.send("GET", "/ui/cases/C1/sessions/S1", headers: headers)
        #expect(sessionPage.text.contains("pitch_method: robust; pitch_range: auto"), "\(sessionPage.text.prefix(2000))")

        // Throttling, last (it slows this address): the sign-in page says when to try again, in Chinese.
        var throttled: HTTPReply?
        for _ in 0..<8 {
            let r = try await form("/ui/login", "user=mallory&password=guess")
            if r.status == 429 {
                throttled = r
                break
            }
        }
        let t = try #require(throttled)
        #expect(t.text.contains("登入失敗次數過多") && t.header("Retry-After") != nil, "\(t.text.prefix(300))")
        #expect(server.stop() == 0)
    }
}
