import CandorCore

/// The report's languages (the interface languages).
public typealias ReportLanguage = InterfaceLanguage

extension InterfaceLanguage {
    /// The report catalogue of this language.
    public var strings: ReportStrings {
        switch self {
        case .english: return .english
        case .traditionalChinese: return .traditionalChinese
        }
    }
}
