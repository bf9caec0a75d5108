import ArgumentParser
import CandorAudit

public struct KeysCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Operator and log keys (Ed25519) of the workspace.",
        subcommands: [KeysInit.self, KeysRotate.self, KeysShow.self])
    public init() {}
}

struct KeysInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an operator's Ed25519 key (mode 0600; never overwrites) and make it the default operator.",
        discussion: "Also creates the workspace's log key (which signs checkpoints) if it does not exist yet.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Operator name (1-128 of A-Z a-z 0-9 . _ -).") var `operator`: String

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
        abstract: "Replace an operator's key. The old public key stays trusted and endorses the new one.",
        discussion: "Each session log records a key_rotated record the next time the operator writes to it.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Operator name.") var `operator`: String

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let (old, new) = try auditing { try ws.keys.rotateOperator(`operator`) }
        if !global.quiet {
            print("retired: \(old.encoded)")
            print("current: \(new.encoded)")
        }
    }
}

struct KeysShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the log key and every operator verifier key.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        print("log \(try auditing { try ws.keys.logVerifierKey() }.encoded)")
        for k in try auditing({ try ws.keys.allOperatorKeys() }) { print("operator \(k)") }
    }
}
