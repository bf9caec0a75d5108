import Foundation
import Testing

/// A model made with `candor train` is applied by `candor analyze` when it is in the models
/// folder (not listed and silently ignored), and `train` refuses verdict targets as usage errors.
@Suite struct TrainedModelTests {
    /// A labelled table over two segment features, 12 speakers × 8 rows.
    func writeTable(_ path: String) throws {
        var rows = ["id,speaker,group,label,f0_mean_st,pause_ratio"]
        var state: UInt64 = 7
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for s in 0..<12 {
            for k in 0..<8 {
                let label = k % 2
                rows.append("r\(s)-\(k),spk\(s),g,\(label),\(uniform() * 4 + Double(label)),\(uniform() * 0.3)")
            }
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func analyzeAppliesATrainedModelToAnswers() throws {
        let dir = tempDir("candor-trained")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeTable(dir + "/t.csv")
        let models = dir + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        for f in ["baseline-deviation.json", "baseline-deviation.md", "interview-quality.json", "interview-quality.md"] {
            try FileManager.default.copyItem(atPath: Paths.packageRoot.appendingPathComponent("models/" + f).path, toPath: models + "/" + f)
        }
        let train = try candor(
            "train", "--table", "t.csv", "--out", "models/condition-model.json", "--id", "condition-model",
            "--target", "condition", "--bootstrap", "50", "--permutations", "50", cwd: dir)
        #expect(train.status == 0, "\(train.stderr)")
        // The flag states its error rate: measured on out-of-fold scores, in the output, file and card.
        #expect(train.stdout.contains("false-flag rate") && train.stdout.contains("out of fold"), "\(train.stdout)")
        let file =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: models + "/condition-model.json")))
            as! [String: Any]
        let rates = try #require((file["calibration"] as? [String: Any])?["out_of_fold_flag_rates"] as? [String: Any])
        let ffr = try #require(rates["false_flag_rate"] as? [String: Any])
        #expect((ffr["total"] as? Int) == 48 && (ffr["ci_high"] as? Double) != nil)
        let card = try String(contentsOfFile: models + "/condition-model.md", encoding: .utf8)
        #expect(card.contains("Flag error rate") && card.contains("label-0 rows"))
        let an = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
            "--segments", Paths.sample("interview.segments.csv"), "--out", dir + "/a.json", env: ["CANDOR_MODELS": models])
        #expect(an.status == 0, "\(an.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/a.json"))) as! [String: Any]
        let scores = (doc["scores"] as? [[String: Any]]) ?? []
        let trained = scores.filter { ($0["model"] as? String) == "condition-model" }
        let segments = (doc["segments"] as? [[String: Any]]) ?? []
        let answers = segments.filter { ($0["role"] as? String) == "answer" }
        #expect(!answers.isEmpty)
        #expect(trained.count == answers.count, "\(trained.count) trained scores for \(answers.count) answers")
        for score in trained {
            let ev = try #require(score["evidence"] as? [String: Any], "a trained score without its error rate")
            #expect((ev["baseline_n"] as? Int) == 0)
            let measured = try #require(ev["measured_false_flag_rate"] as? [String: Any])
            #expect((measured["scored"] as? Int) == 48 && (measured["source"] as? String)?.contains("out-of-fold") == true)
            #expect(((ev["ppv"] as? [String: Any])?["text"] as? String)?.contains("PPV") == true)
        }
        #expect((doc["models_note"] as? String)?.contains("condition-model") == true)
    }

    @Test func verdictTargetsAndMissingFoldersAreUsageErrors() throws {
        let dir = tempDir("candor-trained")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeTable(dir + "/t.csv")
        for target in ["deception", "deceptive", "honesty"] {
            let r = try candor("train", "--table", "t.csv", "--out", "m.json", "--target", target, cwd: dir)
            #expect(r.status == 2, "\(target): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("--target"), "\(r.stderr)")
        }
        let r = try candor("train", "--table", "t.csv", "--out", "nodir/m.json", "--target", "condition", cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("nodir/m.json") && r.stderr.contains("folder nodir"), "\(r.stderr)")
    }
}
