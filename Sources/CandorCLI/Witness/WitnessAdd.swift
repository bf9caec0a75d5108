import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

struct WitnessAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record a witness in the workspace; every new checkpoint is then submitted to it.",
        discussion: """
            Then records the head of every session in the workspace heads log and submits the latest checkpoints (as `witness sync`). \
            For an https:// witness whose certificate comes from a private CA (e.g. the integrity office's own), give that CA \
            (or the witness's own certificate) with --ca: it is copied into the workspace and is then the only trusted root for \
            that witness.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The witness's URL prefix (http:// or https://).") var url: String
    @Option(name: .long, help: "The witness's verifier key (text or file, e.g. DIR/witness.vkey).") var vkey: String
    @Option(name: .long, help: "PEM file: the CA (or certificate) to pin for an https:// witness.") var ca: String?

    func validate() throws {
        if ca != nil && !url.lowercased().hasPrefix("https://") { throw ValidationError("--ca needs an https:// --url") }
    }

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let key = try auditing { try CosignerKey(parsing: keyText(vkey)) }
        var roots: String?
        if let ca {
            guard let pem = readText(ca) else { throw CLIError(code: ExitCodes.invalidInput, "\(ca): cannot read") }
            do { try HTTPWitnessTransport.validateTrustRoots(pem) } catch {
                throw CLIError(code: ExitCodes.invalidInput, "\(ca): \(error)")
            }
            roots = pem
        }
        try auditing { try ws.keys.addWitness(WitnessEndpoint(url: url, key: key, trustRoots: roots)) }
        if !global.quiet { print("witness \(key.name) at \(url) added" + (ca == nil ? "" : " (CA pinned from \(ca!))")) }
        try reportSync(ws, quiet: global.quiet)
    }
}
