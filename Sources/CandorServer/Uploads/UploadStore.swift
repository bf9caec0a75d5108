#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudit
import Crypto
import Foundation
import Hummingbird

/// Receives uploaded recordings into `WORKSPACE/server/uploads/CASE/SESSION/SHA256.EXT`.
/// The body is streamed to a private temporary file while it is hashed, and refused with 413
/// (the partial file removed) as soon as it exceeds the limit. Names on disk come only from
/// validated ids and the content's own hash, never from the client.
public struct UploadStore: Sendable {
    public let directory: String
    public let maxBytes: Int

    /// Formats accepted, by extension.
    public static let formats: Set<String> = ["wav", "flac", "ogg", "aiff", "aif", "au", "caf", "w64", "rf64", "mp3", "opus"]

    public init(workspace: String, maxBytes: Int) {
        directory = (workspace as NSString).appendingPathComponent("server/uploads")
        self.maxBytes = maxBytes
    }

    /// The format from `?format=` or the Content-Type (audio/wav, audio/x-wav, audio/flac, …).
    public static func format(query: String?, contentType: String?) -> String? {
        if let q = query?.lowercased() { return formats.contains(q) ? q : nil }
        guard let ct = contentType?.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces) else { return nil }
        let sub = ct.hasPrefix("audio/") ? String(ct.dropFirst(6)) : ""
        let mapped = ["x-wav": "wav", "wave": "wav", "vnd.wave": "wav", "x-flac": "flac", "mpeg": "mp3", "x-aiff": "aiff"][sub] ?? sub
        return formats.contains(mapped) ? mapped : nil
    }

    /// A byte limit in MiB, for messages ("2048").
    static func mebibytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? String(bytes >> 20) : String(format: "%.1f", Double(bytes) / Double(1 << 20))
    }

    func temporaryFile() throws -> (path: String, fd: Int32) {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let tmp = directory + "/.incoming-" + Tokens.randomToken().prefix(24)
        let fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ServerError(.internalServerError, "cannot create an upload file (see the server's log)") }
        return (tmp, fd)
    }

    /// Streams a request body into a temporary file (413 past `limit`); returns its path, size and SHA-256.
    func receive(_ body: RequestBody, limit: Int) async throws -> (path: String, bytes: Int, sha256: String) {
        let (tmp, fd) = try temporaryFile()
        var hasher = SHA256()
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                guard total <= limit else {
                    throw ServerError(
                        .contentTooLarge, "the upload is larger than the limit of \(limit) bytes", args: [Self.mebibytes(limit)])
                }
                try buffer.withUnsafeReadableBytes { raw in
                    hasher.update(bufferPointer: raw)
                    try Self.writeAll(fd, raw)
                }
            }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        return (tmp, total, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Writes all of `raw` to `fd` (500 if the disk refuses).
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < raw.count {
            let n = write(fd, raw.baseAddress! + off, raw.count - off)
            guard n > 0 else { throw ServerError(.internalServerError, "cannot write the upload (disk full?)") }
            off += n
        }
    }

    /// Moves a received file to its final name for the session.
    func keep(_ tmp: String, _ s: SessionRef, sha256: String, bytes: Int, format: String) throws -> StoredUpload {
        let dir = directory + "/" + s.caseID + "/" + s.sessionID
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let final = dir + "/" + sha256 + "." + format
        var st = stat()
        let existed = lstat(final, &st) == 0
        guard rename(tmp, final) == 0 else {
            unlink(tmp)
            throw ServerError(.internalServerError, "cannot keep the upload (disk full or permissions?)")
        }
        return StoredUpload(path: final, sha256: sha256, bytes: bytes, format: format, isNew: !existed)
    }

    /// Receives a raw audio body into a private temporary file (413 past the limit, 400 when
    /// empty). The caller checks it there and then keeps it (`keep`) or removes it, so a failed
    /// check never touches a file another upload of the same content has kept.
    public func receiveRecording(_ body: RequestBody) async throws -> (path: String, bytes: Int, sha256: String) {
        let received = try await receive(body, limit: maxBytes)
        guard received.bytes > 0 else {
            unlink(received.path)
            throw ServerError.badRequest("the upload is empty: send the recording as the request body", code: .emptyUpload)
        }
        return received
    }
}
