import CandorAudio
import CandorTestSupport
import Foundation
import Testing

/// A truncated or damaged MP3 gives one error line (the decoder's own warnings are not
/// printed) and exit 3, at any truncation point.
@Suite struct TruncatedMP3Tests {
    @Test func truncatedMP3GivesOneErrorLine() throws {
        let dir = tempDir("candor-mp3")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = dir + "/full.mp3"
        let samples = (0..<160_000).map { Float(0.3 * sin(2 * Double.pi * 200 * Double($0) / 16000)) }
        try AudioWriter.write(path: full, channels: [samples], sampleRate: 16000, format: .mp3)
        let bytes = try #require(FileManager.default.contents(atPath: full))
        for fraction in [0.45, 0.27, 0.07, 0.01] {
            let cut = dir + "/cut.mp3"
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: cut))
            let r = try candor("analyze", cut, "--out", dir + "/cut.json")
            #expect(r.status == 3, "\(fraction): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(fraction): \(r.stderr)")
            #expect(lines.first?.hasPrefix("candor: error: \(cut): ") == true, "\(fraction): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/cut.json"))
        }
    }
}
