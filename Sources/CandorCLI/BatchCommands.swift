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

// `candor batch submit|status|result` and `candor worker`: the job queue in the store
// (SQLite in the workspace by default, PostgreSQL for many machines).

/// The analysis settings a batch job carries (its JSON, with sorted keys, is hashed into the job key).
struct BatchAnalysisSettings: Codable, Sendable, Equatable {
    var method: String
    var pitchFloorHz: Double
    var pitchCeilingHz: Double
    var timeStepS: Double
    var mix: Bool
    var roles: [String]

    var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    var pitch: PitchSettings {
        var s = PitchSettings(method: PitchMethod(rawValue: method) ?? .ac)
        s.floor = pitchFloorHz
        s.ceiling = pitchCeilingHz
        s.timeStep = timeStepS
        return s
    }
}

/// `--queue`, shared by the batch commands.
struct QueueOptions: ParsableArguments {
    @Option(name: .long, help: "Queue: postgres://USER@HOST:PORT/DB?sslmode=… or a SQLite file (default: $CANDOR_QUEUE, else queue.sqlite in the workspace).")
    var queue: String?

    func location(workspace: String) throws -> QueueLocation {
        let text = queue ?? (getenv("CANDOR_QUEUE").map { String(cString: $0) })
        if let text, !text.isEmpty {
            do { return try QueueLocation.parse(text) } catch { throw CLIError(code: ExitCodes.usage, "\(error)") }
        }
        mkdir(workspace, 0o755)
        return .sqlite(path: workspace + "/queue.sqlite")
    }

    func open(workspace: String) async throws -> SQLJobStore {
        let loc = try location(workspace: workspace)
        do { return try await SQLJobStore.open(loc) } catch { throw CLIError(code: ExitCodes.failure, "\(error)") }
    }
}

/// The shared audit store, when there is one: `$CANDOR_AUDIT_DB`, else `$CANDOR_QUEUE` when it
/// is a postgres:// URL (`candor worker --queue postgres://…` sets `CANDOR_AUDIT_DB` for
/// itself). nil means the workspace's own SQLite audit store. Session logs then live in the
/// same PostgreSQL database as the queue and results; the signing keys stay in the workspace.
func sharedAuditStore() throws -> (any AuditStore)? {
    let env = ProcessInfo.processInfo.environment
    let text = env["CANDOR_AUDIT_DB"].flatMap { $0.isEmpty ? nil : $0 }
        ?? env["CANDOR_QUEUE"].flatMap { $0.lowercased().hasPrefix("postgres") ? $0 : nil }
    guard let text else { return nil }
    return try auditStore(url: text)
}

/// The PostgreSQL audit store at `url`.
func auditStore(url: String) throws -> any AuditStore {
    guard case .postgres(let target) = try QueueLocation.parse(url) else {
        throw CLIError(code: ExitCodes.usage, "CANDOR_AUDIT_DB must be a postgres:// URL")
    }
    return try PostgresAuditStore(target)
}

public struct BatchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Queue recordings for analysis by `candor worker` processes, and follow their progress.",
        subcommands: [BatchSubmitCommand.self, BatchStatusCommand.self, BatchResultCommand.self])
    public init() {}
}

/// The models an analysis here scores with (as `candor analyze` finds them: $CANDOR_MODELS,
/// ./models, or next to the executable), for the job key; none when there is no models folder.
func batchModels() throws -> [(id: String, sha256: String)] {
    guard ModelRegistry.locate() != nil else { return [] }
    do {
        return try ModelRegistry.loadDefault().references.map { (id: $0.id, sha256: $0.sha256) }
    } catch {
        throw CLIError(code: ExitCodes.invalidInput, "\(error)")
    }
}

/// Audio file extensions picked up when a folder is submitted.
let audioExtensions: Set<String> = ["wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64"]

/// Expands folders (recursively, audio extensions only, sorted); files named explicitly are kept as given.
func expandInputs(_ paths: [String]) -> (files: [String], missing: [String]) {
    var files: [String] = [], missing: [String] = []
    let fm = FileManager.default
    for p in paths {
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: p, isDirectory: &isDir) else { missing.append(p); continue }
        if !isDir.boolValue { files.append(p); continue }
        let base = p.hasSuffix("/") ? String(p.dropLast()) : p
        let found = (fm.enumerator(atPath: p)?.compactMap { $0 as? String } ?? [])
            .filter { audioExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { base + "/" + $0 }
            .filter { var d: ObjCBool = false; return fm.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
        files.append(contentsOf: found)
    }
    return (files, missing)
}

/// A case/session id part made from a file name: characters outside A-Z a-z 0-9 . _ - become "_".
func identifier(fromFileName path: String) -> String {
    let base = (path as NSString).lastPathComponent
    let stem = (base as NSString).deletingPathExtension
    let mapped = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "_" })
    return String((mapped.isEmpty ? "recording" : mapped).prefix(128))
}

public struct BatchSubmitCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Enqueue recordings (folders are searched recursively for audio files).",
        discussion: """
        Each file is hashed and its header checked now. A job is identified by (input SHA-256, \
        parameters hash, models hash): submitting the same recording again with the same settings \
        adds no job. Unreadable files are reported (exit 3) after the readable ones are enqueued.
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var queueOptions: QueueOptions

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @Option(name: .customLong("case"), help: "Case id: record each analysis in this case's audit log.")
    var caseID: String?

    @Option(name: .customLong("session"), help: "Session id (default with --case: one session per file, named after the file).")
    var sessionID: String?

    @Option(name: .customLong("pitch-floor"), help: "Lowest F0 searched, Hz.")
    var pitchFloor: Double = 75

    @Option(name: .customLong("pitch-ceiling"), help: "Highest F0 searched, Hz.")
    var pitchCeiling: Double = 600

    @Option(name: .customLong("time-step"), help: "Seconds between pitch frames (0 = auto).")
    var timeStep: Double = 0

    @Option(name: .long, help: "Pitch method: ac or cc.")
    var method: String = "ac"

    @Flag(name: .long, help: "Downmix all channels to one before analysis.")
    var mix = false

    @Option(name: .long, help: "Speaker role per channel, comma-separated.")
    var roles: String?

    @Option(name: .customLong("max-attempts"), help: "Attempts per job before it is marked failed.")
    var maxAttempts: Int = 3

    @Flag(name: .customLong("retry-failed"), help: "Put jobs that already failed back in the queue.")
    var retryFailed = false

    public init() {}

    public func validate() throws {
        guard PitchMethod(rawValue: method) != nil else { throw ValidationError("--method must be ac or cc") }
        guard pitchFloor > 0, pitchCeiling > pitchFloor else { throw ValidationError("need 0 < --pitch-floor < --pitch-ceiling") }
        guard timeStep >= 0 else { throw ValidationError("--time-step must be ≥ 0") }
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be 1…100") }
        if sessionID != nil && caseID == nil { throw ValidationError("--session needs --case") }
        if let caseID {
            // The same rule as the audit log's: refuse invalid names before queueing jobs.
            do { _ = try SessionRef(caseID: caseID, sessionID: sessionID ?? "session") } catch { throw ValidationError("\(error)") }
        }
    }

    public func run() async throws {
        let settings = BatchAnalysisSettings(
            method: method, pitchFloorHz: pitchFloor, pitchCeilingHz: pitchCeiling, timeStepS: timeStep, mix: mix,
            roles: roles?.split(separator: ",").map { String($0).trimmingCharacters() } ?? [])
        let modelsHash = JobKeys.modelsHash(try batchModels())
        let (files, missing) = expandInputs(paths)
        var bad = missing.map { "\($0): no such file or folder" }
        var specs: [JobSpec] = []
        for file in files {
            do {
                let reader = try AudioReader(path: file)
                let sha = try reader.finishSHA256()
                let bytes = reader.info.bytes
                reader.close()
                let abs = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
                specs.append(JobSpec(inputPath: (abs as NSString).standardizingPath, inputSHA256: sha, inputBytes: bytes,
                                     parametersJSON: settings.json, modelsHash: modelsHash, caseID: caseID,
                                     sessionID: caseID == nil ? nil : (sessionID ?? identifier(fromFileName: file)),
                                     maxAttempts: maxAttempts))
            } catch {
                bad.append("\(error)")
            }
        }
        let store = try await queueOptions.open(workspace: global.workspacePath)
        let outcomes: [SubmitOutcome]
        do { outcomes = try await store.submit(specs, retryFailed: retryFailed) } catch {
            await store.close()
            throw CLIError(code: ExitCodes.failure, "\(error)")
        }
        await store.close()
        var created = 0, existing = 0, requeued = 0
        for o in outcomes {
            switch o {
            case .created: created += 1
            case .existing: existing += 1
            case .requeued: requeued += 1
            }
        }
        for line in bad { printErr("candor: error: \(line)") }
        if !global.quiet {
            var s = "\(store.location): \(created) new job(s), \(existing) already queued or done"
            if requeued > 0 { s += ", \(requeued) failed job(s) re-queued" }
            if !bad.isEmpty { s += ", \(bad.count) unreadable input(s) not queued" }
            print(s)
        }
        if !bad.isEmpty { throw CLIError(code: ExitCodes.invalidInput, "\(bad.count) input(s) could not be read and were not queued") }
    }
}

/// A progress bar line: `[#####-----] 12/50 done, 1 failed, 2 running`.
func progressBar(_ c: [JobState: Int], width: Int = 30) -> String {
    let done = c[.done] ?? 0, failed = c[.failed] ?? 0, running = c[.running] ?? 0, queued = c[.queued] ?? 0
    let total = done + failed + running + queued
    let filled = total == 0 ? width : (done + failed) * width / total
    return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
        + "\(done + failed)/\(total) finished: \(done) done, \(failed) failed, \(running) running, \(queued) queued"
}

public struct BatchStatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Counts of queued, running, done and failed jobs; --json adds every job.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var queueOptions: QueueOptions

    @Flag(name: .long, help: "Print JSON (schema candor.batch-status/1) with the jobs list.")
    var json = false

    @Flag(name: .long, help: "Keep a live progress bar on stderr until no job is queued or running.")
    var watch = false

    public init() {}

    public func run() async throws {
        let store = try await queueOptions.open(workspace: global.workspacePath)
        do {
            try await show(store)
            await store.close()
        } catch {
            await store.close()
            if let e = error as? CLIError { throw e }
            throw CLIError(code: ExitCodes.failure, "\(error)")
        }
    }

    func show(_ store: SQLJobStore) async throws {
        if watch || (isatty(2) == 1 && !global.quiet && !json) {
            var c = try await store.counts()
            writeStderr("\r\u{1B}[K" + progressBar(c))
            while watch, (c[.queued] ?? 0) + (c[.running] ?? 0) > 0 {
                try await Task.sleep(nanoseconds: 1_000_000_000)
                c = try await store.counts()
                writeStderr("\r\u{1B}[K" + progressBar(c))
            }
            writeStderr("\n")
        }
        if json {
            let jobs = try await store.jobs()
            let sink = TextSink(fd: 1)
            statusJSON(location: store.location, jobs: jobs).write(to: sink)
            sink.write("\n")
            sink.flush()
        } else {
            print(try await humanStatus(store))
        }
    }

    func humanStatus(_ store: SQLJobStore) async throws -> String {
        let c = try await store.counts()
        let total = c.values.reduce(0, +)
        var s = "queue \(store.location)\n"
        s += "queued \(c[.queued] ?? 0)  running \(c[.running] ?? 0)  done \(c[.done] ?? 0)  failed \(c[.failed] ?? 0)  (total \(total))"
        if (c[.failed] ?? 0) > 0 {
            for j in try await store.jobs() where j.state == .failed {
                s += "\n  failed: job \(j.id) \(j.inputPath) after \(j.attempts) attempt(s): \(j.lastError ?? "")"
            }
        }
        return s
    }
}

func statusJSON(location: String, jobs: [JobInfo]) -> JSONValue {
    var counts: [JobState: Int] = [:]
    for s in JobState.allCases { counts[s] = 0 }
    for j in jobs { counts[j.state, default: 0] += 1 }
    func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    return .object([
        ("schema", .string("candor.batch-status/1")),
        ("queue", .string(location)),
        ("counts", .object(JobState.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) } + [("total", .int(jobs.count))])),
        ("jobs", .array(jobs.map { j in
            .object([
                ("id", .int(Int(j.id))),
                ("input", .string(j.inputPath)),
                ("input_sha256", .string(j.inputSHA256)),
                ("state", .string(j.state.rawValue)),
                ("attempts", .int(j.attempts)),
                ("max_attempts", .int(j.maxAttempts)),
                ("result", j.resultSHA256.map { sha in
                    .object([("job", .int(Int(j.id))), ("sha256", .string(sha)), ("bytes", j.resultBytes.map { .int($0) } ?? .null)])
                } ?? .null),
                ("last_error", opt(j.lastError)),
                ("worker", opt(j.leaseOwner)),
                ("case", opt(j.caseID)),
                ("session", opt(j.sessionID)),
                ("history", .array(j.history.map { a in
                    .object([("attempt", .int(a.attempt)), ("worker", .string(a.worker)), ("outcome", opt(a.outcome)),
                             ("error", opt(a.error))])
                })),
            ])
        })),
    ])
}

public struct BatchResultCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Fetch a job's analysis JSON from the store (from any machine that reaches it).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var queueOptions: QueueOptions

    @Argument(help: "Job id (see batch status --json).")
    var job: Int64

    @Option(name: .long, help: "Output file ('-' or omitted: stdout).")
    var out: String?

    public init() {}

    public func run() async throws {
        let store = try await queueOptions.open(workspace: global.workspacePath)
        let stored: JobResult?
        do { stored = try await store.result(jobID: job) } catch {
            await store.close()
            throw CLIError(code: ExitCodes.failure, "\(error)")
        }
        await store.close()
        guard let stored else { throw CLIError(code: ExitCodes.failure, "job \(job) has no result in \(store.location)") }
        guard JobKeys.sha256Hex(stored.bytes) == stored.sha256 else {
            throw CLIError(code: ExitCodes.failure, "job \(job): stored result does not match its SHA-256 \(stored.sha256)")
        }
        try writeBytes(stored.bytes, to: out ?? "-")
    }
}

/// Writes bytes atomically (or to stdout for "-"), dropping the trailing newline the sink adds
/// when the bytes already end with one.
func writeBytes(_ bytes: [UInt8], to path: String) throws {
    var text = String(decoding: bytes, as: UTF8.self)
    if text.hasSuffix("\n") { text.removeLast() }
    try writeAtomically(to: path) { $0.write(text) }
}

public struct WorkerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim queued jobs, analyse them and store their results, until stopped.",
        discussion: """
        Jobs are claimed with a lease kept alive by heartbeats; a job whose worker dies is \
        re-claimed when its lease expires. Failed attempts are retried with exponential back-off \
        up to the job's attempt limit, keeping each attempt's error. SIGTERM or SIGINT stops \
        claiming and lets running jobs finish within --grace seconds (they are released back to the \
        queue otherwise; a second signal releases them at once). Input paths must be readable \
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

    public init() {}

    public func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1…256") }
        guard lease >= 1 else { throw ValidationError("--lease must be ≥ 1 second") }
        guard retryBase >= 0, grace >= 0 else { throw ValidationError("--retry-base and --grace must be ≥ 0") }
        guard poll >= 0.01 else { throw ValidationError("--poll must be ≥ 0.01 seconds") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    public func run() async throws {
        let shutdown = ShutdownSignal()
        shutdown.installSignalHandlers()
        let location = try queueOptions.location(workspace: global.workspacePath)
        // Audit records of the jobs go to the queue's database unless $CANDOR_AUDIT_DB names
        // another (see sharedAuditStore).
        var queueURL: String?
        if case .postgres = location, let url = queueOptions.queue ?? ProcessInfo.processInfo.environment["CANDOR_QUEUE"],
           (ProcessInfo.processInfo.environment["CANDOR_AUDIT_DB"] ?? "").isEmpty {
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
        if !quiet { printErr("worker \(workerID): queue \(store.location), concurrency \(concurrency)") }

        let summary = await runWorker(store: store, options: options, shutdown: shutdown, events: { event in
            var line: String?
            switch event {
            case .claimed(let j): line = "job \(j.id) attempt \(j.attempt)/\(j.maxAttempts): \(j.inputPath)"
            case .done(let j, let bytes):
                line = "job \(j.id) done: \(j.inputPath)"
                if let outDir {
                    let name = identifier(fromFileName: j.inputPath) + "-" + String(j.inputSHA256.prefix(12)) + ".analysis.json"
                    do { try writeBytes(bytes, to: outDir + "/" + name) } catch { line = "job \(j.id) done, but \(error)" }
                }
            case .failed(let j, let error, let next):
                line = "job \(j.id) attempt \(j.attempt) failed (\(next == .failed ? "no attempts left" : "will retry")): \(error)"
            case .released(let j): line = "job \(j.id) released back to the queue (shutdown)"
            case .leaseLost(let j): line = "job \(j.id): lease lost to another worker; result discarded"
            case .storeError(let e): line = "store error: \(e)"
            }
            if let line, !quiet { writeStderr((bar ? "\r\u{1B}[K" : "") + "worker: " + line + "\n") }
            if bar, let c = try? await store.counts() { writeStderr("\r\u{1B}[K" + progressBar(c)) }
        }, process: { job in
            try await analyseJob(job, workspace: workspace, auditURL: auditURL, threads: perJob)
        })
        await store.close()
        if bar { writeStderr("\n") }
        if !quiet {
            printErr("worker \(workerID): \(summary.done) done, \(summary.retried) to retry, \(summary.failed) failed, "
                     + "\(summary.released) released, \(summary.lost) lost to other workers")
        }
    }
}

/// Runs one job: checks the input is still the submitted file, analyses it with the library
/// and returns the analysis JSON bytes (recorded in the job's session log, if it has one).
func analyseJob(_ job: ClaimedJob, workspace: String, auditURL: String?, threads: Int) async throws -> [UInt8] {
    let settings: BatchAnalysisSettings
    do { settings = try JSONDecoder().decode(BatchAnalysisSettings.self, from: Data(job.parametersJSON.utf8)) } catch {
        throw CLIError(code: ExitCodes.failure, "job \(job.id): unreadable job settings (\(error))")
    }
    let models = try batchModels()
    guard JobKeys.modelsHash(models) == job.modelsHash else {
        throw CLIError(code: ExitCodes.failure, "job \(job.id): this worker's models (\(models.map(\.id).joined(separator: ", "))) "
                       + "differ from those the job was submitted with; give every machine the same models folder (CANDOR_MODELS)")
    }
    let now = try sha256(ofFile: job.inputPath)
    guard now == job.inputSHA256 else {
        throw InputError(path: job.inputPath, problem: "changed since it was submitted (sha256 \(now), submitted \(job.inputSHA256))")
    }
    var request = AnalysisRequest(file: job.inputPath, outPath: nil)
    request.options.pitch = settings.pitch
    request.options.mix = settings.mix
    request.options.roles = settings.roles
    request.options.threads = threads
    if let caseID = job.caseID, let sessionID = job.sessionID {
        request.session = AuditTarget(workspace: workspace, caseID: caseID, sessionID: sessionID, storeURL: auditURL)
    }
    let outcome = try await runAnalysis(request)
    guard outcome.inputSHA256 == job.inputSHA256 else {
        throw InputError(path: job.inputPath, problem: "changed while it was analysed (sha256 \(outcome.inputSHA256), submitted \(job.inputSHA256))")
    }
    guard let bytes = outcome.bytes else { throw CLIError(code: ExitCodes.failure, "job \(job.id): no analysis output") }
    return bytes
}
