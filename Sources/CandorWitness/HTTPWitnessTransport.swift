import CandorAudit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Reaches witnesses over HTTP(S) with URLSession, synchronously (the audit code is
/// synchronous and runs on the caller's thread, never on a Swift concurrency executor).
public struct HTTPWitnessTransport: WitnessTransport {
    public let timeout: TimeInterval
    public init(timeout: TimeInterval = 10) { self.timeout = timeout }

    public func post(_ url: String, body: [UInt8]) throws -> WitnessResponse {
        try send("POST", url, body: body)
    }

    public func get(_ url: String) throws -> WitnessResponse { try send("GET", url, body: nil) }

    private final class Box: Sendable {
        let value = Mutex<Result<WitnessResponse, any Error>?>(nil)
    }

    private func send(_ method: String, _ url: String, body: [UInt8]?) throws -> WitnessResponse {
        guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https" else { throw AuditError("invalid witness URL \(url)") }
        var req = URLRequest(url: u, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        req.httpMethod = method
        if let body {
            req.httpBody = Data(body)
            req.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: config)
        let task = session.dataTask(with: req) { data, response, error in
            let result: Result<WitnessResponse, any Error>
            if let error {
                result = .failure(AuditError(error.localizedDescription))
            } else if let http = response as? HTTPURLResponse {
                result = .success(WitnessResponse(status: http.statusCode, body: data.map { [UInt8]($0) } ?? []))
            } else {
                result = .failure(AuditError("no HTTP response"))
            }
            box.value.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            session.invalidateAndCancel()
            throw AuditError("no answer from \(url) within \(Int(timeout)) s")
        }
        session.finishTasksAndInvalidate()
        guard let result = box.value.withLock({ $0 }) else { throw AuditError("no answer from \(url)") }
        return try result.get()
    }
}
