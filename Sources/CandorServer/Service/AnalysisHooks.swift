import CandorStore

/// What the service needs from the analysis side, given by the caller (`candor serve`): how an
/// uploaded recording becomes a queued job (settings, models hash), how an uploaded segments
/// file is checked, and where model cards are.
public struct AnalysisHooks: Sendable {
    /// Builds the job for a recording already stored at `path` (with its SHA-256 and size),
    /// measured segment by segment when `segments` (an uploaded segments file) is given, with
    /// the upload's pitch method and range (carried in the job's parameters, so they reach the
    /// analysis and its audit records). Throws when the recording is unreadable or the
    /// segments do not fit it.
    public var makeJob:
        @Sendable (
            _ path: String, _ sha256: String, _ bytes: Int, _ roles: [String], _ caseID: String, _ sessionID: String,
            _ segments: StoredUpload?, _ options: UploadAnalysisOptions
        ) throws -> JobSpec
    /// Parses an uploaded segments file (at `path`, of `format`: csv, textgrid, srt, vtt) with
    /// the same readers and limits as `candor analyze --segments`; returns the number of
    /// segments, or throws with one line naming the problem.
    public var checkSegments: @Sendable (_ path: String, _ format: String) throws -> Int
    /// Model cards (Markdown) by model id, for the report.
    public var modelCards: @Sendable (_ modelIDs: Set<String>) -> [String: String]

    public init(
        makeJob:
            @escaping @Sendable (String, String, Int, [String], String, String, StoredUpload?, UploadAnalysisOptions) throws -> JobSpec,
        checkSegments: @escaping @Sendable (String, String) throws -> Int,
        modelCards: @escaping @Sendable (Set<String>) -> [String: String]
    ) {
        self.makeJob = makeJob
        self.checkSegments = checkSegments
        self.modelCards = modelCards
    }
}
