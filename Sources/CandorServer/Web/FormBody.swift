import Hummingbird

/// An `application/x-www-form-urlencoded` body (the sign-in and review forms), at most 64 KiB.
enum FormBody {
    static func read(_ request: Request, limit: Int) async throws -> [String: String] {
        let ct = request.headers[.contentType]?.lowercased() ?? ""
        guard ct.hasPrefix("application/x-www-form-urlencoded") else {
            throw ServerError(.unsupportedMediaType, "send the form as application/x-www-form-urlencoded", code: .malformedForm)
        }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw ServerError(.contentTooLarge, "the form is too large", args: [UploadStore.mebibytes(limit)])
        }
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&").prefix(64) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(kv[0]))
            out[key] = kv.count > 1 ? decode(String(kv[1])) : ""
        }
        return out
    }

    static func decode(_ s: String) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}
