import ArgumentParser
import CandorAudit
import Foundation

public struct KeysCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Operator and log keys (Ed25519) of the workspace.",
        subcommands: [KeysInit.self, KeysRotate.self, KeysShow.self, KeysTrust.self])
    public init() {}
}
