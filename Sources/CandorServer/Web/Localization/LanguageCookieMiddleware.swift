import CandorCore
import Hummingbird

/// Remembers a page's `?lang=en|zh-TW` choice in the `candor_lang` cookie (a year; HttpOnly,
/// SameSite=Lax, Secure over TLS), so the next pages keep the language without the query.
struct LanguageCookieMiddleware<Context: RequestContext>: RouterMiddleware {
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.uri.path.hasPrefix("/ui/"), let value = request.uri.queryParameters.get("lang"),
            let language = InterfaceLanguage(option: String(value))
        {
            response.setCookie(
                Cookie(
                    name: WebLocale.cookieName, value: language.rawValue, maxAge: 365 * 24 * 3600, path: "/", secure: secure,
                    httpOnly: true, sameSite: .lax))
        }
        return response
    }
}
