import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

struct WitnessAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record a witness in the workspace; every new checkpoint is then submitted to it.",
        discussion:
            "Then records the head of every session in the workspace heads log and submits the latest checkpoints (as `witness sync`).")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The witness's URL prefix (http:// or https://).") var url: String
    @Option(name: .long, help: "The witness's verifier key (text or file, e.g. DIR/witness.vkey).") var vkey: String

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let key = try auditing { try CosignerKey(parsing: keyText(vkey)) }
        try auditing { try ws.keys.addWitness(WitnessEndpoint(url: url, key: key)) }
        if !global.quiet { print("witness \(key.name) at \(url) added") }
        try reportSync(ws, quiet: global.quiet)
    }
}
