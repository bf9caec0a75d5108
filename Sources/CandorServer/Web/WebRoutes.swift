import CandorAudit
import Foundation
import Hummingbird

/// The server-rendered web UI under /ui (no JavaScript). The session cookie is HttpOnly and
/// SameSite=Strict (Secure over TLS); every POST but sign-in carries the session's CSRF token.
/// Errors become HTML pages with their status; not signed in → 303 to the sign-in page.
enum WebRoutes {
    static let csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var r = Reply.text(text, contentType: "text/html; charset=utf-8", status: status)
        r.headers[.contentSecurityPolicy] = csp
        return r
    }

    static func redirect(_ to: String) -> Response {
        Response(status: .seeOther, headers: [.location: to, .cacheControl: "no-store"])
    }

    /// Runs a page handler for a signed-in user. Every error becomes an error page in the
    /// page's language: a ServerError by its code, another HTTP error by its status, anything
    /// else as a 500 (logged; the page names no internals).
    static func page(
        _ state: ServerState, _ request: Request,
        _ body: (Principal, WebLocale) async throws -> Response
    ) async throws -> Response {
        guard let p = state.auth.cookiePrincipal(request) else { return redirect("/ui/login") }
        let locale = WebLocale(request)
        do { return try await body(p, locale) } catch {
            let e = ErrorMiddleware.serverError(error, state: state, path: request.uri.path)
            return html(Pages.error(p, e, locale), status: e.status)
        }
    }

    static func add(to router: Router<ServerContext>, state: ServerState) {
        router.get("/") { request, _ in redirect(state.auth.cookiePrincipal(request) == nil ? "/ui/login" : "/ui/cases") }
        let ui = router.group("ui")
        ui.get("login") { request, _ in
            // A session cookie that no longer signs anyone in: the sign-in expired, was revoked, or the account disabled.
            let l = WebLocale(request)
            let ended =
                request.cookies[Authenticator.cookieName].map { !$0.value.isEmpty } == true && state.auth.cookiePrincipal(request) == nil
            return html(Pages.login(error: nil, notice: ended ? l.t.sessionEnded : nil, l))
        }
        ui.post("login") { request, context -> Response in
            let locale = WebLocale(request)
            // Login CSRF: a cross-site form may not sign the browser in (Origin must be this server).
            if let origin = request.headers[.origin],
                origin.split(separator: "/").dropFirst().first.map(String.init) != request.head.authority
            {
                return html(Pages.login(error: locale.t.crossSiteSignIn, locale), status: .forbidden)
            }
            do {
                let form = try await FormBody.read(request, limit: state.limits.maxFormBytes)
                let (token, session) = try await state.auth.login(
                    user: form["user"] ?? "", password: form["password"] ?? "",
                    client: context.clientAddress, kind: .cookie)
                var r = redirect("/ui/cases")
                r.setCookie(
                    Cookie(
                        name: Authenticator.cookieName, value: token, maxAge: Int(session.expires - Date().timeIntervalSince1970),
                        path: "/", secure: state.secureCookies, httpOnly: true, sameSite: .strict))
                return r
            } catch let e as ServerError {
                var r = html(Pages.login(error: Pages.loginError(e, locale), locale), status: e.status)
                for f in e.headers where f.name == .retryAfter { r.headers[.retryAfter] = f.value }
                return r
            }
        }
        ui.post("logout") { request, _ -> Response in
            try await page(state, request) { p, _ in
                let form = try await FormBody.read(request, limit: state.limits.maxFormBytes)
                try state.auth.checkCSRF(p, form: form, request: request)
                if let token = request.cookies[Authenticator.cookieName]?.value { state.auth.sessions.revoke(token: token) }
                var r = redirect("/ui/login")
                r.setCookie(
                    Cookie(
                        name: Authenticator.cookieName, value: "", maxAge: 0, path: "/", secure: state.secureCookies,
                        httpOnly: true, sameSite: .strict))
                return r
            }
        }
        ui.get("cases") { request, _ -> Response in
            try await page(state, request) { p, l in html(Pages.cases(p, try await state.cases.cases(for: p), l)) }
        }
        let session = ui.group("cases/{case}/sessions/{session}")
        session.get { request, context -> Response in
            try await page(state, request) { p, l in
                let s = try APIRoutes.ref(context)
                try await state.cases.authorize(p, .read, caseID: s.caseID, session: s, client: context.clientAddress)
                let audit = try await state.cases.audit(p, s, client: context.clientAddress)
                let reviewed = request.uri.queryParameters.get("reviewed").flatMap { Int($0) }.map(String.init)
                return html(Pages.session(p, s, audit, reviewed: reviewed, l))
            }
        }
        session.get("report") { request, context -> Response in
            try await page(state, request) { p, l in
                let s = try APIRoutes.ref(context)
                try await state.cases.authorize(p, .read, caseID: s.caseID, session: s, client: context.clientAddress)
                var r = html(try await state.cases.report(p, s, client: context.clientAddress, language: l.language))
                r.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
                return r
            }
        }
        session.post("reviews") { request, context -> Response in
            try await page(state, request) { p, _ in
                let form = try await FormBody.read(request, limit: state.limits.maxFormBytes)
                try state.auth.checkCSRF(p, form: form, request: request)
                let s = try APIRoutes.ref(context)
                try await state.cases.authorize(p, .review, caseID: s.caseID, session: s, client: context.clientAddress)
                guard let seq = Int(form["concerns_seq"] ?? "") else {
                    throw ServerError.badRequest("give the number of the record reviewed", code: .invalidReview)
                }
                let override = (form["override"] ?? "").isEmpty ? nil : form["override"]
                let n = try await state.cases.review(
                    p, s, concernsSeq: seq, kind: form["kind"] ?? "note", note: form["note"] ?? "", override: override)
                return redirect("/ui/cases/\(s.caseID)/sessions/\(s.sessionID)?reviewed=\(n)")
            }
        }
        WebUploadRoutes.add(to: ui, state: state)
    }
}
