import Foundation
import Synchronization

/// Counts failed sign-ins per user name and per client address. After `limit` failures for a
/// name (or `addressLimit` from an address) within `window` seconds, further attempts for that
/// name or from that address are refused with 429 (the password is not even checked) until the
/// oldest failure leaves the window. A success clears the name's count (not the address's: one
/// address guessing many names stays slowed). The address limit is higher, so colleagues
/// behind one NAT address are not all locked out by one person's typos. With a `SignInStore`
/// the failures are kept in the workspace too, so a restart does not reset the count.
public final class LoginThrottle: Sendable {
    public let limit: Int
    public let addressLimit: Int
    public let window: Double
    private let failures: Mutex<[String: [Double]]>
    private let store: SignInStore?

    public init(
        limit: Int = 5, addressLimit: Int = 20, window: Double = 900, store: SignInStore? = nil,
        now: Double = Date().timeIntervalSince1970
    ) {
        self.limit = limit
        self.addressLimit = addressLimit
        self.window = window
        self.store = store
        failures = Mutex(store?.loadFailures(since: now - window) ?? [:])
    }

    func limit(of key: String) -> Int { key.hasPrefix("addr:") ? addressLimit : limit }

    /// A name's key is its SHA-256, so the throttle (in memory and in `signin.sqlite`) never
    /// holds what was typed as a user name: often a password typed in the wrong field.
    static func userKey(_ name: String) -> String { "user:" + Tokens.sha256Hex(name) }
    static func addressKey(_ address: String) -> String { "addr:" + address }

    /// Seconds to wait before another attempt is accepted, or nil if one is accepted now.
    public func retryAfter(user: String, address: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        failures.withLock { table in
            var wait: Double = 0
            for key in [Self.userKey(user), Self.addressKey(address)] {
                let recent = (table[key] ?? []).filter { now - $0 < window }
                table[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit(of: key), let oldest = recent.first { wait = max(wait, oldest + window - now) }
            }
            return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
        }
    }

    public func recordFailure(user: String, address: String, now: Double = Date().timeIntervalSince1970) {
        failures.withLock { table in
            for key in [Self.userKey(user), Self.addressKey(address)] {
                var list = (table[key] ?? []).filter { now - $0 < window }
                list.append(now)
                // Bounded memory: only the last `limit` failures matter.
                if list.count > limit(of: key) { list.removeFirst(list.count - limit(of: key)) }
                table[key] = list
            }
            // Bounded table: forget the oldest keys under a flood of distinct names.
            if table.count > 100_000 {
                for key in table.keys.prefix(table.count - 100_000) { table[key] = nil }
            }
        }
        store?.addFailure(keys: [Self.userKey(user), Self.addressKey(address)], at: now, forgetBefore: now - window)
    }

    public func recordSuccess(user: String) {
        failures.withLock { _ = $0.removeValue(forKey: Self.userKey(user)) }
        store?.clearFailures(key: Self.userKey(user))
    }
}
