import ArgumentParser
import CandorAudit
import Foundation

struct KeysShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the log key and every operator verifier key, marking retired keys.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Print JSON: {log, operators: [{name, key, status}]}.") var json = false

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let log = try auditing { try ws.keys.logVerifierKey() }.encoded
        var operators: [[String: String]] = []
        for k in try auditing({ try ws.keys.allOperatorKeys() }) {
            let name = (try? NoteVerifierKey(parsing: k))?.name ?? ""
            // The current key is the one the operator's private key signs with; earlier ones are retired.
            let status: String
            if ws.keys.hasOperator(name), let current = try? ws.keys.operatorSigner(name).verifierKey.encoded {
                status = current == k ? "current" : "retired"
            } else {
                status = "no private key in this workspace"
            }
            operators.append(["name": name, "key": k, "status": status])
        }
        if json {
            try printJSON(["log": log, "operators": operators])
            return
        }
        print("log \(log)")
        for o in operators { print("operator \(o["key"]!) (\(o["status"]!))") }
    }
}
