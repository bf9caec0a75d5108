import ArgumentParser
import Candor
import CandorAudit
import Foundation

struct WitnessTSA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsa",
        abstract: "Have every new checkpoint timestamped by an RFC 3161 time-stamping authority (pinned certificate).",
        discussion: """
            Each new checkpoint's body is sent (as a SHA-256 message imprint, with a nonce) to URL as \
            application/timestamp-query; the token is checked against the pinned certificate and kept \
            in the checkpoint note. `candor audit verify` checks it and prints the TSA's time. An \
            unreachable TSA does not block work: the checkpoint is then not timestamped, and the next \
            append or `candor witness sync` asks again for the latest one.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "The TSA's URL (http:// or https://).") var url: String
    @Option(name: .long, help: "PEM file: the TSA's signing certificate, pinned.") var cert: String

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        guard let pem = readText(cert) else { throw CLIError(code: ExitCodes.invalidInput, "\(cert): cannot read") }
        do { try ws.keys.setTimestampAuthority(url: url, certificatePEM: pem) } catch {
            throw CLIError(code: ExitCodes.invalidInput, "\(cert): \(error)")
        }
        if !global.quiet { print("time-stamping authority \(url) recorded (certificate pinned from \(cert))") }
    }
}
