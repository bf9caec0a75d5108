import CandorStore
import Foundation
import Synchronization

/// A job store whose first claim blocks every thread of Swift's cooperative pool for a while
/// just before the claim goes to the database (what a host process that waits synchronously
/// does to everything in it). Everything else is passed through.
final class StallingStore: JobStore {
    let inner: any JobStore
    let blockerCount: Int
    let seconds: Double
    private let started = Mutex<[Task<Void, Never>]?>(nil)

    init(inner: any JobStore, blockers: Int, seconds: Double) {
        self.inner = inner
        self.blockerCount = blockers
        self.seconds = seconds
    }

    var location: String { inner.location }

    func claim(worker: String, leaseSeconds: Double) async throws -> ClaimedJob? {
        let micros = useconds_t(seconds * 1e6)
        let first = started.withLock { tasks -> Bool in
            guard tasks == nil else { return false }
            tasks = (0..<blockerCount).map { _ in Task.detached { usleep(micros) } }
            return true
        }
        // Lets the blockers take the pool's threads before the claim's first await.
        if first { usleep(300_000) }
        return try await inner.claim(worker: worker, leaseSeconds: leaseSeconds)
    }

    /// Waits until the blockers have let go of the pool.
    func waitForBlockers() async {
        for t in started.withLock({ $0 ?? [] }) { await t.value }
    }

    func submit(_ specs: [JobSpec], retryFailed: Bool) async throws -> [SubmitOutcome] {
        try await inner.submit(specs, retryFailed: retryFailed)
    }
    func heartbeat(_ job: ClaimedJob, leaseSeconds: Double) async throws -> Bool {
        try await inner.heartbeat(job, leaseSeconds: leaseSeconds)
    }
    func complete(_ job: ClaimedJob, result: [UInt8]) async throws -> Bool {
        try await inner.complete(job, result: result)
    }
    func fail(_ job: ClaimedJob, error: String, retryDelaySeconds: Double) async throws -> JobState? {
        try await inner.fail(job, error: error, retryDelaySeconds: retryDelaySeconds)
    }
    func release(_ job: ClaimedJob) async throws -> Bool { try await inner.release(job) }
    func counts() async throws -> [JobState: Int] { try await inner.counts() }
    func jobs() async throws -> [JobInfo] { try await inner.jobs() }
    func result(jobID: Int64) async throws -> JobResult? { try await inner.result(jobID: jobID) }
    func close() async { await inner.close() }
}
