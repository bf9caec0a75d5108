import ArgumentParser
import Candor
import CandorModels
import Foundation

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
