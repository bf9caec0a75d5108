import CandorCore
import CandorModels
import CandorTestSupport
import Foundation
import Synchronization
import Testing

/// Where Debian's fillets-ng-data-cs and fillets-ng-data-nl put the game's spoken lines.
let filletsSound = "/usr/share/games/fillets-ng/sound"

/// The held-out real-speech check of the baseline-deviation flags, on speech that no version of
/// the model was tuned on: the dialogue of Fish Fillets NG (Debian fillets-ng-data-cs and
/// fillets-ng-data-nl; four speakers, Czech and Dutch actors), built into mock interviews by
/// samples/flags/make_fillets_sets.py. The set was fixed before the 2.1.0 change was measured on
/// it, and measured once. `scripts/setup-test.sh` installs the packages; without them the test
/// is skipped and says so.
///
/// Every line's features are measured on its own, so one analysed interview per speaker serves
/// several baselines: rotation r takes lines 5r+1…5r+5 as the baseline and scores the other 25
/// (neutral for the null rate; altered copies of the same lines for sensitivity).
@Suite(
    .serialized,
    .enabled(
        if: FileManager.default.fileExists(atPath: filletsSound + "/airplane/cs")
            && FileManager.default.fileExists(atPath: filletsSound + "/airplane/nl"),
        "Fish Fillets NG dialogue (Debian fillets-ng-data-cs, fillets-ng-data-nl) not installed under /usr/share/games/fillets-ng/sound: run scripts/setup-test.sh"
    ))
struct HeldOutFlagTests {
    static let sound = filletsSound
    static let lines = 30, rotations = 6

    @Test func nullRateAndSensitivityOnNewSpeakers() throws {
        let dir = tempDir("candor-fillets")
        let build = try run(
            "/usr/bin/env",
            [
                "python3", Paths.packageRoot.appendingPathComponent("samples/flags/make_fillets_sets.py").path, Self.sound, dir,
                "--chunks", String(Self.lines),
            ])
        try #require(build.status == 0, "make_fillets_sets.py failed: \(build.stderr)")
        let wavs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wav") }.sorted()
        try #require(wavs.count == 8, "\(wavs)")
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: wavs.count) { i in
            let stem = String(wavs[i].dropLast(4))
            let r = try? run(
                Paths.candor,
                [
                    "analyze", "\(dir)/\(wavs[i])", "--roles", "interviewer,interviewee", "--segments", "\(dir)/\(stem).segments.csv",
                    "--out", "\(dir)/\(stem).analysis.json", "--quiet", "--threads", "1",
                ])
            if r?.status != 0 { failures.withLock { $0.append("\(wavs[i]): \(r?.stderr ?? "did not run")") } }
        }
        try #require(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")

        let model = try ModelRegistry.load(directory: Paths.packageRoot.appendingPathComponent("models").path).baselineDeviation()
        var nullInterviews: [CalibrationInterview] = [], shiftInterviews: [CalibrationInterview] = []
        for speaker in ["cs-m", "cs-v", "nl-m", "nl-v"] {
            let neutral = try answerFeatures("\(dir)/null-\(speaker).analysis.json")
            let altered = try answerFeatures("\(dir)/shift-\(speaker).analysis.json").filter { !$0.key.hasPrefix("N") }
            try #require(neutral.count == Self.lines && altered.count == Self.lines, "\(speaker): \(neutral.count), \(altered.count)")
            for r in 0..<Self.rotations {
                let inBase = Set((5 * r + 1...5 * r + 5).map { String(format: "%02d", $0) })
                let base = neutral.filter { inBase.contains(String($0.key.dropFirst())) }.sorted { $0.key < $1.key }
                    .map { seg($0.value, "\(speaker)-r\(r)", $0.key, .baseline) }
                let nulls = neutral.filter { !inBase.contains(String($0.key.dropFirst())) }.sorted { $0.key < $1.key }
                    .map { seg($0.value, "\(speaker)-r\(r)", $0.key, .answer) }
                let shifted = altered.filter { !inBase.contains(String($0.key.dropFirst())) }.sorted { $0.key < $1.key }
                    .map { seg($0.value, "\(speaker)-r\(r)", $0.key, .answer) }
                nullInterviews.append(labelled("null-\(speaker)-r\(r)", base + nulls))
                shiftInterviews.append(labelled("shift-\(speaker)-r\(r)", base + shifted))
            }
        }
        let null = NullCalibration.run(model: model, interviews: nullInterviews, baselineSizes: [3, 5])
        print("[flags] held-out Fish Fillets NG (4 speakers × \(Self.rotations) baselines), null set:\n\(null.renderText())")
        let three = try #require(null.rows.first { $0.baselineSize == 3 }), five = try #require(null.rows.first { $0.baselineSize == 5 })
        #expect((three.falseFlagRate.rate ?? 1) <= 0.05, "n = 3: \(three.falseFlagRate.count)/\(three.falseFlagRate.total)")
        // Known failure of 2.1.0, measured once on this set (model card, "Metrics"): 41/600 = 6.8% at n = 5,
        // nearly all on f0_mean_st (the mean pitch of acted lines varies with a heavy tail). Kept visible, not tuned away.
        withKnownIssue("held-out null rate at 5 baseline answers exceeds alpha (f0_mean_st on acted dialogue)", isIntermittent: true) {
            #expect((five.falseFlagRate.rate ?? 1) <= 0.05, "n = 5: \(five.falseFlagRate.count)/\(five.falseFlagRate.total)")
        }
        #expect(
            (five.falseFlagRate.rate ?? 1) <= 0.08, "n = 5: \(five.falseFlagRate.count)/\(five.falseFlagRate.total), worse than measured")
        #expect((five.scoredShare ?? 0) >= 0.90, "n = 5: scored \(five.scoredShare ?? 0)")
        let cues = Dictionary(grouping: null.answers.filter(\.flagged).flatMap(\.topCues), by: { $0 }).mapValues(\.count)
        print("[flags] held-out false flags by cue (n = 3 and 5): \(cues.sorted { $0.key < $1.key })")

        let shift = NullCalibration.run(model: model, interviews: shiftInterviews, baselineSizes: [3, 5])
        for size in [5, 3] {
            let neutralValues = null.answers.filter { $0.baselineSize == size }.compactMap(\.value)
            for (prefix, name, bar) in [("I", "intense", 0.90), ("M", "moderate", 0.75)] {
                let altered = shift.answers.filter { $0.baselineSize == size && $0.label.hasPrefix(prefix) }
                let pos = altered.compactMap(\.value)
                let auc = try Metrics.rocAUC(
                    labels: [Int](repeating: 1, count: pos.count) + [Int](repeating: 0, count: neutralValues.count),
                    scores: pos + neutralValues)
                print(
                    "[flags] held-out \(name), n = \(size): AUC \(String(format: "%.3f", auc)) over \(pos.count) altered vs "
                        + "\(neutralValues.count) neutral answers; flagged \(altered.filter(\.flagged).count)/\(altered.count)")
                guard size == 5 else { continue }
                if name == "moderate" {
                    // Known failure of 2.1.0 on this set: AUC 0.73 (model card); the bar stays visible.
                    withKnownIssue("held-out moderate-change AUC below 0.75", isIntermittent: true) {
                        #expect(auc >= bar, "\(name), n = 5: AUC \(auc)")
                    }
                    #expect(auc >= 0.70, "\(name), n = 5: AUC \(auc), worse than measured")
                } else {
                    #expect(auc >= bar, "\(name), n = 5: AUC \(auc)")
                }
            }
        }
    }

    /// label → features of the interviewee's baseline and answer segments of one analysis JSON.
    func answerFeatures(_ path: String) throws -> [String: [String: Double?]] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var out: [String: [String: Double?]] = [:]
        for s in (root["segments"] as? [[String: Any]]) ?? [] where ["baseline", "answer"].contains(s["role"] as? String ?? "") {
            var f: [String: Double?] = [:]
            for (k, v) in (s["features"] as? [String: Any]) ?? [:] { f[k] = (v as? NSNumber)?.doubleValue }
            out[s["label"] as? String ?? ""] = f
        }
        return out
    }

    func seg(_ features: [String: Double?], _ speaker: String, _ label: String, _ role: SegmentRole) -> SegmentFeatures {
        SegmentFeatures(id: "\(speaker)-\(label)", speaker: speaker, role: role, features: features)
    }

    func labelled(_ source: String, _ segments: [SegmentFeatures]) -> CalibrationInterview {
        CalibrationInterview(
            source: source, segments: segments,
            labels: Dictionary(uniqueKeysWithValues: segments.map { ($0.id, String($0.id.split(separator: "-").last ?? "")) }))
    }
}
