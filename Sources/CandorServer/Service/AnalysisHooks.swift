import CandorStore

/// What the service needs from the analysis side, given by the caller (`candor serve`): how an
/// uploaded recording becomes a queued job (settings, models hash) and where model cards are.
public struct AnalysisHooks: Sendable {
    /// Builds the job for a recording already stored at `path` (with its SHA-256 and size).
    public var makeJob:
        @Sendable (_ path: String, _ sha256: String, _ bytes: Int, _ roles: [String], _ caseID: String, _ sessionID: String) throws ->
            JobSpec
    /// Model cards (Markdown) by model id, for the report.
    public var modelCards: @Sendable (_ modelIDs: Set<String>) -> [String: String]

    public init(
        makeJob: @escaping @Sendable (String, String, Int, [String], String, String) throws -> JobSpec,
        modelCards: @escaping @Sendable (Set<String>) -> [String: String]
    ) {
        self.makeJob = makeJob
        self.modelCards = modelCards
    }
}
