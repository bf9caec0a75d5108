import CandorServer
import CandorTestSupport
import Foundation
import Testing

/// The OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator), served as checked in, and
/// every operation in it answers on a running server with one of its documented statuses:
/// its success status when called as intended, 401 when called without a token.
@Suite(.serialized) struct OpenAPITests {
    static let docPath = PackagePaths.root.appendingPathComponent("docs/openapi.json").path

    @Test func documentValidatesAndMatchesTheServedCopy() throws {
        let validator = """
            import sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.readers import read_from_filename
            spec, _ = read_from_filename(sys.argv[1])
            validate(spec)
            print("valid", spec["openapi"])
            """
        let r = try run("/usr/bin/env", ["python3", "-c", validator, Self.docPath])
        #expect(r.status == 0 && r.stdout.contains("valid 3.1"), "\(r.stdout)\(r.stderr)")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.docPath))) as? NSDictionary
        let served = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? NSDictionary
        #expect(file != nil && file == served, "docs/openapi.json and OpenAPIDocument differ: run make openapi")
    }

    /// Three seconds of two alternating tones on two channels, as 16-bit PCM WAV.
    static func wav() -> Data {
        let rate = 16000, n = rate * 3
        var pcm = Data()
        for k in 0..<n {
            let t = Double(k) / Double(rate)
            let left = (Int(t * 2) % 2 == 0) ? sin(2 * .pi * 140 * t) * 0.3 : 0
            let right = (Int(t * 2) % 2 == 1) ? sin(2 * .pi * 220 * t) * 0.3 : 0
            for v in [left, right] { withUnsafeBytes(of: Int16(v * 32767).littleEndian) { pcm.append(contentsOf: $0) } }
        }
        var h = Data("RIFF".utf8)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { h.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { h.append(contentsOf: $0) } }
        u32(36 + pcm.count)
        h.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(2); u32(rate); u32(rate * 4); u16(4); u16(16)
        h.append(contentsOf: Array("data".utf8))
        u32(pcm.count)
        return h + pcm
    }

    @Test func everyOperationAnswers() async throws {
        let ws = tempDir("candor-serve-openapi")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let server = try ServeProcess(
            workspace: ws,
            users: [
                .init("alice", "investigator", "alice-password-1"), .init("carol", "supervisor", "carol-password-3"),
                .init("adam", "admin", "adam-password-5"), .init("dan", "investigator", "dan-password-66"),
            ], assignments: [("C1", "alice")])
        let http = HTTPClient(base: server.url)
        let alice = try await http.login("alice", "alice-password-1")
        let carol = try await http.login("carol", "carol-password-3")
        let adam = try await http.login("adam", "adam-password-5")
        let audio = Self.wav()
        let first = try await http.send(
            "POST", "/api/v1/cases/C1/sessions/S1/recordings?roles=interviewer,interviewee", token: alice,
            body: audio, contentType: "audio/wav")
        #expect(first.status == 202, "\(first.text)")
        let job = try #require(try first.json()["job"] as? Int)
        for _ in 0..<240 {
            if try await http.get("/api/v1/jobs/\(job)", token: alice).json()["state"] as? String == "done" { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }

        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.docPath))) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var answered = 0
        for (template, operations) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, raw) in operations {
                let op = try #require(raw as? [String: Any])
                let documented = Set((op["responses"] as? [String: Any] ?? [:]).keys.compactMap { Int($0) })
                let path = template.replacingOccurrences(of: "{case}", with: "C1").replacingOccurrences(of: "{session}", with: "S1")
                    .replacingOccurrences(of: "{id}", with: "\(job)").replacingOccurrences(of: "{name}", with: "dan")
                var token: String? = carol
                var body: Data?
                var contentType: String?
                switch op["operationId"] as? String {
                case "login":
                    (token, body, contentType) = (nil, Data(#"{"user":"carol","password":"carol-password-3"}"#.utf8), "application/json")
                case "logout": token = try await http.login("carol", "carol-password-3")
                case "uploadRecording": (token, body, contentType) = (alice, audio, "audio/wav")
                case "uploadSegments":
                    (token, body, contentType) = (
                        alice, Data("start,end,label,speaker,role\n0.5,1.4,B1,interviewee,baseline\n".utf8), "text/csv"
                    )
                case "listUsers", "disableUser", "enableUser": token = adam
                case "postReview":
                    (body, contentType) = (Data(#"{"concerns_seq":0,"kind":"note","note":"checked"}"#.utf8), "application/json")
                default: break
                }
                let target =
                    ["uploadRecording", "uploadSegments"].contains(op["operationId"] as? String ?? "")
                    ? path.replacingOccurrences(of: "/S1/", with: "/S2/") : path
                let r = try await http.send(method.uppercased(), target, token: token, body: body, contentType: contentType)
                #expect(
                    documented.contains(r.status) && (200..<300).contains(r.status),
                    "\(method.uppercased()) \(template): \(r.status) \(r.text.prefix(200))")
                if op["security"] != nil {
                    let anonymous = try await http.send(method.uppercased(), target, body: body, contentType: contentType)
                    #expect(
                        anonymous.status == 401 && documented.contains(401),
                        "\(method.uppercased()) \(template) without a token: \(anonymous.status)")
                }
                answered += 1
            }
        }
        #expect(answered == 17)
        #expect(server.stop() == 0)
    }
}
