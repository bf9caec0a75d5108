import CandorTestSupport
import Foundation
import Testing

/// `candor serve` and `candor users` on the command line: plain HTTP only on loopback, TLS
/// otherwise; usage errors exit 2.
@Suite(.serialized) struct ServeCLITests {
    @Test func plainHTTPOffLoopbackIsRefusedAndBadAccountsAreUsageErrors() throws {
        let ws = tempDir("candor-serve-cli")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let open = try run(PackagePaths.candor, ["serve", "--workspace", ws, "--listen", "0.0.0.0:0"])
        #expect(open.status == 2 && open.stderr.contains("loopback"), "\(open.stderr)")
        #expect(try run(PackagePaths.candor, ["serve", "--workspace", ws, "--listen", "nonsense"]).status == 2)
        let short = try runWithInput(
            PackagePaths.candor, ["users", "add", "ann", "--role", "investigator", "--workspace", ws], input: "short\n")
        #expect(short.status == 2 && short.stderr.contains("8 characters"), "\(short.stderr)")
        let role = try runWithInput(
            PackagePaths.candor, ["users", "add", "ann", "--role", "boss", "--workspace", ws], input: "long-enough\n")
        #expect(role.status == 2)
        let name = try runWithInput(
            PackagePaths.candor, ["users", "add", "../ann", "--role", "admin", "--workspace", ws], input: "long-enough\n")
        #expect(name.status == 2)
        #expect(try run(PackagePaths.candor, ["cases", "assign", "C1", "nobody", "--workspace", ws]).status == 1)
    }

    @Test func servesHTTPSWithTheGivenCertificate() throws {
        let ws = tempDir("candor-serve-tls")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let openssl = try run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ws + "/key.pem", "-out", ws + "/cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        #expect(openssl.status == 0, "\(openssl.stderr)")
        let server = try ServeProcess(
            workspace: ws + "/ws", users: [.init("tess", "investigator", "tess-password-1")], assignments: [],
            extraArgs: ["--tls-cert", ws + "/cert.pem", "--tls-key", ws + "/key.pem", "--workers", "0"])
        #expect(server.url.hasPrefix("https://"))
        let health = try run("/usr/bin/env", ["curl", "-s", "--cacert", ws + "/cert.pem", server.url + "/healthz"])
        #expect(health.status == 0 && health.stdout == "ok\n", "\(health.stderr)")
        // Over TLS the browser cookie gets the Secure attribute.
        let login = try run(
            "/usr/bin/env",
            [
                "curl", "-s", "-i", "--cacert", ws + "/cert.pem", "-d", "user=tess&password=tess-password-1",
                server.url + "/ui/login",
            ])
        let cookie = login.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: candor_session=") } ?? ""
        #expect(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(login.stdout)")
        #expect(server.stop() == 0)
    }
}
