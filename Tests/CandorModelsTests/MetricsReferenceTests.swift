import Foundation
import Testing
@testable import CandorModels

/// Candor's metrics against scikit-learn on the same CSV files, to 1e-9.
@Suite struct MetricsReferenceTests {
    static func dataset(_ name: String) -> [ScoredRow] {
        var rng = SeededGenerator(seed: name.utf8.reduce(UInt64(7)) { $0 &* 31 &+ UInt64($1) })
        func rows(_ n: Int, speakers: Int, _ score: (inout SeededGenerator, Int) -> Double) -> [ScoredRow] {
            (0..<n).map { i in
                let label = Fixture.uniform(&rng) < 0.4 ? 1 : 0
                let s = score(&rng, label)
                return ScoredRow(id: "r\(i)", speaker: "spk\(i % speakers)", group: ["f", "m", "x"][i % 3], label: label, score: s)
            }
        }
        switch name {
        case "random":
            return rows(250, speakers: 25) { rng, y in min(1, max(0, 0.5 + 0.15 * Double(y) + 0.2 * Fixture.normal(&rng))) }
        case "ties":
            return rows(120, speakers: 12) { rng, y in [0, 0.25, 0.5, 0.75, 1][min(4, rng.int(below: 4) + y)] }
        case "constant":
            return rows(40, speakers: 8) { _, _ in 0.5 }
        case "bin-edges":
            return rows(90, speakers: 9) { rng, _ in
                let i = rng.int(below: 16)
                return rng.int(below: 2) == 0 ? Double(i) * (1.0 / 15.0) : Double(i) / 15.0
            }
        case "one-speaker":
            return rows(30, speakers: 1) { rng, y in Fixture.uniform(&rng) * 0.7 + 0.3 * Double(y) }
        case "separable":
            return rows(50, speakers: 10) { rng, y in Double(y) * 0.5 + Fixture.uniform(&rng) * 0.49 }
        default:
            fatalError("unknown dataset")
        }
    }

    @Test(arguments: ["random", "ties", "constant", "bin-edges", "one-speaker", "separable"])
    func matchesScikitLearn(name: String) throws {
        let rows = Self.dataset(name)
        #expect(Set(rows.map(\.label)).count == 2)
        let dir = try Fixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("\(name).csv")
        try Fixture.writeScores(rows, to: csv)
        let ref = try Fixture.sklearn(["metrics", csv.path])
        // Read the CSV back the way `candor evaluate` does.
        let parsed = try ScoresTable.read(path: csv.path)
        #expect(parsed == rows)
        var options = EvaluationOptions()
        options.bootstrapReplicates = 200
        options.permutations = 200
        let report = try Evaluator.evaluate(parsed, options: options)

        let tol = 1e-9
        #expect(abs(report.auc - (ref["auc"] as! Double)) < tol, "AUC \(report.auc) vs sklearn \(ref["auc"]!)")
        #expect(abs(report.uar - (ref["uar"] as! Double)) < tol, "UAR \(report.uar) vs sklearn \(ref["uar"]!)")
        #expect(abs(report.brier - (ref["brier"] as! Double)) < tol, "Brier \(report.brier) vs sklearn \(ref["brier"]!)")
        #expect(abs(report.ece - (ref["ece"] as! Double)) < tol, "ECE \(report.ece) vs reference \(ref["ece"]!)")

        let refBins = ref["reliability"] as! [[String: Any]]
        let ours = report.reliability.filter { $0.n > 0 }
        #expect(ours.count == refBins.count)
        for (a, b) in zip(ours, refBins) {
            #expect(a.bin == b["bin"] as! Int)
            #expect(a.n == b["n"] as! Int)
            #expect(abs(a.meanScore! - (b["mean_score"] as! Double)) < tol)
            #expect(abs(a.observedRate! - (b["observed_rate"] as! Double)) < tol)
        }

        let refGroups = ref["per_group"] as! [String: [String: Any]]
        #expect(refGroups.count == report.perGroup.groups.count)
        for g in report.perGroup.groups {
            let r = try #require(refGroups[g.group])
            if r["error"] != nil {
                #expect(g.auc == nil && g.uar == nil)
            } else {
                #expect(abs(g.auc! - (r["auc"] as! Double)) < tol)
                #expect(abs(g.uar! - (r["uar"] as! Double)) < tol)
                #expect(abs(g.brier - (r["brier"] as! Double)) < tol)
            }
        }

        // Every contract key is in the JSON, with null where a value does not exist.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        for key in [
            "n", "speakers", "auc", "auc_ci95", "uar", "uar_ci95", "majority_baseline", "permutation_p", "brier", "ece",
            "reliability", "per_group", "ppv_npv_at_base_rate",
        ] {
            #expect(json.keys.contains(key), "missing \(key)")
        }
        #expect((json["reliability"] as! [[String: Any]]).allSatisfy { $0.keys.contains("mean_score") })
        #expect(try JSONDecoder().decode(EvaluationReport.self, from: JSONEncoder().encode(report)) == report)
        if name == "one-speaker" {
            #expect(json["auc_ci95"] is NSNull)
            #expect(report.speakers == 1)
            #expect(report.aucCI95 == nil && report.uarCI95 == nil)
            #expect(report.notes.contains { $0.contains("only one speaker") })
        } else {
            let ci = try #require(report.aucCI95)
            #expect(ci[0] <= report.auc + 1e-12 && report.auc - 1e-12 <= ci[1] || name == "constant")
        }
        if name == "separable" {
            #expect(report.auc == 1)
            #expect(report.permutationP < 0.01)
        }
        if name == "constant" { #expect(report.auc == 0.5) }
    }

    @Test func oneClassMissingIsAClearErrorLikeScikitLearn() throws {
        let rows = (0..<10).map { ScoredRow(id: "r\($0)", speaker: "s\($0 % 3)", group: "g", label: 1, score: Double($0) / 10) }
        let dir = try Fixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("oneclass.csv")
        try Fixture.writeScores(rows, to: csv)
        let ref = try Fixture.sklearn(["metrics", csv.path])
        #expect(ref["error"] != nil, "scikit-learn refuses AUC with one class")
        #expect(throws: MetricError.oneClassOnly(label: 1)) { try Evaluator.evaluate(rows) }
        #expect(MetricError.oneClassOnly(label: 1).description.contains("both classes"))
    }

    @Test func predictiveValuesFollowBayesRule() {
        // The claims-policy example: 70% sensitive, 70% specific, 10% base rate → right about 1 in 5.
        let r = Metrics.ppvNpv(sensitivity: 0.7, specificity: 0.7, baseRate: 0.1)
        #expect(abs(r.ppv! - 0.07 / 0.34) < 1e-12)
        #expect(abs(r.npv! - 0.63 / 0.66) < 1e-12)
        #expect(abs(r.ppv! - 0.2) < 0.01)
    }

    @Test func percentileMatchesNumPyLinear() {
        // numpy.percentile([1, 2, 4, 8], [2.5, 50, 97.5]) = 1.075, 3.0, 7.7
        let s = [1.0, 2, 4, 8]
        #expect(abs(Metrics.percentile(s, 0.025) - 1.075) < 1e-12)
        #expect(abs(Metrics.percentile(s, 0.5) - 3.0) < 1e-12)
        #expect(abs(Metrics.percentile(s, 0.975) - 7.7) < 1e-12)
    }

    @Test func evaluationIsDeterministicForASeed() throws {
        let rows = Self.dataset("random")
        let a = try Evaluator.evaluate(rows)
        let b = try Evaluator.evaluate(rows)
        #expect(a == b)
        var other = EvaluationOptions()
        other.seed = 1
        let c = try Evaluator.evaluate(rows, options: other)
        #expect(c.aucCI95 != a.aucCI95)
        #expect(c.auc == a.auc)
    }
}

@Suite struct RankedScoresTests {
    @Test func weightedAUCEqualsAUCOfTheRepeatedRows() throws {
        var rng = SeededGenerator(seed: 99)
        let n = 200
        let labels = (0..<n).map { _ in rng.int(below: 3) == 0 ? 1 : 0 }
        let scores = (0..<n).map { _ in Double(rng.int(below: 20)) / 19 }  // many ties
        let ranked = RankedScores(scores)
        #expect(abs(ranked.auc(labels: labels)! - (try Metrics.rocAUC(labels: labels, scores: scores))) < 1e-12)
        for _ in 0..<20 {
            let m = (0..<n).map { _ in rng.int(below: 3) }
            var ys: [Int] = [], ss: [Double] = [], preds: [Int] = []
            for i in 0..<n { for _ in 0..<m[i] { ys.append(labels[i]); ss.append(scores[i]); preds.append(scores[i] >= 0.5 ? 1 : 0) } }
            #expect(abs(ranked.auc(labels: labels, multiplicity: m)! - (try Metrics.rocAUC(labels: ys, scores: ss))) < 1e-12)
            let u = Metrics.balancedAccuracy(labels: labels, predictions: Metrics.predictions(scores, threshold: 0.5), multiplicity: m)!
            #expect(abs(u - (try Metrics.balancedAccuracy(labels: ys, predictions: preds))) < 1e-12)
        }
        #expect(ranked.auc(labels: labels, multiplicity: labels.map { $0 }) == nil)  // positives only
    }
}

@Suite struct PermutationTests {
    @Test func speakerLevelLabelsArePermutedBySpeaker() throws {
        // 6 speakers, one label each, scores separate them perfectly: with whole speakers
        // permuted only 1 of C(6,3) = 20 labellings reaches AUC 1, so p ≈ 1/20, whereas
        // row-level shuffling would claim p ≈ 0.001.
        var rows: [ScoredRow] = []
        for s in 0..<6 {
            for k in 0..<10 {
                rows.append(
                    ScoredRow(
                        id: "\(s)-\(k)", speaker: "s\(s)", group: "g", label: s < 3 ? 1 : 0,
                        score: (s < 3 ? 0.6 : 0.1) + Double(k) / 100))
            }
        }
        var options = EvaluationOptions()
        options.permutations = 2000
        let r = try Evaluator.evaluate(rows, options: options)
        #expect(r.auc == 1)
        #expect(r.resampling.permutationUnit == "speaker")
        #expect(abs(r.permutationP - 0.05) < 0.02, "p = \(r.permutationP)")

        // Labels mixed within speakers: row-level, with a note.
        rows[0].label = 0
        let mixed = try Evaluator.evaluate(rows, options: options)
        #expect(mixed.resampling.permutationUnit == "row")
        #expect(mixed.notes.contains { $0.contains("permutation test shuffles labels across rows") })
        #expect(mixed.permutationP < 0.01)
    }
}
