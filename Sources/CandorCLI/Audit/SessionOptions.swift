import ArgumentParser
import Candor
import CandorAudit
import Foundation

/// --case / --session for commands on one session log.
struct SessionOptions: ParsableArguments {
    @Option(name: .customLong("case"), help: "Case id.") var caseID: String
    @Option(name: .customLong("session"), help: "Session id within the case.") var sessionID: String
    @Option(name: .long, help: "Operator who signs the records this command writes (default: $CANDOR_OPERATOR or the last `keys init`).")
    var `operator`: String?
    var ref: SessionRef { get throws { try sessionRef(caseID, sessionID) } }
}
