import Dispatch
import Foundation
import Synchronization

/// Set by SIGTERM/SIGINT (or by a test). The first request stops claiming and lets running
/// jobs finish within the grace period; a second request releases them at once.
///
/// With a watchdog armed (`armWatchdog`), shutdown does not depend on any await finishing:
/// a dispatch timer ends the process (exit 1, with a message) `margin` seconds after the
/// grace period, or `immediateSeconds` after a second request, if it is still running.
public final class ShutdownSignal: Sendable {
    private let requests = Mutex<Int>(0)
    /// Kept alive here so the handlers stay installed.
    private let sources = Mutex<[any DispatchSourceSignal]>([])
    /// (grace, margin, immediate) seconds, once armed.
    private let watchdog = Mutex<(grace: Double, margin: Double, immediate: Double)?>(nil)

    public init() {}

    public func request() {
        let n = requests.withLock { n -> Int in
            n += 1
            return n
        }
        guard let w = watchdog.withLock({ $0 }), n <= 2 else { return }
        let after = n == 1 ? w.grace + w.margin : w.immediate
        DispatchQueue.global().asyncAfter(deadline: .now() + after) {
            let line = Array(
                "worker: shutdown did not finish \(n == 1 ? "within the grace period" : "after a second signal"); exiting (leases of unfinished jobs expire)\n"
                    .utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            _exit(1)
        }
    }

    /// Ends the process if a shutdown hangs (see the type's documentation).
    public func armWatchdog(graceSeconds: Double, margin: Double = 10, immediateSeconds: Double = 2) {
        watchdog.withLock { $0 = (graceSeconds, margin, immediateSeconds) }
    }
    public var requested: Bool { requests.withLock { $0 > 0 } }
    public var immediate: Bool { requests.withLock { $0 > 1 } }

    /// Routes SIGTERM and SIGINT here instead of killing the process.
    public func installSignalHandlers() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            sources.withLock { sources in
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { [weak self] in self?.request() }
                src.resume()
                sources.append(src)
            }
        }
    }
}

public struct WorkerOptions: Sendable {
    /// Unique per process: host, pid and a random suffix.
    public var workerID: String
    public var concurrency = 1
    public var exitWhenEmpty = false
    public var leaseSeconds = 60.0
    public var pollSeconds = 1.0
    /// Back-off after a failed attempt n: retryBaseSeconds · 2^(n-1), at most retryMaxSeconds.
    public var retryBaseSeconds = 5.0
    public var retryMaxSeconds = 600.0
    /// After a shutdown request, how long running jobs may take to finish before they are released.
    public var graceSeconds = 30.0
    /// Threads that run the jobs themselves (see `JobExecutor`); 0 = `concurrency`.
    public var jobThreads = 0
    /// Updated as the worker claims, reaches the store and holds jobs.
    public var health = WorkerHealth()

    public init(workerID: String = WorkerOptions.defaultWorkerID()) { self.workerID = workerID }

    public static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(JobKeys.randomHex(bytes: 3))"
    }

    public func retryDelay(afterAttempt n: Int) -> Double {
        min(retryMaxSeconds, retryBaseSeconds * pow(2, Double(max(0, n - 1))))
    }
}

/// What happened to one job in this worker.
public enum WorkerEvent: Sendable {
    case claimed(ClaimedJob)
    case done(ClaimedJob, result: [UInt8])
    case failed(ClaimedJob, error: String, nextState: JobState)
    case released(ClaimedJob)
    case leaseLost(ClaimedJob)
    case storeError(String)
}

public struct WorkerSummary: Sendable, Equatable {
    public var done = 0
    public var retried = 0
    public var failed = 0
    public var released = 0
    public var lost = 0
    /// Jobs given up because the store could not be reached to finish them (their leases
    /// expire and another attempt takes them).
    public var abandoned = 0
    public init(done: Int = 0, retried: Int = 0, failed: Int = 0, released: Int = 0, lost: Int = 0) {
        self.done = done
        self.retried = retried
        self.failed = failed
        self.released = released
        self.lost = lost
    }
}

/// A value set once by one task and polled by another.
private final class Box<T: Sendable>: Sendable {
    private let stored = Mutex<T?>(nil)
    var value: T? { stored.withLock { $0 } }
    func set(_ v: T) { stored.withLock { $0 = v } }
}

private final class SummaryBox: Sendable {
    private let summary = Mutex(WorkerSummary())
    func update(_ f: (inout WorkerSummary) -> Void) { summary.withLock { f(&$0) } }
    var value: WorkerSummary { summary.withLock { $0 } }
}

private enum Outcome: Sendable {
    case result([UInt8])
    case error(String)
}

private func pause(_ seconds: Double, unless shutdown: ShutdownSignal) async {
    var left = seconds
    while left > 0, !shutdown.requested {
        let step = min(left, 0.05)
        try? await Task.sleep(nanoseconds: UInt64(step * 1e9))
        left -= step
    }
}

/// Runs `concurrency` claim-process-store loops until shutdown (or, with `exitWhenEmpty`,
/// until no job is queued or running anywhere). `process` turns a job into its result bytes
/// or throws (the error's description becomes the attempt's error). Each claimed job is
/// kept alive by heartbeats every lease/3; a job whose lease was lost is abandoned.
public func runWorker(
    store: any JobStore, options: WorkerOptions, shutdown: ShutdownSignal,
    events: @escaping @Sendable (WorkerEvent) async -> Void,
    process: @escaping @Sendable (ClaimedJob) async throws -> [UInt8]
) async -> WorkerSummary {
    let summary = SummaryBox()
    let executor = JobExecutor(threads: options.jobThreads > 0 ? options.jobThreads : max(1, options.concurrency))
    // Heartbeats get a thread of their own too, so nothing else in the process can delay them.
    let control = JobExecutor(threads: 1, name: "candor-heartbeat")
    // So do the claim-process-store loops: a process whose cooperative pool is busy or blocked
    // (a host that waits synchronously, a caller's CPU-bound tasks) must not keep a finished
    // job from being stored before its lease runs out.
    let slots = JobExecutor(threads: max(1, options.concurrency), name: "candor-slot")
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<max(1, options.concurrency) {
            group.addTask(executorPreference: slots) {
                await PreferredExecutor.$current.withValue(slots) {
                    await slotLoop(
                        store: store, options: options, shutdown: shutdown, summary: summary, executor: executor,
                        control: control, events: events, process: process)
                }
            }
        }
    }
    executor.shutdown()
    control.shutdown()
    slots.shutdown()
    return summary.value
}

private func slotLoop(
    store: any JobStore, options: WorkerOptions, shutdown: ShutdownSignal, summary: SummaryBox,
    executor: JobExecutor, control: JobExecutor, events: @escaping @Sendable (WorkerEvent) async -> Void,
    process: @escaping @Sendable (ClaimedJob) async throws -> [UInt8]
) async {
    var storeErrors = 0
    while !shutdown.requested {
        let job: ClaimedJob?
        // The lease may start on the server as soon as the claim is sent: count it from then.
        let claimSentAt = Date()
        do {
            job = try await store.claim(worker: options.workerID, leaseSeconds: options.leaseSeconds)
            options.health.contact(claimed: job != nil)
            storeErrors = 0
        } catch {
            options.health.storeError("\(error)")
            storeErrors += 1
            await events(.storeError("\(error)"))
            await pause(min(30, options.pollSeconds * Double(1 << min(storeErrors, 5))), unless: shutdown)
            continue
        }
        guard let job else {
            if options.exitWhenEmpty, (try? await store.pending()) == 0 { return }
            await pause(options.pollSeconds, unless: shutdown)
            continue
        }
        await events(.claimed(job))
        options.health.started(job.id)
        defer { options.health.finished(job.id) }
        await runJob(
            job, leaseFrom: claimSentAt, store: store, options: options, shutdown: shutdown, summary: summary,
            executor: executor, control: control, events: events, process: process)
    }
}

private func runJob(
    _ job: ClaimedJob, leaseFrom claimSentAt: Date, store: any JobStore, options: WorkerOptions, shutdown: ShutdownSignal,
    summary: SummaryBox,
    executor: JobExecutor, control: JobExecutor, events: @escaping @Sendable (WorkerEvent) async -> Void,
    process: @escaping @Sendable (ClaimedJob) async throws -> [UInt8]
) async {
    let outcome = Box<Outcome>()
    let lost = Box<Bool>()
    let work = Task(executorPreference: executor) {
        await PreferredExecutor.$current.withValue(executor) {
            do { outcome.set(.result(try await process(job))) } catch { outcome.set(.error(oneLine("\(error)"))) }
        }
    }
    // Heartbeats every third of the lease. The lease runs out on the server one lease after the
    // last renewal that succeeded (counted, to be safe, from when that renewal was sent; the
    // claim for the first), so that is when the worker counts it as lost and stops the
    // attempt: a heartbeat that gets no answer (a silent partition) is given up at that moment
    // at the latest, and another worker may hold the job from then on.
    let renewed = Box<Date>()
    renewed.set(claimSentAt)
    @Sendable func left() -> Double { options.leaseSeconds - Date().timeIntervalSince(renewed.value ?? .distantPast) }
    @Sendable func renewLease() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(max(0, min(options.leaseSeconds / 3, left())) * 1e9))
            if Task.isCancelled { return }
            let remaining = left()
            if remaining <= 0 {
                lost.set(true)
                return
            }
            let sentAt = Date()
            let held = try? await withDeadline(min(options.leaseSeconds / 3, remaining), "heartbeat of job \(job.id)") {
                try await store.heartbeat(job, leaseSeconds: options.leaseSeconds)
            }
            if held == false {
                lost.set(true)
                return
            }
            if held == true { renewed.set(sentAt) }
        }
    }
    let heartbeat = Task(executorPreference: control) {
        await PreferredExecutor.$current.withValue(control) { await renewLease() }
    }
    var shutdownAt: Date?
    while outcome.value == nil, lost.value == nil {
        try? await Task.sleep(nanoseconds: 20_000_000)
        if shutdown.requested {
            let t = shutdownAt ?? Date()
            shutdownAt = t
            if shutdown.immediate || Date().timeIntervalSince(t) > options.graceSeconds { break }
        }
    }
    heartbeat.cancel()
    do {
        switch lost.value == true ? nil : outcome.value {
        case .result(let bytes)?:
            if try await store.complete(job, result: bytes) {
                summary.update { $0.done += 1 }
                await events(.done(job, result: bytes))
            } else {
                summary.update { $0.lost += 1 }
                await events(.leaseLost(job))
            }
        case .error(let message)?:
            let delay = options.retryDelay(afterAttempt: job.attempt)
            // Recording the failure waits no longer than the lease has left (after that the
            // lease's expiry puts the job back anyway), so a store that stopped answering
            // cannot keep the attempt alive past its lease.
            let recorded = try await withDeadline(max(left(), 0.5), "recording the failure of job \(job.id)") {
                try await store.fail(job, error: message, retryDelaySeconds: delay)
            }
            if let state = recorded {
                summary.update { if state == .failed { $0.failed += 1 } else { $0.retried += 1 } }
                await events(.failed(job, error: message, nextState: state))
            } else {
                summary.update { $0.lost += 1 }
                await events(.leaseLost(job))
            }
        case nil:
            if lost.value == true {
                work.cancel()
                summary.update { $0.lost += 1 }
                await events(.leaseLost(job))
            } else {
                work.cancel()
                _ = try await store.release(job)
                summary.update { $0.released += 1 }
                await events(.released(job))
            }
        }
    } catch {
        work.cancel()
        summary.update { $0.abandoned += 1 }
        await events(.storeError("job \(job.id): \(error)"))
    }
}

func oneLine(_ s: String) -> String {
    s.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
}
