import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

struct WitnessInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a witness folder: an Ed25519 cosigner key (witness.key, 0600) and its verifier key witness.vkey.")
    @Option(name: .long, help: "Witness folder.") var dir: String
    @Option(name: .long, help: "Witness name (its key name, e.g. integrity-office.example/w1).") var name: String
    @Option(name: .customLong("log-key"), help: "A log verifier key (text or file) to accept; repeatable.") var logKeys: [String] = []

    func run() throws {
        let key = try auditing { try WitnessService.create(directory: dir, name: name) }
        let service = try auditing { try WitnessService(directory: dir) }
        for k in logKeys { try auditing { try service.allow(try NoteVerifierKey(parsing: keyText(k))) } }
        print("witness key: \(key.encoded)")
        print("wrote \((dir as NSString).appendingPathComponent("witness.vkey"))")
    }
}
