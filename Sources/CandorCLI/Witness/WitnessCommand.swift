import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

/// `candor witness …`: run a C2SP tlog-witness, and configure the workspace's witnesses.
public struct WitnessCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a witness that cosigns checkpoints (C2SP tlog-witness), and configure the workspace's witnesses.",
        subcommands: [
            WitnessInit.self, WitnessAllow.self, WitnessServe.self, WitnessAdd.self, WitnessSync.self, WitnessList.self, WitnessTSA.self,
        ])
    public init() {}
}

/// A key given as text or as a file holding it.
func keyText(_ arg: String) -> String {
    (readText(arg) ?? arg).trimmingCharacters(in: .whitespacesAndNewlines)
}
