/// The languages Candor writes for people in: the report, the CLI's human summaries and the
/// web pages.
public enum InterfaceLanguage: String, Sendable, CaseIterable {
    case english = "en"
    /// Traditional Chinese as used in Taiwan.
    case traditionalChinese = "zh-TW"

    /// The value of the HTML `lang` attribute.
    public var htmlLang: String {
        switch self {
        case .english: return "en"
        case .traditionalChinese: return "zh-Hant-TW"
        }
    }

    /// The language for a `--lang` value: "en", "zh-TW" (also "zh_TW", "zh-Hant", "zh-Hant-TW").
    public init?(option: String) {
        let v = String(option.map { $0 == "_" ? "-" : $0 }).lowercased()
        switch v {
        case "en", "en-us", "en-gb", "english": self = .english
        case "zh-tw", "zh-hant", "zh-hant-tw", "zh": self = .traditionalChinese
        default: return nil
        }
    }

    /// The language the environment asks for, as POSIX locales are resolved: LC_ALL, then
    /// LC_MESSAGES, then LANG. A Chinese locale (zh_TW, zh_HK, zh_Hant…) gives Traditional
    /// Chinese; Simplified-Chinese locales (zh_CN, zh_SG, zh_Hans) and everything else English.
    public static func fromEnvironment(_ env: [String: String]) -> InterfaceLanguage {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = env[key], !value.isEmpty else { continue }
            let tag = value.split(separator: ".").first.map { String($0.map { $0 == "_" ? "-" : $0 }) }?.lowercased() ?? ""
            if tag.hasPrefix("zh") && !tag.contains("cn") && !tag.contains("sg") && !tag.contains("hans") {
                return .traditionalChinese
            }
            return .english
        }
        return .english
    }
}
