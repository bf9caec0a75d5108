import CandorStore
import CandorTestSupport
import Foundation
import Testing

/// The built `candor` (shared with CandorCLITests).
enum Paths {
    static var packageRoot: URL { PackagePaths.root }
    static var candor: String { PackagePaths.candor }
}

/// Runs `candor` to completion and captures its output.
@discardableResult
func candor(_ args: [String], env: [String: String] = [:]) throws -> RunResult {
    try run(Paths.candor, args, env: env)
}

/// A `candor worker` running in the background, its stderr going to a file we can poll.
final class BackgroundWorker {
    let process = Process()
    let logPath: String

    init(_ args: [String], logPath: String, env: [String: String] = [:]) throws {
        self.logPath = logPath
        if !env.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new } }
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Paths.candor)
        process.arguments = ["worker"] + args
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log satisfies `condition` (or the timeout passes); returns whether it did.
    /// It polls with a blocking sleep on purpose: with `Task.sleep` the test's continuation needs
    /// a free thread of the cooperative pool (two on a two-core machine), which tests blocked in
    /// synchronous `run` calls can hold for minutes, so the timeout passed unseen. The condition
    /// is checked once more at the end, so a late wake-up never misses a line already there.
    func waitFor(timeout: Double, _ condition: (String) -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition(log) { return true }
            if !process.isRunning { return condition(log) }
            usleep(20_000)
        }
        return condition(log)
    }

    /// Waits for exit (killing it after the timeout); returns the exit status.
    func wait(timeout: Double) async -> Int32 {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }
}

func tempDir(_ name: String = "candor-store-test") -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Writes a 16-bit mono RIFF/WAVE file. `claimBytes` makes the header claim more data than there is.
func writeWAV(_ path: String, samples: [Float], sampleRate: Int = 16000, claimBytes: Int? = nil) {
    var d = Data()
    func u32(_ v: Int) { var x = UInt32(v).littleEndian; d.append(Data(bytes: &x, count: 4)) }
    func u16(_ v: Int) { var x = UInt16(v).littleEndian; d.append(Data(bytes: &x, count: 2)) }
    var payload = Data(capacity: samples.count * 2)
    for s in samples {
        var v = Int16(max(-32768, min(32767, (s * 32767).rounded()))).littleEndian
        payload.append(Data(bytes: &v, count: 2))
    }
    let n = claimBytes ?? payload.count
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + n); d.append(contentsOf: Array("WAVE".utf8))
    d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(sampleRate)
    u32(sampleRate * 2); u16(2); u16(16)
    d.append(contentsOf: Array("data".utf8)); u32(n)
    d.append(payload)
    FileManager.default.createFile(atPath: path, contents: d)
}

/// A voiced buzz: a harmonic-rich periodic wave at `f0` Hz with a slow vibrato, so each file
/// has its own pitch and its own bytes.
func buzz(f0: Double, seconds: Double, sampleRate: Int = 16000) -> [Float] {
    let n = Int(seconds * Double(sampleRate))
    var phase = 0.0
    var out = [Float](repeating: 0, count: n)
    out.withUnsafeMutableBufferPointer { b in
        for i in 0..<n {
            let t = Double(i) / Double(sampleRate)
            phase += 2 * Double.pi * f0 * (1 + 0.02 * sin(2 * Double.pi * 3 * t)) / Double(sampleRate)
            var v = 0.0
            for h in 1...6 { v += sin(Double(h) * phase) / Double(h) }
            b[i] = Float(0.25 * v)
        }
    }
    return out
}

/// Writes `count` short recordings (1–1.5 s, F0 90…335 Hz) into `dir`; returns their paths.
func makeRecordings(_ dir: String, count: Int, prefix: String = "rec") -> [String] {
    (0..<count).map { k in
        let path = dir + "/\(prefix)\(String(format: "%03d", k)).wav"
        writeWAV(path, samples: buzz(f0: 90 + 5 * Double(k), seconds: 1 + 0.01 * Double(k % 50)))
        return path
    }
}

func sha256(ofFile path: String) -> String {
    JobKeys.sha256Hex([UInt8](FileManager.default.contents(atPath: path) ?? Data()))
}

/// The two backends every queue test runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// A fresh, empty queue: a new SQLite file, or a new schema on the test PostgreSQL server.
    /// Fails (never skips) when the PostgreSQL server is not configured.
    func freshQueue() throws -> String {
        switch self {
        case .sqlite:
            return tempDir("candor-queue") + "/queue.sqlite"
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["CANDOR_TEST_PG_URL"], !url.isEmpty else {
                throw TestSetupError(
                    """
                    CANDOR_TEST_PG_URL is not set: the PostgreSQL tests need a server. Run `make test` \
                    (it starts one), or `export CANDOR_TEST_PG_URL=$(./scripts/start-postgres.sh)`
                    """)
            }
            let schema = "t_" + JobKeys.randomHex(bytes: 6)
            return url + (url.contains("?") ? "&" : "?") + "schema=" + schema
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func openStore(_ queue: String) async throws -> SQLJobStore {
    do {
        return try await SQLJobStore.open(try QueueLocation.parse(queue))
    } catch {
        throw TestSetupError("cannot open queue \(queue): \(error) (for PostgreSQL: is the server from scripts/start-postgres.sh running?)")
    }
}
