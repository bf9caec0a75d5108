import CandorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A strict RFC 8259 parser over UTF-8 bytes (no comments, no trailing commas), with a
/// nesting limit. It reads forward only, from memory or from a file in 64 KiB chunks, so a
/// document read from a file costs memory for its tree, not for its text; with
/// ``FrameMode/reduce(columns:end:)`` or ``FrameMode/skip`` the frame tracks (the only parts
/// that grow with the recording's length) cost a fixed amount too.
public struct JSONReader {
    /// What to do with the value of a `"frames"` key when it is an array of pairs.
    public enum FrameMode: Sendable {
        /// Keep every frame (`.pairs`).
        case keep
        /// Drop the frames (`.null`).
        case skip
        /// Reduce to `columns` time bins of [0, end) (`.columns`); under a `"pitch"` key only
        /// positive values count (unvoiced frames are null).
        case reduce(columns: Int, end: Double)
    }

    private var buf: [UInt8]
    private var pos = 0
    private var file: UnsafeMutablePointer<FILE>?
    private var line = 1
    private var depth = 0
    private let frames: FrameMode
    /// The key whose value is being parsed, and the one of the object around it.
    private var key: String?
    private var parentKey: String?
    public static let maxDepth = 256
    static let chunk = 1 << 16

    public static func parse(_ bytes: [UInt8], frames: FrameMode = .keep) throws(JSONParseError) -> JSONNode {
        var r = JSONReader(buf: bytes, file: nil, frames: frames)
        return try r.document()
    }

    /// Parses an open file from its current position to its end (the caller closes it).
    public static func parse(file: UnsafeMutablePointer<FILE>, frames: FrameMode = .keep) throws(JSONParseError) -> JSONNode {
        var r = JSONReader(buf: [], file: file, frames: frames)
        return try r.document()
    }

    private init(buf: [UInt8], file: UnsafeMutablePointer<FILE>?, frames: FrameMode) {
        self.buf = buf
        self.file = file
        self.frames = frames
    }

    private mutating func document() throws(JSONParseError) -> JSONNode {
        // Skip a UTF-8 byte order mark.
        if peek == 0xEF {
            pos += 1
            guard peek == 0xBB else { throw error("unexpected character") }
            pos += 1
            guard peek == 0xBF else { throw error("unexpected character") }
            pos += 1
        }
        skipSpace()
        let v = try value()
        skipSpace()
        if peek != nil { throw error("unexpected data after the JSON value") }
        return v
    }

    private func error(_ message: String) -> JSONParseError { JSONParseError(line: line, message: message) }

    /// The next byte (reading the next chunk of the file when the buffer is used up), or nil at the end.
    private var peek: UInt8? {
        mutating get {
            if pos < buf.count { return buf[pos] }
            guard let f = file else { return nil }
            var chunk = [UInt8](repeating: 0, count: Self.chunk)
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, Self.chunk, f) }
            if n == 0 {
                file = nil
                return nil
            }
            buf = Array(chunk[0..<n])
            pos = 0
            return buf[0]
        }
    }

    private mutating func skipSpace() {
        while let c = peek {
            switch c {
            case 0x0A:
                line += 1
                pos += 1
            case 0x20, 0x09, 0x0D: pos += 1
            default: return
            }
        }
    }

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
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(c)))'")
        }
    }

    private mutating func literal(_ word: String) throws(JSONParseError) {
        for w in word.utf8 {
            guard let c = peek else { throw error("unexpected end of document") }
            guard c == w else { throw error("invalid literal") }
            pos += 1
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth)") }
    }

    private mutating func object() throws(JSONParseError) -> JSONNode {
        try enter()
        defer { depth -= 1 }
        pos += 1
        let outer = (key, parentKey)
        defer { (key, parentKey) = outer }
        var fields: [(String, JSONNode)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") {
            pos += 1
            return .object(fields)
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let name = try string()
            try expect(UInt8(ascii: ":"), "':'")
            (key, parentKey) = (name, outer.0)
            fields.append((name, try value()))
            skipSpace()
            guard let c = peek else { throw error("unexpected end of document in an object") }
            if c == UInt8(ascii: "}") {
                pos += 1
                return .object(fields)
            }
            guard c == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            pos += 1
        }
    }

    /// An array; `[[n|null, n|null], ...]` is stored as `.pairs` (or, for frames, as the
    /// frame mode says) as it is read, other shapes as `.array`. Forward only: a pairs array
    /// that turns out to hold something else is converted to `.array` at that point.
    private mutating func array() throws(JSONParseError) -> JSONNode {
        try enter()
        defer { depth -= 1 }
        pos += 1
        let isFrames = key == "frames"
        let outer = (key, parentKey)
        (key, parentKey) = (nil, nil)
        defer { (key, parentKey) = outer }
        var reducer: FrameReducer?
        var dropping = false
        if isFrames {
            switch frames {
            case .keep: break
            case .skip: dropping = true
            case .reduce(let columns, let end):
                reducer = FrameReducer(columns: columns, end: end, accept: outer.1 == "pitch" ? { $0.isFinite && $0 > 0 } : { $0.isFinite })
            }
        }
        var items: [JSONNode] = []
        var xs: [Double] = [], ys: [Double] = []
        var pairsOnly = true
        skipSpace()
        if peek == UInt8(ascii: "]") {
            pos += 1
            return reducer.map { .columns($0.result) } ?? (dropping ? .null : .array(items))
        }
        while true {
            skipSpace()
            var pair: (Double, Double)?
            if pairsOnly, peek == UInt8(ascii: "[") {
                let element = try value()
                if case .array(let p) = element, p.count == 2, let a = pairValue(p[0]), let b = pairValue(p[1]) {
                    pair = (a, b)
                } else {
                    // Not a pairs array after all: keep what was read as ordinary elements.
                    pairsOnly = false
                    if reducer != nil || dropping { return try skipRest(returning: .null) }
                    items = zip(xs, ys).map { .array([$0.isNaN ? .null : .number($0), $1.isNaN ? .null : .number($1)]) }
                    xs = []
                    ys = []
                    items.append(element)
                }
            } else {
                if pairsOnly && (reducer != nil || dropping) { return try skipRest(returning: .null) }
                if pairsOnly {
                    pairsOnly = false
                    items = zip(xs, ys).map { .array([$0.isNaN ? .null : .number($0), $1.isNaN ? .null : .number($1)]) }
                    xs = []
                    ys = []
                }
                items.append(try value())
            }
            if let (a, b) = pair {
                if reducer != nil {
                    reducer!.add(a, b)
                } else if !dropping {
                    xs.append(a)
                    ys.append(b)
                }
            }
            skipSpace()
            guard let c = peek else { throw error("unexpected end of document in an array") }
            pos += 1
            if c == UInt8(ascii: "]") {
                if let reducer { return .columns(reducer.result) }
                if dropping { return .null }
                return pairsOnly ? .pairs(xs, ys) : .array(items)
            }
            guard c == UInt8(ascii: ",") else {
                pos -= 1
                throw error("expected ',' or ']'")
            }
        }
    }

    /// A number or null inside a pair (null → NaN); nil for anything else.
    private func pairValue(_ n: JSONNode) -> Double? {
        switch n {
        case .null: return .nan
        case .number(let d): return d
        default: return nil
        }
    }

    /// Parses (and discards) the rest of the current array, then returns `node`.
    private mutating func skipRest(returning node: JSONNode) throws(JSONParseError) -> JSONNode {
        while true {
            skipSpace()
            guard let c = peek else { throw error("unexpected end of document in an array") }
            if c == UInt8(ascii: "]") {
                pos += 1
                return node
            }
            if c == UInt8(ascii: ",") { pos += 1 }
            _ = try value()
        }
    }

    private mutating func digits(into text: inout [UInt8]) -> Int {
        var n = 0
        while let c = peek, c >= 0x30, c <= 0x39 {
            text.append(c)
            pos += 1
            n += 1
        }
        return n
    }

    private mutating func number() throws(JSONParseError) -> Double {
        var text: [UInt8] = []
        if peek == UInt8(ascii: "-") {
            text.append(UInt8(ascii: "-"))
            pos += 1
        }
        let intStart = text.count
        let n = digits(into: &text)
        if n == 0 { throw error("invalid number") }
        if n > 1 && text[intStart] == 0x30 { throw error("invalid number (leading zero)") }
        if peek == UInt8(ascii: ".") {
            text.append(UInt8(ascii: "."))
            pos += 1
            if digits(into: &text) == 0 { throw error("invalid number") }
        }
        if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            text.append(e)
            pos += 1
            if let s = peek, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
                text.append(s)
                pos += 1
            }
            if digits(into: &text) == 0 { throw error("invalid number") }
        }
        guard let d = Double(String(decoding: text, as: UTF8.self)) else { throw error("invalid number") }
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
                try escape(into: &out)
            default:
                if c < 0x20 { throw error("control character in string") }
                out.append(c)
            }
        }
    }

    /// One escape after its backslash; a high surrogate takes the `\\u` low surrogate after it.
    private mutating func escape(into out: inout [UInt8]) throws(JSONParseError) {
        guard let e = peek else { throw error("unterminated string") }
        pos += 1
        if let byte = jsonEscapedByte(e) {
            out.append(byte)
            return
        }
        switch e {
        case UInt8(ascii: "u"):
            let scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar), peek == UInt8(ascii: "\\") {
                pos += 1
                guard peek == UInt8(ascii: "u") else {
                    // A lone high surrogate, then some other escape.
                    out.append(contentsOf: Array("\u{FFFD}".utf8))
                    return try escape(into: &out)
                }
                pos += 1
                let low = try hex4()
                if (0xDC00..<0xE000).contains(low) {
                    append(0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00), to: &out)
                } else {
                    out.append(contentsOf: Array("\u{FFFD}".utf8))
                    append(low, to: &out)
                }
            } else {
                append(scalar, to: &out)
            }
        default: throw error("invalid escape in string")
        }
    }

    private func append(_ scalar: UInt32, to out: inout [UInt8]) {
        let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(u)).utf8))
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek else { throw error("invalid \\u escape") }
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
