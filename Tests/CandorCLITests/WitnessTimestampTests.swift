import CandorAudit
import CandorTestSupport
import CandorWitness
import Foundation
import Testing

/// RFC 3161 trusted time on checkpoints, against a local TSA (`openssl ts -reply` behind
/// Tests/tsa_server.py) with a certificate made here (extendedKeyUsage critical timeStamping).
/// Both verifiers check the token; openssl checks it independently.
@Suite(.serialized) struct WitnessTimestampTests {
    static let py = Paths.packageRoot.appendingPathComponent("Tests/audit_verifier.py").path
    static let server = Paths.packageRoot.appendingPathComponent("Tests/tsa_server.py").path

    struct TSAStartError: Error, CustomStringConvertible {
        var description: String { "Tests/tsa_server.py did not start (python3, openssl)" }
    }

    /// The local TSA: a python process serving `openssl ts -reply`.
    final class LocalTSA {
        let process = Process()
        let url: String
        init(dir: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", WitnessTimestampTests.server, dir]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            guard let u = waitForAddressFile(dir + "/tsa.url", while: process) else {
                process.terminate()
                throw TSAStartError()
            }
            url = u
        }
        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        deinit { stop() }
    }

    static func makeTSACertificate(_ dir: String, name: String, rsa: Bool = false) throws -> String {
        let key = rsa ? ["rsa:2048"] : ["ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        let r = try run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey"] + key + [
                "-nodes", "-keyout", dir + "/\(name).key",
                "-out", dir + "/\(name).pem", "-days", "2", "-subj", "/CN=\(name)", "-addext", "extendedKeyUsage=critical,timeStamping",
            ])
        try #require(r.status == 0, "\(r.stderr)")
        return dir + "/\(name).pem"
    }

    /// The bundle's checkpoint with its timestamp line replaced by `token`.
    static func replaceToken(_ note: String, with token: [UInt8], keyID: [UInt8]) -> String {
        note.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasPrefix("\u{2014} rfc3161-tsa ") ? "\u{2014} rfc3161-tsa " + Base64.encode(keyID + token) : String(line)
        }.joined(separator: "\n")
    }

    @Test func checkpointsCarryATokenThatBothVerifiersAndOpenSSLCheck() throws {
        let (root, ws, _, _) = try AuditCLITests.workspaceWithAnalysis()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tsaDir = root + "/tsa"
        try FileManager.default.createDirectory(atPath: tsaDir, withIntermediateDirectories: true)
        let certFile = try Self.makeTSACertificate(tsaDir, name: "tsa")
        let otherCert = try Self.makeTSACertificate(root, name: "other-tsa")
        let tsa = try LocalTSA(dir: tsaDir)
        defer { tsa.stop() }

        let set = try candor("witness", "tsa", "--url", tsa.url, "--cert", certFile, "--workspace", ws)
        #expect(set.status == 0, "\(set.stderr)")
        let r = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "timed")
        #expect(r.status == 0 && !r.stderr.contains("not timestamped"), "\(r.stderr)")
        let v = try WitnessCLITests.verify(ws, "--case", "C1", "--session", "S1")
        #expect(v.status == 0 && v.stdout.contains("timestamped (RFC 3161) at 20"), "\(v.stdout)\(v.stderr)")

        // The bundle carries the token: the Swift and Python verifiers check it with the pinned certificate.
        let bundle = root + "/bundle"
        #expect(try candor("audit", "export", "--case", "C1", "--session", "S1", "--out", bundle, "--workspace", ws).status == 0)
        let sv = try candor("audit", "verify", bundle, "--allow-unpinned", "--tsa-cert", certFile)
        #expect(sv.status == 0 && sv.stdout.contains("timestamped (RFC 3161)"), "\(sv.stdout)\(sv.stderr)")
        let pv = try run("/usr/bin/env", ["python3", Self.py, bundle, "--allow-unpinned", "--tsa-cert", certFile])
        #expect(pv.status == 0 && pv.stdout.contains("timestamped (RFC 3161)"), "\(pv.stdout)\(pv.stderr)")

        // The trust anchor pins the TSA certificate too: the token is then required.
        let trust = root + "/trust.json"
        #expect(try candor("keys", "trust", "--out", trust, "--workspace", ws).status == 0)
        let tv = try candor("audit", "verify", bundle, "--trust", trust)
        #expect(tv.status == 0 && tv.stdout.contains("timestamped (RFC 3161)"), "\(tv.stdout)\(tv.stderr)")
        let ptv = try run("/usr/bin/env", ["python3", Self.py, bundle, "--trust", trust])
        #expect(ptv.status == 0 && ptv.stdout.contains("timestamped (RFC 3161)"), "\(ptv.stdout)\(ptv.stderr)")

        // openssl, independently: the token is a valid RFC 3161 response for the checkpoint body.
        let note = try String(contentsOfFile: bundle + "/checkpoint", encoding: .utf8)
        let cert = try TSACertificate(pemOrDER: Array(try String(contentsOfFile: certFile, encoding: .utf8).utf8))
        let token = try #require(TimestampAuthority.token(in: note, certificate: cert))
        let body = try SignedNote.split(note).body
        try Data(token).write(to: URL(fileURLWithPath: root + "/token.tsr"))
        try Data(body.utf8).write(to: URL(fileURLWithPath: root + "/body"))
        let ov = try run("/usr/bin/openssl", ["ts", "-verify", "-in", root + "/token.tsr", "-data", root + "/body", "-CAfile", certFile])
        #expect(ov.status == 0 && (ov.stdout + ov.stderr).contains("Verification: OK"), "\(ov.stdout)\(ov.stderr)")
        let info = try TimeStamp.verify(response: token, body: body, tsa: cert)
        #expect(info.genTimeRFC3339.hasPrefix("20") && info.genTimeRFC3339.hasSuffix("Z"), "\(info)")
        // The same token does not fit another checkpoint body.
        #expect(throws: AuditError.self) { try TimeStamp.verify(response: token, body: body + "x\n", tsa: cert) }

        // Wrong TSA certificate: exit 4 from both, naming the pinned certificate.
        let wrong = try candor("audit", "verify", bundle, "--allow-unpinned", "--tsa-cert", otherCert)
        #expect(wrong.status == 4 && wrong.stderr.contains("pinned TSA certificate"), "\(wrong.stderr)")
        let pwrong = try run("/usr/bin/env", ["python3", Self.py, bundle, "--allow-unpinned", "--tsa-cert", otherCert])
        #expect(pwrong.status == 4 && pwrong.stdout.contains("pinned TSA certificate"), "\(pwrong.stdout)")

        // A tampered token (the TSA's time changed): exit 4 from both, naming the alteration.
        var altered = token
        let time = Array(info.genTime.utf8)
        let at = try #require((0...(altered.count - time.count)).first { Array(altered[$0..<($0 + time.count)]) == time })
        altered[at + 3] = altered[at + 3] == UInt8(ascii: "9") ? UInt8(ascii: "8") : altered[at + 3] + 1
        let tampered = root + "/tampered"
        try FileManager.default.copyItem(atPath: bundle, toPath: tampered)
        try Data(Self.replaceToken(note, with: altered, keyID: cert.keyID).utf8).write(to: URL(fileURLWithPath: tampered + "/checkpoint"))
        let st = try candor("audit", "verify", tampered, "--allow-unpinned", "--tsa-cert", certFile)
        #expect(st.status == 4 && st.stderr.contains("TSTInfo was altered"), "\(st.stderr)")
        let pt = try run("/usr/bin/env", ["python3", Self.py, tampered, "--allow-unpinned", "--tsa-cert", certFile])
        #expect(pt.status == 4 && pt.stdout.contains("TSTInfo was altered"), "\(pt.stdout)")
        // Without the token: a pinned TSA makes it a failure.
        try Data(
            note.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("\u{2014} rfc3161-tsa ") }
                .joined(separator: "\n").utf8
        ).write(to: URL(fileURLWithPath: tampered + "/checkpoint"))
        #expect(try candor("audit", "verify", tampered, "--allow-unpinned", "--tsa-cert", certFile).status == 4)
        #expect(try run("/usr/bin/env", ["python3", Self.py, tampered, "--allow-unpinned", "--tsa-cert", certFile]).status == 4)
        #expect(try candor("audit", "verify", tampered, "--allow-unpinned").status == 0)  // the log itself is intact
        #expect(try candor("audit", "verify", tampered, "--trust", trust).status == 4)
        #expect(try run("/usr/bin/env", ["python3", Self.py, tampered, "--trust", trust]).status == 4)

        // TSA down: work goes on, the checkpoint is not timestamped, and verify says so.
        tsa.stop()
        let down = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "no time")
        #expect(down.status == 0 && down.stderr.contains("not timestamped"), "\(down.stderr)")
        // Asked once: the second checkpoint of the append (the heads log's) is not held up by another wait.
        #expect(down.stderr.contains("did not answer"), "\(down.stderr)")
        let vd = try WitnessCLITests.verify(ws, "--case", "C1", "--session", "S1")
        #expect(vd.status == 0 && vd.stderr.contains("not timestamped"), "\(vd.stdout)\(vd.stderr)")
        #expect(try WitnessCLITests.verify(ws, "--case", "C1", "--session", "S1", "--tsa-cert", certFile).status == 4)
    }

    /// Real TSAs mostly sign with RSA: a token from an RSA TSA, fetched with the witness HTTP
    /// client, verifies in Swift and in the Python verifier, and fails when its signature is altered.
    @Test func rsaTokensVerifyInBothVerifiers() throws {
        let dir = tempDir("candor-tsa-rsa")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let certFile = try Self.makeTSACertificate(dir, name: "tsa", rsa: true)
        let tsa = try LocalTSA(dir: dir)
        defer { tsa.stop() }
        let cert = try TSACertificate(pemOrDER: Array(try String(contentsOfFile: certFile, encoding: .utf8).utf8))
        let body = "candor-log-x/C1/S1\n3\n\(Base64.encode(Merkle.sha256([1, 2, 3])))\n"
        let nonce: [UInt8] = [0x81, 2, 3, 4, 5, 6, 7, 8]
        let r = try HTTPWitnessTransport().post(
            tsa.url, body: TimeStamp.request(body: body, nonce: nonce), contentType: "application/timestamp-query", trustRoots: nil)
        #expect(r.status == 200)
        let info = try TimeStamp.verify(response: r.body, body: body, tsa: cert, nonce: nonce)
        #expect(info.nonce == nonce)
        #expect(throws: AuditError.self) { try TimeStamp.verify(response: r.body, body: body, tsa: cert, nonce: [9]) }
        var bad = r.body
        bad[bad.count - 5] ^= 0x01  // inside the RSA signature, the last field of the response
        #expect(throws: AuditError.self) { try TimeStamp.verify(response: bad, body: body, tsa: cert) }

        // Every single-byte change and every truncation: an error or (in unsigned parts such as
        // the embedded certificate) a pass, never a crash; the TSTInfo itself never passes altered.
        let tst = Array(info.genTime.utf8)
        let timeAt = try #require((0...(r.body.count - tst.count)).first { Array(r.body[$0..<($0 + tst.count)]) == tst })
        for i in 0..<r.body.count {
            var b = r.body
            b[i] ^= 0xFF
            let passed = (try? TimeStamp.verify(response: b, body: body, tsa: cert)) != nil
            if (timeAt..<(timeAt + tst.count)).contains(i) { #expect(!passed, "byte \(i) of genTime changed, still verifies") }
        }
        for n in 0..<r.body.count { _ = try? TimeStamp.verify(response: Array(r.body.prefix(n)), body: body, tsa: cert) }

        let note = body + "\n\u{2014} rfc3161-tsa " + Base64.encode(cert.keyID + r.body) + "\n"
        let badNote = body + "\n\u{2014} rfc3161-tsa " + Base64.encode(cert.keyID + bad) + "\n"
        for (text, expected) in [(note, "ok"), (badNote, "not by the pinned TSA certificate")] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/note"))
            let script = """
                import sys; sys.path.insert(0, sys.argv[1]); import audit_verifier as v
                note = open(sys.argv[2], "rb").read(); pem = open(sys.argv[3], "rb").read()
                try: v.check_timestamp(note, note[:note.rindex(b"\\n\\n") + 1], pem); print("ok")
                except v.Fail as e: print(e)
                """
            let p = try run(
                "/usr/bin/env", ["python3", "-c", script, Paths.packageRoot.appendingPathComponent("Tests").path, dir + "/note", certFile])
            #expect(p.stdout.contains(expected), "\(p.stdout)\(p.stderr)")
        }
    }
}
