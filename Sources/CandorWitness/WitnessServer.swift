import CandorAudit
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL

/// The witness's HTTP API as a Hummingbird 2 application:
/// - `POST /add-checkpoint`: C2SP tlog-witness;
/// - `GET /checkpoint?origin=ORIGIN`: the latest checkpoint cosigned for ORIGIN (404 if none);
/// - `GET /witness.vkey`: the cosigner verifier key.
public enum WitnessServer {
    public struct TLSFiles: Sendable {
        public let certificate: String
        public let privateKey: String
        public init(certificate: String, privateKey: String) { (self.certificate, self.privateKey) = (certificate, privateKey) }
    }

    public static func router(_ service: WitnessService) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("add-checkpoint") { request, _ -> Response in
            var request = request
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: 1 << 16) } catch {
                return response(.init(status: 413, contentType: "text/plain; charset=utf-8", body: "request body too large\n"))
            }
            return response(service.addCheckpoint(Array(buffer.readableBytesView)))
        }
        router.get("checkpoint") { request, _ -> Response in
            guard let origin = request.uri.queryParameters.get("origin"), !origin.isEmpty else {
                return response(.init(status: 400, contentType: "text/plain; charset=utf-8", body: "give ?origin=\n"))
            }
            guard let note = service.latest(origin: origin) else {
                return response(.init(status: 404, contentType: "text/plain; charset=utf-8", body: "no cosigned checkpoint of \(origin)\n"))
            }
            return response(.init(status: 200, contentType: "text/plain; charset=utf-8", body: note))
        }
        router.get("witness.vkey") { _, _ -> Response in
            response(.init(status: 200, contentType: "text/plain; charset=utf-8", body: service.signer.verifierKey.encoded + "\n"))
        }
        return router
    }

    static func response(_ a: WitnessService.Answer) -> Response {
        Response(
            status: .init(code: a.status), headers: [.contentType: a.contentType],
            body: .init(byteBuffer: ByteBuffer(string: a.body)))
    }

    /// Runs the server until the process is stopped; `onRunning` gets the bound port.
    public static func run(
        _ service: WitnessService, host: String, port: Int, tls: TLSFiles?,
        onRunning: @escaping @Sendable (Int) -> Void
    ) async throws {
        let server: HTTPServerBuilder
        if let tls {
            let certs = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
            server = try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: certs, privateKey: .privateKey(key)))
        } else {
            server = .http1()
        }
        let app = Application(
            router: router(service), server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "candor-witness"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) })
        try await app.runService()
    }
}
