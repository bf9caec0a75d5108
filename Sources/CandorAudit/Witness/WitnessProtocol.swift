import Foundation

/// The body of a C2SP tlog-witness `POST /add-checkpoint` request: `old N`, the consistency
/// proof lines (base64 hashes), an empty line, then the signed checkpoint.
public struct AddCheckpointRequest: Sendable, Equatable {
    public var oldSize: Int
    public var proof: [Merkle.Hash]
    public var checkpoint: String

    public init(oldSize: Int, proof: [Merkle.Hash], checkpoint: String) {
        (self.oldSize, self.proof, self.checkpoint) = (oldSize, proof, checkpoint)
    }

    public var encoded: [UInt8] {
        var s = "old \(oldSize)\n"
        for h in proof { s += Base64.encode(h) + "\n" }
        return Array((s + "\n" + checkpoint).utf8)
    }

    public init(parsing bytes: [UInt8]) throws {
        guard bytes.count <= 1 << 16, let text = String(validating: bytes, as: UTF8.self) else {
            throw AuditError("request body is not UTF-8 text of at most 64 KiB")
        }
        guard let r = text.range(of: "\n\n") else { throw AuditError("request has no empty line before the checkpoint") }
        let head = text[..<r.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = head.first, first.hasPrefix("old "), case let n = String(first.dropFirst(4)),
            let old = Int(n), old >= 0, String(old) == n
        else { throw AuditError("first line must be \"old N\"") }
        guard head.count - 1 <= 63 else { throw AuditError("more than 63 consistency proof lines") }
        var proof: [Merkle.Hash] = []
        for line in head.dropFirst() {
            guard let h = Base64.decode(String(line)), h.count == 32 else {
                throw AuditError("consistency proof line is not a base64 SHA-256 hash")
            }
            proof.append(h)
        }
        self.init(oldSize: old, proof: proof, checkpoint: String(text[r.upperBound...]))
    }
}

/// A witness the workspace submits checkpoints to: its URL prefix, its cosigner key and,
/// for an HTTPS witness with a private CA, the pinned CA (or certificate) in PEM.
public struct WitnessEndpoint: Sendable, Equatable {
    public let url: String
    public let key: CosignerKey
    /// PEM certificates that alone are trusted for the witness's TLS certificate (nil: the
    /// system's CAs).
    public let trustRoots: String?
    public init(url: String, key: CosignerKey, trustRoots: String? = nil) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.key = key
        self.trustRoots = trustRoots
    }

    public var addCheckpointURL: String { url + "/add-checkpoint" }
    /// Candor's read endpoint (the C2SP monitoring API is not specified yet): the latest
    /// checkpoint the witness cosigned for `origin`, with its cosignature.
    public func checkpointURL(origin: String) -> String {
        url + "/checkpoint?origin=" + (origin.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? origin)
    }
}

/// An HTTP response as the audit code needs it.
public struct WitnessResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    public init(status: Int, body: [UInt8]) { (self.status, self.body) = (status, body) }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// How the audit code reaches witnesses (HTTP in the CLI; in-process in tests). Throws when
/// the witness cannot be reached at all, or its TLS certificate is not trusted. `trustRoots`:
/// the pinned PEM CA for an HTTPS URL (nil: the system's CAs). Also used for RFC 3161
/// time-stamp requests.
public protocol WitnessTransport: Sendable {
    func post(_ url: String, body: [UInt8], contentType: String, trustRoots: String?) throws -> WitnessResponse
    func get(_ url: String, trustRoots: String?) throws -> WitnessResponse
}
