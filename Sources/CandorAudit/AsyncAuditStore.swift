import Dispatch

/// Runs blocking audit-store work (SQLite calls, PostgreSQL queries that wait on their
/// futures) on a dispatch queue of its own and awaits the result, so async code never holds
/// a thread of the Swift concurrency pool while a database answers.
public enum AuditIO {
    private static let queue = DispatchQueue(label: "candor.audit-io", attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// The async interface to a session-log store: the same operations as `AuditStore`, each
/// awaited instead of blocking the caller. The store's own rules hold (appends to one session
/// are serialised across processes inside `withSessionLock`).
///
/// `@unchecked Sendable`: `AuditStore` implementations are classes that serialise their own
/// access (one SQLite connection in serialized mode, or one PostgreSQL connection used by one
/// call at a time under the session lock); this wrapper only hands calls to them on
/// `AuditIO`'s queue.
public final class AsyncAuditStore: @unchecked Sendable {
    public let store: any AuditStore

    public init(_ store: any AuditStore) { self.store = store }

    public func records(_ session: SessionRef) async throws -> [StoredRecord] {
        return try await AuditIO.run { try self.store.records(session) }
    }

    public func latestCheckpoint(_ session: SessionRef) async throws -> (size: Int, note: String)? {
        let c = try await AuditIO.run { try self.store.latestCheckpoint(session).map { Checkpoint(size: $0.size, note: $0.note) } }
        return c.map { ($0.size, $0.note) }
    }

    public func results(_ session: SessionRef) async throws -> [StoredResult] {
        return try await AuditIO.run { try self.store.results(session) }
    }

    public func putResult(_ session: SessionRef, _ result: StoredResult) async throws {
        try await AuditIO.run { try self.store.withSessionLock(session) { try self.store.putResult(session, result) } }
    }

    public func sessions() async throws -> [SessionRef] {
        return try await AuditIO.run { try self.store.sessions() }
    }

    private struct Checkpoint: Sendable {
        var size: Int
        var note: String
    }
}
