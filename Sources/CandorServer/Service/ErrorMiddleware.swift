import Hummingbird

/// One shape for every refusal. An error a route or the framework throws (a body that does not
/// decode, a route that does not exist) becomes a ``ServerError`` with a code, so API clients
/// always get `{"error", "code"}`; under /ui the browser gets the error page in its language
/// (a ServerError a page handler throws is already a page, see `WebRoutes.page`). Other errors
/// are logged and answered as a 500 that names no internals.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch {
            let e = Self.serverError(error, state: state, path: request.uri.path)
            if request.uri.path == "/ui" || request.uri.path.hasPrefix("/ui/") {
                let page = Pages.error(state.auth.cookiePrincipal(request), e, WebLocale(request))
                var r = WebRoutes.html(page, status: e.status)
                for f in e.headers where f.name == .retryAfter { r.headers[.retryAfter] = f.value }
                return r
            }
            throw e
        }
    }

    /// Any error as a ServerError: itself, an HTTP error of the framework by its status (and
    /// its message), anything else a logged 500.
    static func serverError(_ error: any Error, state: ServerState, path: String) -> ServerError {
        if let e = error as? ServerError { return e }
        if let e = error as? HTTPError, e.status.code < 500 {
            return ServerError(e.status, e.body ?? e.status.reasonPhrase, headers: e.headers)
        }
        if let e = error as? any HTTPResponseError, e.status.code < 500 { return ServerError(e.status, e.status.reasonPhrase) }
        state.logger.error("request failed", metadata: ["path": "\(path)", "error": "\(error)"])
        return ServerError(.internalServerError, "internal error (see the server's log)", code: .internalError)
    }
}
