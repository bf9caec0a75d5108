@_exported import CandorCore
import Foundation

/// An input problem that names the file (and line, when there is one). Commands map it to
/// exit code 3.
public struct ModelInputError: CandorError, Sendable, Equatable {
    public var exitStatus: ExitStatus { .invalidInput }
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, _ message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

/// One CSV record with the 1-based line number it started on.
public struct CSVRecord: Sendable {
    public var line: Int
    public var fields: [String]
}

/// A minimal RFC 4180 reader: comma separated, optional double quotes ("" escapes a quote),
/// LF or CRLF line ends, an optional UTF-8 byte-order mark. Blank lines are skipped.
public enum CSVReader {
    public static func read(path: String) throws -> [CSVRecord] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelInputError(path: path, "cannot read file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelInputError(path: path, "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0

        func endRecord() {
            fields.append(field)
            let blank = fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty && !fieldWasQuoted
            if !blank { records.append(CSVRecord(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"":
                    if !field.isEmpty {
                        throw ModelInputError(path: path, line: line, "stray double quote inside an unquoted field")
                    }
                    inQuotes = true
                    fieldWasQuoted = true
                case ",":
                    fields.append(field)
                    field = ""
                    fieldWasQuoted = false
                case "\r":
                    break
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    field.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw ModelInputError(path: path, line: recordLine, "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// Parses a finite number; nil for an empty cell or NA/NaN/null (a missing value).
    static func optionalNumber(_ s: String) -> Double?? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.isEmpty || ["na", "nan", "null", "none"].contains(t.lowercased()) { return .some(nil) }
        guard let v = Double(t), v.isFinite else { return nil }
        return .some(v)
    }
}
