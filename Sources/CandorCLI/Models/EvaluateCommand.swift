import ArgumentParser
import Candor
import CandorModels
import Foundation

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
        default:
            throw ValidationError("give either --scores FILE.csv, or --model M.json with --table T.csv (or --analyses DIR --labels L.csv)")
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
                    inSampleNote =
                        "this table is the model's own training table: these results are in-sample and optimistic; "
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
