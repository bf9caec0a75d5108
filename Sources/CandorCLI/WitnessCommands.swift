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
        subcommands: [WitnessInit.self, WitnessAllow.self, WitnessServe.self, WitnessAdd.self, WitnessSync.self, WitnessList.self])
    public init() {}
}

/// A key given as text or as a file holding it.
func keyText(_ arg: String) -> String {
    (readText(arg) ?? arg).trimmingCharacters(in: .whitespacesAndNewlines)
}

struct WitnessInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a witness folder: an Ed25519 cosigner key (witness.key, 0600) and its verifier key witness.vkey.")
    @Option(name: .long, help: "Witness folder.") var dir: String
    @Option(name: .long, help: "Witness name (its key name, e.g. integrity-office.example/w1).") var name: String
    @Option(name: .customLong("log-key"), help: "A log verifier key (text or file) to accept; repeatable.") var logKeys: [String] = []

    func run() throws {
        let key = try auditing { try WitnessService.create(directory: dir, name: name) }
        let service = try auditing { try WitnessService(directory: dir) }
        for k in logKeys { try auditing { try service.allow(try NoteVerifierKey(parsing: keyText(k))) } }
        print("witness key: \(key.encoded)")
        print("wrote \((dir as NSString).appendingPathComponent("witness.vkey"))")
    }
}

struct WitnessAllow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allow",
        abstract: "Accept checkpoints signed by a log key (origins NAME/…, NAME being the key's name).")
    @Option(name: .long, help: "Witness folder.") var dir: String
    @Option(name: .customLong("log-key"), help: "The log verifier key (text or file, e.g. WORKSPACE/keys/log.vkey).") var logKey: String

    func run() throws {
        let service = try auditing { try WitnessService(directory: dir) }
        let key = try auditing { try NoteVerifierKey(parsing: keyText(logKey)) }
        try auditing { try service.allow(key) }
        print("accepting checkpoints signed by \(key.encoded)")
    }
}

struct WitnessServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the witness's HTTP API (POST /add-checkpoint; GET /checkpoint?origin=…) until stopped.",
        discussion: "Port 0 picks a free port. The bound address is printed and written to DIR/serve.addr.")
    @Option(name: .long, help: "Witness folder.") var dir: String
    @Option(name: .long, help: "HOST:PORT to listen on.") var listen: String = "127.0.0.1:7380"
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.") var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        guard let i = listen.lastIndex(of: ":"), Int(listen[listen.index(after: i)...]) != nil else {
            throw ValidationError("--listen must be HOST:PORT")
        }
    }

    func run() async throws {
        let i = listen.lastIndex(of: ":")!
        let host = String(listen[..<i]), port = Int(listen[listen.index(after: i)...])!
        let service = try auditing { try WitnessService(directory: dir) }
        let logs = try auditing { try service.logKeys() }
        if logs.isEmpty { FileHandle.standardError.write(Data("candor: warning: \(dir)/logs lists no log key; every checkpoint will be refused (candor witness allow)\n".utf8)) }
        let scheme = tlsCert == nil ? "http" : "https"
        let addrFile = (dir as NSString).appendingPathComponent("serve.addr")
        let tls = tlsCert.map { WitnessServer.TLSFiles(certificate: $0, privateKey: tlsKey!) }
        do {
            try await WitnessServer.run(service, host: host, port: port, tls: tls) { bound in
                let url = "\(scheme)://\(host):\(bound)"
                FileHandle.standardOutput.write(Data("witness \(service.signer.name) listening on \(url)\n".utf8))
                try? Data((url + "\n").utf8).write(to: URL(fileURLWithPath: addrFile), options: .atomic)
            }
        } catch {
            throw CLIError(code: ExitCodes.failure, "witness serve \(listen): \(error)")
        }
    }
}

struct WitnessAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record a witness in the workspace; every new checkpoint is then submitted to it.",
        discussion: "Then records the head of every session in the workspace heads log and submits the latest checkpoints (as `witness sync`).")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The witness's URL prefix (http:// or https://).") var url: String
    @Option(name: .long, help: "The witness's verifier key (text or file, e.g. DIR/witness.vkey).") var vkey: String

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let key = try auditing { try CosignerKey(parsing: keyText(vkey)) }
        try auditing { try ws.keys.addWitness(WitnessEndpoint(url: url, key: key)) }
        if !global.quiet { print("witness \(key.name) at \(url) added") }
        try reportSync(ws, quiet: global.quiet)
    }
}

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

struct WitnessList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the workspace's witnesses.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        for w in try auditing({ try ws.keys.witnesses() }) { print("\(w.url) \(w.key.encoded)") }
    }
}
