import ArgumentParser
import Candor
import CandorAudit
import CandorModels
import CandorReport
import Foundation

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

    @Option(
        name: .long, help: "Language of the report: zh-TW (Traditional Chinese) or en (default: from LC_ALL / LC_MESSAGES / LANG, else en)."
    )
    var lang: String?

    public init() {}

    public func validate() throws {
        try source.check()
        if let lang, ReportLanguage(option: lang) == nil { throw ValidationError("--lang must be zh-TW or en (got \(lang))") }
    }

    /// `--lang`, else the environment's locale.
    var language: ReportLanguage {
        lang.flatMap(ReportLanguage.init(option:)) ?? ReportLanguage.fromEnvironment(ProcessInfo.processInfo.environment)
    }

    public func run() throws {
        try checkOutputFolder(out)
        let protection = try source.protection(workspace: global.workspacePath, extra: [auditStatus].compactMap { $0 })
        try OutputFile.check(out, protection)
        let analysis: AnalysisData
        var audit: AuditStatus?
        if let file = source.analysis {
            // Only the plotted resolution of the frame tracks: memory stays flat in duration.
            analysis = try readAnalysisFile(file, frames: .plotted)
            if let bundle = auditStatus { audit = try readAuditStatus(bundle) }
        } else {
            let session = try loadSessionAnalysis(
                workspace: global.workspacePath, caseID: source.caseID!, sessionID: source.sessionID!,
                action: "viewed", what: "report \(out)")
            analysis = session.analysis
            audit = session.audit
        }
        var options = ReportOptions(
            caseID: source.caseID, sessionID: source.sessionID, generatedAt: utcNow(),
            modelCards: modelCards(for: analysis, modelsDir: models, language: language), audit: audit)
        options.language = language
        let html = HTMLReport.render(analysis, options: options)
        try writeAtomically(to: out, protection: protection) { $0.write(html) }
        if !global.quiet && out != "-" { print("report written to \(out)") }
        if let audit, case .failed(let why) = audit.verification {
            throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(audit.source): \(why) (the report shows this)")
        }
    }
}
