/// Why a document could not be parsed, with the 1-based line.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}
