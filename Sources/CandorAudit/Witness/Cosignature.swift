import Crypto
import Foundation

/// A C2SP tlog-cosignature/v1 cosigner (witness) verifier key: Ed25519, signature type 0x04,
/// encoded as a C2SP signed-note vkey `name+hexkeyid+base64(0x04‖pubkey)`, key id =
/// SHA-256(name ‖ 0x0A ‖ 0x04 ‖ pubkey)[:4].
public struct CosignerKey: Equatable, Hashable, Sendable {
    public let name: String
    public let keyID: [UInt8]
    public let publicKey: [UInt8]

    public static let signatureType: UInt8 = 0x04

    public init(name: String, publicKey: [UInt8]) throws {
        guard NoteVerifierKey.isValidName(name) else { throw AuditError("invalid witness key name \"\(name)\"") }
        guard publicKey.count == 32 else { throw AuditError("Ed25519 public key must be 32 bytes") }
        self.name = name
        self.publicKey = publicKey
        keyID = Array(Merkle.sha256(Array(name.utf8) + [0x0A, Self.signatureType] + publicKey).prefix(4))
    }

    public var encoded: String { "\(name)+\(Hex.encode(keyID))+\(Base64.encode([Self.signatureType] + publicKey))" }

    public init(parsing text: String) throws {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = s.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let id = Hex.decode(String(parts[1])),
            let key = Base64.decode(String(parts[2])), key.count == 33, key[0] == Self.signatureType
        else { throw AuditError("not a cosignature/v1 (Ed25519, type 0x04) witness verifier key: \"\(s.prefix(80))\"") }
        try self.init(name: String(parts[0]), publicKey: Array(key[1...]))
        guard keyID == id else { throw AuditError("witness key \"\(name)\": key id does not match the key") }
    }

    /// The signed message of cosignature/v1: `cosignature/v1\ntime <t>\n` + checkpoint body.
    public static func message(body: String, time: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n".utf8) + Array(body.utf8)
    }

    /// Checks one signature line (`— name base64(keyid ‖ u64 time ‖ sig)`) over `body`.
    /// Returns the cosignature's time, nil when the line is by another key, and throws when it
    /// is by this key but does not verify.
    public func verify(line: String, body: String) throws -> UInt64? {
        guard let (name, blob) = SignedNote.parseSignatureLine(line), name == self.name, blob.count >= 4,
            Array(blob[0..<4]) == keyID
        else { return nil }
        guard blob.count == 4 + 8 + 64 else { throw AuditError("cosignature by \(name) has the wrong length") }
        let time = blob[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard time <= UInt64(Int64.max), let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey),
            pk.isValidSignature(Array(blob[12...]), for: Self.message(body: body, time: time))
        else { throw AuditError("cosignature by witness \(name) does not verify") }
        return time
    }
}

/// A witness's private key (Ed25519 seed), kept as `PRIVATE+KEY+name+hexkeyid+base64(0x04‖seed)`.
public struct CosignerSigner: Sendable {
    public let name: String
    private let seed: [UInt8]

    public init(name: String, seed: [UInt8]) throws {
        guard NoteVerifierKey.isValidName(name) else { throw AuditError("invalid witness name \"\(name)\"") }
        guard seed.count == 32 else { throw AuditError("Ed25519 seed must be 32 bytes") }
        self.name = name
        self.seed = seed
    }

    public static func generate(name: String) throws -> CosignerSigner {
        try CosignerSigner(name: name, seed: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    private var privateKey: Curve25519.Signing.PrivateKey {
        // 32-byte seeds always make a key.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    public var verifierKey: CosignerKey {
        try! CosignerKey(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    public var encodedPrivate: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifierKey.keyID))+\(Base64.encode([CosignerKey.signatureType] + seed))"
    }

    public init(parsingPrivate text: String) throws {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = s.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let id = Hex.decode(String(parts[3])),
            let seed = Base64.decode(String(parts[4])), seed.count == 33, seed[0] == CosignerKey.signatureType
        else { throw AuditError("not a witness signer key") }
        try self.init(name: String(parts[2]), seed: Array(seed[1...]))
        guard verifierKey.keyID == id else { throw AuditError("witness key \"\(name)\": key id does not match the key") }
    }

    /// The cosignature line (with its newline) over a checkpoint body at `time` (POSIX seconds).
    public func cosign(body: String, time: UInt64) throws -> String {
        let sig = Array(try privateKey.signature(for: CosignerKey.message(body: body, time: time)))
        var ts: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { ts.append(UInt8((time >> UInt64(shift)) & 0xFF)) }
        return "\u{2014} \(name) \(Base64.encode(verifierKey.keyID + ts + sig))\n"
    }
}
