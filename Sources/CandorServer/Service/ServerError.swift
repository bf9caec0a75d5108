import Foundation
import Hummingbird

/// An error that carries its HTTP status, a stable ``ServerErrorCode`` and a one-line English
/// message. API clients get `{"error": message, "code": code}`; the web UI shows the code's
/// text in the page's language, filled with `args` (never the English message, which may name
/// internals; see `Pages.error`).
public struct ServerError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    public let code: ServerErrorCode
    /// Values for the placeholders of the code's localised text (ids, counts, limits: never paths).
    public let args: [String]
    /// Extra headers (e.g. Retry-After on 429, WWW-Authenticate on 401).
    public var headers: HTTPFields = [:]

    public init(
        _ status: HTTPResponse.Status, _ message: String, code: ServerErrorCode? = nil, args: [String] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.message = message
        self.code = code ?? .general(status.code)
        self.args = args
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        let body = JSONText.encode(["error": .string(message), "code": .string(code.rawValue)])
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }

    static func unauthenticated(
        _ why: String = "sign in first: POST /api/v1/login, then send Authorization: Bearer TOKEN", code: ServerErrorCode = .signInRequired
    ) -> ServerError {
        ServerError(.unauthorized, why, code: code, headers: [.wwwAuthenticate: "Bearer realm=\"candor\""])
    }

    static func forbidden(_ why: String, code: ServerErrorCode = .forbidden, args: [String] = []) -> ServerError {
        ServerError(.forbidden, why, code: code, args: args)
    }
    static func notFound(_ what: String, code: ServerErrorCode = .notFound, args: [String] = []) -> ServerError {
        ServerError(.notFound, what, code: code, args: args)
    }
    static func badRequest(_ why: String, code: ServerErrorCode = .invalidRequest, args: [String] = []) -> ServerError {
        ServerError(.badRequest, why, code: code, args: args)
    }
}
