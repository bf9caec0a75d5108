import CandorTestSupport
import Foundation
import Testing

/// Small defects of issue 14, through the built `candor`.
@Suite(.serialized) struct SmallDefectTests {
    /// A model file naming a card outside the models folder: refused (exit 3), nothing printed.
    @Test func modelsShowRefusesACardOutsideTheModelsFolder() throws {
        let root = tempDir("candor-card")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let models = root + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        try "SECRET outside\n".write(toFile: root + "/secret.md", atomically: true, encoding: .utf8)
        let src = Paths.packageRoot.appendingPathComponent("models/baseline-deviation.json").path
        let text = try String(contentsOfFile: src, encoding: .utf8)
        try text.replacingOccurrences(of: "\"card\": \"baseline-deviation.md\"", with: "\"card\": \"../secret.md\"")
            .write(toFile: models + "/baseline-deviation.json", atomically: true, encoding: .utf8)
        let r = try candor("models", "show", "baseline-deviation", "--models", models)
        #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.contains("SECRET"))
        #expect(r.stderr.contains("outside the models folder"), "\(r.stderr)")
        // A symbolic link at the card's name leading out is refused too.
        try text.write(toFile: models + "/baseline-deviation.json", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: models + "/baseline-deviation.md", withDestinationPath: root + "/secret.md")
        let l = try candor("models", "show", "baseline-deviation", "--models", models)
        #expect(l.status == 3, "\(l.stdout)\(l.stderr)")
        #expect(!l.stdout.contains("SECRET"))
    }

    /// `batch submit` checks case and session names before queueing anything.
    @Test func batchSubmitValidatesNames() throws {
        let root = tempDir("candor-submit")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let wav = root + "/a.wav"
        writeWAV(wav, samples: sine(180, seconds: 0.5))
        for args in [["--case", "bad case"], ["--case", "C1", "--session", "../x"], ["--case", String(repeating: "a", count: 200)]] {
            let r = try candor(["batch", "submit", wav, "--queue", root + "/q.sqlite", "--workspace", root + "/ws"] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/q.sqlite"))
    }
}

extension SmallDefectTests {
    /// Huge but finite float samples: a clear one-line error (exit 3), never numbers with exit 0.
    @Test func hugeFiniteFloatSamplesAreRefused() throws {
        let root = tempDir("candor-huge")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let wav = root + "/huge.wav"
        writeWAV(wav, samples: sine(180, seconds: 0.5).map { $0 * 1e30 }, float: true)
        let r = try candor(["analyze", wav, "--out", root + "/huge.json"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("huge.wav") && r.stderr.contains("rescale"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/huge.json"))
    }
}

private func candor(_ args: [String]) throws -> RunResult { try run(Paths.candor, args) }
