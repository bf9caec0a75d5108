import ArgumentParser
import Candor
import CandorAudit
import Foundation

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
    @Option(name: .long, parsing: .upToNextOption, help: "Recordings or result files to re-hash against the log.") var evidence: [String] =
        []
    @Option(name: .long, help: "A checkpoint file kept earlier: prove the log only grew since.") var since: String?
    @Option(name: .customLong("log-key"), help: "Trusted log verifier key (text or file); a bundle whose log.vkey differs fails.")
    var logKey: String?
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
                throw CLIError(
                    code: ExitCodes.auditFailed,
                    "audit verification failed for \(what): checkpoint: the log key is not the trusted key \(trusted.encoded)")
            }
            contents.logKey = trusted.encoded
        }
        let bound = try caseID.map { try sessionRef($0, sessionID!) }
        if path == nil, pinning.trust != nil { try pinBundle(&contents, options: pinning, what: what, quiet: global.quiet || json) }
        let report = LogVerifier.verify(contents, evidence: files, since: sinceText, expected: bound)
        if path == nil, report.isIntact, let bound {
            try checkWitnesses(bound, global: global, options: pinning, quiet: global.quiet || json)
        }
        if report.isIntact {
            let ws = path == nil ? try openAudit(global.workspacePath, readOnly: true) : nil
            try checkTimestamp(note: contents.checkpoint, options: pinning, workspace: ws, what: what, quiet: global.quiet || json)
        }
        if json {
            var o: [String: AuditJSON] = [
                "intact": .bool(report.isIntact), "size": .int(Int64(report.size)),
                "root": .string(Hex.encode(report.root)), "origin": .string(report.origin),
                "results_rehashed": .int(Int64(report.checkedResults)),
                "evidence": .array(
                    report.matchedEvidence.map { e -> AuditJSON in
                        .object(["path": .string(e.path), "seq": .int(Int64(e.seq)), "matched": .string(e.kind.rawValue)])
                    }),
            ]
            if let f = report.failure {
                o["failure"] = .object([
                    "kind": .string(f.kind.rawValue), "seq": f.seq.map { .int(Int64($0)) } ?? .null,
                    "message": .string(f.message),
                ])
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
                throw CLIError(
                    code: ExitCodes.auditFailed,
                    "evidence check failed: \(f) (the log of \(what) itself is intact: a different or altered file)")
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
            print(
                Terminal.paint("intact", .green)
                    + ": \(what): \(report.size) records, root \(Hex.encode(report.root)), checkpoint \(report.origin)")
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
