import CandorTestSupport
import Foundation
import Testing

/// The channel's mean intensity is Praat's energy mean ("Get mean… energy"): stretches of
/// digital silence count, with no energy (they used to be left out: 80.4 dB against 77.5).
@Suite struct IntensityMeanTests {
    @Test func meanIntensityMatchesPraatWithDigitalSilence() throws {
        let dir = tempDir("candor-intensity")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sox = "/usr/bin/sox", praat = "/usr/bin/praat"
        try #require(
            FileManager.default.isExecutableFile(atPath: sox) && FileManager.default.isExecutableFile(atPath: praat),
            "sox and praat are installed by scripts/setup-test.sh")
        // One second of a 200 Hz tone, then one second of exact zeros (no dither).
        #expect(
            try run(sox, ["-D", "-n", "-r", "16000", "-b", "16", dir + "/tone.wav", "synth", "1.0", "sine", "200", "vol", "0.3"]).status
                == 0)
        #expect(try run(sox, ["-D", "-n", "-r", "16000", "-b", "16", dir + "/sil.wav", "trim", "0", "1.0"]).status == 0)
        #expect(try run(sox, ["-D", dir + "/tone.wav", dir + "/sil.wav", dir + "/half.wav"]).status == 0)
        let script = """
            form x
              sentence f
            endform
            Read from file: f$
            To Intensity: 100, 0, "yes"
            m = Get mean: 0, 0, "energy"
            writeInfoLine: fixed$(m, 4)
            """
        try script.write(toFile: dir + "/mean.praat", atomically: true, encoding: .utf8)
        let p = try run(praat, ["--run", dir + "/mean.praat", dir + "/half.wav"])
        #expect(p.status == 0, "\(p.stderr)")
        let expected = try #require(Double(p.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let r = try candor("analyze", dir + "/half.wav", "--pitch-only", "--out", dir + "/a.json")
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/a.json"))) as! [String: Any]
        let channel = try #require((doc["channels"] as? [[String: Any]])?.first)
        let mean = try #require((channel["intensity"] as? [String: Any])?["mean_db"] as? Double)
        #expect(abs(mean - expected) < 0.05, "Candor \(mean) dB, Praat \(expected) dB")
    }
}
