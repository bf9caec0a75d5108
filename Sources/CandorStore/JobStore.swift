/// The life of a job: queued → running → done, or back to queued for a retry (after a
/// back-off), or failed once its attempts are used up.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case queued, running, done, failed
}

/// What `batch submit` enqueues. The job's identity is (input SHA-256, parameters hash,
/// models hash): the same recording with the same settings and models is one job, whatever
/// its path and however often it is submitted.
public struct JobSpec: Sendable, Equatable {
    public var inputPath: String
    public var inputSHA256: String
    public var inputBytes: Int
    /// The analysis settings, as the JSON the worker decodes (opaque to the store).
    public var parametersJSON: String
    public var parametersHash: String
    public var modelsHash: String
    public var caseID: String?
    public var sessionID: String?
    public var maxAttempts: Int

    public init(
        inputPath: String, inputSHA256: String, inputBytes: Int, parametersJSON: String,
        modelsHash: String = JobKeys.modelsHash([]), caseID: String? = nil, sessionID: String? = nil,
        maxAttempts: Int = 3
    ) {
        self.inputPath = inputPath
        self.inputSHA256 = inputSHA256
        self.inputBytes = inputBytes
        self.parametersJSON = parametersJSON
        self.parametersHash = JobKeys.sha256Hex(Array(parametersJSON.utf8))
        self.modelsHash = modelsHash
        self.caseID = caseID
        self.sessionID = sessionID
        self.maxAttempts = maxAttempts
    }
}

/// What submitting one spec did.
public enum SubmitOutcome: Sendable, Equatable {
    /// A new job.
    case created(id: Int64)
    /// The same job already exists (no new work); its current state.
    case existing(id: Int64, state: JobState)
    /// A failed job put back in the queue (only with `retryFailed`).
    case requeued(id: Int64)
    /// An existing job that a new (case, session) asked for: the analysis is not repeated, but
    /// the new session gets its own records (from the stored result when the job is done).
    case targetAdded(id: Int64)

    public var id: Int64 {
        switch self {
        case .created(let id), .existing(let id, _), .requeued(let id), .targetAdded(let id): return id
        }
    }
}

/// A job a worker holds a lease on. `token` identifies this claim: heartbeats, completion,
/// failure and release only take effect while the job still carries it, so a worker whose
/// lease expired (and whose job another worker re-claimed) can never store a second result.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var inputPath: String
    public var inputSHA256: String
    public var parametersJSON: String
    /// The models part of the job key: the worker must score with exactly these models.
    public var modelsHash: String
    public var caseID: String?
    public var sessionID: String?
    /// 1 for the first attempt.
    public var attempt: Int
    public var maxAttempts: Int
    public var worker: String
    public var token: String
    /// The (case, session) targets whose session logs do not have this job's records yet.
    public var targets: [JobTarget] = []
    /// The job already has a stored result (a new target asked for a done job): record it
    /// from `result(jobID:)` instead of analysing again.
    public var hasResult = false
}

/// One attempt at a job, with how it ended.
public struct AttemptRecord: Sendable, Equatable {
    public var attempt: Int
    public var worker: String
    public var startedAt: Double
    public var finishedAt: Double?
    /// nil while running; "done", "error", "lease_expired" or "released".
    public var outcome: String?
    public var error: String?
}

/// A job as `batch status` shows it.
public struct JobInfo: Sendable {
    public var id: Int64
    public var inputPath: String
    public var inputSHA256: String
    public var inputBytes: Int
    public var state: JobState
    public var attempts: Int
    public var maxAttempts: Int
    public var resultSHA256: String?
    public var resultBytes: Int?
    public var lastError: String?
    public var leaseOwner: String?
    public var caseID: String?
    public var sessionID: String?
    public var submittedAt: Double
    public var updatedAt: Double
    public var history: [AttemptRecord]
    /// Every (case, session) that asked for this job, and whether it has its records.
    public var targets: [JobTarget] = []
}

/// A stored analysis result (the analysis JSON, byte for byte).
public struct JobResult: Sendable {
    public var jobID: Int64
    public var sha256: String
    public var bytes: [UInt8]
}

/// The job queue and results store. SQLite (`SQLJobStore.sqlite`) is the embedded default;
/// PostgreSQL (`SQLJobStore.postgres`) serves workers on many machines. Both implement the
/// same semantics and pass the same tests.
public protocol JobStore: Sendable {
    /// Where the store is, without secrets (for messages).
    var location: String { get }

    /// Enqueues specs; existing identical jobs are not duplicated.
    func submit(_ specs: [JobSpec], retryFailed: Bool) async throws -> [SubmitOutcome]

    /// Claims the oldest eligible job (queued and past its back-off, or running with an
    /// expired lease) for `worker`, with a lease of `leaseSeconds`. nil when there is none.
    func claim(worker: String, leaseSeconds: Double) async throws -> ClaimedJob?

    /// Extends the lease; false if the claim is no longer held or its lease has expired
    /// (lease lost: another worker may claim the job at any moment).
    func heartbeat(_ job: ClaimedJob, leaseSeconds: Double) async throws -> Bool

    /// Stores the result (the first stored result of a job is kept) and marks the job done,
    /// and `job.targets` recorded, atomically; false (and nothing stored) if the claim is no
    /// longer held. A target added while the job ran puts the job back in the queue to be
    /// recorded from the stored result.
    func complete(_ job: ClaimedJob, result: [UInt8]) async throws -> Bool

    /// Records the attempt's error; re-queues the job after `retryDelaySeconds`, or marks it
    /// failed when its attempts are used up. Returns the new state (nil if the claim was lost).
    func fail(_ job: ClaimedJob, error: String, retryDelaySeconds: Double) async throws -> JobState?

    /// Gives the job back without counting the attempt (clean shutdown).
    func release(_ job: ClaimedJob) async throws -> Bool

    func counts() async throws -> [JobState: Int]
    func jobs() async throws -> [JobInfo]
    func result(jobID: Int64) async throws -> JobResult?

    func close() async
}

extension JobStore {
    /// Jobs that may still produce work: queued plus running.
    public func pending() async throws -> Int {
        let c = try await counts()
        return (c[.queued] ?? 0) + (c[.running] ?? 0)
    }
}
