import ArgumentParser
import Candor
import CandorModels
import Foundation

// Researchers' model tools: `candor train`, `candor evaluate`, `candor models list|show`.
// Input problems exit 3 with the file (and line) named; usage problems exit 2.

/// Maps CandorModels errors to Candor's exit codes.
private func modelsFailure(_ error: any Error, path: String) -> any Error {
    switch error {
    case let e as ModelInputError: return CLIError(code: ExitCodes.invalidInput, e.description)
    case let e as MetricError: return CLIError(code: ExitCodes.invalidInput, "\(path): \(e.description)")
    default: return error
    }
}

private func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Writes text atomically (temp file + rename); `writeAtomically` adds the final newline.
private func writeText(_ text: String, to path: String) throws {
    var t = text
    while t.hasSuffix("\n") { t.removeLast() }
    try writeAtomically(to: path) { $0.write(t) }
}

/// A scores CSV (id,speaker,group,label,score); scores in shortest round-trip form.
private func scoresCSV(_ rows: [ScoredRow]) -> String {
    func field(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    var csv = "id,speaker,group,label,score\n"
    for r in rows { csv += [r.id, r.speaker, r.group, "\(r.label)", "\(r.score)"].map(field).joined(separator: ",") + "\n" }
    return csv
}

/// A labelled feature table: a CSV, or a folder of analysis JSONs with a labels CSV.
public struct FeatureTableInput: ParsableArguments {
    @Option(name: .long, help: "Labelled feature table (CSV: id,speaker,group,label,<features…>).")
    public var table: String?

    @Option(name: .long, help: "Folder of analysis JSONs (candor.analysis/1) whose segments[].features are the features.")
    public var analyses: String?

    @Option(name: .long, help: "With --analyses: labels CSV id,speaker,group,label with id = <analysis name>/<segment id>.")
    public var labels: String?

    public init() {}

    var given: Bool { table != nil || analyses != nil || labels != nil }

    public func validate() throws {
        switch (table, analyses, labels) {
        case (.some, nil, nil), (nil, .some, .some), (nil, nil, nil): break
        default: throw ValidationError("give either --table T.csv, or --analyses DIR with --labels L.csv")
        }
    }

    /// The path named in messages about the input.
    var path: String { table ?? labels ?? "" }

    func read() throws -> LabelledTable {
        if let table { return try LabelledTable.read(path: table) }
        return try AnalysisTable.table(analysesDirectory: analyses!, labelsPath: labels!)
    }
}

/// Options shared by the commands that compute an evaluation.
public struct EvaluationFlags: ParsableArguments {
    @Option(name: .long, help: "Speaker-level bootstrap replicates for the 95% CIs.")
    public var bootstrap = 1000

    @Option(name: .long, help: "Label permutations for the permutation p-value.")
    public var permutations = 1000

    @Option(name: .long, help: "Seed for bootstrap and permutations (results are reproducible for a seed).")
    public var seed: UInt64 = EvaluationOptions().seed

    @Option(name: .long, help: "Decision threshold: score ≥ threshold counts as a flag.")
    public var threshold = 0.5

    public init() {}

    public func validate() throws {
        guard bootstrap >= 0, permutations >= 0 else { throw ValidationError("--bootstrap and --permutations must be ≥ 0") }
        guard threshold > 0, threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1]") }
    }

    var options: EvaluationOptions {
        var o = EvaluationOptions()
        o.bootstrapReplicates = bootstrap
        o.permutations = permutations
        o.seed = seed
        o.threshold = threshold
        return o
    }
}

public struct TrainCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an L2 logistic regression with speaker-grouped cross-validation.",
        discussion: """
        Input: a CSV with the header id,speaker,group,label,<features…> (label 0/1; empty or NA \
        cells are missing values), or a folder of analysis JSONs (--analyses) whose labelled \
        segments (--labels) give the rows. Folds never split a speaker. The model file written to --out \
        (with a draft model card <stem>.md beside it) embeds the cross-validated evaluation (the same report as `candor evaluate`), and the \
        same report is printed. Training is deterministic for a given --seed.
        """)

    @OptionGroup public var input: FeatureTableInput

    @Option(name: .long, help: "Model file to write (JSON).")
    public var out: String

    @Option(name: .long, help: "Model id written into the file.")
    public var id = "trained-logistic"

    @Option(name: .customLong("model-version"), help: "Model version written into the file.")
    public var modelVersion = "1.0.0"

    @Option(name: .long, help: "What the label means, in neutral words (e.g. 'condition').")
    public var target = "label"

    @Option(name: .long, help: "Number of speaker-grouped folds (at most the number of speakers).")
    public var folds = 5

    @Option(name: .customLong("c"), help: "Inverse L2 strength, as scikit-learn's C (larger = weaker penalty).")
    public var c = 1.0

    @Option(name: .customLong("fold-seed"), help: "Seed for the speaker-to-fold assignment.")
    public var foldSeed: UInt64 = 42

    @Option(name: .long, help: "Also write the cross-validated evaluation report (JSON) here.")
    public var json: String?

    @Option(name: .customLong("scores-out"), help: "Also write the out-of-fold scores (id,speaker,group,label,score) here.")
    public var scoresOut: String?

    @OptionGroup public var evaluation: EvaluationFlags
    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func validate() throws {
        guard input.given else { throw ValidationError("give --table T.csv, or --analyses DIR with --labels L.csv") }
        guard folds >= 2 else { throw ValidationError("--folds must be ≥ 2") }
        guard out != "-", out.hasSuffix(".json") else { throw ValidationError("--out must be a file name ending in .json") }
        guard c > 0, c.isFinite else { throw ValidationError("--c must be > 0") }
    }

    public func run() throws {
        var options = TrainingOptions()
        options.folds = folds
        options.c = c
        options.seed = foldSeed
        options.id = id
        options.version = modelVersion
        options.target = target
        options.software = "candor \(CandorVersion.version) (\(CandorVersion.gitCommit))"
        options.evaluation = evaluation.options
        var model: ModelFile
        let outOfFold: [ScoredRow]
        do {
            let data = try input.read()
            (model, outOfFold) = try Trainer.trainWithScores(data, options: options)
        } catch {
            throw modelsFailure(error, path: input.path)
        }
        // The card goes beside the model as <stem>.md, where `candor models` looks for it.
        let stem = (out as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: "")
        model.card = stem + ".md"
        let bytes = try model.encoded()
        let cardPath = ((out as NSString).deletingLastPathComponent as NSString).appendingPathComponent(model.card!)
        try writeText(ModelCardDraft.markdown(for: model, sha256: SHA256Digest.hex(bytes)), to: cardPath)
        try writeText(String(decoding: bytes, as: UTF8.self), to: out)
        if let json, let report = model.evaluation { try writeText(try encodeJSON(report), to: json) }
        if let scoresOut { try writeText(scoresCSV(outOfFold), to: scoresOut) }
        if model.parameters["newton_converged"] == 0 {
            printErr("candor: warning: the final fit did not converge (separable data or a very large --c?); the weights may be unreliable")
        }
        if !global.quiet {
            print("wrote \(out) (sha256 \(SHA256Digest.hex(bytes))) and a draft model card \(cardPath)")
            print("weights (per training-set SD), intercept \(String(format: "%.4f", model.parameters["intercept"] ?? 0)):")
            for f in model.features.sorted(by: { abs($0.weight ?? 0) > abs($1.weight ?? 0) }) {
                print("  \(f.name.padding(toLength: max(28, f.name.count), withPad: " ", startingAt: 0)) \(String(format: "%+.4f", f.weight ?? 0))")
            }
            print("")
            if let report = model.evaluation { print(report.renderText(), terminator: "") }
        }
    }
}

public struct EvaluateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate scores (or a model on a labelled table) with speaker-level confidence intervals.",
        discussion: """
        Either --scores FILE.csv (header id,speaker,group,label,score; label 0/1, score in [0, 1]) \
        or --model M.json with --table T.csv or --analyses DIR --labels L.csv (a labelled feature \
        table the model is run on). Reports n, \
        speakers, AUC and UAR with speaker-bootstrap 95% CIs, the majority baseline, a permutation \
        p-value, Brier score, ECE (15 bins) with the reliability table, per-group results with the \
        largest gap, and PPV/NPV at base rates 0.05, 0.10, 0.20 and 0.50. Metric definitions match \
        scikit-learn (roc_auc_score, balanced_accuracy_score, brier_score_loss).
        """)

    @Option(name: .long, help: "Scores CSV: id,speaker,group,label,score.")
    public var scores: String?

    @Option(name: .long, help: "Model file to run on --table.")
    public var model: String?

    @OptionGroup public var input: FeatureTableInput

    @Option(name: .long, help: "Write the report as JSON here ('-' for stdout, which replaces the table).")
    public var json: String?

    @Option(name: .customLong("scores-out"), help: "With --model: also write the scores CSV here.")
    public var scoresOut: String?

    @OptionGroup public var evaluation: EvaluationFlags
    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func validate() throws {
        switch (scores, model, input.given) {
        case (.some, nil, false): if scoresOut != nil { throw ValidationError("--scores-out goes with --model") }
        case (nil, .some, true): break
        default: throw ValidationError("give either --scores FILE.csv, or --model M.json with --table T.csv (or --analyses DIR --labels L.csv)")
        }
    }

    public func run() throws {
        let rows: [ScoredRow]
        let source: String
        var inSampleNote: String?
        if let scores {
            source = scores
            do { rows = try ScoresTable.read(path: scores) } catch { throw modelsFailure(error, path: scores) }
        } else {
            let modelPath = model!, tablePath = input.path
            source = "\(modelPath) on \(input.analyses.map { "\($0) with \(tablePath)" } ?? tablePath)"
            do {
                let loaded = try LoadedModel.load(path: modelPath)
                let scorer = try LogisticModel(loaded)
                let data = try input.read()
                rows = try scorer.score(table: data)
                if loaded.file.training?.tableSHA256 == data.sha256 {
                    inSampleNote = "this table is the model's own training table: these results are in-sample and optimistic; "
                        + "the cross-validated evaluation embedded in the model file is the honest estimate"
                }
            } catch {
                throw modelsFailure(error, path: tablePath)
            }
            if let scoresOut { try writeText(scoresCSV(rows), to: scoresOut) }
        }
        var report: EvaluationReport
        do {
            report = try Evaluator.evaluate(rows, options: evaluation.options, source: source)
            if let inSampleNote { report.notes.insert(inSampleNote, at: 0) }
        } catch {
            throw modelsFailure(error, path: scores ?? input.path)
        }
        if let json { try writeText(try encodeJSON(report), to: json) }
        if json != "-" && !global.quiet { print(report.renderText(), terminator: "") }
    }
}

public struct ModelsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the installed models, or show a model card.",
        discussion: """
        Models are read from $CANDOR_MODELS, else ./models, else models/ beside the candor \
        executable or up to five folders above it, else ../share/candor/models beside it.
        """,
        subcommands: [ModelsList.self, ModelsShow.self])
    public init() {}
}

/// `--models DIR` for the models subcommands.
public struct ModelsDirectoryOption: ParsableArguments {
    @Option(name: .customLong("models"), help: "Models folder (overrides $CANDOR_MODELS and the search).")
    public var directory: String?

    public init() {}

    func load() throws -> ModelRegistry {
        guard let dir = directory ?? ModelRegistry.locate() else {
            throw CLIError(code: ExitCodes.invalidInput, "models: no models folder found; set CANDOR_MODELS or use --models DIR")
        }
        do { return try ModelRegistry.load(directory: dir) } catch { throw modelsFailure(error, path: dir) }
    }
}

public struct ModelsList: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List models with version, kind and SHA-256.")
    @OptionGroup public var location: ModelsDirectoryOption
    public init() {}

    public func run() throws {
        let registry = try location.load()
        print("models in \(registry.directory)")
        let header = ["id", "version", "kind", "sha256", "card"]
        var rows = [header]
        for m in registry.models {
            rows.append([m.id, m.version, m.file.kind.rawValue, m.sha256, registry.card(for: m) == nil ? "missing" : (m.file.card ?? "\(m.id).md")])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        for r in rows {
            print(r.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }
}

public struct ModelsShow: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a model's card (and, with --json, its file).")
    @Argument(help: "Model id (see `candor models list`).")
    public var id: String
    @Flag(name: .long, help: "Print the model file instead of the card.")
    public var json = false
    @OptionGroup public var location: ModelsDirectoryOption
    public init() {}

    public func run() throws {
        let registry = try location.load()
        guard let m = registry.model(id: id) else {
            throw CLIError(code: ExitCodes.invalidInput, "\(registry.directory): no model with id '\(id)' (have: \(registry.models.map(\.id).joined(separator: ", ")))")
        }
        if json {
            print(try String(contentsOfFile: m.path, encoding: .utf8), terminator: "")
            return
        }
        print("\(m.id) \(m.version) (\(m.file.kind.rawValue))")
        print("file:   \(m.path)")
        print("sha256: \(m.sha256)")
        print("")
        if registry.cardPath(for: m) == nil {
            throw CLIError(code: ExitCodes.invalidInput, "\(m.path): model card \(m.file.card ?? "\(m.id).md") is outside the models folder; refusing to read it")
        }
        guard let card = registry.card(for: m) else {
            throw CLIError(code: ExitCodes.invalidInput, "\(m.path): model card \(m.file.card ?? "\(m.id).md") not found")
        }
        print(card, terminator: card.hasSuffix("\n") ? "" : "\n")
    }
}
