import ArgumentParser
import CandorAudit
import Foundation

struct KeysInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an operator's Ed25519 key (mode 0600; never overwrites) and make it the default operator.",
        discussion: "Also creates the workspace's log key (which signs checkpoints) if it does not exist yet.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Operator name (1-128 of A-Z a-z 0-9 . _ -, no spaces; e.g. j.doe).") var `operator`: String

    func validate() throws { try validateOperatorName(`operator`) }

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let key = try auditing { try ws.keys.initOperator(`operator`) }
        let logKey = try auditing { try ws.keys.logVerifierKey() }
        if !global.quiet {
            print("operator key: \(key.encoded)")
            print("log key:      \(logKey.encoded)")
        }
    }
}
