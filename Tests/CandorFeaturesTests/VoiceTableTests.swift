import CandorAudio
@testable import CandorFeatures
import CandorSynth
import Foundation
import Testing

/// Prints the Candor / Praat / truth table of the synthetic set (set CANDOR_VOICE_TABLE=1).
@Suite("Voice table", .serialized, .enabled(if: ProcessInfo.processInfo.environment["CANDOR_VOICE_TABLE"] != nil))
struct VoiceTableTests {
    @Test func table() throws {
        print(
            "| F0 | jitter set | SNR | truth jitter_local | Candor | Candor (no residual) | Praat | truth shimmer_local | Candor | Praat | Candor HNR | Praat HNR |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        var off = VoiceSettings()
        off.pulses.residualRefinement = nil
        for c in cleanCases + noisyCases {
            let r = try c.render()
            let t = r.realised
            let v = try candorVoice(r.samples, r.sampleRate).report()
            let w = try candorVoice(r.samples, r.sampleRate, settings: off).report()
            let path = try writeTemp(r)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let p = try praatVoice(path)
            func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "null" }
            func h(_ x: Double?) -> String { x.map { String(format: "%.1f", $0) } ?? "null" }
            print(
                "| \(Int(c.f0)) | \(c.jitter * 100)% | \(c.snr.map { "\(Int($0)) dB" } ?? "clean") | \(f(t.jitterLocal)) | \(f(v.jitterLocal)) | \(f(w.jitterLocal)) | \(f(p["jitter_local"])) | \(f(t.shimmerLocal)) | \(f(v.shimmerLocal)) | \(f(p["shimmer_local"])) | \(h(v.hnrDB)) | \(h(p["hnr_db"])) |"
            )
        }
    }

    @Test func realTable() throws {
        let keys = ["pulses"] + jitterKeys + shimmerKeys + ["hnr_db"]
        print("| clip | " + keys.joined(separator: " | ") + " |")
        print("|---|" + keys.map { _ in "---" }.joined(separator: "|") + "|")
        for clip in realClips {
            let (x, fs) = try readAll(clip)
            let v = try jsonValues(try candorVoice(x, fs).report())
            let p = try praatVoice(clip)
            var row = "| " + (clip as NSString).lastPathComponent.suffix(8) + " |"
            for k in keys {
                let c = (v[k] as? Double) ?? Double(v[k] as? Int ?? 0)
                let digits = k == "hnr_db" ? "%.2f" : (k == "pulses" ? "%.0f" : (k == "jitter_local_abs_s" ? "%.2e" : "%.4f"))
                row += " " + String(format: digits, c) + " / " + String(format: digits, p[k] ?? .nan) + " |"
            }
            print(row)
        }
    }
}
