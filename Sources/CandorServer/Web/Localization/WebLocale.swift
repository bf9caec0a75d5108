import CandorCore
import Hummingbird

/// The language of a web page and its catalogue: `?lang=` (which the server also remembers in
/// the `candor_lang` cookie), else that cookie, else the browser's `Accept-Language` (by
/// q-value: a Traditional-Chinese tag such as zh-TW, zh-Hant, zh-HK or plain zh gives
/// Traditional Chinese, an `en` tag English; Simplified-Chinese tags match neither), else English.
struct WebLocale: Sendable {
    static let cookieName = "candor_lang"

    var language: InterfaceLanguage
    /// The path of the page (the language switch links back to it), or /ui/cases after a form.
    var path: String

    var t: WebStrings { language == .traditionalChinese ? .traditionalChinese : .english }

    init(language: InterfaceLanguage, path: String = "/ui/cases") {
        self.language = language
        self.path = path
    }

    init(_ request: Request) {
        let chosen =
            request.uri.queryParameters.get("lang").flatMap { InterfaceLanguage(option: String($0)) }
            ?? request.cookies[Self.cookieName].flatMap { InterfaceLanguage(option: $0.value) }
            ?? Self.fromAcceptLanguage(request.headers[.acceptLanguage])
            ?? .english
        // The switch links back to this page, unless it answered a form (a POST has no GET page).
        self.init(language: chosen, path: request.method == .get ? request.uri.path : "/ui/cases")
    }

    /// The first supported language of an `Accept-Language` header, by descending q-value
    /// (ties in the header's order); nil when none is supported.
    static func fromAcceptLanguage(_ header: String?) -> InterfaceLanguage? {
        guard let header else { return nil }
        var ranked: [(q: Double, order: Int, tag: String)] = []
        for (k, item) in header.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { continue }
            var q = 1.0
            for p in parts.dropFirst() where p.lowercased().hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            if q > 0 { ranked.append((q, k, tag)) }
        }
        for r in ranked.sorted(by: { ($0.q, -$0.order) > ($1.q, -$1.order) }) {
            let subtags = r.tag.replacingOccurrences(of: "_", with: "-").split(separator: "-").map(String.init)
            switch subtags.first {
            case "en": return .english
            case "zh":
                let rest = Set(subtags.dropFirst())
                if rest.isDisjoint(with: ["cn", "sg", "hans"]) { return .traditionalChinese }
            default: continue
            }
        }
        return nil
    }

    /// Role names in this language.
    func role(_ r: Role) -> String { t.roleNames[r] ?? r.rawValue }

    /// The link to this page in the other language.
    var switchLink: String {
        let other = language == .english ? "zh-TW" : "en"
        return
            "<a id=\"lang-switch\" href=\"\(HTML.escape(path))?lang=\(other)\" lang=\"\(language == .english ? "zh-Hant-TW" : "en")\">\(t.switchLanguage)</a>"
    }
}
