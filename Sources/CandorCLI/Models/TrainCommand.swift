import ArgumentParser
import Candor
import CandorModels
import Foundation

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
        for (option, value) in [("--target", target), ("--id", id)] {
            if let word = ClaimsPolicy.firstVerdictWord(in: [value], words: ClaimsPolicy.forbiddenTargetWords) {
                throw ValidationError(
                    "\(option) '\(value)': '\(word)' names a verdict Candor does not output; use neutral words such as 'condition'")
            }
        }
        try checkOutputFolder(out)
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
                print(
                    "  \(f.name.padding(toLength: max(28, f.name.count), withPad: " ", startingAt: 0)) \(String(format: "%+.4f", f.weight ?? 0))"
                )
            }
            if let r = model.calibration.outOfFoldFlagRates {
                func pct(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "n/a" }
                print(
                    "flag (score ≥ \(r.threshold)): false-flag rate \(pct(r.falseFlagRate.rate)) (\(r.falseFlagRate.count)/\(r.falseFlagRate.total) label-0 rows, 95% CI \(pct(r.falseFlagRate.ciLow))–\(pct(r.falseFlagRate.ciHigh))), sensitivity \(pct(r.sensitivity.rate)) (\(r.sensitivity.count)/\(r.sensitivity.total)), out of fold"
                )
            }
            print("")
            if let report = model.evaluation { print(report.renderText(), terminator: "") }
        }
    }
}
