import ArgumentParser
import CandorAudit
import Foundation

/// Checks the RFC 3161 token of a verified checkpoint against the pinned TSA certificate:
/// `--tsa-cert FILE`, else the trust anchor's `tsa_certificate`, else (for a workspace log)
/// the workspace's `keys/tsa.pem`. A token that fails is exit 4; with a certificate from
/// `--tsa-cert` or the trust anchor, a checkpoint without a token is exit 4 too.
func checkTimestamp(note: String?, options: VerifyTrustOptions, workspace: AuditWorkspace?, what: String, quiet: Bool) throws {
    let cert: TSACertificate
    var strict = true
    if let certificateFile = options.tsaCert {
        guard let d = FileManager.default.contents(atPath: certificateFile) else {
            throw CLIError(code: ExitCodes.invalidInput, "\(certificateFile): cannot read")
        }
        do { cert = try TSACertificate(pemOrDER: [UInt8](d)) } catch {
            throw CLIError(code: ExitCodes.invalidInput, "\(certificateFile): \(error)")
        }
    } else if let pem = try options.anchor()?.tsaCertificatePEM, let c = try? TSACertificate(pemOrDER: Array(pem.utf8)) {
        cert = c
    } else if let ws = workspace, let tsa = try? ws.keys.timestampAuthority() {
        cert = tsa.certificate
        strict = false
    } else {
        return
    }
    guard let note else { return }
    let info: TimeStamp.Info?
    do { info = try TimestampAuthority.check(note: note, certificate: cert) } catch {
        if !quiet { print(Terminal.paint("NOT INTACT", .red) + ": \(what): \(error)") }
        throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(what): \(error)")
    }
    guard let info else {
        let msg = "the checkpoint carries no time-stamp token of the pinned TSA"
        if strict {
            if !quiet { print(Terminal.paint("NOT INTACT", .red) + ": \(what): \(msg)") }
            throw CLIError(code: ExitCodes.auditFailed, "audit verification failed for \(what): \(msg)")
        }
        FileHandle.standardError.write(Data("candor: \(what): \(msg) (not timestamped)\n".utf8))
        return
    }
    if !quiet { print("timestamped (RFC 3161) at \(info.genTimeRFC3339) by the pinned TSA (serial \(info.serial))") }
}
