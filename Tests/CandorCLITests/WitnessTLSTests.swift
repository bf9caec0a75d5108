import CandorAudit
import CandorTestSupport
import Foundation
import Testing

/// A witness served over HTTPS with a certificate from a private CA (made here with openssl):
/// the workspace reaches it only with that CA pinned (`witness add --ca`); without it, or with
/// another CA, the witness is reported untrusted, naming its URL, and work goes on unwitnessed.
@Suite(.serialized) struct WitnessTLSTests {
    /// A CA, a witness certificate it issued for `san`, and an unrelated second CA.
    struct PKI {
        let ca: String, otherCA: String, cert: String, key: String
    }

    static func openssl(_ args: String...) throws {
        let r = try run("/usr/bin/openssl", args)
        try #require(r.status == 0, "openssl \(args.joined(separator: " ")): \(r.stderr)")
    }

    static func makePKI(_ dir: String, san: String = "DNS:localhost") throws -> PKI {
        let p = PKI(ca: dir + "/ca.pem", otherCA: dir + "/other-ca.pem", cert: dir + "/witness.pem", key: dir + "/witness.key")
        for (cert, key, cn) in [(p.ca, dir + "/ca.key", "Integrity Office Test CA"), (p.otherCA, dir + "/other-ca.key", "Other CA")] {
            try openssl(
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                "-days", "2", "-subj", "/CN=\(cn)", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        }
        try openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", p.key,
            "-out", dir + "/witness.csr", "-subj", "/CN=witness")
        try Data("subjectAltName=\(san)\nextendedKeyUsage=serverAuth\n".utf8).write(to: URL(fileURLWithPath: dir + "/ext.cnf"))
        try openssl(
            "x509", "-req", "-in", dir + "/witness.csr", "-CA", p.ca, "-CAkey", dir + "/ca.key", "-CAcreateserial",
            "-out", p.cert, "-days", "2", "-extfile", dir + "/ext.cnf")
        return p
    }

    @Test func aWitnessBehindAPrivateCAIsUsedOnlyWithThatCAPinned() throws {
        let (root, ws, _, _) = try AuditCLITests.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pki = try Self.makePKI(root)
        let w = try WitnessProcess(
            dir: root + "/witness", logKeyFile: ws + "/keys/log.vkey", extraArgs: ["--tls-cert", pki.cert, "--tls-key", pki.key])
        defer { w.stop() }
        #expect(w.url.hasPrefix("https://127.0.0.1:"), "\(w.url)")
        // The certificate names localhost (not the address): reach the witness by that name.
        let url = w.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")

        // Without --ca the system's CAs do not know the private CA: recorded, reported, not blocking.
        let plain = try candor("witness", "add", "--url", url, "--vkey", w.vkeyFile, "--workspace", ws)
        #expect(plain.status == 1, "\(plain.stdout)\(plain.stderr)")
        #expect(plain.stderr.contains("(\(url)) unreachable"), "\(plain.stderr)")
        #expect(plain.stderr.contains("does not verify against the system's CAs"), "\(plain.stderr)")
        let r1 = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "untrusted")
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r1.stderr.contains("unwitnessed"), "\(r1.stderr)")
        let v1 = try WitnessCLITests.verify(ws, "--case", "C1", "--session", "S1", "--require-witness")
        #expect(v1.status == 4 && v1.stderr.contains("does not verify"), "\(v1.stdout)\(v1.stderr)")

        // Another CA pinned: the same, naming the pinned CA.
        let wrong = try candor("witness", "add", "--url", url, "--vkey", w.vkeyFile, "--ca", pki.otherCA, "--workspace", ws)
        #expect(wrong.status == 1, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stderr.contains("does not verify against the pinned CA"), "\(wrong.stderr)")

        // The right CA pinned: cosigned; verify compares with the witness over TLS.
        let good = try candor("witness", "add", "--url", url, "--vkey", w.vkeyFile, "--ca", pki.ca, "--workspace", ws)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("cosigned by witness.test/w1"), "\(good.stdout)")
        let list = try candor("witness", "list", "--workspace", ws)
        #expect(list.stdout.contains("(pinned CA)"), "\(list.stdout)")
        let r2 = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "trusted")
        #expect(r2.status == 0 && !r2.stderr.contains("unwitnessed"), "\(r2.stderr)")
        let v2 = try WitnessCLITests.verify(ws, "--case", "C1", "--session", "S1", "--require-witness")
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")

        // A name the certificate does not carry (its address): host mismatch.
        let host = try candor("witness", "add", "--url", w.url, "--vkey", w.vkeyFile, "--ca", pki.ca, "--workspace", ws)
        #expect(host.status == 1 && host.stderr.contains("does not name host 127.0.0.1"), "\(host.stderr)")

        // Witness stopped: connection refused, named with the URL; work goes on.
        try #require(try candor("witness", "add", "--url", url, "--vkey", w.vkeyFile, "--ca", pki.ca, "--workspace", ws).status == 0)
        w.stop()
        let r3 = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "offline")
        #expect(r3.status == 0, "\(r3.stderr)")
        #expect(r3.stderr.contains("(\(url)) unreachable (connection refused)"), "\(r3.stderr)")

        // --ca is for https only, and must hold a certificate.
        #expect(
            try candor("witness", "add", "--url", "http://127.0.0.1:1", "--vkey", w.vkeyFile, "--ca", pki.ca, "--workspace", ws).status == 2
        )
        let junk = try candor("witness", "add", "--url", url, "--vkey", w.vkeyFile, "--ca", pki.key + "x", "--workspace", ws)
        #expect(junk.status == 3, "\(junk.stderr)")
    }
}
