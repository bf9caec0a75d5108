import Foundation
import Testing

/// `candor train`, `candor evaluate` and `candor models` end to end through the executable.
@Suite struct ModelCommandsTests {
    static let verdict = try! NSRegularExpression(
        pattern: #"\b(lie[sd]?|lying|liars?|deceptive|truthful(ness)?|guilt|guilty)\b"#, options: [.caseInsensitive])
    static func hasVerdictWord(_ s: String) -> Bool { verdict.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }

    @Test func trainThenEvaluateOnTheSyntheticSample() throws {
        let dir = tempDir("candor-models")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = Paths.sample("synthetic-features/features.csv")
        let train = try candor(
            "train", "--table", table, "--out", "m.json", "--target", "condition",
            "--scores-out", "oof.csv", "--json", "cv.json", "--bootstrap", "200", "--permutations", "200", cwd: dir)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("ROC AUC") && train.stdout.contains("1 in"))
        for f in ["m.json", "m.md", "oof.csv", "cv.json"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "\(f)") }

        let eval = try candor(
            "evaluate", "--scores", "oof.csv", "--json", "eval.json", "--bootstrap", "200", "--permutations", "200", cwd: dir)
        #expect(eval.status == 0, "\(eval.stderr)")
        // Re-evaluating the out-of-fold scores reproduces the report embedded at training.
        let cv = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/cv.json"))) as! [String: Any]
        let ev = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/eval.json"))) as! [String: Any]
        for key in [
            "n", "speakers", "auc", "auc_ci95", "uar", "uar_ci95", "majority_baseline", "permutation_p", "brier", "ece",
            "reliability", "per_group", "ppv_npv_at_base_rate",
        ] {
            #expect(ev[key] != nil, "missing \(key)")
            #expect((cv[key] as? NSObject) == (ev[key] as? NSObject), "\(key) differs")
        }
        #expect((ev["n"] as? Int) == 384 && (ev["speakers"] as? Int) == 48)
        let model = try String(contentsOfFile: dir + "/m.json", encoding: .utf8)
        let card = try String(contentsOfFile: dir + "/m.md", encoding: .utf8)
        for text in [train.stdout, eval.stdout, model, card] { #expect(!Self.hasVerdictWord(text)) }

        // The model runs on a table; on its own training table the report says it is in-sample.
        let onTable = try candor("evaluate", "--model", "m.json", "--table", table, "--bootstrap", "50", "--permutations", "50", cwd: dir)
        #expect(onTable.status == 0, "\(onTable.stderr)")
        #expect(onTable.stdout.contains("in-sample"))

        // Determinism: training again gives the same model bytes.
        let again = try candor(
            "train", "--table", table, "--out", "m2.json", "--target", "condition",
            "--bootstrap", "200", "--permutations", "200", cwd: dir)
        #expect(again.status == 0)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))
        var b = try String(contentsOfFile: dir + "/m2.json", encoding: .utf8)
        b = b.replacingOccurrences(of: "\"m2.md\"", with: "\"m.md\"")
        #expect(a == Data(b.utf8))
    }

    @Test(arguments: [
        ("id,speaker,group,label,score\na,s1,g,1,0.3\nb,s2,g,0,x\n", "bad.csv:3: score 'x' is not a number"),
        ("id,speaker,group,label,score\na,s1,g,1,0.3\nb,s2,g,1,0.9\n", "bad.csv: only label 1 is present"),
        ("id,speaker,label,score\n", "bad.csv:1: missing column 'group'"),
    ])
    func badScoresExit3NamingFileAndLine(text: String, expected: String) throws {
        let dir = tempDir("candor-models")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let r = try candor("evaluate", "--scores", "bad.csv", "--json", "out.json", cwd: dir)
        #expect(r.status == 3)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.json"))
    }

    @Test func usageErrorsExit2AndUnknownModelVersionsExit3() throws {
        let dir = tempDir("candor-models")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try candor("evaluate", cwd: dir).status == 2)
        #expect(try candor("train", "--out", "x.json", cwd: dir).status == 2)
        try #"{"format_version": 2, "id": "x"}"#.write(toFile: dir + "/future.json", atomically: true, encoding: .utf8)
        try "id,speaker,group,label,a\n1,s,g,0,1\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let r = try candor("evaluate", "--model", "future.json", "--table", "t.csv", cwd: dir)
        #expect(r.status == 3)
        #expect(r.stderr.contains("future.json: unknown format_version 2"))
    }

    @Test func modelsListAndShow() throws {
        let list = try candor("models", "list", "--models", Paths.packageRoot.appendingPathComponent("models").path)
        #expect(list.status == 0)
        #expect(list.stdout.contains("baseline-deviation") && list.stdout.contains("interview-quality"))
        let show = try candor(
            "models", "show", "baseline-deviation", env: ["CANDOR_MODELS": Paths.packageRoot.appendingPathComponent("models").path])
        #expect(show.status == 0)
        #expect(show.stdout.contains("## Limitations") && show.stdout.contains("not trained"))
        #expect(!Self.hasVerdictWord(list.stdout + show.stdout))
        #expect(
            try candor("models", "show", "nope", env: ["CANDOR_MODELS": Paths.packageRoot.appendingPathComponent("models").path]).status
                == 3)
    }
}
