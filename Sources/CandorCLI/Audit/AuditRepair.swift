import ArgumentParser
import Candor
import CandorAudit
import Foundation

struct AuditRepair: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Set aside records beyond the last signed checkpoint (a torn tail) and log the repair.",
        discussion: """
            Only a torn tail is repaired: records written after the last signed checkpoint by an \
            interrupted append are moved to the store's quarantine table (kept, not deleted) and a \
            `repaired` record with their count and SHA-256 is appended. A log that fails \
            verification for any other reason is left untouched (exit 4).
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "Why the repair is made (logged).") var reason: String = "interrupted append"

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        let op = try session.operator ?? requireOperator(ws)
        do {
            let n = try ws.repair(s, operator: op, reason: reason)
            if !global.quiet {
                print(n == 0 ? "log is intact; nothing to repair" : "set aside \(n) record(s) of the torn tail; repair logged")
            }
        } catch let e as AuditError {
            let code = e.message.contains("repair refuses") ? ExitCodes.auditFailed : ExitCodes.failure
            throw CLIError(code: code, e.message)
        }
    }
}
