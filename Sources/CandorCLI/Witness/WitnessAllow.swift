import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

struct WitnessAllow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allow",
        abstract: "Accept checkpoints signed by a log key (origins NAME/…, NAME being the key's name).")
    @Option(name: .long, help: "Witness folder.") var dir: String
    @Option(name: .customLong("log-key"), help: "The log verifier key (text or file, e.g. WORKSPACE/keys/log.vkey).") var logKey: String

    func run() throws {
        let service = try auditing { try WitnessService(directory: dir) }
        let key = try auditing { try NoteVerifierKey(parsing: keyText(logKey)) }
        try auditing { try service.allow(key) }
        print("accepting checkpoints signed by \(key.encoded)")
    }
}
