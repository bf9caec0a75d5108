import CandorTestSupport
import Foundation

/// A private PostgreSQL that takes only TLS with a password, as the README tells operators to
/// run it: a test CA (made with openssl), a server certificate for `localhost` only, the role
/// `candor` with a password, and a `pg_hba.conf` of `hostssl … scram-sha-256` plus a rejection
/// of every plain connection. `otherCA` signed nothing (a CA the server's certificate does not
/// chain to).
struct PostgresTLS {
    let dir: String
    let password: String
    var ca: String { dir + "/ca.pem" }
    var otherCA: String { dir + "/other-ca.pem" }

    /// Makes the CA, the second CA and the server's key and certificate in `dir`.
    init(dir: String) throws {
        self.dir = dir
        password = "tls-" + UUID().uuidString.prefix(8)
        func openssl(_ args: [String]) throws {
            let r = try run("/usr/bin/openssl", args, cwd: dir)
            guard r.status == 0 else { throw TestSetupError("openssl \(args.first ?? ""): \(r.stderr)") }
        }
        let days = ["-days", "2"], rsa = ["-newkey", "rsa:2048", "-nodes"]
        try openssl(["req", "-x509"] + rsa + days + ["-subj", "/CN=Candor test CA", "-keyout", "ca.key", "-out", "ca.pem"])
        try openssl(["req", "-x509"] + rsa + days + ["-subj", "/CN=Another CA", "-keyout", "other-ca.key", "-out", "other-ca.pem"])
        try openssl(["req"] + rsa + ["-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"])
        try "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n".write(
            toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
        try openssl(
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-extfile", "ext.cnf", "-out",
                "server.pem",
            ]
                + days)
    }

    /// Copies the server's key and certificate and the password file into the server's folder
    /// (before initdb; the caller hands the folder to the `postgres` user).
    func install(in serverDir: String) throws {
        let fm = FileManager.default
        for f in ["server.pem", "server.key"] { try fm.copyItem(atPath: dir + "/" + f, toPath: serverDir + "/" + f) }
        chmod(serverDir + "/server.key", 0o600)
        try password.write(toFile: serverDir + "/pw", atomically: true, encoding: .utf8)
    }

    /// After initdb: TLS on, plain connections refused, passwords checked with SCRAM.
    static func configure(_ serverDir: String) throws {
        let data = serverDir + "/data"
        try "local all all trust\nhostssl all candor 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n".write(
            toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
        let conf = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/postgresql.conf"))
        defer { try? conf.close() }
        try conf.seekToEnd()
        conf.write(
            Data(
                """

                ssl = on
                ssl_cert_file = '\(serverDir)/server.pem'
                ssl_key_file = '\(serverDir)/server.key'
                password_encryption = 'scram-sha-256'

                """.utf8))
        try? FileManager.default.removeItem(atPath: serverDir + "/pw")
    }
}
