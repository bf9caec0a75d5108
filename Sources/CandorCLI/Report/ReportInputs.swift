import CandorJSON
import ArgumentParser
import Candor
import CandorAudit
import CandorModels
import CandorReport
import Foundation

/// Where a report or export takes its analysis from: a file, or a case/session's stored result.
struct AnalysisSourceOptions: ParsableArguments {
    @Option(name: .long, help: "Analysis JSON file (from `candor analyze`).")
    var analysis: String?

    @Option(name: .customLong("case"), help: "Case id: use the session's latest stored analysis (the access is logged first).")
    var caseID: String?

    @Option(name: .customLong("session"), help: "Session id within the case.")
    var sessionID: String?

    @Flag(name: .long, help: "Overwrite an output that is an input or a recording logged in the workspace.")
    var force = false

    /// What the outputs must not overwrite: the analysis file, `extra` inputs, and with
    /// --case/--session the recordings logged in the workspace.
    func protection(workspace: String, extra: [String] = []) throws -> OutputProtection {
        try outputProtection(inputs: [analysis].compactMap { $0 } + extra, workspace: caseID == nil ? nil : workspace, force: force)
    }

    func check() throws {
        if (caseID == nil) != (sessionID == nil) { throw ValidationError("--case and --session go together") }
        if (analysis == nil) == (caseID == nil) { throw ValidationError("give either --analysis FILE or --case ID --session ID") }
    }
}

/// Reads an analysis JSON file; errors are exit 3 naming the file.
func readAnalysisFile(_ path: String, frames: AnalysisData.Frames = .all) throws -> AnalysisData {
    do { return try AnalysisData.read(path: path, frames: frames) } catch let e as ReportInputError {
        throw CLIError(code: ExitCodes.invalidInput, e.message)
    }
}

/// Model cards (Markdown) for the models that scored this analysis: `<id>.md` in `--models`,
/// else in the folder `ModelRegistry.locate()` finds ($CANDOR_MODELS, ./models, the
/// checkout's models/). Missing cards are simply absent (the report says so).
/// In Traditional Chinese, `<id>.zh-TW.md` is preferred when it exists.
func modelCards(for a: AnalysisData, modelsDir: String?, language: ReportLanguage = .english) -> [String: String] {
    let ids = Set(a.allScores.map(\.model))
    guard !ids.isEmpty, let dir = modelsDir ?? ModelRegistry.locate() else { return [:] }
    var cards: [String: String] = [:]
    for id in ids where !id.contains("/") && !id.hasPrefix(".") {
        let names = language == .english ? ["\(id).md"] : ["\(id).\(language.rawValue).md", "\(id).md"]
        for name in names {
            if let text = readText((dir as NSString).appendingPathComponent(name)) {
                cards[id] = text
                break
            }
        }
    }
    return cards
}

func utcNow() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: Date())
}

/// An analysis read from a case/session in the workspace, with the log's status.
struct SessionAnalysis {
    var analysis: AnalysisData
    var audit: AuditStatus
}

/// Reads an exported audit bundle folder (verified with the same verifier as `candor audit
/// verify`) or a bare records.jsonl file (listed, not verified), for the report's audit section.
func readAuditStatus(_ path: String) throws -> AuditStatus {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw CLIError(code: ExitCodes.invalidInput, "\(path): no such audit bundle or records file")
    }
    if isDir.boolValue {
        let contents: LogContents
        do { contents = try AuditBundle.read(path) } catch {
            throw CLIError(code: ExitCodes.invalidInput, "\(path): not a readable audit bundle (\(error))")
        }
        var status = auditStatus(
            contents, source: "audit bundle \(path) (unpinned: checked against its own keys; pin them with `candor audit verify --trust`)")
        status.unpinned = true
        return status
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError(code: ExitCodes.invalidInput, "\(path): cannot read audit records")
    }
    let lines = LogContents.splitLines([UInt8](data)).lines
    return AuditStatus.parse(
        recordLines: lines, checkpoint: nil,
        verification: .notPerformed("records only, without a checkpoint; verify the bundle with `candor audit verify`"),
        source: path)
}

/// Verifies a session log and summarises it for the report.
func auditStatus(_ contents: LogContents, source: String) -> AuditStatus {
    let v = LogVerifier.verify(contents)
    let verification: AuditStatus.Verification = v.failure.map { .failed("\($0)") } ?? .intact(size: v.size, root: Hex.encode(v.root))
    return AuditStatus.parse(recordLines: contents.lines, checkpoint: contents.checkpoint, verification: verification, source: source)
}

/// The latest analysis stored for a case/session (the result file of the last
/// `analysis_completed` record), parsed; then the access is logged (`auditAccess`, before any
/// output is written) and the log, now including that record, is verified.
func loadSessionAnalysis(workspace: String, caseID: String, sessionID: String, action: String, what: String) throws -> SessionAnalysis {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: workspace, isDirectory: &isDir), isDir.boolValue else {
        throw CLIError(code: ExitCodes.invalidInput, "\(workspace): no such workspace")
    }
    let ws = try openAudit(workspace)
    let s = try sessionRef(caseID, sessionID)
    let before: LogContents
    do { before = try ws.contents(s) } catch let e as AuditError { throw CLIError(code: ExitCodes.invalidInput, e.message) }
    let results = before.results ?? [:]
    var chosen: (name: String, bytes: [UInt8])?
    for line in before.lines.reversed() {
        guard let rec = try? JSONReader.parse(line), rec["type"]?.string == "analysis_completed" else { continue }
        let names = [rec["result_file"]?.string, rec["output_sha256"]?.string.map { "results/\($0).json" }].compactMap { $0 }
        if let name = names.first(where: { results[$0] != nil }) { chosen = (name, results[name]!); break }
    }
    guard let chosen else {
        throw CLIError(
            code: ExitCodes.invalidInput,
            "case \(caseID) session \(sessionID): no stored analysis result in \(workspace) (run candor analyze --case \(caseID) --session \(sessionID))"
        )
    }
    let analysis: AnalysisData
    do { analysis = try AnalysisData.parse(chosen.bytes) } catch let e as ReportInputError {
        throw CLIError(code: ExitCodes.invalidInput, "case \(caseID) session \(sessionID): stored \(chosen.name): \(e.message)")
    }
    try auditAccess(workspace: workspace, caseID: caseID, sessionID: sessionID, action: action, what: what)
    let after = try auditing { try ws.contents(s) }
    var status = auditStatus(after, source: "workspace \(workspace), case \(caseID), session \(sessionID)")
    let quarantined = try auditing { try ws.store.quarantined(s) }
    status.quarantined =
        AuditStatus.parse(recordLines: quarantined.map(\.bytes), checkpoint: nil, verification: .notPerformed(""), source: "").entries
    return SessionAnalysis(analysis: analysis, audit: status)
}
