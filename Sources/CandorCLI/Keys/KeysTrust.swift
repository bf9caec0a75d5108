import ArgumentParser
import CandorAudit
import CandorWitness
import Foundation

/// Connects a workspace to its witnesses over HTTP and prints audit notices (who signed,
/// unwitnessed checkpoints) on stderr.
func attachWitnesses(_ ws: AuditWorkspace) {
    ws.witnessTransport = HTTPWitnessTransport()
    ws.onNotice = { line in FileHandle.standardError.write(Data("candor: \(line)\n".utf8)) }
}

struct KeysTrust: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Write the workspace's trust anchor: log keys, operator keys, witness keys and the cosignature quorum.",
        discussion: """
            Hand the file to verifiers out of band: `candor audit verify BUNDLE --trust FILE` and \
            `python3 Tests/audit_verifier.py BUNDLE --trust FILE` accept only bundles signed by these \
            keys and cosigned by the quorum of these witnesses.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "File to write.") var out: String
    @Option(name: .long, help: "Cosignatures required (default: every configured witness).") var quorum: Int?

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let anchor = try auditing { try ws.trustAnchor(quorum: quorum) }
        do { try Data(anchor.encoded).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            throw CLIError(code: ExitCodes.failure, "\(out): cannot write: \(error.localizedDescription)")
        }
        if !global.quiet {
            print(
                "wrote \(out): \(anchor.logKeys.count) log key(s), \(anchor.operatorKeys.count) operator key(s), \(anchor.witnesses.count) witness(es), quorum \(anchor.quorum)"
            )
        }
    }
}
