/// Fills the numbered placeholders `{0}`, `{1}`… of a message template (the message
/// catalogues of the report, the CLI summary and the web pages).
public func fillTemplate(_ template: String, _ values: [String]) -> String {
    var out = ""
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
        out += rest[..<open]
        let after = rest[rest.index(after: open)...]
        if let close = after.firstIndex(of: "}"), let k = Int(after[..<close]), k >= 0, k < values.count {
            out += values[k]
            rest = after[after.index(after: close)...]
        } else {
            out += "{"
            rest = after
        }
    }
    return out + rest
}
