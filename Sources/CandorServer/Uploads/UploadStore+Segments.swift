#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudit
import Foundation
import Hummingbird

/// Segments files (which part of a recording is a question, an answer, a baseline), kept as
/// `WORKSPACE/server/uploads/CASE/SESSION/segments/SHA256.EXT` and named by their SHA-256
/// when a recording is uploaded (`?segments=SHA256`).
extension UploadStore {
    /// Segments formats accepted, by extension (the readers of `candor analyze --segments`).
    public static let segmentFormats: Set<String> = ["csv", "textgrid", "srt", "vtt"]

    /// The largest segments file: the segment readers' own limit (64 MiB), or the upload limit if smaller.
    public var maxSegmentsBytes: Int { min(maxBytes, 64 << 20) }

    /// The format from `?format=` or the Content-Type (text/csv, text/vtt, application/x-subrip,
    /// text/x-praat-textgrid).
    public static func segmentsFormat(query: String?, contentType: String?) -> String? {
        if let q = query?.lowercased() { return segmentFormats.contains(q) ? q : nil }
        guard let ct = contentType?.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces) else { return nil }
        let mapped = [
            "text/csv": "csv", "text/vtt": "vtt", "application/x-subrip": "srt", "text/srt": "srt",
            "text/x-praat-textgrid": "textgrid",
        ][ct]
        return mapped
    }

    func segmentsDirectory(_ s: SessionRef) -> String { directory + "/" + s.caseID + "/" + s.sessionID + "/segments" }

    /// Moves a received segments file to its final name for the session.
    func keepSegments(_ tmp: String, _ s: SessionRef, sha256: String, bytes: Int, format: String) throws -> StoredUpload {
        let dir = segmentsDirectory(s)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let final = dir + "/" + sha256 + "." + format
        guard rename(tmp, final) == 0 else {
            unlink(tmp)
            throw ServerError(.internalServerError, "cannot keep the segments file (disk full or permissions?)")
        }
        return StoredUpload(path: final, sha256: sha256, bytes: bytes, format: format)
    }

    /// Receives a segments body into a temporary file (413 past the limit, 400 when empty).
    func receiveSegments(_ body: RequestBody) async throws -> (path: String, bytes: Int, sha256: String) {
        let received = try await receive(body, limit: maxSegmentsBytes)
        guard received.bytes > 0 else {
            unlink(received.path)
            throw ServerError.badRequest("the segments file is empty: send it as the request body", code: .emptyUpload)
        }
        return received
    }

    /// The segments file uploaded earlier to this session with this SHA-256 (64 hex digits);
    /// 400 for anything else, 404 when the session has no such file.
    public func segments(_ s: SessionRef, sha256: String) throws -> StoredUpload {
        let hex = sha256.lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw ServerError.badRequest("segments must be the SHA-256 (64 hex digits) returned by POST …/segments")
        }
        for format in Self.segmentFormats.sorted() {
            let path = segmentsDirectory(s) + "/" + hex + "." + format
            var st = stat()
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                return StoredUpload(path: path, sha256: hex, bytes: Int(st.st_size), format: format)
            }
        }
        throw ServerError.notFound(
            "no segments file \(hex.prefix(12))… in case \(s.caseID), session \(s.sessionID): upload it first (POST …/segments)",
            code: .segmentsNotFound, args: [s.caseID, s.sessionID])
    }
}
