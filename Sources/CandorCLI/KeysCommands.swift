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

struct KeysInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an operator's Ed25519 key (mode 0600; never overwrites) and make it the default operator.",
        discussion: "Also creates the workspace's log key (which signs checkpoints) if it does not exist yet.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Operator name (1-128 of A-Z a-z 0-9 . _ -, no spaces; e.g. j.doe).") var `operator`: String

    func validate() throws { try validateOperatorName(`operator`) }

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let key = try auditing { try ws.keys.initOperator(`operator`) }
        let logKey = try auditing { try ws.keys.logVerifierKey() }
        if !global.quiet {
            print("operator key: \(key.encoded)")
            print("log key:      \(logKey.encoded)")
        }
    }
}

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

/// Prints a JSON value (sorted keys, no escaped slashes) and a newline.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
    print(String(decoding: data, as: UTF8.self))
}

/// An operator name is also its key's name in signed notes and a file name: refuse others as a
/// usage error (exit 2) with an example.
func validateOperatorName(_ name: String) throws {
    guard AuditRecord.isValidIdentifier(name) else {
        let words = name.lowercased().split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-")) })
        let example = words.joined(separator: ".")
        let hint = AuditRecord.isValidIdentifier(example) ? ", e.g. \"\(example)\"" : ""
        throw ValidationError("--operator \"\(name.prefix(140))\" is not a valid operator name: use 1-128 of A-Z a-z 0-9 . _ - (no spaces)\(hint)")
    }
}
