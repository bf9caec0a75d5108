import ArgumentParser
import CandorAudit
import Foundation

/// Trust and witness options of `candor audit verify`.
struct VerifyTrustOptions: ParsableArguments {
    @Option(name: .long, help: "Trust anchor from `candor keys trust`: pinned log, operator and witness keys and the quorum.")
    var trust: String?
    @Flag(
        name: .customLong("allow-unpinned"),
        help: "Verify a bundle without a trust anchor (its own keys are then believed; a warning is printed).")
    var allowUnpinned = false
    @Flag(name: .long, help: "Verify every session of the workspace, the workspace heads log, and compare each with the witnesses.")
    var all = false
    @Flag(name: .customLong("require-witness"), help: "Fail when a witness cannot be reached or has never cosigned the log.")
    var requireWitness = false
    @Option(
        name: .customLong("tsa-cert"),
        help: "PEM certificate of the time-stamping authority: the checkpoint must carry a valid RFC 3161 token by it.")
    var tsaCert: String?

    func anchor() throws -> TrustAnchor? {
        guard let trust else { return nil }
        do { return try TrustAnchor.read(trust) } catch { throw CLIError(code: ExitCodes.invalidInput, "\(error)") }
    }
}

func warn(_ line: String) { FileHandle.standardError.write(Data("candor: warning: \(line)\n".utf8)) }

/// A bundle is checked against the trust anchor (log key, operator keys, witness quorum);
/// without one it is "unpinned" and refused unless --allow-unpinned.
func pinBundle(_ contents: inout LogContents, options: VerifyTrustOptions, what: String, quiet: Bool) throws {
    guard let anchor = try options.anchor() else {
        guard options.allowUnpinned else {
            throw CLIError(
                code: ExitCodes.auditFailed,
                "audit verification failed for \(what): unpinned: no trust anchor (give --trust FILE from `candor keys trust`, or --allow-unpinned to believe the bundle's own keys)"
            )
        }
        warn("\(what): unpinned: the bundle's own keys are believed; anyone can make a bundle that verifies this way")
        return
    }
    do {
        let cosigners = try anchor.pin(&contents)
        if !quiet && !cosigners.isEmpty { print("cosigned by: \(cosigners.joined(separator: ", ")) (quorum \(anchor.quorum))") }
    } catch {
        if !quiet { print(Terminal.paint("NOT INTACT", .red) + ": \(what): \(error)") }
        throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(what): \(error)")
    }
}

/// The witnesses to compare with: the trust anchor's, else the workspace's configuration.
private func witnessList(_ ws: AuditWorkspace, _ options: VerifyTrustOptions) throws -> [WitnessEndpoint] {
    if let anchor = try options.anchor() { return anchor.witnesses }
    return try auditing { try ws.keys.witnesses() }
}

/// Compares a session log of the workspace with each witness's latest cosigned checkpoint.
func checkWitnesses(_ s: SessionRef, global: GlobalOptions, options: VerifyTrustOptions, quiet: Bool) throws {
    let ws = try openAudit(global.workspacePath, readOnly: true)  // verification writes nothing
    let witnesses = try witnessList(ws, options)
    let (failures, notes) = try auditing { try ws.checkWithWitnesses(s, witnesses: witnesses, requireWitness: options.requireWitness) }
    for n in notes { FileHandle.standardError.write(Data("candor: \(n)\n".utf8)) }
    if let first = failures.first {
        if !quiet { for f in failures { print(Terminal.paint("NOT INTACT", .red) + ": \(s): \(f)") } }
        throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(s): \(first)")
    }
}

/// `candor audit verify --all`.
func verifyWorkspace(global: GlobalOptions, options: VerifyTrustOptions) throws {
    let ws = try openAudit(global.workspacePath, readOnly: true)  // verification writes nothing
    let witnesses = try witnessList(ws, options)
    let v = try auditing { try ws.verifyAll(witnesses: witnesses, requireWitness: options.requireWitness) }
    for n in v.notes { FileHandle.standardError.write(Data("candor: \(n)\n".utf8)) }
    if let first = v.failures.first {
        if !global.quiet { for f in v.failures { print(Terminal.paint("NOT INTACT", .red) + ": \(f)") } }
        throw CLIError(
            code: ExitCodes.auditFailed,
            "audit verification failed for the workspace: \(first)\(v.failures.count > 1 ? " (and \(v.failures.count - 1) more)" : "")")
    }
    if !global.quiet {
        print(
            Terminal.paint("intact", .green)
                + ": \(v.sessionsChecked) session(s) and the workspace heads log; \(witnesses.count) witness(es) consulted")
    }
}
