import Dispatch
import NIOCore
import Synchronization

/// A database call that did not answer in time. The connection it used is dropped.
public struct StoreTimeout: Error, CustomStringConvertible, Sendable {
    public var what: String
    public var seconds: Double
    public var description: String { "\(what): no answer within \(formatSeconds(seconds)) (connection dropped)" }
}

func formatSeconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : "\(s) s" }

/// The task executor a bounded call should run on (unstructured tasks do not inherit a task
/// executor preference, task-locals they do): the worker sets its job and heartbeat threads
/// here, so a bounded store call made by a heartbeat keeps running on the heartbeat's own
/// thread even when every core is busy with jobs.
enum PreferredExecutor {
    @TaskLocal static var current: (any TaskExecutor)?
}

/// Resumes a continuation once, from whichever of the operation and its timer ends first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
    private let tasks = Mutex<[Task<Void, Never>]>([])

    func set(_ c: CheckedContinuation<T, any Error>) { continuation.withLock { $0 = c } }
    func keep(_ t: Task<Void, Never>) { tasks.withLock { $0.append(t) } }

    func resume(_ r: Result<T, any Error>) {
        guard
            let c = continuation.withLock({ c -> CheckedContinuation<T, any Error>? in
                defer { c = nil }
                return c
            })
        else { return }
        for t in tasks.withLock({ $0 }) { t.cancel() }
        c.resume(with: r)
    }
}

/// Runs `operation` but resumes the caller after `seconds` at the latest, with `StoreTimeout`,
/// even when `operation` never returns (a future of a connection the server dropped that is
/// never completed): the operation is then cancelled and left behind. Cancelling the caller
/// also resumes it at once.
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce<T>()
    let executor = PreferredExecutor.current
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            once.set(c)
            once.keep(
                Task(executorPreference: executor) {
                    do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
                })
            once.keep(
                Task(executorPreference: executor) {
                    try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                    if !Task.isCancelled { once.resume(.failure(StoreTimeout(what: what, seconds: seconds))) }
                })
        }
    } onCancel: {
        once.resume(.failure(CancellationError()))
    }
}

/// Blocks the calling thread (never an event-loop thread) until `future` completes or
/// `seconds` pass; throws `StoreTimeout` then.
func waitBounded<T: Sendable>(_ future: EventLoopFuture<T>, seconds: Double, _ what: String) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    future.whenComplete { r in
        result.withLock { $0 = r }
        done.signal()
    }
    guard done.wait(timeout: .now() + seconds) == .success else { throw StoreTimeout(what: what, seconds: seconds) }
    return try result.withLock { $0! }.get()
}

/// The time limits of every database call. Client side they bound each await; server side
/// PostgreSQL gets `statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout`.
public struct StoreTimeouts: Sendable {
    /// Connecting (TCP, TLS, authentication, session set-up).
    public var connect = 15.0
    /// One statement, client side (the server cancels it at `statement` first).
    public var query = 40.0
    /// Server side: `statement_timeout`.
    public var statement = 30.0
    /// Server side: `lock_timeout`.
    public var lock = 20.0
    /// Closing a connection (then it is abandoned).
    public var close = 5.0
    /// Waiting for an advisory lock (schema set-up, migration, a session's audit log), which
    /// other processes may hold for a while: server and client side.
    public var advisoryLock = 120.0

    public init() {}

    /// The settings PostgreSQL applies to each connection.
    var serverSettings: [String] {
        [
            "SET statement_timeout = \(Int(statement * 1000))", "SET lock_timeout = \(Int(lock * 1000))",
            "SET idle_in_transaction_session_timeout = \(Int(max(statement, lock) * 2000))",
        ]
    }

    public static let standard = StoreTimeouts()

    /// Statements run inside a transaction before taking an advisory lock: the lock may be
    /// waited for up to `advisoryLock`.
    var advisoryLockSettings: [String] {
        ["SET LOCAL lock_timeout = \(Int(advisoryLock * 1000))", "SET LOCAL statement_timeout = \(Int(advisoryLock * 1000))"]
    }

    /// The client-side limit for one statement.
    func clientLimit(_ sql: String) -> Double {
        sql.hasPrefix("SELECT pg_advisory_xact_lock") ? advisoryLock + 10 : query
    }
}
