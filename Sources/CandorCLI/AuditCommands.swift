import ArgumentParser
import Candor
import CandorAudit
import Foundation

public struct AuditCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, export, read, review and repair session audit logs.",
        discussion: "Exit codes: 0 intact/success, 1 other failure, 2 usage, 3 unreadable input, 4 audit verification failed.",
        subcommands: [AuditList.self, AuditVerify.self, AuditExport.self, AuditShow.self, ReviewCommand.self, AuditRepair.self, AuditProof.self])
    public init() {}
}

/// --case / --session for commands on one session log.
struct SessionOptions: ParsableArguments {
    @Option(name: .customLong("case"), help: "Case id.") var caseID: String
    @Option(name: .customLong("session"), help: "Session id within the case.") var sessionID: String
    @Option(name: .long, help: "Operator who signs the records this command writes (default: $CANDOR_OPERATOR or the last `keys init`).")
    var `operator`: String?
    var ref: SessionRef { get throws { try sessionRef(caseID, sessionID) } }
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an exported bundle folder, or a session log in the workspace (--case/--session).",
        discussion: """
        Checks the checkpoint's log-key signature, every record (canonical bytes, seq and prev \
        chain, operator signature), the Merkle root, and the result files. Exit 0 when intact, \
        4 when not, naming the first failing record's seq and the kind of failure (hash, chain, \
        signature, checkpoint, consistency, evidence, torn-tail).
        """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Bundle folder written by `candor audit export`.") var path: String?
    @Option(name: .customLong("case"), help: "Case id (verify the workspace's log).") var caseID: String?
    @Option(name: .customLong("session"), help: "Session id (verify the workspace's log).") var sessionID: String?
    @Option(name: .long, parsing: .upToNextOption, help: "Recordings or result files to re-hash against the log.") var evidence: [String] = []
    @Option(name: .long, help: "A checkpoint file kept earlier: prove the log only grew since.") var since: String?
    @Option(name: .customLong("log-key"), help: "Trusted log verifier key (text or file); a bundle whose log.vkey differs fails.") var logKey: String?
    @Flag(name: .long, help: "Print the verdict as one JSON object on stdout.") var json = false
    @OptionGroup var pinning: VerifyTrustOptions

    func validate() throws {
        if (caseID == nil) != (sessionID == nil) { throw ValidationError("--case and --session go together") }
        if pinning.all {
            if path != nil || caseID != nil { throw ValidationError("--all verifies the whole workspace; give no bundle and no --case") }
            return
        }
        if path == nil && caseID == nil { throw ValidationError("give either a bundle folder or --case and --session") }
    }

    func run() throws {
        if pinning.all { return try verifyWorkspace(global: global, options: pinning) }
        let files = try evidence.map { EvidenceFile(path: $0, sha256: try sha256(ofFile: $0)) }
        var sinceText: String?
        if let since {
            guard let t = readText(since) else { throw CLIError(code: ExitCodes.invalidInput, "\(since): cannot read checkpoint") }
            sinceText = t
        }
        var contents: LogContents
        let what: String
        if let path {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
                throw CLIError(code: ExitCodes.invalidInput, "\(path): not a bundle folder")
            }
            do { contents = try AuditBundle.read(path) } catch {
                // A folder missing records.jsonl or log.vkey is a bundle that is not intact.
                throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(path): \(error)")
            }
            what = path
            try pinBundle(&contents, options: pinning, what: path, quiet: global.quiet || json)
        } else {
            // Read-only: verification works on a read-only or full workspace and changes nothing.
            let ws = try openAudit(global.workspacePath, readOnly: true)
            let s = try sessionRef(caseID!, sessionID!)
            do { contents = try ws.contents(s) } catch {
                throw CLIError(code: ExitCodes.invalidInput, "\(error)")
            }
            what = "\(s)"
        }
        if let pinned = logKey {
            let text = readText(pinned) ?? pinned
            let trusted = try auditing { try NoteVerifierKey(parsing: text) }
            if (try? NoteVerifierKey(parsing: contents.logKey)) != trusted {
                throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(what): checkpoint: the log key is not the trusted key \(trusted.encoded)")
            }
            contents.logKey = trusted.encoded
        }
        let bound = try caseID.map { try sessionRef($0, sessionID!) }
        if path == nil, pinning.trust != nil { try pinBundle(&contents, options: pinning, what: what, quiet: global.quiet || json) }
        let report = LogVerifier.verify(contents, evidence: files, since: sinceText, expected: bound)
        if path == nil, report.isIntact, let bound {
            try checkWitnesses(bound, global: global, options: pinning, quiet: global.quiet || json)
        }
        if json {
            var o: [String: AuditJSON] = ["intact": .bool(report.isIntact), "size": .int(Int64(report.size)),
                                          "root": .string(Hex.encode(report.root)), "origin": .string(report.origin),
                                          "results_rehashed": .int(Int64(report.checkedResults)),
                                          "evidence": .array(report.matchedEvidence.map { e -> AuditJSON in
                                              .object(["path": .string(e.path), "seq": .int(Int64(e.seq)), "matched": .string(e.kind.rawValue)])
                                          })]
            if let f = report.failure {
                o["failure"] = .object(["kind": .string(f.kind.rawValue), "seq": f.seq.map { .int(Int64($0)) } ?? .null,
                                        "message": .string(f.message)])
            }
            print(String(decoding: CanonicalJSON.encode(.object(o)), as: UTF8.self))
        }
        if let f = report.failure {
            // A file given with --evidence that matches nothing is a fact about that file, not
            // about the log: say so when the log verifies without it.
            if f.kind == .evidence, !files.isEmpty,
                LogVerifier.verify(contents, since: sinceText, expected: bound).isIntact
            {
                if !global.quiet && !json {
                    print(Terminal.paint("intact", .green) + ": \(what): the log verifies (\(report.size) records)")
                    print(Terminal.paint("EVIDENCE MISMATCH", .red) + ": \(f.message): a different or altered file")
                }
                throw CLIError(code: ExitCodes.auditFailed, "evidence check failed: \(f) (the log of \(what) itself is intact: a different or altered file)")
            }
            if !global.quiet && !json {
                print(Terminal.paint("NOT INTACT", .red) + ": \(what): \(f)")
                // Every record that fails on its own, not only the first failure.
                let bad = LogVerifier.recordFindings(contents).compactMap { $0 }
                if bad.count > 1 || (bad.count == 1 && bad[0] != f) {
                    print("records that fail on their own (\(bad.count)):")
                    for b in bad { print("    \(b)") }
                }
            }
            throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(what): \(f)")
        }
        if !global.quiet && !json {
            print(Terminal.paint("intact", .green) + ": \(what): \(report.size) records, root \(Hex.encode(report.root)), checkpoint \(report.origin)")
            if report.checkedResults > 0 { print("result files re-hashed: \(report.checkedResults)") }
            for e in report.matchedEvidence {
                switch e.kind {
                case .recording: print("evidence \(e.path): matches the recording of seq \(e.seq)")
                case .output: print("evidence \(e.path): matches the analysis output of seq \(e.seq) (an output, not a recording)")
                }
            }
            if sinceText != nil { print("consistent with the earlier checkpoint") }
        }
    }
}

struct AuditExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the offline-verifiable bundle of a session (the export is itself logged first).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "Bundle folder to create (must not exist, or be empty).") var out: String

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        let op = try session.operator ?? requireOperator(ws)
        let report = try auditing { try ws.export(s, to: out, operator: op) }
        if let f = report.failure { throw CLIError(code: ExitCodes.auditFailed, "exported bundle \(out) does not verify: \(f)") }
        if !global.quiet { print("wrote \(out): \(report.size) records, root \(Hex.encode(report.root))") }
    }
}

struct AuditShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a session log (or an exported bundle) one record per line, with each record's signature status.",
        discussion: """
            With --case/--session the viewing is logged first (an accessed record). Each record's \
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

    func validate() throws {
        if (caseID == nil) != (sessionID == nil) { throw ValidationError("--case and --session go together") }
        if (path == nil) == (caseID == nil) { throw ValidationError("give either a bundle folder or --case and --session") }
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
        } else {
            let ws = try openAudit(global.workspacePath)
            let s = try sessionRef(caseID!, sessionID!)
            let op = try `operator` ?? requireOperator(ws)
            _ = try auditing { try ws.show(s, operator: op) }
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
            print("#\(seq)  \(o["time"]?.stringValue ?? "?")  \(o["type"]?.stringValue ?? "?")  signed by \(o["operator"]?.stringValue ?? "?")  \(status)")
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

struct AuditRepair: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Set aside records beyond the last signed checkpoint (a torn tail) and log the repair.",
        discussion: """
        Only a torn tail is repaired: records written after the last signed checkpoint by an \
        interrupted append are moved to the store's quarantine table (kept, not deleted) and a \
        `repaired` record with their count and SHA-256 is appended. A log that fails \
        verification for any other reason is left untouched (exit 4).
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "Why the repair is made (logged).") var reason: String = "interrupted append"

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        let op = try session.operator ?? requireOperator(ws)
        do {
            let n = try ws.repair(s, operator: op, reason: reason)
            if !global.quiet { print(n == 0 ? "log is intact; nothing to repair" : "set aside \(n) record(s) of the torn tail; repair logged") }
        } catch let e as AuditError {
            let code = e.message.contains("repair refuses") ? ExitCodes.auditFailed : ExitCodes.failure
            throw CLIError(code: code, e.message)
        }
    }
}

struct AuditProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print an RFC 6962 inclusion proof (--seq) or consistency proof (--from-size) against the latest checkpoint.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "Record whose inclusion to prove.") var seq: Int?
    @Option(name: .customLong("from-size"), help: "Earlier tree size whose checkpoint to prove consistent.") var fromSize: Int?

    func validate() throws {
        if (seq == nil) == (fromSize == nil) { throw ValidationError("give --seq or --from-size") }
    }

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        if let seq {
            let p = try auditing { try ws.inclusionProof(s, seq: seq) }
            print("inclusion of seq \(p.seq) in tree size \(p.size)")
            print("leaf_hash \(Hex.encode(p.leafHash))")
            print("root \(Hex.encode(p.root))")
            for h in p.proof { print("path \(Hex.encode(h))") }
            print("checkpoint:")
            print(p.checkpoint, terminator: "")
        } else if let fromSize {
            let (old, new, proof) = try auditing { try ws.consistencyProof(s, oldSize: fromSize) }
            print("earlier checkpoint:")
            print(old, terminator: "")
            print("latest checkpoint:")
            print(new, terminator: "")
            for h in proof { print("proof \(Hex.encode(h))") }
        }
    }
}
