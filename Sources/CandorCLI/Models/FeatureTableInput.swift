import ArgumentParser
import Candor
import CandorModels
import Foundation

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
