import Candor
import CandorAudio
import CandorAudit
import CandorFeatures
import CandorStore
import Dispatch
import Foundation
import Synchronization

/// Runs one job: analyses the recording (or, when a new case or session asked for a job that
/// is already done, takes its stored result), then records it in the session log of each
/// target that lacks it, and returns the analysis JSON bytes for `complete`.
///
/// Each target's records are appended by `AuditWorkspace.appendOnce`: under the session lock,
/// skipped when the log already has a record of this job (`batch_job` = the job key), and
/// fenced by the claim: the lease is renewed inside the lock with the claim's token, and when
/// the token no longer holds (the lease expired and another worker claimed the job) nothing is
/// written. So a job's records appear once per session, written by a holder of the lease,
/// however often its attempts crash or overlap.
func analyseJob(
    _ job: ClaimedJob, store: any JobStore, lease: Double, workspace: String, auditURL: String?,
    threads: Int
) async throws -> [UInt8] {
    var bytes: [UInt8]
    if job.hasResult {
        guard let stored = try await store.result(jobID: job.id), JobKeys.sha256Hex(stored.bytes) == stored.sha256 else {
            throw CLIError(code: ExitCodes.failure, "job \(job.id): its stored result is missing or does not match its SHA-256")
        }
        bytes = stored.bytes
    } else {
        bytes = try await analyseRecording(job, threads: threads)
    }
    for target in job.targets {
        // The worker cancels an attempt whose lease it considers lost: log nothing then.
        try Task.checkCancellation()
        bytes = try await recordJob(job, in: target, bytes: bytes, workspace: workspace, auditURL: auditURL) {
            let held = try waitBlocking(seconds: 30, "renewing the lease of job \(job.id)") {
                try await store.heartbeat(job, leaseSeconds: lease)
            }
            guard held else {
                throw CLIError(code: ExitCodes.failure, "job \(job.id): lease lost before its records were logged; nothing logged")
            }
        }
    }
    testPauseAfterLogging(job)
    return bytes
}

/// Test hook: `CANDOR_WORKER_TEST_PAUSE_AFTER_LOG_MS` pauses a job after its records are
/// logged and before it is completed, so tests can kill the worker there.
private func testPauseAfterLogging(_ job: ClaimedJob) {
    guard let v = ProcessInfo.processInfo.environment["CANDOR_WORKER_TEST_PAUSE_AFTER_LOG_MS"], let ms = UInt32(v), ms > 0 else { return }
    printErr("worker: test pause after logging job \(job.id)")
    usleep(ms * 1000)
}

/// Checks the input is still the submitted file and analyses it with the library.
private func analyseRecording(_ job: ClaimedJob, threads: Int) async throws -> [UInt8] {
    let settings: BatchAnalysisSettings
    do { settings = try JSONDecoder().decode(BatchAnalysisSettings.self, from: Data(job.parametersJSON.utf8)) } catch {
        throw CLIError(code: ExitCodes.failure, "job \(job.id): unreadable job settings (\(error))")
    }
    let models = try batchModels()
    guard JobKeys.modelsHash(models) == job.modelsHash else {
        throw CLIError(
            code: ExitCodes.failure,
            "job \(job.id): this worker's models (\(models.map(\.id).joined(separator: ", "))) "
                + "differ from those the job was submitted with; give every machine the same models folder (CANDOR_MODELS)")
    }
    let now = try sha256(ofFile: job.inputPath)
    guard now == job.inputSHA256 else {
        throw InputError(path: job.inputPath, problem: "changed since it was submitted (sha256 \(now), submitted \(job.inputSHA256))")
    }
    if let segments = settings.segmentsFile {
        let now = try sha256(ofFile: segments)
        guard now == settings.segmentsSHA256 else {
            throw InputError(
                path: segments, problem: "changed since it was submitted (sha256 \(now), submitted \(settings.segmentsSHA256 ?? "-"))")
        }
    }
    var request = AnalysisRequest(file: job.inputPath, outPath: nil)
    request.options.segmentsFile = settings.segmentsFile
    request.options.pitch = settings.pitch
    request.options.pitchRangeAuto = settings.pitchRange == "auto"
    request.options.formants = settings.formants == true
    request.options.mix = settings.mix
    request.options.roles = settings.roles
    request.options.threads = threads
    request.options.pulses = settings.pulses.flatMap { $0 == "precise" ? .sinc : $0 == "praat" ? .parabolic : nil }
    let outcome = try await runAnalysis(request)
    guard outcome.inputSHA256 == job.inputSHA256 else {
        throw InputError(
            path: job.inputPath, problem: "changed while it was analysed (sha256 \(outcome.inputSHA256), submitted \(job.inputSHA256))")
    }
    guard let bytes = outcome.bytes else { throw CLIError(code: ExitCodes.failure, "job \(job.id): no analysis output") }
    return bytes
}

/// Appends the job's records to `target`'s session log once (see `analyseJob`); returns the
/// bytes the log holds for the job: `bytes`, or the result an earlier attempt logged.
private func recordJob(
    _ job: ClaimedJob, in target: JobTarget, bytes: [UInt8], workspace: String, auditURL: String?,
    fence: @escaping @Sendable () throws -> Void
) async throws -> [UInt8] {
    let analysis: Analysis
    do { analysis = try JSONDecoder().decode(Analysis.self, from: Data(bytes)) } catch {
        throw CLIError(code: ExitCodes.failure, "job \(job.id): its analysis JSON cannot be read back (\(error))")
    }
    let sha = Hex.encode(Merkle.sha256(bytes))
    let key = job.key
    let input = analysis.input
    var drafts = analysisDrafts(
        inputPath: input.path, inputBytes: input.bytes, inputSHA256: input.sha256, inputFormat: input.format,
        outputPath: "-", outputSHA256: sha, resultName: "results/\(sha).json",
        softwareVersion: analysis.software.version, gitCommit: analysis.software.gitCommit,
        parameters: analysis.parameters.strings, models: analysis.models.map { (id: $0.id, sha256: $0.sha256) },
        extra: ["batch_job": .string(key), "batch_job_id": .int(job.id)])
    if let settings = try? JSONDecoder().decode(BatchAnalysisSettings.self, from: Data(job.parametersJSON.utf8)),
        let segments = sidecarEvidenceDraft(settings)
    {
        // After the recording's evidence_ingested, before analysis_completed.
        drafts.insert(segments, at: 1)
    }
    let records = drafts
    return try await AuditIO.run {
        let ws = try openAudit(workspace, storeURL: auditURL)
        let s = try sessionRef(target.caseID, target.sessionID)
        let op = try requireOperator(ws)
        return try auditing {
            switch try ws.appendOnce(s, operator: op, keyField: "batch_job", key: key, result: bytes, records, fence: fence) {
            case .appended:
                return bytes
            case .alreadyLogged(let record):
                // An earlier attempt logged this job here (and was then killed or overtaken):
                // its logged output is the job's result.
                guard let logged = record["output_sha256"]?.stringValue, logged != sha,
                    let earlier = try ws.results(s).first(where: { $0.sha256 == logged })
                else { return bytes }
                return earlier.bytes
            }
        }
    }
}

/// Waits on the calling (non-concurrency-pool) thread for `operation`, at most `seconds`.
func waitBlocking<T: Sendable>(seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let task = Task {
        do { let v = try await operation(); outcome.withLock { $0 = .success(v) } } catch { outcome.withLock { $0 = .failure(error) } }
        done.signal()
    }
    if done.wait(timeout: .now() + seconds) == .timedOut {
        task.cancel()
        throw StoreError("\(what): no answer within \(Int(seconds)) s")
    }
    return try outcome.withLock { $0! }.get()
}
