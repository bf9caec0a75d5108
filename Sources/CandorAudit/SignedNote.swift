import CandorCore
import Crypto
import Foundation

/// Strict standard base64 (RFC 4648 §4, with padding): decoding must round-trip, so
/// two different texts never decode to the same bytes.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    public static func decode(_ s: String) -> [UInt8]? {
        guard let d = Data(base64Encoded: s) else { return nil }
        let bytes = [UInt8](d)
        return encode(bytes) == s ? bytes : nil
    }
}

/// Errors from keys, notes and checkpoints: one line naming the problem.
public struct AuditError: CandorError, Sendable {
    /// `.failure` by default; `.invalidInput` when the caller named something that does not
    /// exist (an unknown session, a record number beyond the log).
    public let exitStatus: ExitStatus
    public let message: String
    public init(_ message: String, status: ExitStatus = .failure) {
        self.message = message
        self.exitStatus = status
    }
    public var description: String { message }
}

/// An Ed25519 verifier key in the C2SP signed-note format `name+hexkeyid+base64(0x01‖pubkey)`.
public struct NoteVerifierKey: Equatable, Hashable, Sendable {
    public let name: String
    public let keyID: [UInt8]  // 4 bytes
    public let publicKey: [UInt8]  // 32 bytes

    public init(name: String, publicKey: [UInt8]) throws {
        guard NoteVerifierKey.isValidName(name) else { throw AuditError("invalid key name \"\(name)\"") }
        guard publicKey.count == 32 else { throw AuditError("Ed25519 public key must be 32 bytes") }
        self.name = name
        self.publicKey = publicKey
        self.keyID = NoteVerifierKey.keyID(name: name, publicKey: publicKey)
    }

    /// C2SP signed-note: key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey)[:4].
    public static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(Merkle.sha256(Array(name.utf8) + [0x0A, 0x01] + publicKey).prefix(4))
    }

    /// Key names are non-empty and contain no Unicode whitespace and no "+".
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
    }

    public var encoded: String { "\(name)+\(Hex.encode(keyID))+\(Base64.encode([0x01] + publicKey))" }

    /// Parses `name+hexkeyid+base64(0x01‖pubkey)`, checking the key id against the key.
    public init(parsing text: String) throws {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // The base64 part may itself contain "+"; the name cannot.
        let parts = s.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let id = Hex.decode(String(parts[1])),
            let key = Base64.decode(String(parts[2])), key.count == 33, key[0] == 0x01
        else { throw AuditError("not an Ed25519 note verifier key: \"\(s.prefix(80))\"") }
        try self.init(name: String(parts[0]), publicKey: Array(key[1...]))
        guard keyID == id else { throw AuditError("verifier key \"\(name)\": key id does not match the key") }
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            return false
        }
        return pk.isValidSignature(signature, for: message)
    }
}

/// An Ed25519 signer: a note key name and a private key.
public struct NoteSigner {
    public let name: String
    let privateKey: Curve25519.Signing.PrivateKey

    public init(name: String, seed: [UInt8]) throws {
        guard NoteVerifierKey.isValidName(name) else { throw AuditError("invalid key name \"\(name)\"") }
        self.name = name
        self.privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    public static func generate(name: String) throws -> NoteSigner {
        try NoteSigner(name: name, seed: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    public var verifierKey: NoteVerifierKey {
        // The name was validated and the key is 32 bytes, so this cannot fail.
        try! NoteVerifierKey(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] { Array(try privateKey.signature(for: message)) }

    /// The signer key text, in the Go note package's format: `PRIVATE+KEY+name+hexkeyid+base64(0x01‖seed)`.
    public var encodedPrivate: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifierKey.keyID))+\(Base64.encode([0x01] + Array(privateKey.rawRepresentation)))"
    }

    public init(parsingPrivate text: String) throws {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = s.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let id = Hex.decode(String(parts[3])),
            let seed = Base64.decode(String(parts[4])), seed.count == 33, seed[0] == 0x01
        else { throw AuditError("not an Ed25519 note signer key") }
        try self.init(name: String(parts[2]), seed: Array(seed[1...]))
        guard verifierKey.keyID == id else { throw AuditError("signer key \"\(name)\": key id does not match the key") }
    }
}

/// C2SP signed-note: text (ending in a newline), a blank line, then signature lines
/// `— name base64(keyid[4] ‖ signature[64])`.
public enum SignedNote {
    static let dashPrefix: [UInt8] = [0xE2, 0x80, 0x94, 0x20]  // U+2014 EM DASH, then a space

    public static func sign(text: String, signer: NoteSigner) throws -> String {
        let body = Array(text.utf8)
        guard body.last == 0x0A, !text.contains("\n\n") else {
            throw AuditError("note text must end in one newline and have no blank lines")
        }
        let sig = try signer.sign(body)
        return text + "\n" + "\u{2014} \(signer.name) " + Base64.encode(signer.verifierKey.keyID + sig) + "\n"
    }

    public struct Opened: Sendable {
        public let text: String
    }

    /// Opens a note: the text is returned only if a signature line by `key` (same name and
    /// key id) verifies. Signature lines by other keys are ignored; a failing signature by
    /// the known key rejects the note.
    public static func open(_ note: String, key: NoteVerifierKey) throws -> Opened {
        let bytes = Array(note.utf8)
        guard bytes.last == 0x0A else { throw AuditError("signed note does not end in a newline") }
        // Split at the last blank line ("\n\n").
        var split: Int? = nil
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0A && bytes[i + 1] == 0x0A { split = i; break }
            i -= 1
        }
        guard let sep = split else { throw AuditError("signed note has no signature block") }
        let text = Array(bytes[0...sep])
        let sigBlock = Array(bytes[(sep + 2)...])
        let lines = sigBlock.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        guard !lines.isEmpty, lines.count <= 100 else { throw AuditError("signed note has no signature lines") }
        var verified = false
        for line in lines {
            let l = Array(line)
            guard l.starts(with: dashPrefix) else { throw AuditError("malformed signature line in signed note") }
            let rest = String(decoding: l[dashPrefix.count...], as: UTF8.self)
            let parts = rest.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, let blob = Base64.decode(String(parts[1])), blob.count >= 5 else {
                throw AuditError("malformed signature line in signed note")
            }
            guard String(parts[0]) == key.name, Array(blob[0..<4]) == key.keyID else { continue }  // unknown key
            guard key.isValidSignature(Array(blob[4...]), for: text) else {
                throw AuditError("signature by \(key.name) does not verify")
            }
            verified = true
        }
        guard verified else { throw AuditError("no signature by the log key \(key.name) (\(Hex.encode(key.keyID)))") }
        guard let t = String(validating: text, as: UTF8.self) else { throw AuditError("note text is not UTF-8") }
        return Opened(text: t)
    }
}

/// C2SP tlog-checkpoint body: origin line, decimal tree size, base64 root hash, then
/// optional extension lines.
public struct Checkpoint: Equatable, Sendable {
    public let origin: String
    public let size: Int
    public let root: [UInt8]

    public init(origin: String, size: Int, root: [UInt8]) {
        self.origin = origin; self.size = size; self.root = root
    }

    public var body: String { "\(origin)\n\(size)\n\(Base64.encode(root))\n" }

    public init(parsingBody text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "" else { throw AuditError("checkpoint body must have origin, size and root lines") }
        let sizeText = String(lines[1])
        guard !lines[0].isEmpty, let size = Int(sizeText), size >= 0, String(size) == sizeText else {
            throw AuditError("checkpoint size \"\(sizeText)\" is not a decimal integer")
        }
        guard let root = Base64.decode(String(lines[2])), root.count == 32 else {
            throw AuditError("checkpoint root hash is not base64 SHA-256")
        }
        self.init(origin: String(lines[0]), size: size, root: root)
    }

    public func signed(by signer: NoteSigner) throws -> String { try SignedNote.sign(text: body, signer: signer) }

    /// Verifies the signed checkpoint against the log key and parses it.
    public static func open(_ note: String, logKey: NoteVerifierKey) throws -> Checkpoint {
        try Checkpoint(parsingBody: SignedNote.open(note, key: logKey).text)
    }
}
