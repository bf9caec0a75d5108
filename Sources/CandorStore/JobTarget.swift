/// A (case, session) that asked for a job's analysis. One job (same recording, settings and
/// models) is analysed once, but each target gets its own records in its own session log.
public struct JobTarget: Sendable, Hashable {
    public var caseID: String
    public var sessionID: String
    /// Whether a completed attempt recorded the analysis in this target's session log.
    public var recorded: Bool

    public init(caseID: String, sessionID: String, recorded: Bool = false) {
        self.caseID = caseID
        self.sessionID = sessionID
        self.recorded = recorded
    }
}
