import Foundation

/// One scored, labelled item: a row of `id,speaker,group,label,score`.
public struct ScoredRow: Sendable, Equatable {
    public var id: String
    public var speaker: String
    public var group: String
    public var label: Int
    public var score: Double
    public init(id: String, speaker: String, group: String, label: Int, score: Double) {
        self.id = id
        self.speaker = speaker
        self.group = group
        self.label = label
        self.score = score
    }
}

/// Reads a scores CSV with the header `id,speaker,group,label,score` (extra columns ignored).
public enum ScoresTable {
    public static let required = ["id", "speaker", "group", "label", "score"]

    public static func read(path: String) throws -> [ScoredRow] {
        let records = try CSVReader.read(path: path)
        guard let header = records.first else {
            throw ModelInputError(path: path, "empty file; expected the header id,speaker,group,label,score")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for name in required {
            guard let i = names.firstIndex(of: name) else {
                throw ModelInputError(
                    path: path, line: header.line, "missing column '\(name)'; expected the header id,speaker,group,label,score")
            }
            index[name] = i
        }
        var rows: [ScoredRow] = []
        for r in records.dropFirst() {
            guard r.fields.count == names.count else {
                throw ModelInputError(path: path, line: r.line, "\(r.fields.count) fields, header has \(names.count)")
            }
            func f(_ n: String) -> String { r.fields[index[n]!].trimmingCharacters(in: .whitespaces) }
            let label = try parseLabel(f("label"), path: path, line: r.line)
            guard let score = Double(f("score")), score.isFinite else {
                throw ModelInputError(path: path, line: r.line, "score '\(f("score"))' is not a number")
            }
            guard (0...1).contains(score) else {
                throw ModelInputError(path: path, line: r.line, "score \(score) is outside [0, 1]")
            }
            let speaker = f("speaker")
            guard !speaker.isEmpty else { throw ModelInputError(path: path, line: r.line, "empty speaker") }
            rows.append(ScoredRow(id: f("id"), speaker: speaker, group: f("group"), label: label, score: score))
        }
        guard !rows.isEmpty else { throw ModelInputError(path: path, "no data rows after the header") }
        return rows
    }

    static func parseLabel(_ s: String, path: String, line: Int) throws -> Int {
        switch s {
        case "0", "0.0": return 0
        case "1", "1.0": return 1
        default: throw ModelInputError(path: path, line: line, "label '\(s)' is not 0 or 1")
        }
    }
}

/// Settings for `Evaluator`.
public struct EvaluationOptions: Sendable {
    public var threshold = 0.5
    public var bins = 15
    public var bootstrapReplicates = 1000
    public var permutations = 1000
    public var seed: UInt64 = 20_031_108
    public var baseRates: [Double] = [0.05, 0.10, 0.20, 0.50]
    public init() {}
}

/// The evaluation report (`"schema": "candor.evaluation/1"`). Key names are a contract.
public struct EvaluationReport: Codable, Sendable, Equatable {
    public struct MajorityBaseline: Codable, Sendable, Equatable {
        public var label: Int
        public var accuracy: Double
        public var uar: Double
        public var auc: Double
    }
    public struct GroupResult: Codable, Sendable, Equatable {
        public var group: String
        public var n: Int
        public var speakers: Int
        public var positives: Int
        public var auc: Double?
        public var uar: Double?
        public var brier: Double
        public var note: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(group, forKey: .group)
            try c.encode(n, forKey: .n)
            try c.encode(speakers, forKey: .speakers)
            try c.encode(positives, forKey: .positives)
            try c.encode(auc, forKey: .auc)  // explicit null when undefined
            try c.encode(uar, forKey: .uar)
            try c.encode(brier, forKey: .brier)
            try c.encodeIfPresent(note, forKey: .note)
        }
    }
    public struct Gap: Codable, Sendable, Equatable {
        public var metric: String
        public var gap: Double
        public var highest: String
        public var lowest: String
    }
    public struct PerGroup: Codable, Sendable, Equatable {
        public var groups: [GroupResult]
        public var largestGap: [Gap]
        enum CodingKeys: String, CodingKey {
            case groups
            case largestGap = "largest_gap"
        }
    }
    public struct PredictiveValue: Codable, Sendable, Equatable {
        public var baseRate: Double
        public var ppv: Double?
        public var npv: Double?
        enum CodingKeys: String, CodingKey {
            case baseRate = "base_rate"
            case ppv, npv
        }
    }
    public struct Resampling: Codable, Sendable, Equatable {
        public var unit: String
        public var replicates: Int
        public var usable: Int
        public var permutations: Int
        /// "speaker" (whole speakers' labels shuffled) or "row".
        public var permutationUnit: String
        public var seed: UInt64

        enum CodingKeys: String, CodingKey {
            case unit, replicates, usable, permutations
            case permutationUnit = "permutation_unit"
            case seed
        }
    }

    public var schema = "candor.evaluation/1"
    public var source: String?
    public var n: Int
    public var speakers: Int
    public var positives: Int
    public var negatives: Int
    public var prevalence: Double
    public var threshold: Double
    public var auc: Double
    public var aucCI95: [Double]?
    public var uar: Double
    public var uarCI95: [Double]?
    public var sensitivity: Double
    public var specificity: Double
    public var majorityBaseline: MajorityBaseline
    public var permutationP: Double
    public var brier: Double
    public var ece: Double
    public var eceBins: Int
    public var reliability: [Metrics.ReliabilityBin]
    public var perGroup: PerGroup
    public var ppvNpvAtBaseRate: [PredictiveValue]
    public var resampling: Resampling
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case schema, source, n, speakers, positives, negatives, prevalence, threshold, auc
        case aucCI95 = "auc_ci95"
        case uar
        case uarCI95 = "uar_ci95"
        case sensitivity, specificity
        case majorityBaseline = "majority_baseline"
        case permutationP = "permutation_p"
        case brier, ece
        case eceBins = "ece_bins"
        case reliability
        case perGroup = "per_group"
        case ppvNpvAtBaseRate = "ppv_npv_at_base_rate"
        case resampling, notes
    }

    /// Every key is written; values that do not exist (e.g. a CI with one speaker) are null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(source, forKey: .source)
        try c.encode(n, forKey: .n)
        try c.encode(speakers, forKey: .speakers)
        try c.encode(positives, forKey: .positives)
        try c.encode(negatives, forKey: .negatives)
        try c.encode(prevalence, forKey: .prevalence)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(auc, forKey: .auc)
        try c.encode(aucCI95, forKey: .aucCI95)
        try c.encode(uar, forKey: .uar)
        try c.encode(uarCI95, forKey: .uarCI95)
        try c.encode(sensitivity, forKey: .sensitivity)
        try c.encode(specificity, forKey: .specificity)
        try c.encode(majorityBaseline, forKey: .majorityBaseline)
        try c.encode(permutationP, forKey: .permutationP)
        try c.encode(brier, forKey: .brier)
        try c.encode(ece, forKey: .ece)
        try c.encode(eceBins, forKey: .eceBins)
        try c.encode(reliability, forKey: .reliability)
        try c.encode(perGroup, forKey: .perGroup)
        try c.encode(ppvNpvAtBaseRate, forKey: .ppvNpvAtBaseRate)
        try c.encode(resampling, forKey: .resampling)
        try c.encode(notes, forKey: .notes)
    }
}

/// Computes an `EvaluationReport` from scored rows.
public enum Evaluator {
    public static func evaluate(
        _ rows: [ScoredRow], options: EvaluationOptions = EvaluationOptions(), source: String? = nil
    ) throws -> EvaluationReport {
        guard !rows.isEmpty else { throw MetricError.empty }
        for r in rows where !(0...1).contains(r.score) { throw MetricError.scoreOutOfRange(r.score) }
        let labels = rows.map(\.label)
        let scores = rows.map(\.score)
        let (positives, negatives) = try Metrics.checkBinary(labels)
        let auc = try Metrics.rocAUC(labels: labels, scores: scores)
        let predicted = Metrics.predictions(scores, threshold: options.threshold)
        let uar = try Metrics.balancedAccuracy(labels: labels, predictions: predicted)
        let confusion = Metrics.confusion(labels: labels, predictions: predicted)
        let brier = try Metrics.brier(labels: labels, scores: scores)
        let table = Metrics.reliability(labels: labels, scores: scores, bins: options.bins)
        let speakers = Array(Set(rows.map(\.speaker))).sorted()
        var notes: [String] = []

        // Speaker-level bootstrap: resample speakers with replacement, keep all their rows
        // (row multiplicity = times its speaker was drawn).
        var rng = SeededGenerator(seed: options.seed)
        let ranked = RankedScores(scores)
        let speakerIndex = Dictionary(uniqueKeysWithValues: speakers.enumerated().map { ($1, $0) })
        let speakerOfRow = rows.map { speakerIndex[$0.speaker]! }
        var aucs: [Double] = []
        var uars: [Double] = []
        if speakers.count >= 2 {
            var draws = [Int](repeating: 0, count: speakers.count)
            var multiplicity = [Int](repeating: 0, count: rows.count)
            for _ in 0..<options.bootstrapReplicates {
                for k in draws.indices { draws[k] = 0 }
                for _ in 0..<speakers.count { draws[rng.int(below: speakers.count)] += 1 }
                for i in multiplicity.indices { multiplicity[i] = draws[speakerOfRow[i]] }
                // A resample with one class only has no AUC; it is skipped.
                guard let a = ranked.auc(labels: labels, multiplicity: multiplicity),
                    let u = Metrics.balancedAccuracy(labels: labels, predictions: predicted, multiplicity: multiplicity)
                else { continue }
                aucs.append(a)
                uars.append(u)
            }
        } else {
            notes.append("only one speaker: no speaker-level confidence intervals; results do not generalise beyond this speaker")
        }
        func ci(_ v: [Double]) -> [Double]? {
            guard v.count >= 20 else { return nil }
            let s = v.sorted()
            return [Metrics.percentile(s, 0.025), Metrics.percentile(s, 0.975)]
        }
        if speakers.count >= 2 && aucs.count < 20 {
            notes.append("too few bootstrap resamples contained both classes (\(aucs.count)); confidence intervals omitted")
        }
        if speakers.count < 10 {
            notes.append("fewer than 10 speakers: confidence intervals are wide and unstable")
        }

        // Label permutation test on AUC (one-sided: AUC at least as high as observed). When each
        // speaker has a single label, whole speakers' labels are shuffled (rows of one speaker are
        // not independent); otherwise labels are shuffled across rows.
        var speakerLabel = [Int?](repeating: nil, count: speakers.count)
        var constantWithinSpeaker = true
        for (i, y) in labels.enumerated() {
            let k = speakerOfRow[i]
            if let l = speakerLabel[k], l != y { constantWithinSpeaker = false }
            speakerLabel[k] = y
        }
        let permuteSpeakers = constantWithinSpeaker && speakers.count >= 2
        var permuted = labels
        var permutedSpeakers = speakerLabel.map { $0 ?? 0 }
        var atLeast = 0
        for _ in 0..<options.permutations {
            if permuteSpeakers {
                rng.shuffle(&permutedSpeakers)
                for i in permuted.indices { permuted[i] = permutedSpeakers[speakerOfRow[i]] }
            } else {
                rng.shuffle(&permuted)
            }
            if let a = ranked.auc(labels: permuted), a >= auc - 1e-12 { atLeast += 1 }
        }
        let permutationP = Double(atLeast + 1) / Double(options.permutations + 1)
        if !permuteSpeakers {
            notes.append(
                "labels vary within speakers, so the permutation test shuffles labels across rows; "
                    + "rows of one speaker are not independent, so the p-value can be optimistic")
        }

        let majorityLabel = positives > negatives ? 1 : 0
        let majority = EvaluationReport.MajorityBaseline(
            label: majorityLabel,
            accuracy: Double(max(positives, negatives)) / Double(rows.count), uar: 0.5, auc: 0.5)

        // Per group.
        var groupResults: [EvaluationReport.GroupResult] = []
        let groups = Array(Set(rows.map(\.group))).sorted()
        for g in groups {
            let sub = rows.filter { $0.group == g }
            let ys = sub.map(\.label)
            let ss = sub.map(\.score)
            let a = try? Metrics.rocAUC(labels: ys, scores: ss)
            let u = try? Metrics.balancedAccuracy(labels: ys, predictions: Metrics.predictions(ss, threshold: options.threshold))
            groupResults.append(
                EvaluationReport.GroupResult(
                    group: g, n: sub.count, speakers: Set(sub.map(\.speaker)).count, positives: ys.reduce(0, +),
                    auc: a, uar: u, brier: try Metrics.brier(labels: ys, scores: ss),
                    note: a == nil ? "one class only in this group: AUC and UAR undefined" : nil))
        }
        var gaps: [EvaluationReport.Gap] = []
        for (name, key) in [("auc", \EvaluationReport.GroupResult.auc), ("uar", \EvaluationReport.GroupResult.uar)] {
            let defined = groupResults.compactMap { g in g[keyPath: key].map { (g.group, $0) } }
            guard defined.count >= 2, let hi = defined.max(by: { $0.1 < $1.1 }), let lo = defined.min(by: { $0.1 < $1.1 }) else { continue }
            gaps.append(EvaluationReport.Gap(metric: name, gap: hi.1 - lo.1, highest: hi.0, lowest: lo.0))
        }
        if groups.count < 2 { notes.append("only one group: no per-group comparison is possible") }

        let pv = options.baseRates.map { br -> EvaluationReport.PredictiveValue in
            let r = Metrics.ppvNpv(sensitivity: confusion.sensitivity, specificity: confusion.specificity, baseRate: br)
            return EvaluationReport.PredictiveValue(baseRate: br, ppv: r.ppv, npv: r.npv)
        }

        return EvaluationReport(
            source: source, n: rows.count, speakers: speakers.count, positives: positives, negatives: negatives,
            prevalence: Double(positives) / Double(rows.count), threshold: options.threshold,
            auc: auc, aucCI95: ci(aucs), uar: uar, uarCI95: ci(uars),
            sensitivity: confusion.sensitivity, specificity: confusion.specificity,
            majorityBaseline: majority, permutationP: permutationP,
            brier: brier, ece: Metrics.ece(table), eceBins: options.bins, reliability: table,
            perGroup: EvaluationReport.PerGroup(groups: groupResults, largestGap: gaps),
            ppvNpvAtBaseRate: pv,
            resampling: EvaluationReport.Resampling(
                unit: "speaker", replicates: speakers.count >= 2 ? options.bootstrapReplicates : 0, usable: aucs.count,
                permutations: options.permutations, permutationUnit: permuteSpeakers ? "speaker" : "row", seed: options.seed),
            notes: notes)
    }
}
