import Foundation
import Testing
@testable import CandorModels

@Suite struct TrainingTests {
    /// Synthetic logistic data with known weights.
    static func synthetic(n: Int, weights: [Double], intercept: Double, seed: UInt64) -> (x: [[Double]], y: [Int]) {
        var rng = SeededGenerator(seed: seed)
        var x: [[Double]] = []
        var y: [Int] = []
        for _ in 0..<n {
            let row = weights.map { _ in Fixture.normal(&rng) }
            let eta = intercept + zip(weights, row).reduce(0) { $0 + $1.0 * $1.1 }
            x.append(row)
            y.append(Fixture.uniform(&rng) < LogisticRegression.sigmoid(eta) ? 1 : 0)
        }
        return (x, y)
    }

    @Test func recoversKnownWeights() {
        let truth = [1.5, -2.0, 0.5]
        let (x, y) = Self.synthetic(n: 20000, weights: truth, intercept: -0.3, seed: 11)
        let fit = LogisticRegression.fit(x: x, y: y, c: 1e6)
        #expect(fit.converged)
        for (w, t) in zip(fit.weights, truth) { #expect(abs(w - t) < 0.08, "weight \(w) vs true \(t)") }
        #expect(abs(fit.intercept - -0.3) < 0.08)
    }

    @Test(arguments: [0.05, 1.0, 100.0])
    func matchesScikitLearnLogisticRegression(c: Double) throws {
        let (x, y) = Self.synthetic(n: 300, weights: [0.8, -0.4, 0.0, 1.2], intercept: 0.2, seed: 5)
        let dir = try Fixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("lr.csv")
        var text = "label,x1,x2,x3,x4\n"
        for (row, label) in zip(x, y) { text += "\(label)," + row.map { "\($0)" }.joined(separator: ",") + "\n" }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let ref = try Fixture.sklearn(["logistic", csv.path, "\(c)"])
        let fit = LogisticRegression.fit(x: x, y: y, c: c)
        #expect(fit.converged)
        #expect(abs(fit.intercept - (ref["intercept"] as! Double)) < 1e-6)
        for (w, r) in zip(fit.weights, ref["coef"] as! [Double]) { #expect(abs(w - r) < 1e-6, "weight \(w) vs sklearn \(r)") }
    }

    static func table(speakers: Int = 24, perSpeaker: Int = 10, seed: UInt64 = 3) -> LabelledTable {
        var rng = SeededGenerator(seed: seed)
        var text = "id,speaker,group,label,a,b,noise\n"
        for s in 0..<speakers {
            let offset = Fixture.normal(&rng) * 0.3
            for k in 0..<perSpeaker {
                let a = Fixture.normal(&rng), b = Fixture.normal(&rng), noise = Fixture.normal(&rng)
                let eta = 1.2 * a - 0.8 * b + offset
                let label = Fixture.uniform(&rng) < LogisticRegression.sigmoid(eta) ? 1 : 0
                text += "s\(s)-\(k),s\(s),\(s % 2 == 0 ? "f" : "m"),\(label),\(a),\(b),\(noise)\n"
            }
        }
        return try! LabelledTable.parse(text, path: "synthetic.csv")
    }

    @Test func trainsWithSpeakerGroupedFoldsAndEmbedsEvaluation() throws {
        let table = Self.table()
        var options = TrainingOptions()
        options.evaluation.bootstrapReplicates = 200
        options.evaluation.permutations = 200
        let model = try Trainer.train(table, options: options)
        let w = Dictionary(uniqueKeysWithValues: model.features.map { ($0.name, $0.weight!) })
        #expect(w["a"]! > 0.5 && w["b"]! < -0.3 && abs(w["noise"]!) < 0.3, "\(w)")
        let eval = try #require(model.evaluation)
        #expect(eval.n == 240 && eval.speakers == 24)
        #expect(eval.auc > 0.7)
        #expect(eval.aucCI95 != nil)
        // Every speaker sits in exactly one fold, and there are 5 folds.
        let folds = try #require(model.training?.foldOfSpeaker)
        #expect(folds.count == 24 && Set(folds.values) == [1, 2, 3, 4, 5])

        // Deterministic: same input and seed → same bytes, and the file loads back.
        let again = try Trainer.train(table, options: options)
        #expect(try model.encoded() == again.encoded())
        let loaded = try LoadedModel.load(data: model.encoded(), path: "trained.json")
        let scorer = try LogisticModel(loaded)
        let rows = try scorer.score(table: table)
        #expect(try Metrics.rocAUC(labels: rows.map(\.label), scores: rows.map(\.score)) >= eval.auc - 0.05)
    }

    @Test func outOfFoldScoresComeFromModelsThatNeverSawTheSpeaker() throws {
        let table = Self.table(speakers: 6, perSpeaker: 12)
        var options = TrainingOptions()
        options.folds = 3
        let (scores, folds) = try Trainer.crossValidate(table, options: options)
        // Refit by hand for the fold of speaker s0 and compare its scores.
        let f = folds["s0"]!
        let train = table.speakers.indices.filter { folds[table.speakers[$0]] != f }
        let test = table.speakers.indices.filter { table.speakers[$0] == "s0" }
        let (fit, mean, scale) = Trainer.fitRows(table, rows: train, c: options.c)
        for i in test {
            var eta = fit.intercept
            for j in 0..<3 { eta += fit.weights[j] * (table.rows[i][j]! - mean[j]) / scale[j] }
            #expect(abs(scores[i] - LogisticRegression.sigmoid(eta)) < 1e-12)
        }
    }

    @Test func refusesOneSpeakerAndVerdictTargets() throws {
        let one = try LabelledTable.parse("id,speaker,group,label,a\n1,s,g,0,1\n2,s,g,1,2\n", path: "one.csv")
        #expect(throws: ModelInputError.self) { try Trainer.train(one, options: TrainingOptions()) }
        var options = TrainingOptions()
        options.target = "deceptive"
        #expect(throws: ModelInputError.self) { try Trainer.train(Self.table(), options: options) }
    }
}

@Suite struct AnalysisTableTests {
    @Test func buildsTheTableFromAnalysisSegmentsAndLabels() throws {
        let dir = try Fixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let analyses = dir.appendingPathComponent("analyses")
        try FileManager.default.createDirectory(at: analyses, withIntermediateDirectories: true)
        let doc1 = """
            {"schema": "candor.analysis/1", "segments": [
              {"id": "s1", "speaker": "interviewee", "role": "answer", "start": 0, "end": 2,
               "features": {"f0_mean_st": 11.5, "pause_ratio": 0, "voice": {"jitter_local": 0.012}, "voiced": true, "note": "x"}},
              {"id": "s2", "speaker": "interviewee", "role": "answer", "start": 3, "end": 5,
               "features": {"f0_mean_st": 1, "pause_ratio": null}}]}
            """
        let doc2 = #"{"schema": "candor.analysis/1", "segments": [{"id": "a", "features": {"f0_mean_st": 9.25}}]}"#
        try doc1.write(to: analyses.appendingPathComponent("int01.analysis.json"), atomically: true, encoding: .utf8)
        try doc2.write(to: analyses.appendingPathComponent("int02.json"), atomically: true, encoding: .utf8)
        let labels = dir.appendingPathComponent("labels.csv")
        try "id,speaker,group,label\nint01/s1,p1,f,1\nint01/s2,p1,f,0\nint02/a,p2,m,0\n".write(
            to: labels, atomically: true, encoding: .utf8)

        let t = try AnalysisTable.table(analysesDirectory: analyses.path, labelsPath: labels.path)
        #expect(t.featureNames == ["f0_mean_st", "pause_ratio", "voice.jitter_local"])
        #expect(t.ids == ["int01/s1", "int01/s2", "int02/a"])
        #expect(t.speakers == ["p1", "p1", "p2"])
        #expect(t.labels == [1, 0, 0])
        // 0 and 1 stay numbers; booleans and strings are dropped; null and absent are missing.
        #expect(t.rows == [[11.5, 0, 0.012], [1, nil, nil], [9.25, nil, nil]])

        try "id,speaker,group,label\nint01/zz,p1,f,1\n".write(to: labels, atomically: true, encoding: .utf8)
        #expect(throws: ModelInputError.self) { try AnalysisTable.table(analysesDirectory: analyses.path, labelsPath: labels.path) }
        do {
            _ = try AnalysisTable.table(analysesDirectory: analyses.path, labelsPath: labels.path)
        } catch let e as ModelInputError {
            #expect(e.description.hasPrefix(labels.path + ":2: no segment 'int01/zz'"))
        }
    }
}
