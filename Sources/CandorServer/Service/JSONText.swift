import CandorCore
import Foundation

/// A small JSON value for responses, written with sorted keys (stable output for tests and
/// logs) and every string escaped.
public indirect enum JSONText: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([String: JSONText])
    /// Already-encoded JSON (e.g. a stored analysis document), written as is.
    case raw(String)

    public static func encode(_ fields: [String: JSONText]) -> String { JSONText.object(fields).encoded }

    public var encoded: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .string(let s): JSONText.quote(s, into: &out)
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .raw(let r): out += r
        case .array(let items):
            out += "["
            for (k, v) in items.enumerated() {
                if k > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (k, key) in fields.keys.sorted().enumerated() {
                if k > 0 { out += "," }
                JSONText.quote(key, into: &out)
                out += ":"
                fields[key]!.write(into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal that is also safe inside HTML (`<`, `>`, `&` escaped).
    static func quote(_ s: String, into out: inout String) {
        appendJSONString(s, into: &out, htmlSafe: true)
    }
}
