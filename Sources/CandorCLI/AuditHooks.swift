import Candor
import CandorAudit
import Foundation

// Entry points other commands call to write the session audit log. All of them append
// records signed by the workspace's default operator ($CANDOR_OPERATOR, else the operator
// `candor keys init` created last) and a new signed checkpoint, atomically.

/// Opens the workspace's audit side, turning audit errors into one-line CLI errors. The
/// session logs live in `storeURL`'s PostgreSQL database when given, else where
/// `sharedAuditStore()` says. Configured witnesses are attached (writers submit checkpoints).
func openAudit(_ workspace: String, storeURL: String? = nil, readOnly: Bool = false) throws -> AuditWorkspace {
    let store = try storeURL.map { try auditStore(url: $0) } ?? sharedAuditStore()
    let ws: AuditWorkspace
    do { ws = try AuditWorkspace(path: workspace, store: store, readOnly: readOnly) } catch {
        throw CLIError(code: ExitCodes.failure, "\(error)")
    }
    attachWitnesses(ws)
    return ws
}

func sessionRef(_ caseID: String, _ sessionID: String) throws -> SessionRef {
    do { return try SessionRef(caseID: caseID, sessionID: sessionID) } catch { throw CLIError(code: ExitCodes.usage, "\(error)") }
}

/// Runs an audit operation, mapping `AuditError` to exit 1 with its message.
func auditing<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AuditError { throw CLIError(code: e.exitStatus.rawValue, e.message) }
}

/// The operator name used by the hooks, or a clear error if there is no operator key.
func requireOperator(_ ws: AuditWorkspace) throws -> String {
    let name = try auditing { try ws.keys.defaultOperator() }
    guard ws.keys.hasOperator(name) else {
        throw CLIError(
            code: ExitCodes.failure, "no key for operator \"\(name)\" in \(ws.keys.directory): run candor keys init --operator \(name)")
    }
    return name
}

/// Call before a long analysis with --case/--session: fails fast (exit 1 or 2) if the ids are
/// invalid, there is no operator key, or the session log cannot be appended to (torn or altered).
func auditPreflight(workspace: String, caseID: String, sessionID: String, storeURL: String? = nil) throws {
    let ws = try openAudit(workspace, storeURL: storeURL)
    let s = try sessionRef(caseID, sessionID)
    _ = try requireOperator(ws)
    try auditing { try ws.checkAppendable(s) }
}

/// Appends session_opened (if the session is new), evidence_ingested and analysis_completed.
/// Throws a clear error (exit 1) if no operator key exists ("run candor keys init --operator NAME").
///
/// The analysis JSON is kept in the workspace (so `audit export` can put it in the bundle and
/// `audit verify` can re-hash it): either call `storeAnalysisResult` first (required for
/// `--out -`), or let this function read `outputPath` when it is a file whose SHA-256 is
/// `outputSHA256`.
func auditAnalysis(
    workspace: String, caseID: String, sessionID: String,
    inputPath: String, inputBytes: Int, inputSHA256: String, inputFormat: String,
    outputPath: String, outputSHA256: String,
    softwareVersion: String, gitCommit: String,
    parameters: [String: String], models: [(id: String, sha256: String)], storeURL: String? = nil
) throws {
    let ws = try openAudit(workspace, storeURL: storeURL)
    let s = try sessionRef(caseID, sessionID)
    let op = try requireOperator(ws)
    try auditing {
        var resultName = try ws.results(s).first { $0.sha256 == outputSHA256 }?.name
        if resultName == nil, outputPath != "-", let data = FileManager.default.contents(atPath: outputPath) {
            let bytes = [UInt8](data)
            if Hex.encode(Merkle.sha256(bytes)) == outputSHA256 { resultName = try ws.storeResult(s, bytes: bytes).name }
        }
        _ = try ws.append(
            s, operator: op,
            analysisDrafts(
                inputPath: inputPath, inputBytes: inputBytes, inputSHA256: inputSHA256, inputFormat: inputFormat,
                outputPath: outputPath, outputSHA256: outputSHA256, resultName: resultName,
                softwareVersion: softwareVersion, gitCommit: gitCommit, parameters: parameters, models: models))
    }
}

/// The evidence_ingested and analysis_completed records of one analysis (`extra` fields go
/// into analysis_completed).
func analysisDrafts(
    inputPath: String, inputBytes: Int, inputSHA256: String, inputFormat: String,
    outputPath: String, outputSHA256: String, resultName: String?,
    softwareVersion: String, gitCommit: String,
    parameters: [String: String], models: [(id: String, sha256: String)],
    extra: [String: AuditJSON] = [:]
) -> [RecordDraft] {
    var analysis: [String: AuditJSON] = [
        "input_sha256": .string(inputSHA256), "output_sha256": .string(outputSHA256), "output_path": .string(outputPath),
        "software_version": .string(softwareVersion), "git_commit": .string(gitCommit),
        "executable_sha256": .string(CandorVersion.executableSHA256),
        "parameters": .object(parameters.mapValues { AuditJSON.string($0) }),
        "models": .array(models.map { m -> AuditJSON in .object(["id": .string(m.id), "sha256": .string(m.sha256)]) }),
    ]
    if let resultName { analysis["result_file"] = .string(resultName) }
    analysis.merge(extra) { _, new in new }
    return [
        RecordDraft(
            .evidenceIngested,
            [
                "path": .string(inputPath), "bytes": .int(Int64(inputBytes)),
                "sha256": .string(inputSHA256), "format": .string(inputFormat),
            ]),
        RecordDraft(.analysisCompleted, analysis),
    ]
}

/// Keeps an analysis JSON in the workspace for the case/session; returns its SHA-256 (hex).
/// Its bundle name is `results/<sha256>.json`.
@discardableResult
func storeAnalysisResult(
    workspace: String, caseID: String, sessionID: String, data: [UInt8],
    storeURL: String? = nil
) throws -> String {
    let ws = try openAudit(workspace, storeURL: storeURL)
    let s = try sessionRef(caseID, sessionID)
    return try auditing { try ws.storeResult(s, bytes: data).sha256 }
}

/// The analysis JSON files kept for a case/session (e.g. for `candor report`). Call
/// `auditAccess` before releasing their content.
func loadAnalysisResults(workspace: String, caseID: String, sessionID: String) throws -> [(sha256: String, data: [UInt8])] {
    let ws = try openAudit(workspace)
    let s = try sessionRef(caseID, sessionID)
    return try auditing { try ws.results(s).map { ($0.sha256, $0.bytes) } }
}

/// Appends an `accessed` record (action e.g. "viewed" or "exported", what e.g. "report
/// report.html"). Call it before releasing the data; if it throws, do not release.
func auditAccess(workspace: String, caseID: String, sessionID: String, action: String, what: String) throws {
    let ws = try openAudit(workspace)
    let s = try sessionRef(caseID, sessionID)
    let op = try requireOperator(ws)
    _ = try auditing {
        try ws.requireExisting(s)
        return try ws.append(s, operator: op, [RecordDraft(.accessed, ["action": .string(action), "what": .string(what)])])
    }
}

extension AuditTarget {
    /// `auditPreflight` for this session.
    func preflight() throws {
        try auditPreflight(workspace: workspace, caseID: caseID, sessionID: sessionID, storeURL: storeURL)
    }

    /// Keeps `data` (an analysis document) in the workspace for this session.
    func store(_ data: [UInt8]) throws {
        try storeAnalysisResult(workspace: workspace, caseID: caseID, sessionID: sessionID, data: data, storeURL: storeURL)
    }

    /// `auditAnalysis` for an analysis whose document (SHA-256 `outputSHA256`) went to
    /// `outputPath`.
    func record(_ result: Analysis, outputPath: String, outputSHA256: String) throws {
        let input = result.input
        try auditAnalysis(
            workspace: workspace, caseID: caseID, sessionID: sessionID,
            inputPath: input.path, inputBytes: input.bytes, inputSHA256: input.sha256, inputFormat: input.format,
            outputPath: outputPath, outputSHA256: outputSHA256,
            softwareVersion: result.software.version, gitCommit: result.software.gitCommit,
            parameters: result.parameters.strings, models: result.models.map { (id: $0.id, sha256: $0.sha256) },
            storeURL: storeURL)
    }
}
