import Candor
import CandorAudio
import CandorAudit
import CandorCore
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
    /// Overwrite an output that is an input or a logged recording.
    var force = false
    /// The language of the human summary.
    var language: InterfaceLanguage = .english

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

/// Analyses one file with the library, writes the document through `OutputFile` or returns
/// it, and records it in the session's audit log when one is given. With a log, the records
/// (with the document's hash) are appended after the document is complete on disk and
/// before it appears under its name (or on stdout): a kill at any moment leaves no output or
/// a logged one. The output never overwrites the input or a recording logged in the workspace.
/// The blocking store calls run on `AuditIO`'s queue, not on the concurrency pool.
func runAnalysis(_ request: AnalysisRequest, progress: ProgressHandler? = nil) async throws -> AnalysisOutcome {
    let file = request.file
    var protection = OutputProtection(force: request.force)
    if let s = request.session {
        // Fail fast (before a long analysis) when the log cannot take the records.
        try await AuditIO.run { try s.preflight() }
    }
    if let out = request.outPath {
        protection = try outputProtection(
            inputs: [file] + [request.options.segmentsFile].compactMap { $0 },
            workspace: request.session?.workspace, storeURL: request.session?.storeURL, force: request.force)
        // Refuse before a long analysis, and again when writing (the input's hash is known then).
        try OutputFile.check(out, protection)
        try checkOutputFolder(out)
    }
    let analysis = try await Candor.analyze(file: file, options: request.options, progress: progress)
    for w in analysis.warnings { printErr("candor: warning: \(file): \(w)") }
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
        return AnalysisOutcome(
            inputSHA256: analysis.input.sha256, outputSHA256: sha, bytes: bytes,
            summary: analysis.humanSummary(outPath: summaryPath, language: request.language))
    }
    if !request.force { protection.evidenceSHA256.insert(analysis.input.sha256) }
    let guarded = protection
    let session = request.session
    // The write and the log append run together on `AuditIO`'s queue: the append happens
    // inside `beforeRelease`, after the document is complete and before it is released.
    let outSHA: String? = try await AuditIO.run {
        var sha: String?
        try analysis.write(toFile: outPath, protection: guarded) { out in
            sha = out.sha256
            if let s = session, let digest = out.sha256 {
                try s.store(try out.readBack())
                try s.record(analysis, outputPath: outPath, outputSHA256: digest)
            }
        }
        return sha
    }
    return AnalysisOutcome(
        inputSHA256: analysis.input.sha256, outputSHA256: outPath == "-" ? nil : outSHA, bytes: nil,
        summary: analysis.humanSummary(outPath: outPath, language: request.language))
}
