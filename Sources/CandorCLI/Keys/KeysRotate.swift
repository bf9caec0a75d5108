import ArgumentParser
import CandorAudit
import Foundation

struct KeysRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace an operator's key (--operator NAME) or the workspace's log key (--log).",
        discussion: """
            The old key endorses the new one and stays trusted, so old records and checkpoints keep \
            verifying. An operator rotation is recorded (key_rotated) in each session log the next time \
            the operator writes to it; a log key rotation is recorded at once in every session, signed \
            by the default operator.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Operator name.") var `operator`: String?
    @Flag(name: .long, help: "Rotate the log key that signs checkpoints.") var log = false

    func validate() throws {
        if (`operator` == nil) == !log { throw ValidationError("give either --operator NAME or --log") }
        if let name = `operator` { try validateOperatorName(name) }
    }

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        if log {
            let op = try requireOperator(ws)
            let (old, new) = try auditing { try ws.keys.rotateLog() }
            let n = try auditing { try ws.recordLogRotation(operator: op) }
            if !global.quiet {
                print("retired log key: \(old.encoded)")
                print("current log key: \(new.encoded)")
                print("recorded in \(n) session log(s)")
            }
            return
        }
        let (old, new) = try auditing { try ws.keys.rotateOperator(`operator`!) }
        if !global.quiet {
            print("retired: \(old.encoded)")
            print("current: \(new.encoded)")
        }
    }
}
