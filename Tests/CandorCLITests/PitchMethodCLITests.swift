import Foundation
import Testing
import CandorTestSupport

/// `--method robust` and `--pitch-range auto` end to end: the method, its settings and the
/// automatic range are written into the analysis parameters.
@Suite struct PitchMethodCLITests {
    /// The analysis document of a 2 s, 140 Hz tone analysed with `options` (pitch only).
    static func analyzeTone(_ options: String...) throws -> [String: Any] {
        let d = tempDir("pitch-method")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let wav = d + "/tone.wav"
        writeWAV(wav, samples: sine(140, seconds: 2))
        let r = try run(Paths.candor, ["analyze", wav, "--pitch-only", "--workspace", d + "/ws", "--out", d + "/a.json"] + options)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/a.json"))) as? [String: Any]
        return try #require(doc)
    }

    @Test func robustIsRecorded() throws {
        let doc = try Self.analyzeTone("--method", "robust")
        let p = try #require(doc["parameters"] as? [String: Any])
        #expect(p["pitch_method"] as? String == "robust")
        #expect(p["pitch_floor_hz"] as? Double == 60)
        #expect(p["voicing_threshold"] as? Double == 0.15)
        #expect(p["pitch_range"] == nil)
        let frames = try #require(((doc["channels"] as? [[String: Any]])?.first?["pitch"] as? [String: Any])?["frames"] as? [[Any]])
        let voiced = frames.compactMap { $0.count == 2 ? $0[1] as? Double : nil }
        #expect(voiced.count > frames.count / 2)
        // A pure tone has one harmonic only: the template's estimate is 141.8 Hz (1.3% high);
        // on harmonic voices it is within 0.3% (RobustPitchTests).
        #expect(voiced.allSatisfy { abs($0 - 140) < 3 })
    }

    @Test func autoRangeIsRecorded() throws {
        let p = try #require(try Self.analyzeTone("--pitch-range", "auto")["parameters"] as? [String: Any])
        #expect((p["pitch_range"] as? String)?.hasPrefix("auto: floor 0.75 × q25") == true)
        let q25 = try #require(p["pitch_range_q25_hz"] as? Double)
        #expect(abs(q25 - 140) < 2)
        #expect(abs((p["pitch_floor_hz"] as? Double ?? 0) - 0.75 * q25) < 0.05)
        #expect(try candor("analyze", "x.wav", "--pitch-range", "wide").status == 2)
    }

    /// `batch submit --method robust --pitch-range auto`: the job's worker analyses with both,
    /// and the stored result records them (the service's uploads use the same job settings).
    @Test func batchSubmitCarriesMethodAndRange() throws {
        let d = tempDir("pitch-batch")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let wav = d + "/tone.wav", ws = d + "/ws"
        writeWAV(wav, samples: sine(140, seconds: 2))
        let submit = try run(Paths.candor, ["batch", "submit", wav, "--method", "robust", "--pitch-range", "auto", "--workspace", ws])
        #expect(submit.status == 0, "\(submit.stderr)")
        let worker = try run(Paths.candor, ["worker", "--exit-when-empty", "--workspace", ws])
        #expect(worker.status == 0, "\(worker.stderr)")
        let result = try run(Paths.candor, ["batch", "result", "1", "--workspace", ws])
        #expect(result.status == 0, "\(result.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let p = try #require(doc?["parameters"] as? [String: Any])
        #expect(p["pitch_method"] as? String == "robust")
        #expect((p["pitch_range"] as? String)?.hasPrefix("auto: floor 0.75 × q25") == true, "\(p)")
        #expect(try candor("batch", "submit", wav, "--pitch-range", "wide", "--workspace", ws).status == 2)
    }

    /// `--pulses`: the placement is recorded in `parameters.voice.pulses.interpolation`
    /// (absent for the Praat-compatible default, `sinc` for precise, which `--method robust`
    /// uses unless `--pulses praat` is given); an unknown value is a usage error.
    @Test func pulsePlacementIsRecorded() throws {
        let d = tempDir("pulses")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let wav = d + "/tone.wav"
        writeWAV(wav, samples: sine(140, seconds: 2))
        func pulses(_ options: [String]) throws -> [String: Any] {
            let r = try run(Paths.candor, ["analyze", wav, "--workspace", d + "/ws", "--out", d + "/a.json"] + options)
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/a.json"))) as? [String: Any]
            let voice = try #require((doc?["parameters"] as? [String: Any])?["voice"] as? [String: Any])
            return try #require(voice["pulses"] as? [String: Any])
        }
        #expect(try pulses([])["interpolation"] == nil)
        #expect(try pulses(["--pulses", "precise"])["interpolation"] as? String == "sinc")
        #expect(try pulses(["--method", "robust"])["interpolation"] as? String == "sinc")
        #expect(try pulses(["--method", "robust", "--pulses", "praat"])["interpolation"] == nil)
        #expect(try candor("analyze", "x.wav", "--pulses", "fine").status == 2)
        #expect(try candor("analyze", "x.wav", "--pitch-only", "--pulses", "precise").status == 2)
    }

    /// `batch submit --pitch-range auto --pulses precise` carries both in the job's settings
    /// (and so its key); without them the settings JSON has neither key.
    @Test func batchSubmitCarriesRangeAndPulses() throws {
        let d = tempDir("batch-range")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let wav = d + "/tone.wav"
        writeWAV(wav, samples: sine(140, seconds: 0.5))
        let base = ["batch", "submit", wav, "--queue", d + "/q.sqlite", "--workspace", d + "/ws"]
        #expect(try run(Paths.candor, base).status == 0)
        #expect(try run(Paths.candor, base + ["--pitch-range", "auto", "--pulses", "precise"]).status == 0)
        #expect(try run(Paths.candor, base + ["--pitch-range", "wide"]).status == 2)
        #expect(try run(Paths.candor, base + ["--pulses", "fine"]).status == 2)
        let r = try run("/usr/bin/sqlite3", [d + "/q.sqlite", "SELECT params_json FROM candor_jobs ORDER BY id"])
        let rows = r.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 2, "\(r.stdout)")
        #expect(rows.first.map { !$0.contains("pitchRange") && !$0.contains("pulses") } == true)
        #expect(rows.last.map { $0.contains("\"pitchRange\":\"auto\"") && $0.contains("\"pulses\":\"precise\"") } == true)
    }
}
