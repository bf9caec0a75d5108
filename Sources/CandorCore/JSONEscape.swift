/// The byte a one-letter JSON string escape stands for (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`,
/// `\r`, `\t`; RFC 8259 §7), or nil for any other letter (`u` and invalid escapes). Shared by
/// the audit log's strict canonical parser and the report's streaming reader.
public func jsonEscapedByte(_ letter: UInt8) -> UInt8? {
    switch letter {
    case UInt8(ascii: "\""): return 0x22
    case UInt8(ascii: "\\"): return 0x5C
    case UInt8(ascii: "/"): return 0x2F
    case UInt8(ascii: "b"): return 0x08
    case UInt8(ascii: "f"): return 0x0C
    case UInt8(ascii: "n"): return 0x0A
    case UInt8(ascii: "r"): return 0x0D
    case UInt8(ascii: "t"): return 0x09
    default: return nil
    }
}

/// Appends `s` as a JSON string literal (RFC 8259 §7: `"` `\` and control characters
/// escaped, everything else as is). With `htmlSafe`, `<`, `>` and `&` are written as `\u003c`,
/// `\u003e` and `\u0026` too, so the JSON can sit inside an HTML page. Shared by the analysis
/// document's writer and the service's JSON responses.
public func appendJSONString(_ s: String, into out: inout String, htmlSafe: Bool = false) {
    out += "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "<" where htmlSafe: out += "\\u003c"
        case ">" where htmlSafe: out += "\\u003e"
        case "&" where htmlSafe: out += "\\u0026"
        default:
            if u.value < 0x20 {
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    out += "\""
}
