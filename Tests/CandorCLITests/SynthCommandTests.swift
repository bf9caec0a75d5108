import CandorTestSupport
import Foundation
import Testing

@Suite("candor synth")
struct SynthCommandTests {
    @Test func writesAudioAndTruth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("candor-synth-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run(
            Paths.candor,
            [
                "synth", "--out", dir + "/v.flac", "--truth", dir + "/v.json", "--f0", "200",
                "--jitter", "0.02", "--shimmer", "0.05", "--snr", "20", "--duration", "2", "--seed", "4",
                "--voiced", "0.1-0.9,1.2-1.9",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let info = try run("/usr/bin/env", ["soxi", "-r", dir + "/v.flac"])
        #expect(info.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "16000")
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/v.json"))) as! [String: Any]
        let pulses = truth["pulse_times"] as! [Double]
        #expect(pulses.allSatisfy { (0.1...0.9).contains($0) || (1.2...1.9).contains($0) })
        #expect(pulses.count > 250 && pulses.count < 320)
        let realised = truth["realised"] as! [String: Any]
        #expect(abs((realised["jitter_local"] as! Double) / 0.02 - 1) < 0.2)
        let frames = truth["f0_frames"] as! [[Double]]
        #expect(frames.count == 200 && frames[50][1] == 200 && frames[100][1] == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["v.flac", "v.json"])
    }

    @Test func usageAndWriteErrors() throws {
        let bad = try run(Paths.candor, ["synth", "--out", "/tmp/x.wav", "--jitter", "0.5"])
        #expect(bad.status == 2 && bad.stderr.contains("jitter"))
        let spans = try run(Paths.candor, ["synth", "--out", "/tmp/x.wav", "--voiced", "2-1"])
        #expect(spans.status == 2 && spans.stderr.contains("--voiced"))
        let nowhere = try run(Paths.candor, ["synth", "--out", "/nonexistent-candor-dir/x.wav"])
        #expect(nowhere.status == 1 && nowhere.stderr.contains("/nonexistent-candor-dir/x.wav"))
        #expect(nowhere.stderr.split(separator: "\n").count == 1)
    }
}
