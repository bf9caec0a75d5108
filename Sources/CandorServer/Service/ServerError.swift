import Foundation
import Hummingbird

/// An error that carries its HTTP status and a one-line message for the client. API clients
/// get `{"error": message}`; the web UI turns it into a page (see `WebRoutes`).
public struct ServerError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    /// Extra headers (e.g. Retry-After on 429, WWW-Authenticate on 401).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        let body = JSONText.encode(["error": .string(message)])
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }

    static func unauthenticated(_ why: String = "sign in first: POST /api/v1/login, then send Authorization: Bearer TOKEN") -> ServerError {
        ServerError(.unauthorized, why, headers: [.wwwAuthenticate: "Bearer realm=\"candor\""])
    }

    static func forbidden(_ why: String) -> ServerError { ServerError(.forbidden, why) }
    static func notFound(_ what: String) -> ServerError { ServerError(.notFound, what) }
    static func badRequest(_ why: String) -> ServerError { ServerError(.badRequest, why) }
}
