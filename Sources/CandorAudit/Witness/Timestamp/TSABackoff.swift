import Foundation
import Synchronization

/// Remembers, per process, which time-stamping authorities did not answer, so an unreachable
/// TSA costs one bounded wait (the transport's timeout) per back-off period, not one per
/// checkpoint: appending to a session also checkpoints the heads log, and a long-running
/// server appends all day. While an authority is backed off, checkpoints are left without a
/// token (and say so), exactly as when the request fails.
enum TSABackoff {
    /// Seconds an unreachable authority is not asked again.
    static let seconds: Double = 60

    private static let failedAt = Mutex<[String: Date]>([:])

    /// When `url` last failed, if that was less than `seconds` ago.
    static func backedOff(_ url: String, now: Date = Date()) -> Date? {
        failedAt.withLock { table in
            guard let at = table[url], now.timeIntervalSince(at) < seconds else { return nil }
            return at
        }
    }

    static func failed(_ url: String, now: Date = Date()) { failedAt.withLock { $0[url] = now } }

    static func answered(_ url: String) { failedAt.withLock { $0[url] = nil } }
}
