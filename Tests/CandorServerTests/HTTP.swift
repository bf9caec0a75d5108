import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A response as the tests look at it.
struct HTTPReply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    func json() throws -> [String: Any] {
        guard let obj = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw HTTPTestError("not a JSON object: \(text.prefix(200))")
        }
        return obj
    }
    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
}

struct HTTPTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A cookie-less HTTP client (each request says exactly what it sends).
struct HTTPClient: Sendable {
    let base: String
    let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpShouldSetCookies = false
        c.httpCookieAcceptPolicy = .never
        c.timeoutIntervalForRequest = 120
        return URLSession(configuration: c, delegate: NoRedirects(), delegateQueue: nil)
    }()

    func send(
        _ method: String, _ path: String, token: String? = nil, body: Data? = nil, contentType: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> HTTPReply {
        var req = URLRequest(url: URL(string: base + path)!)
        req.httpMethod = method
        if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let contentType { req.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        req.httpBody = body
        let (data, response) = try await session.data(for: req)
        let http = response as! HTTPURLResponse
        var h: [String: String] = [:]
        for (k, v) in http.allHeaderFields { h["\(k)"] = "\(v)" }
        return HTTPReply(status: http.statusCode, headers: h, body: data)
    }

    func get(_ path: String, token: String? = nil) async throws -> HTTPReply { try await send("GET", path, token: token) }

    func postJSON(_ path: String, _ object: [String: Any], token: String? = nil) async throws -> HTTPReply {
        try await send(
            "POST", path, token: token, body: try JSONSerialization.data(withJSONObject: object), contentType: "application/json")
    }

    /// Polls a job until it is done or failed (at most 5 minutes); its last state.
    func waitForJob(_ job: Int, token: String) async throws -> String {
        var state = ""
        for _ in 0..<600 {
            state = (try await get("/api/v1/jobs/\(job)", token: token).json()["state"] as? String) ?? ""
            if state == "done" || state == "failed" { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        return state
    }

    /// Signs in; the token, or a failure naming the status.
    func login(_ user: String, _ password: String) async throws -> String {
        let r = try await postJSON("/api/v1/login", ["user": user, "password": password])
        guard r.status == 200, let token = try r.json()["token"] as? String else {
            throw HTTPTestError("login \(user): \(r.status) \(r.text)")
        }
        return token
    }
}

func tempDir(_ name: String) -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Redirects are returned to the test, not followed (it checks where they lead).
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
