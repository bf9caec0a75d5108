import ArgumentParser
import Candor
import CandorAudit
import Foundation

struct AuditExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the offline-verifiable bundle of a session (the export is itself logged first).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "Bundle folder to create (must not exist, or be empty).") var out: String

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        let op = try session.operator ?? requireOperator(ws)
        let report = try auditing { try ws.export(s, to: out, operator: op) }
        if let f = report.failure { throw CLIError(code: ExitCodes.auditFailed, "exported bundle \(out) does not verify: \(f)") }
        if !global.quiet { print("wrote \(out): \(report.size) records, root \(Hex.encode(report.root))") }
    }
}
