import Foundation

/// The time-stamping authority a workspace asks for RFC 3161 tokens on its checkpoints:
/// `WORKSPACE/keys/tsa` holds its URL, `keys/tsa.pem` its pinned certificate.
public struct TimestampAuthority: Sendable, Equatable {
    public let url: String
    public let certificate: TSACertificate
    public init(url: String, certificate: TSACertificate) { (self.url, self.certificate) = (url, certificate) }

    /// The name of the timestamp line in a checkpoint note: `— rfc3161-tsa base64(keyid ‖ DER
    /// TimeStampResp)`, keyid = the first 4 bytes of SHA-256(the TSA certificate's DER).
    /// Verifiers that do not know it ignore it, as any signature line by an unknown key.
    public static let lineName = "rfc3161-tsa"

    public func line(response: [UInt8]) -> String {
        "\u{2014} \(Self.lineName) " + Base64.encode(certificate.keyID + response)
    }

    /// The time-stamp response carried by `note` for `certificate`, if any; else that of any
    /// other TSA (which then fails verification, naming the signer).
    public static func token(in note: String, certificate: TSACertificate) -> [UInt8]? {
        guard let sigs = try? SignedNote.split(note).signatures else { return nil }
        let blobs = sigs.compactMap { SignedNote.parseSignatureLine($0) }.filter { $0.name == lineName && $0.blob.count > 4 }.map(\.blob)
        guard let blob = blobs.first(where: { Array($0.prefix(4)) == certificate.keyID }) ?? blobs.first else { return nil }
        return Array(blob.dropFirst(4))
    }

    /// Checks the timestamp of a signed checkpoint `note`: nil when it carries none.
    public static func check(note: String, certificate: TSACertificate) throws -> TimeStamp.Info? {
        guard let token = token(in: note, certificate: certificate) else { return nil }
        let body = try SignedNote.split(note).body
        return try TimeStamp.verify(response: token, body: body, tsa: certificate)
    }
}

extension KeyStore {
    var tsaPath: String { path("tsa") }
    var tsaCertificatePath: String { path("tsa.pem") }

    /// The workspace's time-stamping authority, if one is configured.
    public func timestampAuthority() throws -> TimestampAuthority? {
        guard FileManager.default.fileExists(atPath: tsaPath) else { return nil }
        let url = try Self.readText(tsaPath).trimmingCharacters(in: .whitespacesAndNewlines)
        let cert = try TSACertificate(pemOrDER: Array(try Self.readText(tsaCertificatePath).utf8))
        return TimestampAuthority(url: url, certificate: cert)
    }

    /// Records the time-stamping authority (URL and pinned certificate, PEM).
    public func setTimestampAuthority(url: String, certificatePEM: String) throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw AuditError("TSA URL must start with http:// or https://") }
        _ = try TSACertificate(pemOrDER: Array(certificatePEM.utf8))
        try Self.createDirectory(directory)
        try Self.replace(tsaCertificatePath, certificatePEM, mode: 0o644)
        try Self.replace(tsaPath, url + "\n", mode: 0o644)
    }
}

extension AuditWorkspace {
    /// Asks the workspace's TSA for a token on the latest checkpoint of `s` (unless it has one)
    /// and stores it in the note. Returns a line to show when that failed (work goes on: the
    /// checkpoint is then not timestamped); nil when done or no TSA is configured.
    public func timestampLatest(_ s: SessionRef) -> String? {
        guard let transport = witnessTransport else { return nil }
        let tsa: TimestampAuthority
        do {
            guard let t = try keys.timestampAuthority() else { return nil }
            tsa = t
        } catch { return "time-stamping authority: \(error)" }
        do {
            guard let cp = try store.latestCheckpoint(s), !Self.hasToken(cp.note, tsa) else { return nil }
            let body = try SignedNote.split(cp.note).body
            var nonce = [UInt8](repeating: 0, count: 8)
            for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255) }
            if let at = TSABackoff.backedOff(tsa.url) {
                throw AuditError(
                    "did not answer \(Int(Date().timeIntervalSince(at))) s ago (asked again \(Int(TSABackoff.seconds)) s after that)")
            }
            let r: WitnessResponse
            do {
                r = try transport.post(
                    tsa.url, body: TimeStamp.request(body: body, nonce: nonce), contentType: "application/timestamp-query", trustRoots: nil)
            } catch {
                TSABackoff.failed(tsa.url)
                throw error
            }
            TSABackoff.answered(tsa.url)
            guard r.status == 200 else { throw AuditError("HTTP \(r.status)") }
            _ = try TimeStamp.verify(response: r.body, body: body, tsa: tsa.certificate, nonce: nonce)
            try store.withSessionLock(s) {
                guard let current = try store.checkpoint(s, size: cp.size) else { return }
                try store.insertCheckpoint(s, size: cp.size, note: try SignedNote.appending([tsa.line(response: r.body)], to: current))
            }
            return nil
        } catch {
            return
                "time-stamping authority \(tsa.url): \(error); the checkpoint of \(s.isHeadsLog ? "the heads log" : "\(s)") is not timestamped"
        }
    }

    private static func hasToken(_ note: String, _ tsa: TimestampAuthority) -> Bool {
        let sigs = (try? SignedNote.split(note).signatures) ?? []
        return sigs.contains { l in
            SignedNote.parseSignatureLine(l).map {
                $0.name == TimestampAuthority.lineName && Array($0.blob.prefix(4)) == tsa.certificate.keyID
            }
                ?? false
        }
    }
}
