import CandorModels
import Foundation

/// What the report shows besides the analysis itself.
public struct ReportOptions: Sendable {
    public var caseID: String?
    public var sessionID: String?
    /// UTC time the report was generated (RFC 3339), shown in the header.
    public var generatedAt: String
    /// Model card Markdown by model id (e.g. from `models/<id>.md`); its "Limitations" section
    /// is shown next to the model's flags.
    public var modelCards: [String: String]
    /// The session's audit status; nil when the report was made from a file alone.
    public var audit: AuditStatus?
    /// The language of every text the report adds (measured names stay as recorded).
    public var language: ReportLanguage = .english

    public init(
        caseID: String? = nil, sessionID: String? = nil, generatedAt: String, modelCards: [String: String] = [:],
        audit: AuditStatus? = nil
    ) {
        self.caseID = caseID
        self.sessionID = sessionID
        self.generatedAt = generatedAt
        self.modelCards = modelCards
        self.audit = audit
    }
}
