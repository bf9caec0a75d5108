import Foundation
import Synchronization

/// The live sessions, in memory and, with a `SignInStore`, in the workspace too, so a server
/// restart signs nobody out (and revoked sessions stay revoked). Tokens are kept only as SHA-256
/// digests, so neither a memory dump of the table nor the database gives usable tokens.
public final class SessionTable: Sendable {
    public let lifetime: Double
    private let sessions: Mutex<[String: SignInSession]>
    private let store: SignInStore?

    public init(lifetime: Double = 8 * 3600, store: SignInStore? = nil, now: Double = Date().timeIntervalSince1970) {
        self.lifetime = lifetime
        self.store = store
        sessions = Mutex(store?.loadSessions(now: now) ?? [:])
    }

    /// Creates a session; returns the token to give the client (only its digest is kept).
    public func open(
        user: String, kind: SignInSession.Kind, now: Double = Date().timeIntervalSince1970
    ) -> (token: String, session: SignInSession) {
        let token = Tokens.randomToken()
        let digest = Tokens.sha256Hex(token)
        let s = SignInSession(id: String(digest.prefix(16)), user: user, kind: kind, csrf: Tokens.randomToken(), expires: now + lifetime)
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[digest] = s
        }
        store?.saveSession(digest: digest, s, now: now)
        return (token, s)
    }

    /// The live session of a token, or nil (unknown, revoked or expired).
    public func session(token: String, now: Double = Date().timeIntervalSince1970) -> SignInSession? {
        guard token.utf8.count == 64 else { return nil }
        let digest = Tokens.sha256Hex(token)
        return sessions.withLock { table in
            guard let s = table[digest] else { return nil }
            if s.expires <= now {
                table[digest] = nil
                store?.deleteSession(digest: digest)
                return nil
            }
            return s
        }
    }

    public func revoke(token: String) {
        let digest = Tokens.sha256Hex(token)
        sessions.withLock { _ = $0.removeValue(forKey: digest) }
        store?.deleteSession(digest: digest)
    }

    /// Revokes every session of a user (after disabling the account, or on request).
    @discardableResult
    public func revokeAll(user: String) -> Int {
        let n = sessions.withLock { table in
            let before = table.count
            table = table.filter { $0.value.user != user }
            return before - table.count
        }
        store?.deleteSessions(user: user)
        return n
    }

    public var count: Int { sessions.withLock { $0.count } }
}
