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
    /// A segments file to measure and score segment by segment (uploads to `candor serve`), and
    /// its SHA-256 when submitted; absent from the JSON (and so from job keys) when nil.
    var segmentsFile: String? = nil
    var segmentsSHA256: String? = nil
    /// true when `candor batch submit` found the segments file next to the recording: the
    /// worker then logs it as evidence (`candor serve` logs its uploads itself).
    var segmentsSidecar: Bool? = nil
    /// "auto" for `--pitch-range auto` (the speaker's own range from a first pass); absent from
    /// the JSON (and so from job keys) for the fixed range.
    var pitchRange: String? = nil
    /// true for `--formants`; absent from the JSON (and so from job keys) otherwise.
    var formants: Bool? = nil
    /// `--pulses praat|precise`; absent from the JSON (and so from job keys) when not given,
    /// so earlier jobs keep their keys.
    var pulses: String? = nil

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
    @Option(
        name: .long,
        help: "Queue: postgres://USER@HOST:PORT/DB?sslmode=… or a SQLite file (default: $CANDOR_QUEUE, else queue.sqlite in the workspace)."
    )
    var queue: String?

    func location(workspace: String) throws -> QueueLocation {
        let text = queue ?? (getenv("CANDOR_QUEUE").map { String(cString: $0) })
        if let text, !text.isEmpty {
            do { return try QueueLocation.parse(text) } catch { throw CLIError(code: ExitCodes.usage, "\(error)") }
        }
        mkdir(workspace, 0o755)
        return .sqlite(path: workspace + "/queue.sqlite")
    }

    func open(workspace: String, readOnly: Bool = false) async throws -> SQLJobStore {
        let loc = try location(workspace: workspace)
        do { return try await SQLJobStore.open(loc, readOnly: readOnly) } catch { throw CLIError(code: ExitCodes.failure, "\(error)") }
    }
}

/// The shared audit store, when there is one: `$CANDOR_AUDIT_DB`, else `$CANDOR_QUEUE` when it
/// is a postgres:// URL (`candor worker --queue postgres://…` passes the queue's URL to its
/// jobs instead, see `AuditTarget.storeURL`). nil means the workspace's own SQLite audit store. Session logs then live in the
/// same PostgreSQL database as the queue and results; the signing keys stay in the workspace.
func sharedAuditStore() throws -> (any AuditStore)? {
    let env = ProcessInfo.processInfo.environment
    let text =
        env["CANDOR_AUDIT_DB"].flatMap { $0.isEmpty ? nil : $0 }
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
