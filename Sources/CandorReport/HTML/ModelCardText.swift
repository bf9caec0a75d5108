import Foundation

/// Model card helpers.
public enum ModelCardText {
    /// The bullet points (or paragraphs) of the card's "## Limitations" section, with Markdown
    /// emphasis and code marks removed. Empty when the card has no such section.
    public static func limitations(_ markdown: String) -> [String] {
        var items: [String] = []
        var inSection = false
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") {
                let title = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
                inSection = title.hasPrefix("limitations")
                continue
            }
            guard inSection else { continue }
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                items.append(String(trimmed.dropFirst(2)))
            } else if !items.isEmpty && line.first == " " {
                items[items.count - 1] += " " + trimmed
            } else {
                items.append(trimmed)
            }
        }
        return items.map(plain)
    }

    static func plain(_ s: String) -> String {
        s.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "__", with: "")
    }
}
