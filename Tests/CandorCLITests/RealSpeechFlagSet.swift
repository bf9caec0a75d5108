import CandorCore
import CandorModels
import CandorTestSupport
import Foundation
import Synchronization
import Testing

/// One real-speech null and shift set for the baseline-deviation flags, as built by
/// samples/flags/make_fillets_sets.py or make_prompt_sets.py (per speaker: null-<spk> with 30
/// neutral lines N01…N30, shift-<spk> with the same lines altered, I = intense, M = moderate),
/// analysed with `candor analyze` and scored with the shipped model.
///
/// Every line's features are measured on its own, so one analysed interview per speaker serves
/// several baselines: rotation r takes lines 5r+1…5r+5 as the baseline and scores the other
/// lines (neutral for the null rate; altered copies of the same lines for sensitivity).
struct RealSpeechFlagSet {
    var name: String
    var builder: String
    var sound: String
    var speakers: [String]
    var lines = 30
    var rotations = 6

    struct Figures {
        var null: CalibrationReport
        /// Index AUC and flagged/total, by (baseline size, "intense" | "moderate").
        var auc: [String: Double] = [:]
        var flagged: [String: (Int, Int)] = [:]
        func row(_ size: Int) -> CalibrationRow? { null.rows.first { $0.baselineSize == size } }
    }

    func measure() throws -> Figures {
        let dir = tempDir("candor-\(name)")
        let build = try run(
            "/usr/bin/env",
            [
                "python3", Paths.packageRoot.appendingPathComponent("samples/flags/\(builder)").path, sound, dir,
                "--chunks", String(lines),
            ])
        try #require(build.status == 0, "\(builder) failed: \(build.stderr)")
        let wavs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wav") }.sorted()
        try #require(wavs.count == 2 * speakers.count, "\(wavs)")
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
        for speaker in speakers {
            let neutral = try answerFeatures("\(dir)/null-\(speaker).analysis.json")
            let altered = try answerFeatures("\(dir)/shift-\(speaker).analysis.json").filter { !$0.key.hasPrefix("N") }
            try #require(neutral.count == lines && altered.count == lines, "\(speaker): \(neutral.count), \(altered.count)")
            for r in 0..<rotations {
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
        var figures = Figures(null: NullCalibration.run(model: model, interviews: nullInterviews, baselineSizes: [3, 5]))
        print("[flags] \(name) (\(speakers.count) speakers × \(rotations) baselines), null set:\n\(figures.null.renderText())")
        let cues = Dictionary(grouping: figures.null.answers.filter(\.flagged).flatMap(\.topCues), by: { $0 }).mapValues(\.count)
        print("[flags] \(name) false flags by cue (n = 3 and 5): \(cues.sorted { $0.key < $1.key })")

        let shift = NullCalibration.run(model: model, interviews: shiftInterviews, baselineSizes: [3, 5])
        for size in [5, 3] {
            let neutralValues = figures.null.answers.filter { $0.baselineSize == size }.compactMap(\.value)
            for (prefix, kind) in [("I", "intense"), ("M", "moderate")] {
                let altered = shift.answers.filter { $0.baselineSize == size && $0.label.hasPrefix(prefix) }
                let pos = altered.compactMap(\.value)
                let auc = try Metrics.rocAUC(
                    labels: [Int](repeating: 1, count: pos.count) + [Int](repeating: 0, count: neutralValues.count),
                    scores: pos + neutralValues)
                figures.auc["\(size) \(kind)"] = auc
                figures.flagged["\(size) \(kind)"] = (altered.filter(\.flagged).count, altered.count)
                print(
                    "[flags] \(name) \(kind), n = \(size): AUC \(String(format: "%.3f", auc)) over \(pos.count) altered vs "
                        + "\(neutralValues.count) neutral answers; flagged \(altered.filter(\.flagged).count)/\(altered.count)")
            }
        }
        return figures
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
