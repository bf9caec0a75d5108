import ArgumentParser
import Candor
import CandorAudit
import Foundation

/// `candor review` and `candor audit review`: a supervisor's note, override or "disregard".
public struct ReviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Add a supervisor's review (note, override, disregard) linked to one record of a session log.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "seq of the record the review concerns.") var seq: Int
    @Option(name: .long, help: "note, override or disregard.") var kind: String = "note"
    @Option(name: .long, help: "The reviewer's text.") var note: String
    @Option(name: .long, help: "The overriding value (for --kind override).") var value: String?
    public init() {}

    public func validate() throws {
        guard ["note", "override", "disregard"].contains(kind) else { throw ValidationError("--kind must be note, override or disregard") }
        if kind == "override" && value == nil { throw ValidationError("--kind override needs --value") }
    }

    public func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        let op = try session.operator ?? requireOperator(ws)
        let n = try auditing { try ws.review(s, operator: op, concernsSeq: seq, kind: kind, note: note, override: value) }
        if !global.quiet { print("review recorded as seq \(n)") }
    }
}
