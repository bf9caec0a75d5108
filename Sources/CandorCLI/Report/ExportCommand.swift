import ArgumentParser
import Candor
import CandorAudit
import CandorModels
import CandorReport
import Foundation

public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an analysis as a Praat TextGrid or as CSV tables.",
        discussion: """
            textgrid: interval tiers turns-<speaker>, pauses-<speaker>, segments-<speaker>, flagged, and a \
            point tier pitch-<speaker> (one point per voiced frame, mark = F0 in Hz). Default output: \
            <name>.TextGrid. csv: <prefix>.frames.csv (channel, speaker, t, f0_hz, intensity_db), \
            <prefix>.segments.csv (segment features and scores) and <prefix>.conversation.csv (one row \
            per speaker: talk share, turns, interruptions, latency median, …); --table picks one; columns are \
            documented in docs/csv.md. With --case/--session the export is logged (accessed, exported) \
            before anything is written. Outputs are written atomically. \
            csv --analyses DIR: one table over every analysis JSON under DIR (recursively), a row per \
            segment (--per segment) or per channel of each recording (--per file), with the recording, \
            channel, speaker, role, every feature, and per model its index, flag and each cue's z-score \
            and contribution. Default output: <DIR name>.segments.csv or .files.csv.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: AnalysisSourceOptions

    @Option(name: .long, help: "textgrid or csv.")
    var format: String

    @Option(name: .long, help: "csv only: frames, segments, conversation or all (default all).")
    var table: String = "all"

    @Option(name: .long, help: "csv: a folder of analysis JSONs (e.g. batch results) to put in one table.")
    var analyses: String?

    @Option(name: .long, help: "With --analyses: one row per segment (default) or per file (one per channel).")
    var per: String = "segment"

    @Option(name: .long, help: "Output file (textgrid; '-' for stdout) or file prefix (csv; '-' with a single --table).")
    var out: String?

    public init() {}

    public func validate() throws {
        guard per == "segment" || per == "file" else { throw ValidationError("--per must be segment or file") }
        if analyses != nil {
            guard format == "csv" else { throw ValidationError("--analyses needs --format csv") }
            guard source.analysis == nil, source.caseID == nil, source.sessionID == nil else {
                throw ValidationError("--analyses DIR replaces --analysis and --case/--session")
            }
            return
        }
        try source.check()
        guard format == "textgrid" || format == "csv" else { throw ValidationError("--format must be textgrid or csv") }
        guard ["frames", "segments", "conversation", "all"].contains(table) else {
            throw ValidationError("--table must be frames, segments, conversation or all")
        }
        if format == "csv", out == "-", table == "all" { throw ValidationError("--out - needs --table frames, segments or conversation") }
    }

    /// The default output stem: the analysis file name without .analysis.json / .json, or case-session.
    var stem: String {
        if let f = source.analysis {
            var base = (f as NSString).lastPathComponent
            for suffix in [".analysis.json", ".json"] where base.hasSuffix(suffix) {
                base = String(base.dropLast(suffix.count))
                break
            }
            return base
        }
        return "\(source.caseID ?? "case")-\(source.sessionID ?? "session")"
    }

    /// The files this export writes.
    var outputs: [String] {
        if format == "textgrid" { return [out ?? stem + ".TextGrid"] }
        let prefix = out ?? stem
        if prefix == "-" { return ["-"] }
        var files: [String] = []
        if table == "all" || table == "frames" { files.append(prefix + ".frames.csv") }
        if table == "all" || table == "segments" { files.append(prefix + ".segments.csv") }
        if table == "all" || table == "conversation" { files.append(prefix + ".conversation.csv") }
        return files
    }

    public func run() throws {
        if let analyses { return try runAnalysesTable(analyses) }
        for path in outputs { try checkOutputFolder(path) }
        let protection = try source.protection(workspace: global.workspacePath)
        for path in outputs { try OutputFile.check(path, protection) }
        let analysis: AnalysisData
        if let file = source.analysis {
            analysis = try readAnalysisFile(file)
        } else {
            analysis = try loadSessionAnalysis(
                workspace: global.workspacePath, caseID: source.caseID!, sessionID: source.sessionID!,
                action: "exported", what: "\(format) \(outputs.joined(separator: " "))"
            ).analysis
        }
        if format == "textgrid" {
            let text = TextGridWriter.write(analysis)
            try writeAtomically(to: outputs[0], protection: protection) { $0.write(String(text.dropLast())) }
        } else {
            for path in outputs {
                let frames = path == "-" ? table == "frames" : path.hasSuffix(".frames.csv")
                let conversation = path == "-" ? table == "conversation" : path.hasSuffix(".conversation.csv")
                try writeAtomically(to: path, protection: protection) { sink in
                    // writeAtomically ends the output with a newline; the tables already end with one,
                    // so the last chunk goes out without it.
                    var pending = ""
                    if frames {
                        CSVWriter.frames(analysis) { chunk in
                            sink.write(pending)
                            pending = chunk
                        }
                    } else if conversation {
                        pending = CSVWriter.conversation(analysis)
                    } else {
                        pending = CSVWriter.segments(analysis)
                    }
                    if pending.hasSuffix("\n") { pending.removeLast() }
                    sink.write(pending)
                }
            }
        }
        if !global.quiet && !outputs.contains("-") { print("wrote " + outputs.joined(separator: ", ")) }
    }
}
