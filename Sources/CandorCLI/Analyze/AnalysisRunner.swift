#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Candor
import CandorAudio
import CandorAudit
import CandorFeatures

/// One analysis job of the CLI (`candor analyze` for one file, or a batch job): the library
/// call plus where the document goes and which session log records it.
struct AnalysisRequest: Sendable {
    var file: String
    var options = AnalyzeOptions()
    /// Where the analysis JSON goes: a file, "-" for stdout, or nil to return its bytes.
    var outPath: String?
    /// Record the analysis in this session's audit log.
    var session: AuditTarget?

    init(file: String, outPath: String?) {
        self.file = file
        self.outPath = outPath
    }
}

/// A session audit log to record into: the workspace (keys, and the log unless `store` is
/// set) and the case and session ids.
struct AuditTarget: Sendable {
    var workspace: String
    var caseID: String
    var sessionID: String
    /// A PostgreSQL URL whose database holds the session logs (the batch queue's); nil: as
    /// `sharedAuditStore()` says (the workspace's own SQLite store by default).
    var storeURL: String?
}

/// What an analysis produced.
struct AnalysisOutcome: Sendable {
    var inputSHA256: String
    /// SHA-256 of the document (nil when written to stdout without an audit log).
    var outputSHA256: String?
    /// The document, when `outPath` was nil.
    var bytes: [UInt8]?
    var summary: String
}

/// Analyses one file with the library, writes the document (atomically) or returns it, and
/// records it in the session's audit log when one is given (the blocking store calls run
/// on `AuditIO`'s queue, not on the concurrency pool).
func runAnalysis(_ request: AnalysisRequest, progress: ProgressHandler? = nil) async throws -> AnalysisOutcome {
    let file = request.file
    if let s = request.session {
        // Fail fast (before a long analysis) when the log cannot take the records.
        try await AuditIO.run { try s.preflight() }
    }
    let analysis = try await Candor.analyze(file: file, options: request.options, progress: progress)
    let summaryPath = request.outPath ?? "-"
    guard let outPath = request.outPath else {
        let bytes = try analysis.jsonBytes()
        let sha = Hex.encode(Merkle.sha256(bytes))
        if let s = request.session {
            try await AuditIO.run {
                try s.store(bytes)
                try s.record(analysis, outputPath: "-", outputSHA256: sha)
            }
        }
        return AnalysisOutcome(inputSHA256: analysis.input.sha256, outputSHA256: sha, bytes: bytes,
                               summary: analysis.humanSummary(outPath: summaryPath))
    }
    // With an audit log and stdout output, the JSON is rendered to a temporary file first so
    // the exact bytes can be hashed and kept in the workspace.
    let toStdout = outPath == "-"
    let target = toStdout && request.session != nil ? request.session!.workspace + "/.stdout-\(getpid()).analysis.json" : outPath
    if target != outPath { mkdir(request.session!.workspace, 0o755) }
    defer { if target != outPath { unlink(target) } }
    try analysis.write(toFile: target)
    let outSHA = target == "-" ? nil : try sha256(ofFile: target)
    if let s = request.session, let outSHA {
        if toStdout, let text = readText(target) { print(text, terminator: "") }
        try await AuditIO.run { try s.record(analysis, outputPath: target, outputSHA256: outSHA) }
    }
    return AnalysisOutcome(inputSHA256: analysis.input.sha256, outputSHA256: toStdout ? nil : outSHA, bytes: nil,
                           summary: analysis.humanSummary(outPath: outPath))
}
