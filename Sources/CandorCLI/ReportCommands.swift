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
func readAnalysisFile(_ path: String) throws -> AnalysisData {
    do { return try AnalysisData.read(path: path) } catch let e as ReportInputError {
        throw CLIError(code: ExitCodes.invalidInput, e.message)
    }
}

/// Model cards (Markdown) for the models that scored this analysis: `<id>.md` in `--models`,
/// else in the folder `ModelRegistry.locate()` finds ($CANDOR_MODELS, ./models, the
/// checkout's models/). Missing cards are simply absent (the report says so).
func modelCards(for a: AnalysisData, modelsDir: String?) -> [String: String] {
    let ids = Set(a.allScores.map(\.model))
    guard !ids.isEmpty, let dir = modelsDir ?? ModelRegistry.locate() else { return [:] }
    var cards: [String: String] = [:]
    for id in ids where !id.contains("/") && !id.hasPrefix(".") {
        if let text = readText((dir as NSString).appendingPathComponent("\(id).md")) { cards[id] = text }
    }
    return cards
}

/// Fails (exit 1) before anything is logged when an output's folder cannot take the file.
func checkOutputFolder(_ path: String) throws {
    guard path != "-" else { return }
    let dir = (path as NSString).deletingLastPathComponent
    let folder = dir.isEmpty ? "." : dir
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue,
          FileManager.default.isWritableFile(atPath: folder) else {
        throw CLIError(code: ExitCodes.failure, "\(path): the folder \(folder) does not exist or is not writable")
    }
}

func utcNow() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: Date())
}

public struct ReportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (inline SVG plots, no scripts) of an analysis.",
        discussion: """
        With --case/--session the session's latest stored analysis is used, an `accessed` record \
        (viewed, "report <file>") is appended to its audit log before anything is written, and the \
        report shows the log's verification status. With --analysis FILE the report is made from the \
        file alone; --audit-status BUNDLE adds the status of an exported audit bundle. The file is \
        written atomically (temporary file, then rename). Exit codes: 0 ok, 1 other failure, 2 usage, \
        3 unreadable or invalid input, 4 the audit log does not verify (the report is still \
        written and says so).
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: AnalysisSourceOptions

    @Option(name: .customLong("audit-status"), help: "An exported audit bundle folder (or its records.jsonl) whose status to show.")
    var auditStatus: String?

    @Option(name: .long, help: "Models folder holding the model cards (default: $CANDOR_MODELS, ./models, or the checkout's models/).")
    var models: String?

    @Option(name: .long, help: "Output HTML file ('-' for stdout).")
    var out: String

    public init() {}

    public func validate() throws {
        try source.check()
    }

    public func run() throws {
        try checkOutputFolder(out)
        let protection = try source.protection(workspace: global.workspacePath, extra: [auditStatus].compactMap { $0 })
        try OutputFile.check(out, protection)
        let analysis: AnalysisData
        var audit: AuditStatus?
        if let file = source.analysis {
            analysis = try readAnalysisFile(file)
            if let bundle = auditStatus { audit = try readAuditStatus(bundle) }
        } else {
            let session = try loadSessionAnalysis(workspace: global.workspacePath, caseID: source.caseID!, sessionID: source.sessionID!,
                                                  action: "viewed", what: "report \(out)")
            analysis = session.analysis
            audit = session.audit
        }
        let options = ReportOptions(caseID: source.caseID, sessionID: source.sessionID, generatedAt: utcNow(),
                                    modelCards: modelCards(for: analysis, modelsDir: models), audit: audit)
        let html = HTMLReport.render(analysis, options: options)
        try writeAtomically(to: out, protection: protection) { $0.write(html) }
        if !global.quiet && out != "-" { print("report written to \(out)") }
        if let audit, case .failed(let why) = audit.verification {
            throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(audit.source): \(why) (the report shows this)")
        }
    }
}

public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an analysis as a Praat TextGrid or as CSV tables.",
        discussion: """
        textgrid: interval tiers turns-<speaker>, pauses-<speaker>, segments-<speaker>, flagged, and a \
        point tier pitch-<speaker> (one point per voiced frame, mark = F0 in Hz). Default output: \
        <name>.TextGrid. csv: <prefix>.frames.csv (channel, speaker, t, f0_hz, intensity_db) and \
        <prefix>.segments.csv (segment features and scores); --table picks one; columns are \
        documented in docs/csv.md. With --case/--session the export is logged (accessed, exported) \
        before anything is written. Outputs are written atomically.
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: AnalysisSourceOptions

    @Option(name: .long, help: "textgrid or csv.")
    var format: String

    @Option(name: .long, help: "csv only: frames, segments or all (default all).")
    var table: String = "all"

    @Option(name: .long, help: "Output file (textgrid; '-' for stdout) or file prefix (csv; '-' with a single --table).")
    var out: String?

    public init() {}

    public func validate() throws {
        try source.check()
        guard format == "textgrid" || format == "csv" else { throw ValidationError("--format must be textgrid or csv") }
        guard ["frames", "segments", "all"].contains(table) else { throw ValidationError("--table must be frames, segments or all") }
        if format == "csv", out == "-", table == "all" { throw ValidationError("--out - needs --table frames or --table segments") }
    }

    /// The default output stem: the analysis file name without .analysis.json / .json, or case-session.
    var stem: String {
        if let f = source.analysis {
            var base = (f as NSString).lastPathComponent
            for suffix in [".analysis.json", ".json"] where base.hasSuffix(suffix) {
                base = String(base.dropLast(suffix.count))
                break
            }
            return base
        }
        return "\(source.caseID ?? "case")-\(source.sessionID ?? "session")"
    }

    /// The files this export writes.
    var outputs: [String] {
        if format == "textgrid" { return [out ?? stem + ".TextGrid"] }
        let prefix = out ?? stem
        if prefix == "-" { return ["-"] }
        var files: [String] = []
        if table != "segments" { files.append(prefix + ".frames.csv") }
        if table != "frames" { files.append(prefix + ".segments.csv") }
        return files
    }

    public func run() throws {
        for path in outputs { try checkOutputFolder(path) }
        let protection = try source.protection(workspace: global.workspacePath)
        for path in outputs { try OutputFile.check(path, protection) }
        let analysis: AnalysisData
        if let file = source.analysis {
            analysis = try readAnalysisFile(file)
        } else {
            analysis = try loadSessionAnalysis(workspace: global.workspacePath, caseID: source.caseID!, sessionID: source.sessionID!,
                                               action: "exported", what: "\(format) \(outputs.joined(separator: " "))").analysis
        }
        if format == "textgrid" {
            let text = TextGridWriter.write(analysis)
            try writeAtomically(to: outputs[0], protection: protection) { $0.write(String(text.dropLast())) }
        } else {
            for path in outputs {
                let frames = path == "-" ? table == "frames" : path.hasSuffix(".frames.csv")
                try writeAtomically(to: path, protection: protection) { sink in
                    // writeAtomically ends the output with a newline; the tables already end with one,
                    // so the last chunk goes out without it.
                    var pending = ""
                    if frames {
                        CSVWriter.frames(analysis) { chunk in
                            sink.write(pending)
                            pending = chunk
                        }
                    } else {
                        pending = CSVWriter.segments(analysis)
                    }
                    if pending.hasSuffix("\n") { pending.removeLast() }
                    sink.write(pending)
                }
            }
        }
        if !global.quiet && !outputs.contains("-") { print("wrote " + outputs.joined(separator: ", ")) }
    }
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
        return auditStatus(contents, source: "audit bundle \(path) (unpinned: checked against its own keys; pin them with `candor audit verify --trust`)")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError(code: ExitCodes.invalidInput, "\(path): cannot read audit records")
    }
    let lines = LogContents.splitLines([UInt8](data)).lines
    return AuditStatus.parse(recordLines: lines, checkpoint: nil,
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
        throw CLIError(code: ExitCodes.invalidInput, "case \(caseID) session \(sessionID): no stored analysis result in \(workspace) (run candor analyze --case \(caseID) --session \(sessionID))")
    }
    let analysis: AnalysisData
    do { analysis = try AnalysisData.parse(chosen.bytes) } catch let e as ReportInputError {
        throw CLIError(code: ExitCodes.invalidInput, "case \(caseID) session \(sessionID): stored \(chosen.name): \(e.message)")
    }
    try auditAccess(workspace: workspace, caseID: caseID, sessionID: sessionID, action: action, what: what)
    let after = try auditing { try ws.contents(s) }
    var status = auditStatus(after, source: "workspace \(workspace), case \(caseID), session \(sessionID)")
    let quarantined = try auditing { try ws.store.quarantined(s) }
    status.quarantined = AuditStatus.parse(recordLines: quarantined.map(\.bytes), checkpoint: nil, verification: .notPerformed(""), source: "").entries
    return SessionAnalysis(analysis: analysis, audit: status)
}
