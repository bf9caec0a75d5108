import ArgumentParser
import Candor
import CandorAudit
import CandorWitness
import Foundation

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
        if logs.isEmpty {
            FileHandle.standardError.write(
                Data("candor: warning: \(dir)/logs lists no log key; every checkpoint will be refused (candor witness allow)\n".utf8))
        }
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
