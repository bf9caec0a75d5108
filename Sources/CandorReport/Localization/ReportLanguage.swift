/// The languages the report and the CLI's human summaries are written in.
public enum ReportLanguage: String, Sendable, CaseIterable {
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
        let v = option.replacingOccurrences(of: "_", with: "-").lowercased()
        switch v {
        case "en", "en-us", "en-gb", "english": self = .english
        case "zh-tw", "zh-hant", "zh-hant-tw", "zh": self = .traditionalChinese
        default: return nil
        }
    }

    /// The language the environment asks for, as POSIX locales are resolved: LC_ALL, then
    /// LC_MESSAGES, then LANG. A Chinese locale (zh_TW, zh_HK, zh_Hant…) gives Traditional
    /// Chinese; Simplified-Chinese locales (zh_CN, zh_SG, zh_Hans) and everything else English.
    public static func fromEnvironment(_ env: [String: String]) -> ReportLanguage {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = env[key], !value.isEmpty else { continue }
            let tag = value.split(separator: ".").first.map(String.init)?.replacingOccurrences(of: "_", with: "-").lowercased() ?? ""
            if tag.hasPrefix("zh") && !tag.contains("cn") && !tag.contains("sg") && !tag.contains("hans") {
                return .traditionalChinese
            }
            return .english
        }
        return .english
    }

    /// The catalogue of this language.
    public var strings: ReportStrings {
        switch self {
        case .english: return .english
        case .traditionalChinese: return .traditionalChinese
        }
    }
}
