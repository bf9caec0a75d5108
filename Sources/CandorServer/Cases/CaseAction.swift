/// What a request wants to do with a case.
public enum CaseAction: String, Sendable {
    /// Read the analysis, report or audit log of a session.
    case read
    /// Upload a recording into a session.
    case upload
    /// Record a supervisor's review.
    case review
}
