import CandorAudio
import CandorSynth
import Foundation
import Testing

/// Issue 2: every format the system libsndfile supports, any rate 8–192 kHz, 1–8 channels,
/// each channel analysed on its own; `--mix` downmixes.
@Suite struct FormatTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var format: AudioWriter.Format
        var rate: Int
        var channels: Int
        var description: String { "\(file) \(rate) Hz × \(channels)" }
    }

    static let cases: [Case] = [
        Case(file: "v.wav", format: .wavPCM16, rate: 16000, channels: 1),
        Case(file: "v24.wav", format: .wavPCM24, rate: 44100, channels: 2),
        Case(file: "v32.wav", format: .wavPCM32, rate: 8000, channels: 1),
        Case(file: "vf.wav", format: .wavFloat, rate: 192_000, channels: 1),
        Case(file: "v.flac", format: .flac16, rate: 22050, channels: 8),
        Case(file: "v.ogg", format: .oggVorbis, rate: 16000, channels: 1),
        Case(file: "v.opus", format: .opus, rate: 48000, channels: 2),
        Case(file: "v.mp3", format: .mp3, rate: 16000, channels: 1),
    ]

    @Test(arguments: cases)
    func analysesEachChannel(_ c: Case) throws {
        let dir = tempDir()
        let path = dir + "/" + c.file
        var cfg = SynthVoice.Config(f0: 140, jitter: 0.005, shimmer: 0.02, duration: 1.5, sampleRate: c.rate)
        cfg.voiced = [SynthVoice.Span(0.2, 1.3)]
        let voice = try SynthVoice.render(cfg).samples
        // Channel k carries the voice at a different level so the channels differ.
        let chans = (0..<c.channels).map { k in voice.map { $0 * (1 - 0.08 * Float(k)) } }
        try AudioWriter.write(path: path, channels: chans, sampleRate: c.rate, format: c.format)
        let out = dir + "/o.json"
        let r = try candor("analyze", path, "--out", out, "--quiet", "--pitch-only")
        #expect(r.status == 0, "\(c): \(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let input = try #require(json["input"] as? [String: Any])
        #expect(input["sample_rate"] as? Int == c.rate)
        #expect(input["channels"] as? Int == c.channels)
        let channels = try #require(json["channels"] as? [[String: Any]])
        #expect(channels.count == c.channels)
        for ch in channels {
            let s = try #require(ch["pitch_summary"] as? [String: Any])
            let median = try #require(s["median_hz"] as? Double, "\(c): voiced frames")
            #expect(abs(median / 140 - 1) < 0.03, "\(c): median F0 \(median)")
        }
        let mixed = try candor("analyze", path, "--out", dir + "/m.json", "--quiet", "--pitch-only", "--mix")
        #expect(mixed.status == 0)
        let m = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))) as? [String: Any])
        #expect((m["channels"] as? [[String: Any]])?.count == 1)
    }

    @Test func pitchOnlyOmitsTheLaterStages() throws {
        let dir = tempDir()
        let r = try candor(
            "analyze", Paths.sample("real/sense_and_sensibility_01_austen_64kb-0880.wav"), "--pitch-only",
            "--out", dir + "/p.json", "--quiet")
        #expect(r.status == 0)
        let j = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/p.json"))) as? [String: Any])
        let ch = try #require((j["channels"] as? [[String: Any]])?.first)
        #expect(ch["pitch"] != nil && ch["intensity"] != nil && ch["voice"] == nil && ch["timing"] == nil)
        #expect(((j["parameters"] as? [String: Any])?["pitch_only"] as? Bool) == true)
    }
}
