import CandorStore
import Foundation
import Testing

private func specs(_ n: Int, maxAttempts: Int = 3) -> [JobSpec] {
    (0..<n).map { k in
        JobSpec(
            inputPath: "/w/\(k).wav", inputSHA256: JobKeys.sha256Hex(Array("w\(k)".utf8)), inputBytes: k,
            parametersJSON: "{}", maxAttempts: maxAttempts)
    }
}

/// Spins the CPU for about `seconds` on `tasks` child tasks (like the analysis's block tasks).
private func burnCPU(seconds: Double, tasks: Int) async -> UInt64 {
    await withTaskGroup(of: UInt64.self) { group in
        for t in 0..<tasks {
            group.addTask {
                let end = Date().addingTimeInterval(seconds)
                var x: UInt64 = UInt64(t) &+ 1
                while Date() < end {
                    for _ in 0..<100_000 { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
                }
                return x
            }
        }
        var acc: UInt64 = 0
        for await v in group { acc ^= v }
        return acc
    }
}

/// Records events for the assertions.
private final class EventLog: @unchecked Sendable {
    // @unchecked: `lines` is only touched under `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ s: String) { lock.withLock { lines.append(s) } }
    var all: [String] { lock.withLock { lines } }
}

@Suite("Worker loop", .serialized)
struct WorkerTests {
    @Test("heartbeats keep short leases alive while every core is busy with jobs", arguments: Backend.allCases)
    func heartbeatsSurviveCPULoad(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit(specs(2), retryFailed: false)
        var options = WorkerOptions(workerID: "cpu-bound")
        options.concurrency = 2
        options.jobThreads = 4
        options.exitWhenEmpty = true
        // 4 s: a 1 s lease, then a 2 s one, were lost when other test suites (and other
        // processes) kept this 2-core machine's run queue long (load 10); heartbeats come every
        // third of a lease, and each job still lasts three lease lengths.
        options.leaseSeconds = 4
        options.pollSeconds = 0.05
        let log = EventLog()
        let cores = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let summary = await runWorker(
            store: store, options: options, shutdown: ShutdownSignal(),
            events: { e in
                if case .leaseLost(let j) = e { log.add("lost \(j.id)") }
            },
            process: { _ in
                // Each job keeps more threads busy than there are cores for 12 s: 3 lease lengths.
                let x = await burnCPU(seconds: 12, tasks: cores * 2)
                return Array(String(x).utf8)
            })
        #expect(summary.done == 2 && summary.lost == 0, "\(summary) \(log.all)")
        for job in try await store.jobs() {
            #expect(job.state == .done)
            #expect(job.history.map(\.outcome) == ["done"], "job \(job.id): \(job.history)")
        }
    }

    @Test(
        "a worker keeps its lease and stores its result while every thread of Swift's shared pool is blocked",
        arguments: Backend.allCases)
    func leasesSurviveBlockedCooperativePool(_ backend: Backend) async throws {
        let inner = try await openStore(try backend.freshQueue())
        // The first claim blocks every thread of the cooperative pool (and two more blockers
        // queue behind them) for 2 × 4 s, as a host process that waits synchronously does,
        // just as the claim goes to the database. The lease is 1.5 s and the job lasts 3 s and
        // ends while the pool is still blocked: the claim's answer, the heartbeats and the
        // completion must all get by without the pool.
        let store = StallingStore(inner: inner, blockers: ProcessInfo.processInfo.activeProcessorCount + 2, seconds: 4)
        defer { Task { await store.close() } }
        _ = try await store.submit(specs(1), retryFailed: false)
        var options = WorkerOptions(workerID: "blocked-host")
        options.exitWhenEmpty = true
        options.leaseSeconds = 1.5
        options.pollSeconds = 0.05
        let log = EventLog()
        let summary = await runWorker(
            store: store, options: options, shutdown: ShutdownSignal(),
            events: { e in
                if case .leaseLost(let j) = e { log.add("lost \(j.id)") }
            },
            process: { _ in
                usleep(3_000_000)
                return Array("ok".utf8)
            })
        await store.waitForBlockers()
        #expect(summary.done == 1 && summary.lost == 0, "\(summary) \(log.all)")
        let job = try #require(try await store.jobs().first)
        #expect(job.state == .done)
        #expect(job.history.map(\.outcome) == ["done"], "\(job.history)")
    }

    @Test("a PostgreSQL transaction goes on while the caller's cooperative pool is blocked")
    func postgresTransactionsDoNotWaitForTheCallersPool() async throws {
        let store = try await openStore(try Backend.postgres.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit(specs(1), retryFailed: false)
        // Every thread of the pool is blocked for 6 s just as the claim starts (the claim's
        // first statement gives its thread up, and one more blocker takes it). The claim's
        // statements must still run at once: its UPDATE is stamped by the server's clock.
        let started = Date()
        let blockers = (0..<(ProcessInfo.processInfo.activeProcessorCount + 1)).map { _ in
            Task.detached { usleep(6_000_000) }
        }
        usleep(200_000)
        let job = try #require(try await store.claim(worker: "w", leaseSeconds: 60))
        for b in blockers { await b.value }
        let info = try #require(try await store.jobs().first { $0.id == job.id })
        let claimedAfter = info.updatedAt - started.timeIntervalSince1970
        #expect(claimedAfter < 3, "the claim was written \(claimedAfter) s after the pool was blocked")
    }

    @Test(
        "a failing job is retried after its back-off and succeeds; errors of earlier attempts are kept",
        arguments: Backend.allCases)
    func retryWithBackoff(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit(specs(1, maxAttempts: 4), retryFailed: false)
        var options = WorkerOptions(workerID: "flaky")
        options.exitWhenEmpty = true
        options.retryBaseSeconds = 0.3
        options.pollSeconds = 0.02
        let starts = EventLog()
        let started = Date()
        let summary = await runWorker(
            store: store, options: options, shutdown: ShutdownSignal(),
            events: { e in
                if case .claimed(let j) = e { starts.add("\(j.attempt) \(Date().timeIntervalSince(started))") }
            },
            process: { job in
                if job.attempt < 3 { throw StoreError("transient failure \(job.attempt)") }
                return Array("ok".utf8)
            })
        #expect(summary == WorkerSummary(done: 1, retried: 2, failed: 0, released: 0, lost: 0))
        let times = starts.all.map { Double($0.split(separator: " ")[1])! }
        try #require(times.count == 3)
        // Back-off: 0.3 s after attempt 1, 0.6 s after attempt 2.
        #expect(times[1] - times[0] >= 0.3 && times[2] - times[1] >= 0.6, "\(times)")
        let job = try #require(try await store.jobs().first)
        #expect(job.state == .done && job.attempts == 3)
        #expect(job.history.map(\.error) == ["transient failure 1", "transient failure 2", nil])
    }

    @Test("a shutdown request releases a job that does not finish within the grace period", arguments: Backend.allCases)
    func shutdownReleases(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit(specs(1), retryFailed: false)
        var options = WorkerOptions(workerID: "stopping")
        options.graceSeconds = 0.2
        let shutdown = ShutdownSignal()
        let summary = await runWorker(
            store: store, options: options, shutdown: shutdown,
            events: { e in
                if case .claimed = e { shutdown.request() }
            },
            process: { _ in
                try await Task.sleep(nanoseconds: 30_000_000_000)
                return []
            })
        #expect(summary.released == 1 && summary.done == 0)
        let job = try #require(try await store.jobs().first)
        #expect(job.state == .queued && job.attempts == 0 && job.history.map(\.outcome) == ["released"])
    }
}
