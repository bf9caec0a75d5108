import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

struct WitnessList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the workspace's witnesses.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        for w in try auditing({ try ws.keys.witnesses() }) {
            print("\(w.url) \(w.key.encoded)" + (w.trustRoots == nil ? "" : " (pinned CA)"))
        }
    }
}
