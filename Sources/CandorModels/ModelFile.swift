import Foundation

/// The model kinds this build can run.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// Rule-based summary of how an interview was conducted (`InterviewQualityModel`).
    case interviewQuality = "interview-quality"
    /// Per-answer deviation from the same speaker's baseline (`BaselineDeviationModel`).
    case baselineDeviation = "baseline-deviation"
    /// A researcher-trained L2 logistic regression on a feature table (`LogisticModel`).
    case logisticRegression = "logistic-regression"
}

/// One input feature of a model and everything the model knows about it.
public struct FeatureSpec: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var unit: String?
    /// Weight in the model's combination rule (meaning depends on `kind`).
    public var weight: Double?
    /// interview-quality: the target range (either end may be open).
    public var targetLow: Double?
    public var targetHigh: Double?
    /// interview-quality: distance outside the target range at which the metric's score reaches 0.
    public var softMargin: Double?
    /// baseline-deviation: smallest baseline SD used, so a near-constant baseline cannot inflate z
    /// (in the units of `scale`: natural-log units for a log-scale cue).
    public var sdFloor: Double?
    /// baseline-deviation: the scale on which the cue is compared: nil (the feature's own units) or
    /// "log" (natural log, for positive scale-like features such as an SD or a ratio of amplitudes,
    /// whose changes are multiplicative and whose spread across segments is right-skewed).
    public var scale: String?
    /// baseline-deviation: the direction reported in the literature, for information only.
    public var publishedDirection: String?
    /// Where the range or weight comes from.
    public var source: String?
    /// "published guideline", "published meta-analysis", "practitioner heuristic", "trained", ...
    public var evidence: String?

    public init(
        name: String, description: String? = nil, unit: String? = nil, weight: Double? = nil,
        targetLow: Double? = nil, targetHigh: Double? = nil, softMargin: Double? = nil, sdFloor: Double? = nil,
        scale: String? = nil, publishedDirection: String? = nil, source: String? = nil, evidence: String? = nil
    ) {
        self.name = name
        self.description = description
        self.unit = unit
        self.weight = weight
        self.targetLow = targetLow
        self.targetHigh = targetHigh
        self.softMargin = softMargin
        self.sdFloor = sdFloor
        self.scale = scale
        self.publishedDirection = publishedDirection
        self.source = source
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case name, description, unit, weight
        case targetLow = "target_low"
        case targetHigh = "target_high"
        case softMargin = "soft_margin"
        case sdFloor = "sd_floor"
        case scale
        case publishedDirection = "published_direction"
        case source, evidence
    }
}

/// How raw feature values are put on a common scale before the parameters apply.
public struct Normalisation: Codable, Sendable, Equatable {
    /// "none", "speaker-baseline-z" or "zscore" (training-set mean and population SD).
    public var method: String
    public var mean: [String: Double]?
    public var scale: [String: Double]?
    public var note: String?
    public init(method: String, mean: [String: Double]? = nil, scale: [String: Double]? = nil, note: String? = nil) {
        self.method = method
        self.mean = mean
        self.scale = scale
        self.note = note
    }
}

/// How the model's raw output relates to a probability or a flag.
public struct Calibration: Codable, Sendable, Equatable {
    /// "none" (the value is an index, not a probability) or "logistic" (uncalibrated model output).
    public var method: String
    /// Values at or above this raise the model's flag.
    public var flagThreshold: Double?
    public var note: String?
    /// baseline-deviation: per-answer false-flag rates measured on neutral speech, by baseline size.
    public var nullFalseFlagRate: [MeasuredRate]?
    /// Trained models: how often the flag fired on out-of-fold scores at training.
    public var outOfFoldFlagRates: OutOfFoldFlagRates?
    public init(
        method: String, flagThreshold: Double? = nil, note: String? = nil, nullFalseFlagRate: [MeasuredRate]? = nil,
        outOfFoldFlagRates: OutOfFoldFlagRates? = nil
    ) {
        self.method = method
        self.flagThreshold = flagThreshold
        self.note = note
        self.nullFalseFlagRate = nullFalseFlagRate
        self.outOfFoldFlagRates = outOfFoldFlagRates
    }
    enum CodingKeys: String, CodingKey {
        case method
        case flagThreshold = "flag_threshold"
        case note
        case nullFalseFlagRate = "null_false_flag_rate"
        case outOfFoldFlagRates = "out_of_fold_flag_rates"
    }
}

/// Provenance of a trained model.
public struct TrainingInfo: Codable, Sendable, Equatable {
    public var table: String
    public var tableSHA256: String
    public var rows: Int
    public var speakers: Int
    public var folds: Int
    public var l2C: Double
    public var seed: UInt64
    public var missingValues: Int
    public var software: String
    public var foldOfSpeaker: [String: Int]

    enum CodingKeys: String, CodingKey {
        case table
        case tableSHA256 = "table_sha256"
        case rows, speakers, folds
        case l2C = "l2_c"
        case seed
        case missingValues = "missing_values"
        case software
        case foldOfSpeaker = "fold_of_speaker"
    }
}

/// A model file (`format_version` 1). See docs/models.md.
public struct ModelFile: Codable, Sendable, Equatable {
    public static let supportedFormatVersion = 1

    public var formatVersion: Int
    public var id: String
    public var version: String
    public var kind: ModelKind
    public var description: String
    /// What the value describes, e.g. "interview" or "answer segment".
    public var target: String
    /// Model card file name, relative to the model file.
    public var card: String?
    public var features: [FeatureSpec]
    public var normalisation: Normalisation
    public var parameters: [String: Double]
    public var calibration: Calibration
    /// Cross-validated evaluation, embedded in trained models.
    public var evaluation: EvaluationReport?
    public var training: TrainingInfo?

    public init(
        formatVersion: Int = ModelFile.supportedFormatVersion, id: String, version: String, kind: ModelKind,
        description: String, target: String, card: String? = nil, features: [FeatureSpec],
        normalisation: Normalisation, parameters: [String: Double], calibration: Calibration,
        evaluation: EvaluationReport? = nil, training: TrainingInfo? = nil
    ) {
        self.formatVersion = formatVersion
        self.id = id
        self.version = version
        self.kind = kind
        self.description = description
        self.target = target
        self.card = card
        self.features = features
        self.normalisation = normalisation
        self.parameters = parameters
        self.calibration = calibration
        self.evaluation = evaluation
        self.training = training
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case id, version, kind, description, target, card, features, normalisation, parameters, calibration, evaluation, training
    }

    /// Encodes with sorted keys, so identical models give identical bytes (and SHA-256).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}

/// A model file as loaded from disk, with the SHA-256 of its exact bytes.
public struct LoadedModel: Sendable {
    public var file: ModelFile
    /// Lower-case hex SHA-256 of the file bytes, for the analysis JSON and the audit log.
    public var sha256: String
    public var path: String

    public var id: String { file.id }
    public var version: String { file.version }

    public init(file: ModelFile, sha256: String, path: String) {
        self.file = file
        self.sha256 = sha256
        self.path = path
    }

    /// Reads, decodes and validates a model file. Every failure is one line naming the file.
    public static func load(path: String) throws -> LoadedModel {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelInputError(path: path, "cannot read model file (\(error.localizedDescription))")
        }
        return try load(data: data, path: path)
    }

    public static func load(data: Data, path: String) throws -> LoadedModel {
        // Check the format version before decoding the rest, so a newer file gets the right message.
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ModelInputError(path: path, "not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw ModelInputError(path: path, "top level is not a JSON object") }
        guard let version = dict["format_version"] as? Int else {
            throw ModelInputError(path: path, "missing or non-integer 'format_version'")
        }
        guard version == ModelFile.supportedFormatVersion else {
            throw ModelInputError(path: path, "unknown format_version \(version) (this build reads \(ModelFile.supportedFormatVersion))")
        }
        if let kind = dict["kind"] as? String, ModelKind(rawValue: kind) == nil {
            throw ModelInputError(
                path: path, "unknown model kind '\(kind)' (known: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let file: ModelFile
        do {
            file = try JSONDecoder().decode(ModelFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ModelInputError(path: path, "missing key '\(Self.codingPath(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ModelInputError(path: path, "wrong type at '\(Self.codingPath(context.codingPath))'")
        } catch let DecodingError.valueNotFound(_, context) {
            throw ModelInputError(path: path, "null at '\(Self.codingPath(context.codingPath))'")
        } catch let DecodingError.dataCorrupted(context) {
            throw ModelInputError(path: path, "invalid value at '\(Self.codingPath(context.codingPath))'")
        } catch {
            throw ModelInputError(path: path, "cannot decode model file")
        }
        if let problem = validate(file) { throw ModelInputError(path: path, problem) }
        return LoadedModel(file: file, sha256: SHA256Digest.hex(data), path: path)
    }

    private static func codingPath(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// Structural checks that decoding cannot express. Returns the first problem found.
    static func validate(_ m: ModelFile) -> String? {
        if m.id.isEmpty || m.id.contains("/") { return "invalid id '\(m.id)'" }
        if m.version.isEmpty { return "empty version" }
        if m.features.isEmpty { return "no features" }
        var seen = Set<String>()
        for f in m.features {
            if !seen.insert(f.name).inserted { return "feature '\(f.name)' appears twice" }
            if let w = f.weight, !w.isFinite { return "feature '\(f.name)' has a non-finite weight" }
        }
        for (k, v) in m.parameters where !v.isFinite { return "parameter '\(k)' is not finite" }
        if let t = m.calibration.flagThreshold, !(t.isFinite && t > 0 && t <= 1) { return "calibration.flag_threshold must be in (0, 1]" }
        if let word = ClaimsPolicy.firstVerdictWord(in: [m.description, m.target] + m.features.compactMap(\.description)) {
            return "contains the verdict word '\(word)', which Candor does not output"
        }
        switch m.kind {
        case .interviewQuality:
            for f in m.features {
                guard InterviewQualityModel.metricNames.contains(f.name) else { return "unknown interview-quality metric '\(f.name)'" }
                guard let w = f.weight, w >= 0 else { return "metric '\(f.name)' needs a weight ≥ 0" }
                guard f.targetLow != nil || f.targetHigh != nil else { return "metric '\(f.name)' needs target_low or target_high" }
                guard let s = f.softMargin, s > 0 else { return "metric '\(f.name)' needs soft_margin > 0" }
            }
        case .baselineDeviation:
            for f in m.features {
                guard let w = f.weight, w >= 0 else { return "feature '\(f.name)' needs a weight ≥ 0" }
                if let s = f.sdFloor, !(s >= 0) { return "feature '\(f.name)' has a negative sd_floor" }
                if let s = f.scale, s != "log" { return "feature '\(f.name)' has scale '\(s)'; only \"log\" is known" }
            }
            guard m.calibration.flagThreshold != nil else { return "calibration.flag_threshold is required" }
            guard let a = m.parameters["alpha"], a > 0, a <= 0.5 else { return "parameters.alpha must be in (0, 0.5]" }
            if let n = m.parameters["min_baseline_segments"], n < 2 { return "parameters.min_baseline_segments must be ≥ 2" }
        case .logisticRegression:
            guard m.parameters["intercept"] != nil else { return "parameters.intercept is required" }
            for f in m.features {
                guard f.weight != nil else { return "feature '\(f.name)' has no weight" }
                guard m.normalisation.mean?[f.name] != nil, let s = m.normalisation.scale?[f.name], s > 0 else {
                    return "normalisation needs mean and a positive scale for '\(f.name)'"
                }
            }
        }
        return nil
    }
}
