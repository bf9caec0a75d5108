import ArgumentParser
import Candor
import CandorModels
import Foundation

/// `candor calibrate`: the false-flag rate of the baseline-deviation model on a user's own
/// neutral interviews, so an agency can check it in its own rooms and language before use.
public struct CalibrateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure the baseline-deviation model's false-flag rate on your own neutral interviews.",
        discussion: """
            Give the analysis JSONs (from `candor analyze --segments`) of interviews in which nothing \
            is expected to change: baseline segments and answer segments to neutral questions, with \
            their speakers and roles. Every flag on such an answer is a false flag. The answers are \
            re-scored with the model (default: the installed baseline-deviation model) at each \
            baseline size (each speaker keeps their first n baseline segments) and with the full \
            baseline, and the per-answer false-flag rate is printed with its exact (Clopper–Pearson) \
            95% confidence interval, next to the model's declared alpha. Exit code 0 whatever the \
            rate; 3 for unreadable input.
            """)

    @Argument(help: "Analysis JSON files of neutral interviews.")
    public var analyses: [String]

    @Option(name: .long, help: "Model file (default: the installed baseline-deviation model).")
    public var model: String?

    @Option(
        name: .customLong("baseline-sizes"),
        help: "Comma-separated baseline sizes to test (default 3,5); the full baseline is always added.")
    public var baselineSizes: String = "3,5"

    @Option(name: .long, help: "Write the report (with every answer's score) as JSON here ('-' for stdout, which replaces the table).")
    public var json: String?

    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func validate() throws {
        guard parsedSizes != nil else { throw ValidationError("--baseline-sizes: comma-separated integers ≥ 2, e.g. 3,5") }
    }

    var parsedSizes: [Int]? {
        let parts = baselineSizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 2 }) else { return nil }
        return parts.map { $0! }
    }

    public func run() throws {
        let loaded: LoadedModel
        do {
            if let model {
                loaded = try LoadedModel.load(path: model)
            } else {
                guard let dir = ModelRegistry.locate() else {
                    throw CLIError(
                        code: ExitCodes.invalidInput, "calibrate: no models folder found; set CANDOR_MODELS or use --model M.json")
                }
                loaded = try ModelRegistry.load(directory: dir).baselineDeviation().model
            }
        } catch let e as ModelInputError {
            throw CLIError(code: ExitCodes.invalidInput, e.description)
        }
        let scorer: BaselineDeviationModel
        do { scorer = try BaselineDeviationModel(loaded) } catch let e as ModelInputError {
            throw CLIError(code: ExitCodes.invalidInput, e.description)
        }
        let interviews = try analyses.map(Self.readInterview)
        let sizes: [Int?] = (parsedSizes ?? []).map { Optional($0) } + [nil]
        let report = NullCalibration.run(model: scorer, interviews: interviews, baselineSizes: sizes)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let text = String(decoding: try encoder.encode(report), as: UTF8.self)
            try writeAtomically(to: json) { $0.write(text) }
        }
        if json != "-" && !global.quiet { print(report.renderText(), terminator: "") }
    }

    /// The segments (id, label, speaker, role, features) of one analysis JSON, in time order.
    static func readInterview(path: String) throws -> CalibrationInterview {
        let segs = try AnalysisSegment.read(path: path, requireSchema: false)
        guard !segs.isEmpty else {
            throw CLIError(
                code: ExitCodes.invalidInput, "\(path): no segments (analyse with --segments FILE giving baseline and answer roles)")
        }
        let ordered = segs.enumerated().sorted { ($0.element.start ?? Double($0.offset)) < ($1.element.start ?? Double($1.offset)) }
        return CalibrationInterview(
            source: path,
            segments: ordered.map {
                SegmentFeatures(id: $0.element.id, speaker: $0.element.speaker, role: $0.element.role, features: $0.element.features)
            },
            labels: Dictionary(segs.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a }))
    }
}
