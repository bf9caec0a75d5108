import Foundation

/// Locates the package root from this file's path and the built `candor` next to the test bundle.
enum Paths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var candor: String {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let c = dir.appendingPathComponent("candor").path
            if FileManager.default.isExecutableFile(atPath: c) { return c }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/candor").path
    }
    static func sample(_ p: String) -> String { packageRoot.appendingPathComponent("samples/" + p).path }
    static let realClipsDir = "/usr/share/pocketsphinx/test/data/librivox"
    static var realClips: [String] {
        let local = packageRoot.appendingPathComponent("samples/real").path
        for dir in [local, realClipsDir] {
            if let files = try? FileManager.default.contentsOfDirectory(atPath: dir) {
                let wavs = files.filter { $0.hasSuffix(".wav") }.sorted().map { dir + "/" + $0 }
                if !wavs.isEmpty { return wavs }
            }
        }
        return []
    }
}

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program and captures its output.
@discardableResult
func run(_ exe: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read both pipes concurrently so a full pipe cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let errThread = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    errThread.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while errThread.isExecuting || !errThread.isFinished { usleep(1000) }
    return RunResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

func candor(_ args: String..., cwd: String? = nil, env: [String: String] = [:]) throws -> RunResult {
    try run(Paths.candor, args, cwd: cwd, env: env)
}

/// A fresh temporary folder.
func tempDir(_ name: String = "candor-test") -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Writes a minimal RIFF/WAVE file by hand (for malformed-input tests).
func writeWAV(_ path: String, samples: [Float], sampleRate: Int = 16000, float: Bool = false, claimBytes: Int? = nil) {
    var d = Data()
    func u32(_ v: Int) { var x = UInt32(v).littleEndian; d.append(Data(bytes: &x, count: 4)) }
    func u16(_ v: Int) { var x = UInt16(v).littleEndian; d.append(Data(bytes: &x, count: 2)) }
    let bits = float ? 32 : 16
    var payload = Data()
    for s in samples {
        if float {
            var v = s.bitPattern.littleEndian
            payload.append(Data(bytes: &v, count: 4))
        } else {
            var v = Int16(max(-32768, min(32767, (s * 32767).rounded()))).littleEndian
            payload.append(Data(bytes: &v, count: 2))
        }
    }
    let n = claimBytes ?? payload.count
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + n); d.append(contentsOf: Array("WAVE".utf8))
    d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(float ? 3 : 1); u16(1); u32(sampleRate)
    u32(sampleRate * bits / 8); u16(bits / 8); u16(bits)
    d.append(contentsOf: Array("data".utf8)); u32(n)
    d.append(payload)
    FileManager.default.createFile(atPath: path, contents: d)
}

func sine(_ f: Double, seconds: Double, sampleRate: Int = 16000, amplitude: Float = 0.3) -> [Float] {
    (0..<Int(seconds * Double(sampleRate))).map { amplitude * Float(sin(2 * Double.pi * f * Double($0) / Double(sampleRate))) }
}
