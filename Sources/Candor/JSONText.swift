#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorCore
import CandorFeatures

/// A JSON document tree with ordered keys, plus compact cases for long frame arrays so a
/// three-hour contour streams straight to the file without an intermediate tree.
package indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number rounded to `digits` decimals (nil = shortest round-trip form). NaN/∞ → null.
    case number(Double, digits: Int? = nil)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// `[[t, v], ...]` for a frame grid, the values paged by frame range (from the
    /// analysis's spill file) so a three-hour track is never whole in memory; `zeroIsNull`
    /// writes v == 0 as null (unvoiced). A failing load stops the output and is reported
    /// through `TextSink.error`.
    case pagedFrames(FrameGrid, @Sendable (Range<Int>) throws -> [Float], digits: Int, zeroIsNull: Bool)
    /// `[[a, b], ...]` spans in seconds.
    case spans([(Double, Double)])
    /// JSON text written verbatim (already encoded, e.g. by JSONEncoder).
    case raw(String)

    package static func num(_ d: Double?, _ digits: Int? = nil) -> JSONValue {
        guard let d, d.isFinite else { return .null }
        return .number(d, digits: digits)
    }
}

/// Formats a double with at most `digits` decimals, trimming trailing zeros.
package func formatNumber(_ d: Double, digits: Int?) -> String {
    guard d.isFinite else { return "null" }
    if let digits {
        var buf: [UInt8] = []
        buf.reserveCapacity(24)
        if appendDecimal(d, digits: digits, to: &buf) { return String(decoding: buf, as: UTF8.self) }
        if digits <= 9 { return "\(d)" }
    }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
}

/// Appends finite `d` rounded to `digits` (≤ 9) decimals, trailing zeros trimmed, as
/// UTF-8; false (nothing appended) when it does not apply (non-finite, too many digits,
/// too large for 64-bit fixed point).
package func appendDecimal(_ d: Double, digits: Int, to buffer: inout [UInt8]) -> Bool {
    guard d.isFinite, digits >= 0, digits <= 9 else { return false }
    var p: Int64 = 1
    for _ in 0..<digits { p *= 10 }
    let scaled = (d * Double(p)).rounded()
    guard abs(scaled) < 9e17 else { return false }
    var q = Int64(scaled)
    let negative = q < 0
    if negative { q = -q }
    let intPart = q / p
    var frac = q % p
    var fracDigits = digits
    while fracDigits > 0 && frac % 10 == 0 { frac /= 10; fracDigits -= 1 }
    if negative && q != 0 { buffer.append(45) }  // "-"
    var div: Int64 = 1
    while intPart / div >= 10 { div *= 10 }
    while div > 0 { buffer.append(UInt8(48 + (intPart / div) % 10)); div /= 10 }
    if fracDigits > 0 {
        buffer.append(46)  // "."
        var fdiv: Int64 = 1
        for _ in 1..<fracDigits { fdiv *= 10 }
        while fdiv > 0 { buffer.append(UInt8(48 + (frac / fdiv) % 10)); fdiv /= 10 }
    }
    return true
}

package func escapeJSON(_ s: String) -> String {
    var out = ""
    appendJSONString(s, into: &out)
    return out
}

/// Buffered output to a file descriptor, or kept in memory (`init()`, read `bytes`).
package final class TextSink {
    private var buffer: [UInt8] = []
    /// -1: in memory.
    private let fd: Int32
    package private(set) var failed = false
    /// The first error a value's writer met (a paged track that could not be read).
    package var error: (any Error)?
    package init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }
    /// Output kept in memory.
    package init() { fd = -1 }
    /// What an in-memory sink holds.
    package var bytes: [UInt8] { buffer }
    package func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if fd >= 0, buffer.count >= 1 << 16 { flush() }
    }
    package func write(byte b: UInt8) { buffer.append(b) }
    /// `formatNumber(d, digits:)` appended without building Strings (frame tracks write
    /// ~100,000 numbers per channel and 10 minutes).
    package func writeNumber(_ d: Double, digits: Int) {
        if !appendDecimal(d, digits: digits, to: &buffer) { write(formatNumber(d, digits: digits)) }
    }
    package func flush() {
        guard fd >= 0 else { return }
        var off = 0
        buffer.withUnsafeBytes { raw in
            while off < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; failed = true; return }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension JSONValue {
    package func write(to sink: TextSink, indent: Int = 0) {
        let pad = String(repeating: "  ", count: indent)
        let pad1 = pad + "  "
        switch self {
        case .null: sink.write("null")
        case .bool(let b): sink.write(b ? "true" : "false")
        case .int(let i): sink.write(String(i))
        case .number(let d, let digits): sink.write(formatNumber(d, digits: digits))
        case .string(let s): sink.write(escapeJSON(s))
        case .array(let items):
            if items.isEmpty { sink.write("[]"); return }
            let simple = items.allSatisfy { $0.isScalar }
            if simple {
                sink.write("[")
                for (k, v) in items.enumerated() {
                    if k > 0 { sink.write(", ") }
                    v.write(to: sink)
                }
                sink.write("]")
            } else {
                sink.write("[\n")
                for (k, v) in items.enumerated() {
                    sink.write(pad1)
                    v.write(to: sink, indent: indent + 1)
                    sink.write(k + 1 < items.count ? ",\n" : "\n")
                }
                sink.write(pad + "]")
            }
        case .object(let fields):
            if fields.isEmpty { sink.write("{}"); return }
            sink.write("{\n")
            for (k, (key, v)) in fields.enumerated() {
                sink.write(pad1 + escapeJSON(key) + ": ")
                v.write(to: sink, indent: indent + 1)
                sink.write(k + 1 < fields.count ? ",\n" : "\n")
            }
            sink.write(pad + "}")
        case .pagedFrames(let grid, let load, let digits, let zeroIsNull):
            sink.write("[")
            var a = 0
            while a < grid.count {
                let b = min(grid.count, a + 1 << 15)
                do {
                    let values = try load(a..<b)
                    Self.writeFrames(grid, values, from: a, digits: digits, zeroIsNull: zeroIsNull, pad: pad1, to: sink)
                } catch {
                    if sink.error == nil { sink.error = error }
                    break
                }
                a = b
            }
            sink.write("]")
        case .raw(let text): sink.write(text)
        case .spans(let spans):
            sink.write("[")
            for (k, s) in spans.enumerated() {
                if k > 0 { sink.write(", ") }
                sink.write("[" + formatNumber(s.0, digits: 3) + ", " + formatNumber(s.1, digits: 3) + "]")
            }
            sink.write("]")
        }
    }

    /// Frames `first ..< first + values.count` of a track, eight per line.
    static func writeFrames(
        _ grid: FrameGrid, _ values: [Float], from first: Int, digits: Int, zeroIsNull: Bool,
        pad: String, to sink: TextSink
    ) {
        let newline = ",\n" + pad
        for (k, v) in values.enumerated() {
            let i = first + k
            if i > 0 {
                if i % 8 == 0 { sink.write(newline) } else { sink.write(byte: 44); sink.write(byte: 32) }
            }
            sink.write(byte: 91)  // [
            sink.writeNumber(grid.time(i), digits: 5)
            sink.write(byte: 44); sink.write(byte: 32)
            if (zeroIsNull && v == 0) || !v.isFinite { sink.write("null") } else { sink.writeNumber(Double(v), digits: digits) }
            sink.write(byte: 93)  // ]
        }
    }

    var isScalar: Bool {
        switch self {
        case .null, .bool, .int, .number, .string: return true
        default: return false
        }
    }
}

final class StringSink { var text = "" }

extension JSONValue {
    /// Compact rendering into a string (small values only).
    func writeCompact(to s: StringSink) {
        switch self {
        case .raw(let t): s.text += t
        case .null: s.text += "null"
        case .bool(let b): s.text += b ? "true" : "false"
        case .int(let i): s.text += String(i)
        case .number(let d, let digits): s.text += formatNumber(d, digits: digits)
        case .string(let t): s.text += escapeJSON(t)
        case .array(let a):
            s.text += "["
            for (i, v) in a.enumerated() { if i > 0 { s.text += "," }; v.writeCompact(to: s) }
            s.text += "]"
        case .object(let o):
            s.text += "{"
            for (i, (k, v)) in o.enumerated() { if i > 0 { s.text += "," }; s.text += escapeJSON(k) + ":"; v.writeCompact(to: s) }
            s.text += "}"
        case .pagedFrames, .spans: s.text += "null"
        }
    }
}
