#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudit
import Crypto
import Foundation
import Hummingbird

/// The browser's upload form (multipart/form-data, no JavaScript): the body is streamed to a
/// temporary file, then its parts are read from the memory-mapped file: small text fields
/// (csrf, case, session, roles) and up to two file parts, `recording` and `segments`, each
/// copied out to its own file (its format from the file name's extension, from an allow-list).
public struct MultipartUpload: Sendable {
    public var fields: [String: String]
    /// The file parts by name (`recording`, `segments`), each received into a private temporary
    /// file (the caller keeps or removes it). An empty file input is left out.
    public var files: [String: StoredUpload]

    static func boundary(_ contentType: String?) -> String? {
        guard let ct = contentType, ct.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for part in ct.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces)
            if kv.lowercased().hasPrefix("boundary=") {
                var b = String(kv.dropFirst(9))
                if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
                return (1...70).contains(b.utf8.count) ? b : nil
            }
        }
        return nil
    }

    /// The file parts accepted: name → allowed extensions.
    static let fileParts: [String: Set<String>] = ["recording": UploadStore.formats, "segments": UploadStore.segmentFormats]

    /// Parses the form; each file part's format comes from its file name's extension.
    static func read(_ request: Request, uploads: UploadStore) async throws -> MultipartUpload {
        guard let boundary = boundary(request.headers[.contentType]) else {
            throw ServerError(.unsupportedMediaType, "send the form as multipart/form-data", code: .malformedForm)
        }
        let (raw, _, _) = try await uploads.receive(request.body, limit: uploads.maxBytes + uploads.maxSegmentsBytes + 64 * 1024)
        defer { unlink(raw) }
        let data = try Data(contentsOf: URL(fileURLWithPath: raw), options: .alwaysMapped)
        let delimiter = Data("\r\n--\(boundary)".utf8)
        var fields: [String: String] = [:]
        var fileParts: [String: (range: Range<Int>, name: String)] = [:]
        // The body starts with "--boundary" (no leading CRLF): search with one prepended.
        var cursor = 0
        let first = Data("--\(boundary)".utf8)
        guard data.starts(with: first) else { throw ServerError.badRequest("malformed multipart body", code: .malformedForm) }
        cursor = first.count
        while true {
            guard data.count >= cursor + 2 else { throw ServerError.badRequest("malformed multipart body", code: .malformedForm) }
            if data[cursor] == UInt8(ascii: "-") && data[cursor + 1] == UInt8(ascii: "-") { break }
            guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8), in: cursor..<min(data.count, cursor + 8192)) else {
                throw ServerError.badRequest("malformed multipart part headers", code: .malformedForm)
            }
            let headers = String(decoding: data[cursor..<headerEnd.lowerBound], as: UTF8.self)
            guard let next = data.range(of: delimiter, in: headerEnd.upperBound..<data.count) else {
                throw ServerError.badRequest("malformed multipart body (no closing boundary)", code: .malformedForm)
            }
            let content = headerEnd.upperBound..<next.lowerBound
            let name = Self.parameter("name", in: headers) ?? ""
            if let filename = Self.parameter("filename", in: headers) {
                if Self.fileParts[name] != nil, !content.isEmpty { fileParts[name] = (content, filename) }
            } else if content.count <= 4096, fields.count < 32 {
                fields[name] = String(decoding: data[content], as: UTF8.self)
            }
            cursor = next.upperBound
        }
        var result = MultipartUpload(fields: fields, files: [:])
        do {
            for (name, part) in fileParts.sorted(by: { $0.key < $1.key }) {
                result.files[name] = try copyOut(data[part.range], name: name, filename: part.name, uploads: uploads)
            }
        } catch {
            for f in result.files.values { unlink(f.path) }
            throw error
        }
        return result
    }

    /// Copies one file part to a private temporary file, hashing it; checks its size and type.
    static func copyOut(_ slice: Data, name: String, filename: String, uploads: UploadStore) throws -> StoredUpload {
        let limit = name == "segments" ? uploads.maxSegmentsBytes : uploads.maxBytes
        guard slice.count <= limit else {
            throw ServerError(
                .contentTooLarge, "the \(name) file is larger than the limit of \(limit) bytes", args: [UploadStore.mebibytes(limit)])
        }
        let allowed = fileParts[name] ?? []
        let ext = (filename as NSString).pathExtension.lowercased()
        guard allowed.contains(ext) else {
            throw ServerError(
                .unsupportedMediaType, "unsupported \(name) file type .\(ext) (use \(allowed.sorted().joined(separator: ", ")))",
                args: [allowed.sorted().joined(separator: ", ")])
        }
        let (tmp, fd) = try uploads.temporaryFile()
        var hasher = SHA256()
        do {
            try slice.withUnsafeBytes { raw in
                hasher.update(bufferPointer: raw)
                try UploadStore.writeAll(fd, raw)
            }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        let sha = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return StoredUpload(path: tmp, sha256: sha, bytes: slice.count, format: ext)
    }

    /// `name="value"` from a Content-Disposition header block.
    static func parameter(_ key: String, in headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for part in line.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix(key + "=\"") && kv.hasSuffix("\"") { return String(kv.dropFirst(key.count + 2).dropLast()) }
            }
        }
        return nil
    }
}
