import Foundation
import Synchronization

/// What a worker reports about itself (`candor worker --status-file`): when it last claimed
/// a job or reached the store, the last store error, and the jobs it holds.
public final class WorkerHealth: Sendable {
    public struct Snapshot: Sendable {
        public var lastClaimAt: Date?
        public var lastStoreContactAt: Date?
        public var lastStoreError: String?
        public var lastStoreErrorAt: Date?
        public var inFlight: [Int64] = []
        public var shuttingDown = false
        /// "connected" after a successful store call, "unreachable" after a failed one.
        public var connection: String {
            guard let e = lastStoreErrorAt else { return lastStoreContactAt == nil ? "unknown" : "connected" }
            if let c = lastStoreContactAt, c > e { return "connected" }
            return "unreachable"
        }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func contact(claimed: Bool) {
        state.withLock {
            $0.lastStoreContactAt = Date()
            if claimed { $0.lastClaimAt = $0.lastStoreContactAt }
        }
    }

    func storeError(_ message: String) {
        state.withLock {
            $0.lastStoreError = message
            $0.lastStoreErrorAt = Date()
        }
    }

    func started(_ id: Int64) { state.withLock { $0.inFlight.append(id) } }
    func finished(_ id: Int64) { state.withLock { s in s.inFlight.removeAll { $0 == id } } }
    public func shutdownRequested() { state.withLock { $0.shuttingDown = true } }
}
