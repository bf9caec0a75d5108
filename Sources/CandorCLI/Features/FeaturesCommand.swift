import ArgumentParser
import Candor
import CandorFeatures
import CandorAudio
import CandorInterchange
import Foundation

/// `candor features`: standard feature sets of audio files as one table (one row per file or per segment).
public struct FeaturesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Compute a standard feature set (eGeMAPS v02) of audio files as one CSV or JSON table.",
        discussion: """
            --set egemaps: the 88 eGeMAPS v02 functionals (Eyben et al. 2016) with openSMILE's column \
            names and order, one row per file (or per segment with --segments). Measured agreement with \
            openSMILE 2.6 and the known differences are in docs/features.md. Columns before the \
            features: file, and with --segments: segment, speaker, start, end. Exit codes: 0 success, \
            2 usage error, 3 unreadable or invalid input, 1 other failure (e.g. the output cannot be written).
            """)

    @Argument(help: "Audio files (WAV, FLAC, Ogg, …: whatever libsndfile reads).")
    var files: [String]

    @Option(name: .long, help: "Feature set: egemaps.")
    var set: String = "egemaps"

    @Option(name: .long, help: "csv (default) or json.")
    var format: String = "csv"

    @Option(name: .long, help: "Segment file (CSV, TextGrid, SRT, WebVTT): one row per segment (one input file only).")
    var segments: String?

    @Option(name: .long, help: "Output file ('-' for stdout, the default).")
    var out: String = "-"

    @OptionGroup var global: GlobalOptions

    public init() {}

    public func validate() throws {
        guard set == "egemaps" else { throw ValidationError("--set must be egemaps") }
        guard format == "csv" || format == "json" else { throw ValidationError("--format must be csv or json") }
        guard !files.isEmpty else { throw ValidationError("give at least one audio file") }
        if segments != nil && files.count != 1 { throw ValidationError("--segments needs exactly one audio file") }
    }

    public func run() throws {
        try checkOutputFolder(out)
        var rows: [FeatureRow] = []
        if let segments {
            let list = try SegmentReader.read(path: segments)
            let duration = try AudioReader(path: files[0]).info.duration
            for s in list {
                guard s.end > s.start, s.start < duration else {
                    throw InputError(
                        path: segments,
                        problem:
                            "line \(s.line): segment \(s.id) (\(s.start)–\(s.end) s) is empty or starts after the end of \(files[0]) (\(duration) s)"
                    )
                }
                let f = try Candor.egemaps(file: files[0], start: s.start, end: s.end)
                rows.append(FeatureRow(file: files[0], segment: s, features: f))
            }
        } else {
            let progress = ProgressLine(label: "features", quiet: global.quiet)
            for (i, file) in files.enumerated() {
                rows.append(FeatureRow(file: file, segment: nil, features: try Candor.egemaps(file: file)))
                progress.update(Double(i + 1) / Double(files.count))
            }
            progress.finish()
        }
        let text = format == "csv" ? FeatureTable.csv(rows) : FeatureTable.json(rows, set: set)
        let output = try OutputFile(path: out)
        output.write(text)
        try output.finish()
        try output.commit()
    }
}
