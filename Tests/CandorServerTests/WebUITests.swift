import CandorTestSupport
import Foundation
import Testing

/// The web UI: a real browser (Tests/serve_browser.py: headless Chromium through chromedriver
/// and selenium, installed by scripts/setup-test.sh) signs in, uploads, opens the report and
/// records a review; then the cookie and CSRF defences are attacked over plain HTTP.
@Suite(.serialized) struct WebUITests {
    @Test func browserSignsInUploadsReadsAndReviewsAndForgedFormsAreRefused() async throws {
        let ws = tempDir("candor-serve-ui")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let server = try ServeProcess(
            workspace: ws,
            users: [
                .init("alice", "investigator", "alice-password-1"), .init("carol", "supervisor", "carol-password-3"),
            ], assignments: [("C1", "alice")])
        let http = HTTPClient(base: server.url)

        let script = PackagePaths.root.appendingPathComponent("Tests/serve_browser.py").path
        let sample = PackagePaths.root.appendingPathComponent("samples/interview.flac").path
        let segments = PackagePaths.root.appendingPathComponent("samples/interview.segments.csv").path
        let browser = try run(
            "/usr/bin/env",
            ["python3", script, server.url, sample, segments, "alice", "alice-password-1", "carol", "carol-password-3", "C1", "S1"])
        #expect(browser.status == 0, "\(browser.stdout)\n\(browser.stderr)")
        #expect(browser.stdout.contains("browser: all steps passed"))

        // The supervisor's review is in the log, signed by carol's own operator key.
        let carol = try await http.login("carol", "carol-password-3")
        func reviews() async throws -> [[String: Any]] {
            let log = try await http.get("/api/v1/cases/C1/sessions/S1/audit", token: carol).json()
            return (log["records"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }.filter {
                $0["type"] as? String == "review"
            }
        }
        let before = try await reviews()
        #expect(before.count == 1 && before.first?["operator"] as? String == "carol")

        // A browser session for the attacks: sign in through the form, keep the cookie.
        let signIn = try await http.send(
            "POST", "/ui/login", body: Data("user=carol&password=carol-password-3".utf8),
            contentType: "application/x-www-form-urlencoded")
        let setCookie = try #require(signIn.header("Set-Cookie"))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = String(setCookie.split(separator: ";")[0])
        let page = try await http.send("GET", "/ui/cases/C1/sessions/S1", headers: ["Cookie": cookie])
        #expect(page.status == 200)
        #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        let csrf = try #require(page.text.range(of: "name=\"csrf\" value=\"").map { String(page.text[$0.upperBound...].prefix(64)) })
        let form = "concerns_seq=1&kind=note&note=forged"
        // CSRF: a forged form without the token, with a wrong token, or from another origin is refused.
        for (body, origin) in [
            (form, server.url), (form + "&csrf=" + String(repeating: "0", count: 64), server.url),
            (form + "&csrf=" + csrf, "https://evil.example"),
        ] {
            let r = try await http.send(
                "POST", "/ui/cases/C1/sessions/S1/reviews", body: Data(body.utf8),
                contentType: "application/x-www-form-urlencoded", headers: ["Cookie": cookie, "Origin": origin])
            #expect(r.status == 403, "\(r.status) \(r.text.prefix(200))")
        }
        // Cross-site sign-in (login CSRF) is refused too.
        let crossLogin = try await http.send(
            "POST", "/ui/login", body: Data("user=carol&password=carol-password-3".utf8),
            contentType: "application/x-www-form-urlencoded", headers: ["Origin": "https://evil.example"])
        #expect(crossLogin.status == 403)
        // A form's answer page links the other language to a page that exists (not the POST route).
        #expect(crossLogin.text.contains("href=\"/ui/cases?lang=zh-TW\""))
        // The token from the form works (the defence is the token, not a broken form).
        let genuine = try await http.send(
            "POST", "/ui/cases/C1/sessions/S1/reviews",
            body: Data((form.replacingOccurrences(of: "forged", with: "second") + "&csrf=" + csrf).utf8),
            contentType: "application/x-www-form-urlencoded", headers: ["Cookie": cookie, "Origin": server.url])
        #expect(genuine.status == 303)
        #expect(try await reviews().count == 2)
        // Languages: Accept-Language chooses (zh-TW first for a Taiwanese browser), ?lang= overrides
        // and is remembered in a cookie; <html lang> follows; the report and job pages too.
        let zhTW = ["Accept-Language": "zh-TW,zh;q=0.9,en;q=0.8"]
        let zhLogin = try await http.send("GET", "/ui/login", headers: zhTW)
        #expect(zhLogin.text.contains("<html lang=\"zh-Hant-TW\">") && zhLogin.text.contains("使用者名稱"))
        let enLogin = try await http.send("GET", "/ui/login?lang=en", headers: zhTW)
        #expect(enLogin.text.contains("<html lang=\"en\">") && enLogin.text.contains("User name"))
        #expect(enLogin.header("Set-Cookie")?.hasPrefix("candor_lang=en") == true)
        #expect(
            try await http.send("GET", "/ui/login", headers: zhTW.merging(["Cookie": "candor_lang=en"]) { a, _ in a }).text.contains(
                "User name"))
        let zhJob = try await http.send("GET", "/ui/jobs/1", headers: zhTW.merging(["Cookie": cookie]) { a, _ in a })
        #expect(zhJob.status == 200 && zhJob.text.contains("分析工作 1") && zhJob.text.contains("完成"), "\(zhJob.text.prefix(300))")
        let zhReport = try await http.send(
            "GET", "/ui/cases/C1/sessions/S1/report", headers: zhTW.merging(["Cookie": cookie]) { a, _ in a })
        #expect(zhReport.status == 200 && zhReport.text.contains("lang=\"zh-Hant-TW\""))
        for page in [zhLogin, enLogin, zhJob, zhReport] {
            #expect(WebLanguageTests.verdictWords(page.text).isEmpty, "\(WebLanguageTests.verdictWords(page.text))")
        }

        // Session theft: the cookie is not an API credential, a made-up cookie signs nobody in,
        // and after sign-out the stolen cookie is dead.
        #expect(try await http.send("GET", "/api/v1/cases", headers: ["Cookie": cookie]).status == 401)
        let forged = try await http.send("GET", "/ui/cases", headers: ["Cookie": "candor_session=" + String(repeating: "b", count: 64)])
        #expect(forged.status == 303 && forged.header("Location") == "/ui/login")
        let out = try await http.send(
            "POST", "/ui/logout", body: Data("csrf=\(csrf)".utf8), contentType: "application/x-www-form-urlencoded",
            headers: ["Cookie": cookie])
        #expect(out.status == 303)
        #expect(try await http.send("GET", "/ui/cases", headers: ["Cookie": cookie]).status == 303)

        #expect(server.stop() == 0)
        let verify = try run(PackagePaths.candor, ["audit", "verify", "--workspace", ws, "--case", "C1", "--session", "S1"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
