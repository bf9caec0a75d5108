import CandorAudit
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The Candor service: builds the router and runs the HTTP server (with any in-process workers)
/// in one service group that shuts down gracefully on SIGTERM or SIGINT.
public enum CandorServer {
    public struct TLSFiles: Sendable {
        public let certificate: String
        public let privateKey: String
        public init(certificate: String, privateKey: String) { (self.certificate, self.privateKey) = (certificate, privateKey) }
    }

    public static func router(_ state: ServerState) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: MetricsMiddleware(metrics: state.metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: LanguageCookieMiddleware(secure: state.secureCookies))
        router.add(middleware: ErrorMiddleware(state: state))
        router.get("healthz") { _, _ in Reply.text("ok\n") }
        router.get("openapi.json") { _, _ in Reply.text(OpenAPIDocument.json, contentType: "application/json") }
        router.get("metrics") { _, _ -> Response in
            if let counts = try? await state.jobs.counts() {
                state.metrics.jobs(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
            }
            return Reply.text(state.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        APIRoutes.add(to: router, state: state)
        AdminRoutes.add(to: router, state: state)
        WebRoutes.add(to: router, state: state)
        return router
    }

    /// Loopback hosts, where plain HTTP is allowed.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Runs until SIGTERM/SIGINT; `onRunning` gets the bound port.
    public static func run(
        _ state: ServerState, host: String, port: Int, tls: TLSFiles?, services: [any Service],
        onRunning: @escaping @Sendable (Int) async -> Void
    ) async throws {
        let http = HTTP1Channel.Configuration(idleTimeout: .seconds(state.limits.idleTimeoutSeconds))
        let server: HTTPServerBuilder
        if let tls {
            let certs = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
            server = try .tls(
                .http1(configuration: http),
                tlsConfiguration: .makeServerConfiguration(certificateChain: certs, privateKey: .privateKey(key)))
        } else {
            server = .http1(configuration: http)
        }
        let app = Application(
            router: router(state), server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "candor"),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: state.logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
