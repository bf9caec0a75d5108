#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import Candor
import CandorAudio
import CandorAudit
import CandorFeatures
import CandorModels
import CandorStore
import Foundation

public struct WorkerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim queued jobs, analyse them and store their results, until stopped.",
        discussion: """
            Jobs are claimed with a lease kept alive by heartbeats; a job whose worker dies is \
            re-claimed when its lease expires. Failed attempts are retried with exponential back-off \
            up to the job's attempt limit, keeping each attempt's error. SIGTERM or SIGINT stops \
            claiming and lets running jobs finish within --grace seconds (they are released back to the \
            queue otherwise; a second signal releases them at once). A watchdog ends the worker (exit 1) \
            10 s after the grace period, or 2 s after a second signal, if shutdown is stuck (e.g. on an \
            unreachable database). Input paths must be readable \
            at the same path on every worker machine.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var queueOptions: QueueOptions

    @Option(name: .long, help: "Jobs processed at the same time.")
    var concurrency: Int = 1

    @Flag(name: .customLong("exit-when-empty"), help: "Exit once no job is queued or running.")
    var exitWhenEmpty = false

    @Option(name: .long, help: "Also write each analysis JSON into this folder as <name>-<sha256 prefix>.analysis.json.")
    var out: String?

    @Option(name: .long, help: "Lease length in seconds (heartbeats every third of it).")
    var lease: Double = 60

    @Option(name: .customLong("retry-base"), help: "Back-off after the first failed attempt, seconds (doubles each attempt).")
    var retryBase: Double = 5

    @Option(name: .long, help: "Seconds running jobs may take to finish after SIGTERM/SIGINT.")
    var grace: Double = 30

    @Option(name: .long, help: "Analysis threads per job (default: cores / concurrency).")
    var threads: Int?

    @Option(name: .long, help: "Seconds between looks at the queue when there is nothing to claim.")
    var poll: Double = 1

    @Option(
        name: .customLong("status-file"),
        help:
            "Keep this file updated (every second) with the worker's state as JSON (schema candor.worker-status/1): connection, last claim, jobs in flight."
    )
    var statusFile: String?

    public init() {}

    public func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1…256") }
        guard lease >= 1, lease <= 86_400 else { throw ValidationError("--lease must be 1…86400 seconds") }
        guard retryBase >= 0, grace >= 0, retryBase <= 86_400, grace <= 86_400 else {
            throw ValidationError("--retry-base and --grace must be 0…86400 seconds")
        }
        guard poll >= 0.01, poll <= 3_600 else { throw ValidationError("--poll must be 0.01…3600 seconds") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    public func run() async throws {
        let shutdown = ShutdownSignal()
        shutdown.installSignalHandlers()
        shutdown.armWatchdog(graceSeconds: grace)
        let location = try queueOptions.location(workspace: global.workspacePath)
        // Audit records of the jobs go to the queue's database unless $CANDOR_AUDIT_DB names
        // another (see sharedAuditStore).
        var queueURL: String?
        if case .postgres = location, let url = queueOptions.queue ?? ProcessInfo.processInfo.environment["CANDOR_QUEUE"],
            (ProcessInfo.processInfo.environment["CANDOR_AUDIT_DB"] ?? "").isEmpty
        {
            queueURL = url
        }
        let auditURL = queueURL
        let store = try await queueOptions.open(workspace: global.workspacePath)
        if let out { mkdir(out, 0o755) }
        var options = WorkerOptions()
        options.concurrency = concurrency
        options.exitWhenEmpty = exitWhenEmpty
        options.leaseSeconds = lease
        options.retryBaseSeconds = retryBase
        options.graceSeconds = grace
        options.pollSeconds = poll
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let perJob = threads ?? max(1, cores / concurrency)
        options.jobThreads = concurrency * perJob
        let workspace = global.workspacePath
        let quiet = global.quiet
        let bar = isatty(2) == 1 && !quiet
        let outDir = out
        let workerID = options.workerID
        let leaseSeconds = lease
        if !quiet { printErr("worker \(workerID): queue \(store.location), concurrency \(concurrency)") }

        if let outDir { await writeMissingOutputs(store, outDir, quiet: quiet) }
        let fixedOptions = options
        let reporter = statusFile.map { path in
            Task.detached {
                while !Task.isCancelled {
                    writeWorkerStatus(path, options: fixedOptions, queue: store.location, shutdown: shutdown)
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                }
            }
        }
        let summary = await runWorker(
            store: store, options: options, shutdown: shutdown,
            events: { event in
                var line: String?
                switch event {
                case .claimed(let j): line = "job \(j.id) attempt \(j.attempt)/\(j.maxAttempts): \(j.inputPath)"
                case .done(let j, let bytes):
                    line = "job \(j.id) done: \(j.inputPath)"
                    if let outDir {
                        do { try writeBytes(bytes, to: outDir + "/" + outFileName(j.inputPath, j.inputSHA256)) } catch {
                            line = "job \(j.id) done, but \(error)"
                        }
                    }
                case .failed(let j, let error, let next):
                    line = "job \(j.id) attempt \(j.attempt) failed (\(next == .failed ? "no attempts left" : "will retry")): \(error)"
                case .released(let j): line = "job \(j.id) released back to the queue (shutdown)"
                case .leaseLost(let j): line = "job \(j.id): lease lost to another worker; result discarded"
                case .storeError(let e): line = "store error: \(e)"
                }
                if let line, !quiet { writeStderr((bar ? "\r\u{1B}[K" : "") + "worker: " + line + "\n") }
                if bar, let c = try? await store.counts() { writeStderr("\r\u{1B}[K" + progressBar(c)) }
            },
            process: { job in
                try await analyseJob(job, store: store, lease: leaseSeconds, workspace: workspace, auditURL: auditURL, threads: perJob)
            })
        if let outDir, !shutdown.requested { await writeMissingOutputs(store, outDir, quiet: quiet) }
        reporter?.cancel()
        if let statusFile { writeWorkerStatus(statusFile, options: options, queue: store.location, shutdown: shutdown, exiting: true) }
        await store.close()
        if bar { writeStderr("\n") }
        if !quiet {
            printErr(
                "worker \(workerID): \(summary.done) done, \(summary.retried) to retry, \(summary.failed) failed, "
                    + "\(summary.released) released, \(summary.lost) lost to other workers, \(summary.abandoned) abandoned after store errors"
            )
        }
    }
}

/// The `--out` file name of a job: <name>-<sha256 prefix>.analysis.json.
func outFileName(_ inputPath: String, _ inputSHA256: String) -> String {
    identifier(fromFileName: inputPath) + "-" + String(inputSHA256.prefix(12)) + ".analysis.json"
}

/// (Re)writes the `--out` file of every done job whose file is missing (a worker killed
/// between storing a result and writing its file), from the stored result.
func writeMissingOutputs(_ store: any JobStore, _ outDir: String, quiet: Bool) async {
    guard let jobs = try? await store.jobs() else { return }
    var written = 0
    for job in jobs where job.state == .done {
        let path = outDir + "/" + outFileName(job.inputPath, job.inputSHA256)
        guard !FileManager.default.fileExists(atPath: path),
            let stored = try? await store.result(jobID: job.id), JobKeys.sha256Hex(stored.bytes) == stored.sha256
        else { continue }
        do {
            try writeBytes(stored.bytes, to: path)
            written += 1
        } catch {
            if !quiet { printErr("worker: job \(job.id): \(error)") }
        }
    }
    if written > 0, !quiet { printErr("worker: wrote \(written) missing --out file(s) from stored results") }
}

/// Writes the worker's state (`--status-file`), atomically.
func writeWorkerStatus(_ path: String, options: WorkerOptions, queue: String, shutdown: ShutdownSignal, exiting: Bool = false) {
    let h = options.health.snapshot
    func time(_ d: Date?) -> JSONValue { d.map { .string(AuditRecord.timestamp($0)) } ?? .null }
    let state = exiting ? "exited" : shutdown.requested ? "stopping" : "running"
    let doc = JSONValue.object([
        ("schema", .string("candor.worker-status/1")),
        ("worker", .string(options.workerID)),
        ("queue", .string(queue)),
        ("state", .string(state)),
        ("connection", .string(h.connection)),
        ("last_claim_at", time(h.lastClaimAt)),
        ("last_store_contact_at", time(h.lastStoreContactAt)),
        ("last_store_error", h.lastStoreError.map { .string($0) } ?? .null),
        ("last_store_error_at", time(h.lastStoreErrorAt)),
        ("jobs_in_flight", .array(h.inFlight.map { .int(Int($0)) })),
        ("updated_at", time(Date())),
    ])
    try? writeAtomically(to: path) { doc.write(to: $0) }
}
