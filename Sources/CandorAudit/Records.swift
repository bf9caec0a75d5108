import Foundation

/// The record types of the session audit log.
public enum RecordType: String, CaseIterable, Sendable {
    case sessionOpened = "session_opened"
    case evidenceIngested = "evidence_ingested"
    case analysisCompleted = "analysis_completed"
    case accessed
    case review
    case keyRotated = "key_rotated"
    /// Written by `candor audit repair` after records beyond the last checkpoint were set aside.
    case repaired
}

/// A record before the log assigns its seq, prev, time and signature.
public struct RecordDraft: Sendable {
    public var type: RecordType
    public var fields: [String: AuditJSON]
    public init(_ type: RecordType, _ fields: [String: AuditJSON] = [:]) {
        self.type = type
        self.fields = fields
    }
}

public enum AuditRecord {
    /// Fields every record carries; type-specific fields may not reuse these names.
    public static let envelopeFields: Set<String> = ["case", "session", "seq", "prev", "time", "type", "operator", "operator_key", "sig"]

    /// `prev` of the first record (seq 0).
    public static let genesisPrev = String(repeating: "0", count: 64)

    /// The signed-over message for a key rotation endorsement made with the old key.
    public static func rotationMessage(oldKey: String, newKey: String) -> [UInt8] {
        Array("candor key rotation\n\(oldKey)\n\(newKey)\n".utf8)
    }

    /// Builds the canonical bytes of a signed record.
    public static func build(
        caseID: String, sessionID: String, seq: Int, prev: String, time: String,
        draft: RecordDraft, signer: NoteSigner
    ) throws -> [UInt8] {
        for k in draft.fields.keys where envelopeFields.contains(k) {
            throw AuditError("record field \"\(k)\" is reserved")
        }
        var obj = draft.fields
        obj["case"] = .string(caseID)
        obj["session"] = .string(sessionID)
        obj["seq"] = .int(Int64(seq))
        obj["prev"] = .string(prev)
        obj["time"] = .string(time)
        obj["type"] = .string(draft.type.rawValue)
        obj["operator"] = .string(signer.name)
        obj["operator_key"] = .string(signer.verifierKey.encoded)
        let unsigned = CanonicalJSON.encode(.object(obj))
        obj["sig"] = .string(Base64.encode(try signer.sign(unsigned)))
        return CanonicalJSON.encode(.object(obj))
    }

    /// UTC RFC 3339 with milliseconds, e.g. 2026-11-25T13:04:05.123Z.
    public static func timestamp(_ date: Date = Date()) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1,
            Int(tmv.tm_mday), Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec), Int(ms % 1000))
    }

    /// Identifiers for cases, sessions and operators: 1–128 of A–Z a–z 0–9 . _ - (not starting with . or -).
    public static func isValidIdentifier(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 128, let first = s.utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else {
            return false
        }
        return s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }

    /// The checkpoint origin of a session log.
    public static func origin(logKeyName: String, caseID: String, sessionID: String) -> String {
        "\(logKeyName)/\(caseID)/\(sessionID)"
    }
}
