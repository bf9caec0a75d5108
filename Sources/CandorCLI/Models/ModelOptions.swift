import ArgumentParser
import Candor
import CandorModels
import Foundation

// Researchers' model tools: `candor train`, `candor evaluate`, `candor models list|show`.
// Input problems exit 3 with the file (and line) named; usage problems exit 2.

/// Maps CandorModels errors to Candor's exit codes.
func modelsFailure(_ error: any Error, path: String) -> any Error {
    switch error {
    case let e as ModelInputError: return CLIError(code: ExitCodes.invalidInput, e.description)
    case let e as MetricError: return CLIError(code: ExitCodes.invalidInput, "\(path): \(e.description)")
    default: return error
    }
}

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Writes text atomically (temp file + rename); `writeAtomically` adds the final newline.
func writeText(_ text: String, to path: String) throws {
    var t = text
    while t.hasSuffix("\n") { t.removeLast() }
    try writeAtomically(to: path) { $0.write(t) }
}

/// A scores CSV (id,speaker,group,label,score); scores in shortest round-trip form.
func scoresCSV(_ rows: [ScoredRow]) -> String {
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
