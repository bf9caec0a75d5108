import Foundation

public struct WitnessProcessError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// A `candor witness serve` process for tests: started on a free port (or a given one),
/// stopped with SIGTERM.
public final class WitnessProcess {
    public let dir: String
    let process: Process
    public let url: String

    /// Creates the witness folder (if needed) accepting `logKeyFile`, and starts serving.
    public init(dir: String, name: String = "witness.test/w1", logKeyFile: String, port: Int = 0, extraArgs: [String] = []) throws {
        self.dir = dir
        if !FileManager.default.fileExists(atPath: dir + "/witness.key") {
            let r = try run(PackagePaths.candor, ["witness", "init", "--dir", dir, "--name", name, "--log-key", logKeyFile])
            guard r.status == 0 else { throw WitnessProcessError("witness init failed: \(r.stderr)") }
        }
        let addr = dir + "/serve.addr"
        try? FileManager.default.removeItem(atPath: addr)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PackagePaths.candor)
        p.arguments = ["witness", "serve", "--dir", dir, "--listen", "127.0.0.1:\(port)"] + extraArgs
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let found = waitForAddressFile(addr, while: p)
        guard let found else {
            p.terminate()
            throw WitnessProcessError("witness serve did not start")
        }
        url = found
    }

    public var port: Int { Int(url.split(separator: ":").last ?? "0") ?? 0 }
    public var vkeyFile: String { dir + "/witness.vkey" }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
