import CandorTestSupport
import Foundation

/// The package root and the built `candor` (shared with CandorStoreTests), plus samples.
enum Paths {
    static var packageRoot: URL { PackagePaths.root }
    static var candor: String { PackagePaths.candor }
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
