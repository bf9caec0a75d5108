import Foundation

/// L2-penalised logistic regression, fitted by Newton's method with step halving.
///
/// Minimises Σᵢ [log(1 + e^{ηᵢ}) − yᵢ ηᵢ] + ‖w‖² / (2C), with ηᵢ = b + w·xᵢ and the intercept b
/// not penalised. That is scikit-learn's `LogisticRegression(C=C)` objective (up to the factor C),
/// so the two give the same coefficients.
public enum LogisticRegression {
    public struct Fit: Sendable, Equatable {
        public var intercept: Double
        public var weights: [Double]
        public var iterations: Int
        public var converged: Bool
    }

    public static func fit(x: [[Double]], y: [Int], c: Double, maxIterations: Int = 100, tolerance: Double = 1e-10) -> Fit {
        let n = x.count
        let d = x.first?.count ?? 0
        let lambda = 1 / c
        var theta = [Double](repeating: 0, count: d + 1)  // [b, w...]
        func objective(_ t: [Double]) -> Double {
            var f = 0.0
            for i in 0..<n {
                var eta = t[0]
                for j in 0..<d { eta += t[j + 1] * x[i][j] }
                f += softplus(eta) - Double(y[i]) * eta
            }
            for j in 0..<d { f += 0.5 * lambda * t[j + 1] * t[j + 1] }
            return f
        }
        var current = objective(theta)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            var g = [Double](repeating: 0, count: d + 1)
            var h = [Double](repeating: 0, count: (d + 1) * (d + 1))
            for i in 0..<n {
                var eta = theta[0]
                for j in 0..<d { eta += theta[j + 1] * x[i][j] }
                let p = sigmoid(eta)
                let r = p - Double(y[i])
                let s = max(p * (1 - p), 1e-300)
                g[0] += r
                h[0] += s
                for j in 0..<d {
                    let xj = x[i][j]
                    g[j + 1] += r * xj
                    h[(j + 1) * (d + 1)] += s * xj
                    for k in 0...j { h[(j + 1) * (d + 1) + k + 1] += s * xj * x[i][k] }
                }
            }
            for j in 0..<d {
                g[j + 1] += lambda * theta[j + 1]
                h[(j + 1) * (d + 1) + j + 1] += lambda
            }
            // Only the lower triangle was accumulated; mirror it.
            for j in 0...d { for k in 0..<j { h[k * (d + 1) + j] = h[j * (d + 1) + k] } }
            guard let step = solveSPD(h, g, n: d + 1) else { break }
            var t = 1.0
            var next = theta
            var nextValue = current
            while t > 1e-10 {
                next = zip(theta, step).map { $0 - t * $1 }
                nextValue = objective(next)
                if nextValue <= current { break }
                t /= 2
            }
            let change = zip(theta, next).map { abs($0 - $1) }.max() ?? 0
            theta = next
            current = nextValue
            if change < tolerance { converged = true; break }
        }
        return Fit(intercept: theta[0], weights: Array(theta.dropFirst()), iterations: iterations, converged: converged)
    }

    @inline(__always) public static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    @inline(__always) static func softplus(_ z: Double) -> Double {
        z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
    }

    /// Solves A x = b for symmetric positive-definite A (row-major n×n) by Cholesky.
    static func solveSPD(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        var z = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i * n + k] * z[k] }
            z[i] = s / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = z[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
        return x
    }
}

/// Settings for `candor train`.
public struct TrainingOptions: Sendable {
    public var folds = 5
    public var c = 1.0
    public var seed: UInt64 = 42
    public var id = "trained-logistic"
    public var version = "1.0.0"
    public var target = "label"
    public var description = "L2 logistic regression trained with candor train"
    public var software = "candor"
    public var evaluation = EvaluationOptions()
    public init() {}
}

/// Speaker-grouped k-fold cross-validation and training of a logistic model from a `LabelledTable`.
public enum Trainer {
    /// Assigns each speaker to a fold: speakers are shuffled with the seed, then each goes to the
    /// fold with the fewest rows so far (ties → lowest fold index). No speaker spans two folds.
    public static func speakerFolds(speakers: [String], folds requested: Int, seed: UInt64) -> [String: Int] {
        var rowsOf: [String: Int] = [:]
        for s in speakers { rowsOf[s, default: 0] += 1 }
        var order = rowsOf.keys.sorted()
        var rng = SeededGenerator(seed: seed)
        rng.shuffle(&order)
        let k = min(requested, order.count)
        var load = [Int](repeating: 0, count: k)
        var assignment: [String: Int] = [:]
        for s in order {
            let f = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            assignment[s] = f
            load[f] += rowsOf[s]!
        }
        return assignment
    }

    /// Column means and population SDs over the given rows (missing values skipped). A constant
    /// or empty column gets scale 1.
    static func standardisation(_ table: LabelledTable, rows: [Int]) -> (mean: [Double], scale: [Double]) {
        var mean: [Double] = []
        var scale: [Double] = []
        for j in table.featureNames.indices {
            let v = rows.compactMap { table.rows[$0][j] }
            let m = v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
            let sd = v.isEmpty ? 0 : (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
            mean.append(m)
            scale.append(sd > 1e-12 ? sd : 1)
        }
        return (mean, scale)
    }

    /// z-scored design matrix; missing values become 0 (the training mean).
    static func design(_ table: LabelledTable, rows: [Int], mean: [Double], scale: [Double]) -> [[Double]] {
        rows.map { i in table.featureNames.indices.map { j in table.rows[i][j].map { ($0 - mean[j]) / scale[j] } ?? 0 } }
    }

    static func fitRows(_ table: LabelledTable, rows: [Int], c: Double) -> (LogisticRegression.Fit, [Double], [Double]) {
        let (mean, scale) = standardisation(table, rows: rows)
        let x = design(table, rows: rows, mean: mean, scale: scale)
        return (LogisticRegression.fit(x: x, y: rows.map { table.labels[$0] }, c: c), mean, scale)
    }

    /// Out-of-fold scores from speaker-grouped cross-validation, and the fold of each speaker.
    public static func crossValidate(_ table: LabelledTable, options: TrainingOptions) throws -> (scores: [Double], folds: [String: Int]) {
        let speakers = Set(table.speakers)
        guard speakers.count >= 2 else {
            throw ModelInputError(path: table.path, "speaker-grouped cross-validation needs at least 2 speakers, found \(speakers.count)")
        }
        _ = try Metrics.checkBinary(table.labels)
        let assignment = speakerFolds(speakers: table.speakers, folds: options.folds, seed: options.seed)
        let k = Set(assignment.values).count
        var scores = [Double](repeating: .nan, count: table.count)
        for fold in 0..<k {
            let test = table.speakers.indices.filter { assignment[table.speakers[$0]] == fold }
            let train = table.speakers.indices.filter { assignment[table.speakers[$0]] != fold }
            let trainLabels = Set(train.map { table.labels[$0] })
            guard trainLabels.count == 2 else {
                throw ModelInputError(
                    path: table.path,
                    "fold \(fold + 1) of \(k): the training speakers have only label \(trainLabels.first ?? 0); "
                        + "add speakers with both labels or use fewer folds")
            }
            let (fit, mean, scale) = fitRows(table, rows: train, c: options.c)
            let x = design(table, rows: test, mean: mean, scale: scale)
            for (r, i) in test.enumerated() {
                var eta = fit.intercept
                for j in x[r].indices { eta += fit.weights[j] * x[r][j] }
                scores[i] = LogisticRegression.sigmoid(eta)
            }
        }
        return (scores, assignment)
    }

    /// Cross-validates, then fits on all rows, and returns the model file with the
    /// cross-validated evaluation embedded.
    public static func train(_ table: LabelledTable, options: TrainingOptions) throws -> ModelFile {
        try trainWithScores(table, options: options).model
    }

    /// As `train`, and also returns the out-of-fold scores the embedded evaluation was computed
    /// from (`candor evaluate --scores` on them reproduces it).
    public static func trainWithScores(
        _ table: LabelledTable, options: TrainingOptions
    ) throws -> (model: ModelFile, outOfFold: [ScoredRow]) {
        if let word = ClaimsPolicy.firstVerdictWord(in: [options.target, options.id, options.description] + table.featureNames) {
            throw ModelInputError(
                path: table.path,
                "the name '\(word)' is a verdict word Candor does not output; use a neutral target name such as 'condition'")
        }
        let (oof, assignment) = try crossValidate(table, options: options)
        let rows = table.ids.indices.map {
            ScoredRow(id: table.ids[$0], speaker: table.speakers[$0], group: table.groups[$0], label: table.labels[$0], score: oof[$0])
        }
        var evaluation = try Evaluator.evaluate(
            rows, options: options.evaluation,
            source:
                "speaker-grouped \(Set(assignment.values).count)-fold cross-validation of \(URL(fileURLWithPath: table.path).lastPathComponent)"
        )
        evaluation.notes.insert("scores are out-of-fold: each speaker was scored by a model that never saw that speaker", at: 0)

        let (fit, mean, scale) = fitRows(table, rows: Array(table.labels.indices), c: options.c)
        let missing = table.rows.reduce(0) { $0 + $1.filter { $0 == nil }.count }
        let features = table.featureNames.enumerated().map { j, name in
            FeatureSpec(name: name, weight: fit.weights[j], evidence: "trained")
        }
        let model = ModelFile(
            id: options.id, version: options.version, kind: .logisticRegression, description: options.description,
            target: options.target, card: nil, features: features,
            normalisation: Normalisation(
                method: "zscore",
                mean: Dictionary(uniqueKeysWithValues: zip(table.featureNames, mean)),
                scale: Dictionary(uniqueKeysWithValues: zip(table.featureNames, scale)),
                note: "z = (x − mean) / scale with training-set mean and population SD; a missing value counts as the mean (z = 0)"),
            parameters: [
                "intercept": fit.intercept, "l2_c": options.c, "newton_iterations": Double(fit.iterations),
                "newton_converged": fit.converged ? 1 : 0,
            ],
            calibration: Calibration(
                method: "logistic", flagThreshold: 0.5,
                note: "uncalibrated logistic output; see the embedded reliability table before reading it as a rate",
                outOfFoldFlagRates: OutOfFoldFlagRates(
                    threshold: 0.5, rows: rows,
                    source: "out-of-fold scores of \(URL(fileURLWithPath: table.path).lastPathComponent) (speaker-grouped cross-validation)"
                )),
            evaluation: evaluation,
            training: TrainingInfo(
                table: URL(fileURLWithPath: table.path).lastPathComponent, tableSHA256: table.sha256, rows: table.count,
                speakers: Set(table.speakers).count, folds: Set(assignment.values).count, l2C: options.c, seed: options.seed,
                missingValues: missing, software: options.software, foldOfSpeaker: assignment.mapValues { $0 + 1 }))
        return (model, rows)
    }
}

/// Runs a trained logistic model on feature rows.
public struct LogisticModel: Sendable {
    public let model: LoadedModel

    public init(_ model: LoadedModel) throws {
        guard model.file.kind == .logisticRegression else {
            throw ModelInputError(path: model.path, "model '\(model.id)' is of kind \(model.file.kind.rawValue), not logistic-regression")
        }
        self.model = model
    }

    public func score(features: [String: Double?], target: String) -> ModelScore {
        let f = model.file
        var eta = f.parameters["intercept"] ?? 0
        var contributions: [Contribution] = []
        for spec in f.features {
            let w = spec.weight ?? 0
            let x = features[spec.name] ?? nil
            let z = x.map { ($0 - (f.normalisation.mean?[spec.name] ?? 0)) / (f.normalisation.scale?[spec.name] ?? 1) } ?? 0
            eta += w * z
            contributions.append(
                Contribution(
                    feature: spec.name, value: x, z: x == nil ? nil : z, weight: w, contribution: w * z,
                    status: x == nil ? "not available" : nil,
                    note: x == nil ? "missing: counted as the training mean" : "contribution is on the log-odds scale"))
        }
        contributions.sort { abs($0.contribution ?? 0) > abs($1.contribution ?? 0) }
        let value = LogisticRegression.sigmoid(eta)
        let threshold = f.calibration.flagThreshold ?? 0.5
        return ModelScore(
            model: model.id, modelVersion: model.version, modelSHA256: model.sha256, target: target, value: value,
            flag: value >= threshold ? ModelScore.followUpFlag : nil, contributions: contributions,
            topCues: contributions.filter { ($0.contribution ?? 0) > 0 }.prefix(3).map(\.feature),
            evidence: f.calibration.outOfFoldFlagRates?.evidence)
    }

    /// Scores every row of a labelled table, checking that it has the model's features.
    public func score(table: LabelledTable) throws -> [ScoredRow] {
        let columns = Dictionary(uniqueKeysWithValues: table.featureNames.enumerated().map { ($1, $0) })
        for spec in model.file.features where columns[spec.name] == nil {
            throw ModelInputError(path: table.path, "no column '\(spec.name)', which model '\(model.id)' needs")
        }
        return table.ids.indices.map { i in
            let features = Dictionary(uniqueKeysWithValues: model.file.features.map { ($0.name, table.rows[i][columns[$0.name]!]) })
            let s = score(features: features, target: table.ids[i])
            return ScoredRow(
                id: table.ids[i], speaker: table.speakers[i], group: table.groups[i], label: table.labels[i], score: s.value ?? 0)
        }
    }
}
