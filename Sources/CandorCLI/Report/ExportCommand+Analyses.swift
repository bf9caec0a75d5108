import Candor
import CandorCore
import CandorReport
import Foundation

/// `candor export --format csv --analyses DIR [--per segment|file]`: one tidy table over every
/// analysis JSON under DIR (see `AnalysesTable`).
extension ExportCommand {
    /// The analysis files under `dir` (recursively, `*.json`, sorted by their path in `dir`).
    static func analysisFiles(in dir: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError(code: ExitCodes.invalidInput, "\(dir): no such folder")
        }
        let files = (FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? [])
            .filter { $0.lowercased().hasSuffix(".json") }
            .filter {
                var d: ObjCBool = false
                return FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent($0), isDirectory: &d) && !d.boolValue
            }
            .sorted()
        guard !files.isEmpty else { throw CLIError(code: ExitCodes.invalidInput, "\(dir): no *.json analysis files") }
        return files
    }

    /// Default output: `<folder name>.segments.csv` or `<folder name>.files.csv`.
    func analysesOutput(_ dir: String) -> String {
        if let out { return out }
        let trimmed = dir.hasSuffix("/") && dir.count > 1 ? String(dir.dropLast()) : dir
        let base = (trimmed as NSString).lastPathComponent
        return (base.isEmpty || base == "." || base == "/" ? "analyses" : base) + (per == "file" ? ".files.csv" : ".segments.csv")
    }

    func runAnalysesTable(_ dir: String) throws {
        let files = try Self.analysisFiles(in: dir)
        let output = analysesOutput(dir)
        try checkOutputFolder(output)
        let protection = try outputProtection(inputs: files.map { (dir as NSString).appendingPathComponent($0) }, force: source.force)
        try OutputFile.check(output, protection)
        var table = AnalysesTable(per: per == "file" ? .file : .segment)
        for f in files { table.scan(try readAnalysisFile((dir as NSString).appendingPathComponent(f), frames: .none)) }
        var rows = 0
        try writeAtomically(to: output, protection: protection) { sink in
            // writeAtomically ends the output with a newline: every chunk but the last goes out whole.
            var pending = table.headerLine
            for f in files {
                let chunk = table.rows(try readAnalysisFile((dir as NSString).appendingPathComponent(f), frames: .none), name: f)
                guard !chunk.isEmpty else { continue }
                sink.write(pending)
                pending = chunk
                rows += chunk.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            }
            if pending.hasSuffix("\n") { pending.removeLast() }
            sink.write(pending)
        }
        if !global.quiet && output != "-" { print("wrote \(output): \(rows) row(s) from \(files.count) analysis file(s)") }
    }
}
