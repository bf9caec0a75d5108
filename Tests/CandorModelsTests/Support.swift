import Foundation
import Testing
@testable import CandorModels

/// Paths and helpers shared by the tests.
enum Fixture {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var modelsDir: String { packageRoot.appendingPathComponent("models").path }
    static var referenceScript: String { packageRoot.appendingPathComponent("Tests/sklearn_reference.py").path }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("candor-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `python3 Tests/sklearn_reference.py args…` and decodes its JSON output.
    static func sklearn(_ args: [String]) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", referenceScript] + args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw ReferenceFailure(
                message: "sklearn_reference.py failed (run scripts/setup-test.sh): "
                    + (String(data: errData, encoding: .utf8) ?? ""))
        }
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReferenceFailure(message: "sklearn_reference.py printed no JSON object")
        }
        return obj
    }

    struct ReferenceFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    static func writeScores(_ rows: [ScoredRow], to url: URL) throws {
        var text = "id,speaker,group,label,score\n"
        for r in rows { text += "\(r.id),\(r.speaker),\(r.group),\(r.label),\(r.score)\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Approximately normal deviate (sum of 12 uniforms − 6); good enough for synthetic data.
    static func normal(_ rng: inout SeededGenerator) -> Double {
        var s = 0.0
        for _ in 0..<12 { s += Double(rng.next() >> 11) / Double(1 << 53) }
        return s - 6
    }

    static func uniform(_ rng: inout SeededGenerator) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
}
