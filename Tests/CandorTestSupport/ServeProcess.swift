import Foundation

/// A `candor serve` process for tests, over a workspace it prepares: an operator key and the
/// accounts given (name, role, password), case assignments, then the server on a free
/// loopback port. Stopped with SIGTERM.
public final class ServeProcess {
    public let workspace: String
    public let process: Process
    public let url: String
    public let stderrPath: String

    public struct User: Sendable {
        public var name: String, role: String, password: String
        public init(_ name: String, _ role: String, _ password: String) { (self.name, self.role, self.password) = (name, role, password) }
    }

    public init(workspace: String, users: [User], assignments: [(String, String)], extraArgs: [String] = []) throws {
        self.workspace = workspace
        let c = PackagePaths.candor
        var r = try run(c, ["keys", "init", "--operator", "candor-server", "--workspace", workspace])
        guard r.status == 0 else { throw WitnessProcessError("keys init: \(r.stderr)") }
        for u in users {
            r = try runWithInput(c, ["users", "add", u.name, "--role", u.role, "--workspace", workspace], input: u.password + "\n")
            guard r.status == 0 else { throw WitnessProcessError("users add \(u.name): \(r.stderr)") }
        }
        for (caseID, name) in assignments {
            r = try run(c, ["cases", "assign", caseID, name, "--workspace", workspace])
            guard r.status == 0 else { throw WitnessProcessError("cases assign: \(r.stderr)") }
        }
        let addr = workspace + "/server/serve.addr"
        try? FileManager.default.removeItem(atPath: addr)
        stderrPath = workspace + "/serve.stderr"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: c)
        p.arguments = ["serve", "--workspace", workspace, "--listen", "127.0.0.1:0"] + extraArgs
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: stderrPath)
        try p.run()
        process = p
        let found = waitForAddressFile(addr, while: p)
        guard let found else {
            p.terminate()
            throw WitnessProcessError("candor serve did not start: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
        }
        url = found
    }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// Runs a program with `input` on its standard input.
public func runWithInput(_ exe: String, _ args: [String], input: String) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let inPipe = Pipe(), out = Pipe(), err = Pipe()
    p.standardInput = inPipe
    p.standardOutput = out
    p.standardError = err
    try p.run()
    inPipe.fileHandleForWriting.write(Data(input.utf8))
    try inPipe.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// Waits up to 60 s for a server to write its URL (one line) to `path`; nil if the process
/// ended or the time ran out.
public func waitForAddressFile(_ path: String, while p: Process) -> String? {
    for _ in 0..<600 {
        if let d = FileManager.default.contents(atPath: path), case let s = String(decoding: d, as: UTF8.self), s.hasSuffix("\n") {
            return s.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if !p.isRunning { return nil }
        usleep(100_000)
    }
    return nil
}
