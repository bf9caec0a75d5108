import Foundation
@testable import CandorReport

/// Paths and process helpers for the report tests.
enum TestPaths {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packageRoot = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let fullFixture = testsDir.appendingPathComponent("Fixtures/full.analysis.json").path
    static let praatScript = packageRoot.appendingPathComponent("scripts/praat/read_textgrid.praat").path

    /// The built `candor` beside the test bundle (…/.build/<config>/candor).
    static var candor: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let c = dir.appendingPathComponent("candor").path
            if FileManager.default.isExecutableFile(atPath: c) { return c }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/candor").path
    }

    /// The first executable named `name` on PATH (or in /usr/bin), or nil.
    static func tool(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion, capturing stdout and stderr (read concurrently).
func runProcess(_ exe: String, _ args: [String], env: [String: String] = [:], cwd: String? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return ProcessResult(
        status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

func candor(_ args: String..., env: [String: String] = [:], cwd: String? = nil) throws -> ProcessResult {
    try runProcess(TestPaths.candor, args, env: env, cwd: cwd)
}

/// Runs a Python snippet with arguments; returns stdout.
func python(_ code: String, _ args: [String] = []) throws -> ProcessResult {
    try runProcess(TestPaths.tool("python3") ?? "/usr/bin/python3", ["-c", code] + args)
}

func tempDir(_ name: String = "candor-report") -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

func loadFixture() throws -> AnalysisData { try AnalysisData.read(path: TestPaths.fullFixture) }

func fixtureBytes() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.fullFixture))) }

/// The fixture with string replacements applied to its JSON text (e.g. hostile labels).
func fixtureText(replacing pairs: [(String, String)]) throws -> String {
    var text = String(decoding: try fixtureBytes(), as: UTF8.self)
    for (a, b) in pairs {
        guard text.contains(a) else { throw ReportInputError("fixture lacks \(a)") }
        text = text.replacingOccurrences(of: a, with: b)
    }
    return text
}

/// The claims policy's verdict words (docs/science.md), matched as whole words.
let verdictWords: Set<String> = [
    "lie", "lies", "lied", "lying", "liar", "deceptive", "deceptively", "truthful",
    "truthfulness", "untruthful", "guilt", "guilty",
]

func verdictWordsIn(_ text: String) -> [String] {
    var found: [String] = []
    var current = ""
    for ch in text.lowercased() + " " {
        if ch.isLetter {
            current.append(ch)
        } else {
            if verdictWords.contains(current) { found.append(current) }
            current = ""
        }
    }
    return found
}
