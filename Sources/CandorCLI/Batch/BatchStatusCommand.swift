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
        // Read-only: status works on a read-only or full workspace and changes nothing.
        let store = try await queueOptions.open(workspace: global.workspacePath, readOnly: true)
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
    func time(_ t: Double?) -> JSONValue { t.map { .string(AuditRecord.timestamp(Date(timeIntervalSince1970: $0))) } ?? .null }
    return .object([
        ("schema", .string("candor.batch-status/1")),
        ("queue", .string(location)),
        ("counts", .object(JobState.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) } + [("total", .int(jobs.count))])),
        (
            "jobs",
            .array(
                jobs.map { j in
                    .object([
                        ("id", .int(Int(j.id))),
                        ("input", .string(j.inputPath)),
                        ("input_sha256", .string(j.inputSHA256)),
                        ("state", .string(j.state.rawValue)),
                        ("attempts", .int(j.attempts)),
                        ("max_attempts", .int(j.maxAttempts)),
                        (
                            "result",
                            j.resultSHA256.map { sha in
                                .object([
                                    ("job", .int(Int(j.id))), ("sha256", .string(sha)), ("bytes", j.resultBytes.map { .int($0) } ?? .null),
                                ])
                            } ?? .null
                        ),
                        // A done job has no current error (its failed attempts keep theirs in the history).
                        ("last_error", j.state == .done ? .null : opt(j.lastError)),
                        ("submitted_at", time(j.submittedAt)),
                        ("updated_at", time(j.updatedAt)),
                        ("worker", opt(j.leaseOwner)),
                        ("case", opt(j.caseID)),
                        ("session", opt(j.sessionID)),
                        (
                            "targets",
                            .array(
                                j.targets.map { t in
                                    .object([
                                        ("case", .string(t.caseID)), ("session", .string(t.sessionID)), ("recorded", .bool(t.recorded)),
                                    ])
                                })
                        ),
                        (
                            "history",
                            .array(
                                j.history.map { a in
                                    .object([
                                        ("attempt", .int(a.attempt)), ("worker", .string(a.worker)), ("outcome", opt(a.outcome)),
                                        ("error", opt(a.error)), ("started_at", time(a.startedAt)), ("finished_at", time(a.finishedAt)),
                                    ])
                                })
                        ),
                    ])
                })
        ),
    ])
}
