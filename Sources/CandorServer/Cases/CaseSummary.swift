/// A case as the case list shows it: its id and the sessions that have an audit log.
public struct CaseSummary: Sendable, Equatable {
    public var caseID: String
    public var sessions: [String]
    public var investigators: [String]
}
