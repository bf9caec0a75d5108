import CandorStore
import Foundation
import Testing

/// Connection errors against a real PostgreSQL that takes only TLS with a password (a private
/// server with a test CA): each is one line naming the problem, exit 1, and comes at once
/// (well before the 15 s connect timeout), never with a source path, a `<none>` placeholder
/// or the password in it. `scripts/netns-cluster.sh` checks the same across namespaces.
@Suite("PostgreSQL TLS and password errors (a TLS-only server, processes)", .serialized)
struct TLSErrorTests {
    @Test("wrong or missing password, missing CA file, wrong CA, wrong host name, plain connection: one clear line each")
    func errors() throws {
        let certs = tempDir("candor-tls")
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let tls = try PostgresTLS(dir: certs)
        let pg = try PrivatePostgres(tls: tls)
        defer { pg.destroy() }
        let ws = certs + "/ws"
        let base = "postgres://candor@localhost:\(pg.port)/postgres"
        let good = base + "?sslmode=verify-full&sslrootcert=\(tls.ca)"
        // The right settings connect, so each failure below is about the one thing it changes.
        // Before anything was submitted there is no queue to read, and status says so.
        let empty = try candor(["batch", "status", "--queue", good, "--workspace", ws], env: ["PGPASSWORD": tls.password])
        #expect(empty.status == 1 && empty.stderr.contains("no Candor queue in this database yet"), "\(empty.stderr)")
        let file = makeRecordings(certs, count: 1)
        let submitted = try candor(["batch", "submit"] + file + ["--queue", good, "--workspace", ws], env: ["PGPASSWORD": tls.password])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let ok = try candor(["batch", "status", "--queue", good, "--workspace", ws], env: ["PGPASSWORD": tls.password])
        #expect(ok.status == 0 && ok.stdout.contains("queued 1"), "\(ok.stdout) \(ok.stderr)")
        let cases: [(what: String, url: String, password: String, says: String)] = [
            ("no password", good, "", "the server asks for a password and none was given"),
            ("wrong password", good, "not-" + tls.password, "password authentication failed for user \"candor\""),
            (
                "missing CA file", base + "?sslmode=verify-full&sslrootcert=\(certs)/missing-ca.pem", tls.password,
                "sslrootcert \(certs)/missing-ca.pem: No such file or directory"
            ),
            (
                "a CA that did not sign the certificate", base + "?sslmode=verify-full&sslrootcert=\(tls.otherCA)", tls.password,
                "the server's certificate does not verify"
            ),
            (
                "a host name the certificate does not list",
                "postgres://candor@127.0.0.1:\(pg.port)/postgres?sslmode=verify-full&sslrootcert=\(tls.ca)",
                tls.password, "the server's certificate is not for the host name in the URL"
            ),
            ("a plain connection to a TLS-only server", base + "?sslmode=disable", tls.password, "the server accepts only TLS"),
        ]
        var times: [String] = []
        for c in cases {
            let started = Date()
            let r = try candor(["batch", "status", "--queue", c.url, "--workspace", ws], env: ["PGPASSWORD": c.password])
            let seconds = Date().timeIntervalSince(started)
            times.append(String(format: "%@ %.1f s", c.what, seconds))
            #expect(r.status == 1, "\(c.what): exit \(r.status): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(c.what): \(r.stderr)")
            #expect(r.stderr.hasPrefix("candor: error: "), "\(c.what): \(r.stderr)")
            #expect(r.stderr.contains(c.says), "\(c.what): \(r.stderr)")
            for leak in [".build/", "/src/", "<none>", "BoringSSL", tls.password] {
                #expect(!r.stderr.contains(leak), "\(c.what): \(leak) in \(r.stderr)")
            }
            #expect(seconds < 15, "\(c.what): took \(seconds) s, as long as a connect timeout")
        }
        print("[tls] " + times.joined(separator: "; "))
    }
}
