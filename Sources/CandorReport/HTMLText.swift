import Foundation

/// Escapes text for HTML element content and quoted attribute values: `& < > " '` become
/// entities, and control characters other than tab/newline are dropped. Everything taken from
/// an input (file names, labels, speaker names, model text) goes through this.
public func htmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count + 8)
    for u in s.unicodeScalars {
        switch u {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n": out.unicodeScalars.append(u)
        default:
            if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) { continue }
            out.unicodeScalars.append(u)
        }
    }
    return out
}

/// A number for display with at most `digits` decimals ("–" for nil / not finite).
public func formatValue(_ d: Double?, digits: Int = 3) -> String {
    guard let d, d.isFinite else { return "–" }
    let digits = max(0, min(digits, 9))
    var scale: Int64 = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(d) * Double(scale)).rounded()
    // Integer arithmetic (exact, fast) for the usual range; printf for huge magnitudes.
    guard scaled < 9e15 else { return trimZeros(String(format: "%.\(digits)f", d)) }
    let n = Int64(scaled)
    if n == 0 { return "0" }
    var whole = String(n / scale)
    var frac = n % scale
    if frac != 0 {
        var places = digits
        while frac % 10 == 0 { frac /= 10; places -= 1 }
        let f = String(frac)
        whole += "." + String(repeating: "0", count: places - f.count) + f
    }
    return d < 0 ? "-" + whole : whole
}

func trimZeros(_ text: String) -> String {
    var s = text
    if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
    }
    return s == "-0" ? "0" : s
}

/// A coordinate for SVG (one decimal, compact).
func px(_ d: Double) -> String {
    guard d.isFinite else { return "0" }
    let r = (d * 10).rounded() / 10
    if r == r.rounded() { return String(Int(r)) }
    return String(format: "%.1f", r)
}

/// Seconds as m:ss or h:mm:ss for axis labels.
/// `fine`: with tenths of a second ("0:45.8"), for times of segments and events.
public func formatClock(_ t: Double, fine: Bool = false) -> String {
    guard t.isFinite else { return "–" }
    if fine {
        let tenths = Int((max(0, t) * 10).rounded())
        let whole = tenths / 10
        let h = whole / 3600, m = (whole % 3600) / 60, s = whole % 60
        if h > 0 { return String(format: "%d:%02d:%02d.%d", h, m, s, tenths % 10) }
        return String(format: "%d:%02d.%d", m, s, tenths % 10)
    }
    let total = Int(t.rounded())
    let h = total / 3600, m = (total % 3600) / 60, s = total % 60
    if h > 0 { return String(format: "%d:%02d:%02d", h, m, s) }
    return String(format: "%d:%02d", m, s)
}

/// A small builder for the HTML document.
struct HTMLBuilder {
    private(set) var text = ""

    mutating func raw(_ s: String) { text += s }
    /// Escaped text.
    mutating func put(_ s: String) { text += htmlEscape(s) }
    mutating func element(_ tag: String, _ attrs: String = "", _ content: String) {
        text += "<\(tag)\(attrs.isEmpty ? "" : " " + attrs)>\(htmlEscape(content))</\(tag)>"
    }
    mutating func heading(_ level: Int, _ s: String, id: String? = nil) {
        text += "<h\(level)\(id.map { " id=\"\(htmlEscape($0))\"" } ?? "")>\(htmlEscape(s))</h\(level)>\n"
    }
    mutating func paragraph(_ s: String, cls: String? = nil) {
        text += "<p\(cls.map { " class=\"\($0)\"" } ?? "")>\(htmlEscape(s))</p>\n"
    }
    /// A table; cells are escaped. `numeric` marks right-aligned columns.
    mutating func table(_ header: [String], _ rows: [[String]], cls: String = "", rowClasses: [String]? = nil, numeric: Set<Int> = []) {
        text += "<table\(cls.isEmpty ? "" : " class=\"\(cls)\"")><thead><tr>"
        for (i, h) in header.enumerated() { text += "<th\(numeric.contains(i) ? " class=\"num\"" : "")>\(htmlEscape(h))</th>" }
        text += "</tr></thead><tbody>\n"
        for (r, row) in rows.enumerated() {
            let rc = rowClasses?[r] ?? ""
            text += rc.isEmpty ? "<tr>" : "<tr class=\"\(rc)\">"
            for (i, cell) in row.enumerated() { text += "<td\(numeric.contains(i) ? " class=\"num\"" : "")>\(htmlEscape(cell))</td>" }
            text += "</tr>\n"
        }
        text += "</tbody></table>\n"
    }
    /// A "… not computed." line (the text comes filled from the catalogue).
    mutating func notComputed(_ sentence: String) {
        text += "<p class=\"missing\">\(htmlEscape(sentence))</p>\n"
    }
}
