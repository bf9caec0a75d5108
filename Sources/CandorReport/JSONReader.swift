/// A parsed JSON document. Arrays of number pairs (`[[t, v], ...]`: frame tracks and spans)
/// are stored compactly as `.pairs` so that a three-hour contour (a million frames) costs
/// 16 bytes per frame instead of a tree node per number.
public indirect enum JSONNode: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    /// Keys in document order (duplicates keep the last value on lookup).
    case object([(String, JSONNode)])
    /// `[[a, b], ...]` where a and b are numbers or null (null → NaN).
    case pairs([Double], [Double])

    public subscript(key: String) -> JSONNode? {
        guard case .object(let fields) = self else { return nil }
        return fields.last { $0.0 == key }?.1
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A number, or nil for null, NaN or non-numbers.
    public var double: Double? {
        if case .number(let d) = self, d.isFinite { return d }
        return nil
    }

    public var int: Int? {
        guard let d = double, d == d.rounded(), abs(d) < 9e15 else { return nil }
        return Int(d)
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Array elements (a `.pairs` array is expanded into two-element arrays).
    public var array: [JSONNode]? {
        switch self {
        case .array(let a): return a
        case .pairs(let x, let y):
            return (0..<x.count).map { i in .array([x[i].isNaN ? .null : .number(x[i]), y[i].isNaN ? .null : .number(y[i])]) }
        default: return nil
        }
    }

    public var fields: [(String, JSONNode)]? {
        if case .object(let f) = self { return f }
        return nil
    }

    /// Columns of a `[[a, b], ...]` array (null → NaN); an empty array gives empty columns.
    public var pairColumns: (a: [Double], b: [Double])? {
        switch self {
        case .pairs(let x, let y): return (x, y)
        case .array(let items):
            var x: [Double] = [], y: [Double] = []
            for item in items {
                guard case .array(let p) = item, p.count == 2 else { return nil }
                x.append(p[0].double ?? .nan)
                y.append(p[1].double ?? .nan)
            }
            return (x, y)
        default: return nil
        }
    }
}

/// Why a document could not be parsed, with the 1-based line.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes (no comments, no trailing commas), with a
/// nesting limit so hostile input cannot exhaust the stack.
public struct JSONReader {
    private let bytes: [UInt8]
    private var pos = 0
    private var depth = 0
    public static let maxDepth = 256

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONNode {
        var r = JSONReader(bytes: bytes)
        // Skip a UTF-8 byte order mark.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { r.pos = 3 }
        r.skipSpace()
        let v = try r.value()
        r.skipSpace()
        if r.pos != bytes.count { throw r.error("unexpected data after the JSON value") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ message: String) -> JSONParseError {
        var line = 1
        let end = min(pos, bytes.count)
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<end where b[i] == 0x0A { line += 1 }
        }
        return JSONParseError(line: line, message: message)
    }

    private mutating func skipSpace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func expect(_ c: UInt8, _ what: String) throws(JSONParseError) {
        skipSpace()
        guard peek == c else { throw error("expected \(what)") }
        pos += 1
    }

    private mutating func value() throws(JSONParseError) -> JSONNode {
        skipSpace()
        guard let c = peek else { throw error("unexpected end of document") }
        switch c {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(c)))'")
        }
    }

    private mutating func literal(_ word: String) throws(JSONParseError) {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count else { throw error("unexpected end of document") }
        for i in 0..<w.count where bytes[pos + i] != w[i] { throw error("invalid literal") }
        pos += w.count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth)") }
    }

    private mutating func object() throws(JSONParseError) -> JSONNode {
        try enter()
        defer { depth -= 1 }
        pos += 1
        var fields: [(String, JSONNode)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") { pos += 1; return .object(fields) }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            try expect(UInt8(ascii: ":"), "':'")
            fields.append((key, try value()))
            skipSpace()
            guard let c = peek else { throw error("unexpected end of document in an object") }
            pos += 1
            if c == UInt8(ascii: "}") { return .object(fields) }
            if c != UInt8(ascii: ",") { pos -= 1; throw error("expected ',' or '}'") }
        }
    }

    private mutating func array() throws(JSONParseError) -> JSONNode {
        let start = pos
        if let pairs = tryPairs() { return pairs }
        pos = start
        try enter()
        defer { depth -= 1 }
        pos += 1
        var items: [JSONNode] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            items.append(try value())
            skipSpace()
            guard let c = peek else { throw error("unexpected end of document in an array") }
            pos += 1
            if c == UInt8(ascii: "]") { return .array(items) }
            if c != UInt8(ascii: ",") { pos -= 1; throw error("expected ',' or ']'") }
        }
    }

    /// Fast path for `[[n|null, n|null], ...]` (at least one pair). Returns nil (position
    /// undefined) when the array has any other shape; the caller then parses it generically.
    private mutating func tryPairs() -> JSONNode? {
        pos += 1
        var xs: [Double] = [], ys: [Double] = []
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "[") else { return nil }
            pos += 1
            guard let a = pairElement() else { return nil }
            skipSpace()
            guard peek == UInt8(ascii: ",") else { return nil }
            pos += 1
            guard let b = pairElement() else { return nil }
            skipSpace()
            guard peek == UInt8(ascii: "]") else { return nil }
            pos += 1
            xs.append(a)
            ys.append(b)
            skipSpace()
            guard let c = peek else { return nil }
            pos += 1
            if c == UInt8(ascii: "]") { return .pairs(xs, ys) }
            if c != UInt8(ascii: ",") { return nil }
        }
    }

    private mutating func pairElement() -> Double? {
        skipSpace()
        guard let c = peek else { return nil }
        if c == UInt8(ascii: "n") {
            guard pos + 4 <= bytes.count, bytes[pos + 1] == UInt8(ascii: "u"), bytes[pos + 2] == UInt8(ascii: "l"),
                  bytes[pos + 3] == UInt8(ascii: "l") else { return nil }
            pos += 4
            return .nan
        }
        guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { return nil }
        return try? number()
    }

    private mutating func number() throws(JSONParseError) -> Double {
        let start = pos
        func digits(_ r: inout JSONReader) -> Int {
            let s = r.pos
            while let c = r.peek, c >= 0x30, c <= 0x39 { r.pos += 1 }
            return r.pos - s
        }
        if peek == UInt8(ascii: "-") { pos += 1 }
        let intStart = pos
        let n = digits(&self)
        if n == 0 { throw error("invalid number") }
        if n > 1 && bytes[intStart] == 0x30 { throw error("invalid number (leading zero)") }
        if peek == UInt8(ascii: ".") {
            pos += 1
            if digits(&self) == 0 { throw error("invalid number") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            pos += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { pos += 1 }
            if digits(&self) == 0 { throw error("invalid number") }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard let d = Double(text) else { throw error("invalid number") }
        return d
    }

    private mutating func string() throws(JSONParseError) -> String {
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("unterminated string") }
            pos += 1
            switch c {
            case UInt8(ascii: "\""):
                // Invalid UTF-8 is replaced (U+FFFD), never trusted.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw error("unterminated string") }
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), peek == UInt8(ascii: "\\"), pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            out.append(contentsOf: Array("\u{FFFD}".utf8))
                            scalar = low
                        }
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw error("invalid escape in string")
                }
            default:
                if c < 0x20 { throw error("control character in string") }
                out.append(c)
            }
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            pos += 1
            v <<= 4
            switch c {
            case 0x30...0x39: v |= UInt32(c - 0x30)
            case 0x41...0x46: v |= UInt32(c - 0x41 + 10)
            case 0x61...0x66: v |= UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
        }
        return v
    }
}
