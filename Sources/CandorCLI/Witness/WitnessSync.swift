import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

struct WitnessSync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Submit the latest checkpoint of every session and of the heads log to the witnesses (retrying unwitnessed ones).")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try reportSync(try openAudit(global.workspacePath), quiet: global.quiet)
    }
}

/// Runs `syncWitnesses` and prints one line per log and witness; exit 4 if a witness holds
/// more than the store (rollback), 1 if any witness refused or was unreachable.
func reportSync(_ ws: AuditWorkspace, quiet: Bool) throws {
    let results = try auditing { try ws.syncWitnesses() }
    var worst: Int32 = 0
    for (s, w, o) in results {
        if let line = AuditWorkspace.describe(s, w, o) {
            FileHandle.standardError.write(Data("candor: \(line)\n".utf8))
            if case .ahead = o { worst = ExitCodes.auditFailed } else if worst == 0 { worst = ExitCodes.failure }
        } else if !quiet, case .cosigned(let n) = o {
            print("\(s.isHeadsLog ? "heads log" : "\(s)"): cosigned by \(w.key.name) at size \(n)")
        }
    }
    if worst != 0 { throw CLIError(code: worst, "not every checkpoint is witnessed (see above)") }
}
