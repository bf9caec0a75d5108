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
