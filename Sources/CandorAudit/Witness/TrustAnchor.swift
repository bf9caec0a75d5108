import Foundation

/// A workspace's trust anchor (`candor keys trust --out FILE`): the keys a verifier pins,
/// handed over out of band (never read from the bundle it checks). Canonical JSON:
/// `{"format":"candor-trust/1","log_keys":[vkey…],"operator_keys":[vkey…],
///   "witnesses":[{"name","url","vkey"}…],"quorum":N}`, and `"tsa_certificate": PEM` when the
/// workspace has a time-stamping authority (then every pinned checkpoint needs its RFC 3161 token).
public struct TrustAnchor: Sendable, Equatable {
    public static let format = "candor-trust/1"
    public var logKeys: [NoteVerifierKey]
    public var operatorKeys: [NoteVerifierKey]
    public var witnesses: [WitnessEndpoint]
    public var quorum: Int
    /// The pinned certificate (PEM) of the workspace's time-stamping authority, if any.
    public var tsaCertificatePEM: String?

    public init(logKeys: [NoteVerifierKey], operatorKeys: [NoteVerifierKey], witnesses: [WitnessEndpoint], quorum: Int) {
        (self.logKeys, self.operatorKeys, self.witnesses, self.quorum) = (logKeys, operatorKeys, witnesses, quorum)
    }

    public var encoded: [UInt8] {
        var o: [String: AuditJSON] = [
            "format": .string(Self.format),
            "log_keys": .array(logKeys.map { .string($0.encoded) }),
            "operator_keys": .array(operatorKeys.map { .string($0.encoded) }),
            "witnesses": .array(
                witnesses.map { .object(["name": .string($0.key.name), "url": .string($0.url), "vkey": .string($0.key.encoded)]) }),
            "quorum": .int(Int64(quorum)),
        ]
        if let tsaCertificatePEM { o["tsa_certificate"] = .string(tsaCertificatePEM) }
        return CanonicalJSON.encode(.object(o)) + [0x0A]
    }

    public init(parsing bytes: [UInt8]) throws {
        var b = bytes
        while b.last == 0x0A || b.last == 0x0D { b.removeLast() }
        guard let obj = try? CanonicalJSON.parse(b), obj["format"]?.stringValue == Self.format else {
            throw AuditError("not a \(Self.format) trust anchor")
        }
        func keys(_ f: String) throws -> [NoteVerifierKey] {
            try (obj[f]?.arrayValue ?? []).map { v in
                guard let t = v.stringValue else { throw AuditError("trust anchor: \(f) must be strings") }
                return try NoteVerifierKey(parsing: t)
            }
        }
        let ws = try (obj["witnesses"]?.arrayValue ?? []).map { w -> WitnessEndpoint in
            guard let v = w["vkey"]?.stringValue else { throw AuditError("trust anchor: a witness lacks vkey") }
            return WitnessEndpoint(url: w["url"]?.stringValue ?? "", key: try CosignerKey(parsing: v))
        }
        guard let q = obj["quorum"]?.intValue, q >= 0, Int(q) <= ws.count else {
            throw AuditError("trust anchor: quorum must be between 0 and the number of witnesses")
        }
        self.init(logKeys: try keys("log_keys"), operatorKeys: try keys("operator_keys"), witnesses: ws, quorum: Int(q))
        guard !logKeys.isEmpty else { throw AuditError("trust anchor: no log key") }
        if let pem = obj["tsa_certificate"] {
            guard let text = pem.stringValue, (try? TSACertificate(pemOrDER: Array(text.utf8))) != nil else {
                throw AuditError("trust anchor: tsa_certificate is not a PEM certificate")
            }
            tsaCertificatePEM = text
        }
    }

    public static func read(_ path: String) throws -> TrustAnchor {
        guard let d = FileManager.default.contents(atPath: path) else { throw AuditError("\(path): cannot read trust anchor") }
        do { return try TrustAnchor(parsing: [UInt8](d)) } catch { throw AuditError("\(path): \(error)") }
    }

    /// Pins `contents` (a bundle or a workspace log) to this anchor: its log key must be a
    /// pinned log key, only pinned operator keys are trusted, and its checkpoint must carry
    /// valid cosignatures by at least `quorum` pinned witnesses. Returns the names of the
    /// witnesses whose cosignature verified.
    public func pin(_ contents: inout LogContents) throws(VerificationFailure) -> [String] {
        guard let logKey = try? NoteVerifierKey(parsing: contents.logKey), logKeys.contains(logKey) else {
            throw VerificationFailure(
                kind: .checkpoint, seq: nil,
                message: "the log key \(contents.logKey.trimmingCharacters(in: .whitespacesAndNewlines)) is not pinned by the trust anchor")
        }
        contents.operatorKeys = operatorKeys.map(\.encoded)
        var cosigned: [String] = []
        if let note = contents.checkpoint {
            for w in witnesses {
                do {
                    if try SignedNote.cosignatureTime(note, key: w.key) != nil { cosigned.append(w.key.name) }
                } catch {
                    throw VerificationFailure(kind: .checkpoint, seq: nil, message: "\(error)")
                }
            }
        }
        guard cosigned.count >= quorum else {
            throw VerificationFailure(
                kind: .checkpoint, seq: nil,
                message:
                    "the checkpoint carries valid cosignatures by \(cosigned.count) pinned witness(es) (\(cosigned.joined(separator: ", "))), the trust anchor requires \(quorum)"
            )
        }
        return cosigned
    }
}

extension AuditWorkspace {
    /// The workspace's trust anchor: current and retired log keys, every operator key, the
    /// configured witnesses, and `quorum` (default: all witnesses).
    public func trustAnchor(quorum: Int? = nil) throws -> TrustAnchor {
        var logKeys = [try keys.logVerifierKey()]
        for r in try keys.logRotations() {
            for t in [r.oldKey, r.newKey] { if let k = try? NoteVerifierKey(parsing: t), !logKeys.contains(k) { logKeys.append(k) } }
        }
        let ops = try keys.allOperatorKeys().map { try NoteVerifierKey(parsing: $0) }
        let ws = try keys.witnesses()
        let q = quorum ?? ws.count
        guard q >= 0, q <= ws.count else { throw AuditError("--quorum must be between 0 and the number of witnesses (\(ws.count))") }
        var anchor = TrustAnchor(logKeys: logKeys, operatorKeys: ops, witnesses: ws, quorum: q)
        if try keys.timestampAuthority() != nil { anchor.tsaCertificatePEM = try KeyStore.readText(keys.tsaCertificatePath) }
        return anchor
    }
}
