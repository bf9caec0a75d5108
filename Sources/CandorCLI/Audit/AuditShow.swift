import ArgumentParser
import Candor
import CandorAudit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct AuditShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a session log (or an exported bundle) one record per line, with each record's signature status.",
        discussion: """
            With --case/--session the viewing is logged first (an accessed record); on a workspace \
            you cannot write (a read-only mount, a full disk), --read-only shows the log without \
            logging the viewing, and says so. Each record's \
            line gives its seq, time, type, the operator who signed it and "good signature" or \
            "BAD: <why>"; its fields follow, nested values as JSON. A bundle is read with the keys \
            it carries (pin them with `candor audit verify --trust`).
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A bundle folder written by `candor audit export` (instead of --case/--session).") var path: String?
    @Option(name: .customLong("case"), help: "Case id.") var caseID: String?
    @Option(name: .customLong("session"), help: "Session id within the case.") var sessionID: String?
    @Option(name: .long, help: "Operator who signs the accessed record (default: $CANDOR_OPERATOR or the last `keys init`).")
    var `operator`: String?
    @Flag(name: .long, help: "Print the raw records (JSON lines).") var json = false
    @Flag(
        name: .customLong("read-only"),
        help: "Open the workspace read-only (a read-only mount or a full disk): the viewing is not logged, and a note says so.")
    var readOnly = false

    func validate() throws {
        if (caseID == nil) != (sessionID == nil) { throw ValidationError("--case and --session go together") }
        if (path == nil) == (caseID == nil) { throw ValidationError("give either a bundle folder or --case and --session") }
        if readOnly && path != nil { throw ValidationError("--read-only goes with --case/--session (a bundle is always read-only)") }
    }

    func run() throws {
        let contents: LogContents
        var checkpoint: String?
        var quarantined: [[UInt8]]?
        if let path {
            do { contents = try AuditBundle.read(path) } catch {
                throw CLIError(code: ExitCodes.invalidInput, "\(path): not a readable audit bundle (\(error))")
            }
            checkpoint = contents.checkpoint
        } else if readOnly {
            let ws = try openAudit(global.workspacePath, readOnly: true)
            let s = try sessionRef(caseID!, sessionID!)
            contents = try auditing { try ws.contents(s) }
            checkpoint = contents.checkpoint
            quarantined = try auditing { try ws.store.quarantined(s) }.map(\.bytes)
            writeStderr("candor: note: \(global.workspacePath): opened read-only; this viewing is not recorded in the log\n")
        } else {
            let s = try sessionRef(caseID!, sessionID!)
            let ws: AuditWorkspace
            do {
                ws = try openAudit(global.workspacePath)
                let op = try `operator` ?? requireOperator(ws)
                try ws.recordViewing(s, operator: op)
            } catch {
                if Self.cannotWrite(error, workspace: global.workspacePath) {
                    throw CLIError(
                        code: ExitCodes.failure,
                        "\(global.workspacePath): cannot record this viewing (the workspace is read-only or full); use --read-only to view it unlogged"
                    )
                }
                throw error
            }
            contents = try auditing { try ws.contents(s) }
            checkpoint = contents.checkpoint
            quarantined = try auditing { try ws.store.quarantined(s) }.map(\.bytes)
        }
        if json {
            for line in contents.lines { print(String(decoding: line, as: UTF8.self)) }
            return
        }
        let findings = LogVerifier.recordFindings(contents)
        for (seq, line) in contents.lines.enumerated() {
            guard let o = (try? CanonicalJSON.parse(line))?.objectValue else {
                print("#\(seq)  " + Terminal.paint("BAD", .red) + ": not a JSON record")
                continue
            }
            let status = findings[seq].map { Terminal.paint("BAD", .red) + ": \($0.kind.rawValue): \($0.message)" } ?? "good signature"
            print(
                "#\(seq)  \(o["time"]?.stringValue ?? "?")  \(o["type"]?.stringValue ?? "?")  signed by \(o["operator"]?.stringValue ?? "?")  \(status)"
            )
            for key in o.keys.sorted() where !AuditRecord.envelopeFields.contains(key) {
                print("    \(key): \(Self.text(o[key]!))")
            }
        }
        if let cp = checkpoint {
            print("checkpoint:")
            print(cp, terminator: cp.hasSuffix("\n") ? "" : "\n")
        } else {
            print("no signed checkpoint")
        }
        if let quarantined {
            print("quarantined records (set aside by audit repair, not in the log): \(quarantined.count)")
            for r in quarantined { print("    " + String(decoding: r, as: UTF8.self)) }
        }
        if path != nil { print("(read with the keys the bundle carries: unpinned; `candor audit verify BUNDLE --trust FILE` pins them)") }
    }

    /// Whether an append failed because the workspace cannot be written (read-only, full).
    static func cannotWrite(_ error: any Error, workspace: String) -> Bool {
        if access(workspace, W_OK) != 0 && (errno == EROFS || errno == EACCES) { return true }
        let text = "\(error)".lowercased()
        return ["readonly", "read-only", "read only", "disk is full", "database or disk is full", "no space"].contains {
            text.contains($0)
        }
    }

    /// A field for people: strings as they are (a string that holds a JSON object or array is
    /// shown as that JSON, not escaped), other values as canonical JSON.
    static func text(_ v: AuditJSON) -> String {
        if let s = v.stringValue {
            if let first = s.first, first == "{" || first == "[", let inner = try? CanonicalJSON.parse(Array(s.utf8)) {
                return String(decoding: CanonicalJSON.encode(inner), as: UTF8.self)
            }
            return s
        }
        return String(decoding: CanonicalJSON.encode(v), as: UTF8.self)
    }
}
