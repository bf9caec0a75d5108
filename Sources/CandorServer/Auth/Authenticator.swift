import CandorAudit
import Foundation
import Hummingbird
import Logging

/// Sign-in and the identity of each request. API clients send `Authorization: Bearer TOKEN`
/// (from `POST /api/v1/login`); the browser UI holds its token in the `candor_session` cookie
/// (HttpOnly, SameSite=Strict, Secure over TLS) and sends a per-session CSRF token in every
/// form. A disabled account is refused at its next request, whatever sessions it holds.
public final class Authenticator: Sendable {
    public static let cookieName = "candor_session"
    let accounts: AccountStore
    public let sessions: SessionTable
    public let throttle: LoginThrottle
    let metrics: ServerMetrics
    let logger: Logger

    public init(accounts: AccountStore, sessions: SessionTable, throttle: LoginThrottle, metrics: ServerMetrics, logger: Logger) {
        self.accounts = accounts
        self.sessions = sessions
        self.throttle = throttle
        self.metrics = metrics
        self.logger = logger
    }

    /// Checks the password (429 while throttled, 401 if wrong) and opens a session.
    public func login(
        user: String, password: String, client: String, kind: SignInSession.Kind
    ) async throws -> (token: String, session: SignInSession) {
        // Bounded inputs: bcrypt reads at most 72 bytes; longer names are not account names.
        guard user.utf8.count <= 128, password.utf8.count <= 1024 else {
            throw ServerError.unauthenticated("wrong user name or password", code: .signInFailed)
        }
        if let wait = throttle.retryAfter(user: user, address: client) {
            metrics.loginThrottled.increment()
            logger.warning("login throttled", metadata: ["user": "\(user)", "client": "\(client)"])
            throw ServerError(
                .tooManyRequests, "too many failed sign-ins for this user or address; try again in \(wait) s", code: .throttled,
                args: [String(wait)], headers: [.retryAfter: String(wait)])
        }
        let accounts = self.accounts
        let account = try await AuditIO.run { try accounts.authenticate(user, password: password) }
        guard let account else {
            throttle.recordFailure(user: user, address: client)
            metrics.loginFailures.increment()
            logger.warning("login failed", metadata: ["user": "\(user)", "client": "\(client)"])
            throw ServerError.unauthenticated("wrong user name or password", code: .signInFailed)
        }
        throttle.recordSuccess(user: user)
        logger.info("login", metadata: ["user": "\(user)", "client": "\(client)", "kind": "\(kind.rawValue)"])
        return sessions.open(user: account.name, kind: kind)
    }

    /// The bearer token of an API request.
    static func bearerToken(_ request: Request) -> String? {
        guard let h = request.headers[.authorization] else { return nil }
        let parts = h.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The user of an API request: 401 without a live bearer token or for a disabled account.
    public func apiPrincipal(_ request: Request) throws -> Principal {
        guard let token = Self.bearerToken(request) else { throw ServerError.unauthenticated() }
        guard let s = sessions.session(token: token), s.kind == .bearer else {
            throw ServerError.unauthenticated("the token is unknown, expired or revoked: sign in again", code: .sessionExpired)
        }
        return try principal(s)
    }

    /// The user of a browser request (nil when not signed in).
    public func cookiePrincipal(_ request: Request) -> Principal? {
        guard let token = request.cookies[Self.cookieName]?.value, let s = sessions.session(token: token), s.kind == .cookie else {
            return nil
        }
        return try? principal(s)
    }

    func principal(_ s: SignInSession) throws -> Principal {
        guard let account = try accounts.account(s.user), !account.disabled else {
            sessions.revokeAll(user: s.user)
            throw ServerError.unauthenticated("the account \(s.user) is disabled", code: .accountDisabled)
        }
        return Principal(account: account, session: s)
    }

    /// CSRF check for a browser form: the form's `csrf` field must equal the session's token,
    /// and an Origin header, if sent, must name this server.
    public func checkCSRF(_ p: Principal, form: [String: String], request: Request) throws {
        guard let given = form["csrf"], Tokens.constantTimeEqual(given, p.session.csrf) else {
            logger.warning("csrf refused", metadata: ["user": "\(p.name)"])
            throw ServerError.forbidden("the form's CSRF token is missing or wrong: reload the page and try again", code: .csrfRefused)
        }
        if let origin = request.headers[.origin], let host = request.head.authority {
            let bare = origin.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            guard bare == host else {
                throw ServerError.forbidden("cross-origin form submission refused (Origin \(origin))", code: .crossOrigin)
            }
        }
    }
}
