import CandorAudit
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Reaches witnesses over HTTP/1.1, or over TLS (NIOSSL) with the witness's pinned CA or
/// certificate when the workspace configuration has one (`candor witness add --ca FILE`), else
/// the system's trusted CAs. Synchronous: the audit code runs on the caller's thread, never on
/// an event loop. One connection per request (`Connection: close`); every step is bounded by
/// `timeout` (connect, TLS handshake, answer), so a witness that hangs cannot block work.
public struct HTTPWitnessTransport: WitnessTransport {
    /// Seconds for the whole exchange.
    public let timeout: Int
    /// The largest answer read (a cosigned checkpoint is a few hundred bytes).
    static let maxBody = 1 << 20

    public init(timeout: Int = 10) { self.timeout = max(1, timeout) }

    public func post(_ url: String, body: [UInt8], contentType: String, trustRoots: String?) throws -> WitnessResponse {
        try send(.POST, url, body: body, contentType: contentType, trustRoots: trustRoots)
    }

    public func get(_ url: String, trustRoots: String?) throws -> WitnessResponse {
        try send(.GET, url, body: nil, contentType: nil, trustRoots: trustRoots)
    }

    /// Checks that `pem` holds at least one certificate NIOSSL can use as a trust root.
    public static func validateTrustRoots(_ pem: String) throws {
        let certs: [NIOSSLCertificate]
        do { certs = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) } catch { certs = [] }
        guard !certs.isEmpty else { throw AuditError("no PEM certificate in it") }
    }

    private func send(
        _ method: HTTPMethod, _ url: String, body: [UInt8]?, contentType: String?, trustRoots: String?
    ) throws -> WitnessResponse {
        let target = try WitnessURL(url)
        var tls: NIOSSLContext?
        if target.secure {
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .fullVerification
            if let trustRoots {
                let certs = (try? NIOSSLCertificate.fromPEMBytes(Array(trustRoots.utf8))) ?? []
                guard !certs.isEmpty else { throw AuditError("the pinned CA for \(url) holds no PEM certificate") }
                config.trustRoots = .certificates(certs)
            }
            do { tls = try NIOSSLContext(configuration: config) } catch { throw AuditError("TLS setup for \(url) failed: \(error)") }
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target.pathAndQuery)
        head.headers.add(name: "Host", value: target.hostHeader)
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        if let contentType { head.headers.add(name: "Content-Type", value: contentType) }

        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let answer = loop.makePromise(of: WitnessResponse.self)
        let seconds = timeout
        let timer = loop.scheduleTask(in: .seconds(Int64(seconds))) {
            answer.fail(AuditError("no answer within \(seconds) s"))
        }
        let request = HTTPExchangeHandler.Request(head: head, body: body ?? [])
        let connected = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(Int64(seconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: target.sniHost))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(HTTPExchangeHandler(request: request, answer: answer, limit: Self.maxBody))
                }
            }
            .connect(host: target.host, port: target.port)
        connected.whenFailure { answer.fail($0) }
        answer.futureResult.whenComplete { _ in
            timer.cancel()
            connected.whenSuccess { $0.close(promise: nil) }
        }
        do { return try answer.futureResult.wait() } catch {
            throw AuditError(Self.explain(error, secure: target.secure, pinned: trustRoots != nil, host: target.host))
        }
    }

    /// One line for a failed exchange: refused, timed out, certificate not trusted, host mismatch.
    static func explain(_ error: any Error, secure: Bool, pinned: Bool, host: String) -> String {
        if let e = error as? AuditError { return e.description }
        if let e = error as? NIOConnectionError {
            let reasons = e.connectionErrors.map { explain($0.error, secure: secure, pinned: pinned, host: host) }
            if let first = reasons.first { return first }
            if e.dnsAError != nil || e.dnsAAAAError != nil { return "cannot resolve host \(host)" }
            return "cannot connect"
        }
        if let e = error as? IOError {
            if e.errnoCode == ECONNREFUSED { return "connection refused" }
            return "cannot connect: \(String(cString: strerror(e.errnoCode)))"
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return "no connection within the timeout" }
        if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            return "the witness's TLS certificate does not name host \(host)"
        }
        if let e = error as? NIOSSLError {
            let text = "\(e)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return pinned
                    ? "the witness's TLS certificate does not verify against the pinned CA"
                    : "the witness's TLS certificate does not verify against the system's CAs (pin its CA with `candor witness add --ca FILE`)"
            }
            if case .uncleanShutdown = e { return "the TLS connection was cut" }
            return "TLS failed: \(text.prefix(200))"
        }
        return "\(error)"
    }
}
