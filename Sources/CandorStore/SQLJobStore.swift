/// The queue logic, written once over `SQLConnection` for both SQLite and PostgreSQL.
public final class SQLJobStore: JobStore {
    public let location: String
    let dialect: SQLDialect
    private let pool: ConnectionPool

    init(location: String, dialect: SQLDialect, pool: ConnectionPool) {
        self.location = location
        self.dialect = dialect
        self.pool = pool
    }

    /// Opens (creating if needed) the SQLite queue at `path`, with its schema. With
    /// `readOnly`, opens an existing queue without changing anything (for `batch status` on
    /// a read-only or full workspace); only the reading calls work then.
    public static func sqlite(path: String, readOnly: Bool = false) async throws -> SQLJobStore {
        let pool = ConnectionPool { try SQLiteConnection(path: path, readOnly: readOnly) }
        let store = SQLJobStore(location: "sqlite:\(path)", dialect: .sqlite, pool: pool)
        if !readOnly { try await store.migrate() }
        return store
    }

    private var now: String { dialect.now }

    // MARK: - Transactions

    /// PostgreSQL statements of a transaction resume on these threads, not on the caller's:
    /// when the caller's cooperative pool is busy or blocked (a host that waits
    /// synchronously), a transaction must not stall between its statements, holding its row
    /// and advisory locks until the server's idle-in-transaction limit ends it. Shared by every
    /// PostgreSQL store in the process; the threads only wait on the network, never block.
    static let postgresThreads = JobExecutor(threads: 2, name: "candor-postgres")

    /// Runs `body` on the PostgreSQL threads (SQLite statements do not suspend, so they stay on
    /// the caller's thread), with bounded calls' timers there too.
    func onStoreThreads<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard dialect.name == SQLDialect.postgres.name else { return try await body() }
        let executor = Self.postgresThreads
        return try await withTaskExecutorPreference(executor) {
            try await PreferredExecutor.$current.withValue(executor) { try await body() }
        }
    }

    func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await onStoreThreads { try await transactionHere(body) }
    }

    private func transactionHere<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        let c = try await pool.checkout()
        do {
            _ = try await c.execute(dialect.begin, [])
        } catch {
            await c.close()
            throw error
        }
        do {
            let value = try await body(c)
            _ = try await c.execute("COMMIT", [])
            await pool.checkin(c)
            return value
        } catch {
            if (try? await c.execute("ROLLBACK", [])) != nil { await pool.checkin(c) } else { await c.close() }
            throw error
        }
    }

    func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await onStoreThreads { try await readHere(body) }
    }

    private func readHere<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        let c = try await pool.checkout()
        do {
            let value = try await body(c)
            await pool.checkin(c)
            return value
        } catch {
            await c.close()
            throw error
        }
    }

    /// Creates or migrates the schema (serialised across processes).
    func migrate() async throws {
        try await transaction { c in
            for sql in dialect.migrationLock { _ = try await c.execute(sql, []) }
            _ = try await c.execute("CREATE TABLE IF NOT EXISTS candor_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", [])
            let rows = try await c.execute("SELECT value FROM candor_meta WHERE key = 'schema_version'", [])
            let version = rows.first?.first?.text.flatMap { Int($0) } ?? 0
            if version > dialect.migrations.count {
                throw StoreError(
                    "\(location): schema version \(version) is newer than this candor understands (\(dialect.migrations.count)); upgrade candor"
                )
            }
            for v in version..<dialect.migrations.count {
                for sql in dialect.migrations[v] { _ = try await c.execute(sql, []) }
            }
            if version < dialect.migrations.count {
                _ = try await c.execute("DELETE FROM candor_meta WHERE key = 'schema_version'", [])
                _ = try await c.execute(
                    "INSERT INTO candor_meta (key, value) VALUES ('schema_version', ?)",
                    [.text(String(dialect.migrations.count))])
            }
        }
    }

    public func close() async { await pool.closeAll() }

    // MARK: - Submit

    public func submit(_ specs: [JobSpec], retryFailed: Bool) async throws -> [SubmitOutcome] {
        var out: [SubmitOutcome] = []
        // Up to 200 specs per transaction: one commit (and fsync) per chunk, not per file.
        var start = 0
        while start < specs.count {
            let chunk = specs[start..<min(specs.count, start + 200)]
            start += chunk.count
            out += try await transaction { c in
                var done: [SubmitOutcome] = []
                for spec in chunk { done.append(try await submitOne(spec, retryFailed: retryFailed, on: c)) }
                return done
            }
        }
        return out
    }

    private func submitOne(_ spec: JobSpec, retryFailed: Bool, on c: any SQLConnection) async throws -> SubmitOutcome {
        let inserted = try await c.execute(
            """
            INSERT INTO candor_jobs (input_sha256, params_hash, models_hash, input_path, input_bytes, params_json,
              case_id, session_id, state, attempts, claims, max_attempts, not_before, submitted_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, 0, ?, \(now), \(now), \(now))
            ON CONFLICT (input_sha256, params_hash, models_hash) DO NOTHING
            RETURNING id
            """,
            [
                .text(spec.inputSHA256), .text(spec.parametersHash), .text(spec.modelsHash), .text(spec.inputPath),
                .int(Int64(spec.inputBytes)), .text(spec.parametersJSON), .opt(spec.caseID), .opt(spec.sessionID),
                .int(Int64(spec.maxAttempts)),
            ])
        if let id = inserted.first?.first?.int {
            _ = try await addTarget(spec, job: id, on: c)
            return .created(id: id)
        }
        let rows = try await c.execute(
            """
            SELECT id, state FROM candor_jobs WHERE input_sha256 = ? AND params_hash = ? AND models_hash = ?
            """, [.text(spec.inputSHA256), .text(spec.parametersHash), .text(spec.modelsHash)])
        guard let row = rows.first, let id = row[0].int, let state = row[1].text.flatMap({ JobState(rawValue: $0) }) else {
            throw StoreError("\(location): job for \(spec.inputPath) neither inserted nor found")
        }
        if state == .failed && retryFailed {
            _ = try await c.execute(
                """
                UPDATE candor_jobs SET state = 'queued', attempts = 0, max_attempts = ?, not_before = \(now),
                  input_path = ?, updated_at = \(now) WHERE id = ?
                """, [.int(Int64(spec.maxAttempts)), .text(spec.inputPath), .int(id)])
            _ = try await addTarget(spec, job: id, on: c)
            return .requeued(id: id)
        }
        if try await addTarget(spec, job: id, on: c) {
            if state == .done { try await requeueForRecording(id, on: c) }
            return .targetAdded(id: id)
        }
        return .existing(id: id, state: state)
    }

    // MARK: - Claims and leases

    public func claim(worker: String, leaseSeconds: Double) async throws -> ClaimedJob? {
        try await transaction { c in
            // Each pass either claims a job or retires one whose lease expired on its last attempt.
            for _ in 0..<64 {
                let rows = try await c.execute(
                    """
                    SELECT id, state, attempts, max_attempts, claims, lease_owner FROM candor_jobs
                    WHERE (state = 'queued' AND not_before <= \(now)) OR (state = 'running' AND lease_expires < \(now))
                    ORDER BY id LIMIT 1\(dialect.lockClause)
                    """, [])
                guard let row = rows.first, let id = row[0].int else { return nil }
                let attempts = row[2].int ?? 0, maxAttempts = row[3].int ?? 1, claims = row[4].int ?? 0
                if row[1].text == JobState.running.rawValue {
                    let message = "attempt \(attempts): worker \(row[5].text ?? "?") stopped renewing its lease (killed, hung or cut off)"
                    _ = try await c.execute(
                        """
                        UPDATE candor_attempts SET finished_at = \(now), outcome = 'lease_expired', error = ?
                        WHERE job_id = ? AND claim = ?
                        """, [.text(message), .int(id), .int(claims)])
                    if attempts >= maxAttempts {
                        _ = try await c.execute(
                            """
                            UPDATE candor_jobs SET state = 'failed', last_error = ?, lease_owner = NULL, lease_token = NULL,
                              lease_expires = NULL, updated_at = \(now) WHERE id = ?
                            """, [.text(message), .int(id)])
                        continue
                    }
                    _ = try await c.execute("UPDATE candor_jobs SET last_error = ? WHERE id = ?", [.text(message), .int(id)])
                }
                let token = JobKeys.randomHex()
                let claimed = try await c.execute(
                    """
                    UPDATE candor_jobs SET state = 'running', attempts = attempts + 1, claims = claims + 1,
                      lease_owner = ?, lease_token = ?, lease_expires = \(now) + ?, updated_at = \(now)
                    WHERE id = ?
                    RETURNING input_path, input_sha256, params_json, case_id, session_id, attempts, max_attempts, claims, models_hash
                    """, [.text(worker), .text(token), .double(leaseSeconds), .int(id)])
                guard let r = claimed.first else { throw StoreError("\(location): job \(id) vanished while being claimed") }
                _ = try await c.execute(
                    """
                    INSERT INTO candor_attempts (job_id, claim, attempt, worker, started_at) VALUES (?, ?, ?, ?, \(now))
                    """, [.int(id), r[7], r[5], .text(worker)])
                return ClaimedJob(
                    id: id, inputPath: r[0].text ?? "", inputSHA256: r[1].text ?? "", parametersJSON: r[2].text ?? "{}",
                    modelsHash: r[8].text ?? "", caseID: r[3].text, sessionID: r[4].text, attempt: Int(r[5].int ?? 1),
                    maxAttempts: Int(r[6].int ?? 1), worker: worker, token: token,
                    targets: try await targets(of: id, all: false, on: c), hasResult: try await hasResult(id, on: c))
            }
            return nil
        }
    }

    public func heartbeat(_ job: ClaimedJob, leaseSeconds: Double) async throws -> Bool {
        try await transaction { c in
            !(try await c.execute(
                """
                UPDATE candor_jobs SET lease_expires = \(now) + ?, updated_at = \(now)
                WHERE id = ? AND lease_token = ? AND state = 'running' AND lease_expires >= \(now) RETURNING id
                """, [.double(leaseSeconds), .int(job.id), .text(job.token)])).isEmpty
        }
    }

    /// Ends the claim's attempt row.
    private func finishAttempt(_ c: any SQLConnection, _ job: ClaimedJob, outcome: String, error: String?) async throws {
        _ = try await c.execute(
            """
            UPDATE candor_attempts SET finished_at = \(now), outcome = ?, error = ?
            WHERE job_id = ? AND claim = (SELECT claims FROM candor_jobs WHERE id = ?)
            """, [.text(outcome), .opt(error), .int(job.id), .int(job.id)])
    }

    public func complete(_ job: ClaimedJob, result: [UInt8]) async throws -> Bool {
        let sha = JobKeys.sha256Hex(result)
        return try await transaction { c in
            let held = try await c.execute(
                """
                UPDATE candor_jobs SET state = 'done', result_sha256 = ?, last_error = NULL, lease_owner = NULL, lease_token = NULL,
                  lease_expires = NULL, updated_at = \(now)
                WHERE id = ? AND lease_token = ? AND state = 'running' RETURNING id
                """, [.text(sha), .int(job.id), .text(job.token)])
            guard !held.isEmpty else { return false }
            // The first stored result stays (a re-queued job records that one, see `hasResult`).
            _ = try await c.execute(
                """
                INSERT INTO candor_results (job_id, sha256, bytes, created_at) VALUES (?, ?, ?, \(now))
                ON CONFLICT (job_id) DO NOTHING
                """, [.int(job.id), .text(sha), .blob(result)])
            _ = try await c.execute(
                "UPDATE candor_jobs SET result_sha256 = (SELECT sha256 FROM candor_results WHERE job_id = ?) WHERE id = ?",
                [.int(job.id), .int(job.id)])
            try await finishAttempt(c, job, outcome: "done", error: nil)
            // A target added while this attempt ran still needs its records.
            if try await markRecorded(job.targets, job: job.id, on: c) > 0 {
                _ = try await c.execute(
                    """
                    UPDATE candor_jobs SET state = 'queued', not_before = \(now), max_attempts = attempts + max_attempts WHERE id = ?
                    """, [.int(job.id)])
            }
            return true
        }
    }

    public func fail(_ job: ClaimedJob, error: String, retryDelaySeconds: Double) async throws -> JobState? {
        try await transaction { c in
            let rows = try await c.execute(
                """
                SELECT attempts, max_attempts FROM candor_jobs WHERE id = ? AND lease_token = ? AND state = 'running'
                """, [.int(job.id), .text(job.token)])
            guard let row = rows.first else { return nil }
            try await finishAttempt(c, job, outcome: "error", error: error)
            let final = (row[0].int ?? 0) >= (row[1].int ?? 0)
            _ = try await c.execute(
                """
                UPDATE candor_jobs SET state = ?, last_error = ?, not_before = \(now) + ?, lease_owner = NULL,
                  lease_token = NULL, lease_expires = NULL, updated_at = \(now) WHERE id = ?
                """, [.text(final ? "failed" : "queued"), .text(error), .double(final ? 0 : retryDelaySeconds), .int(job.id)])
            return final ? .failed : .queued
        }
    }

    public func release(_ job: ClaimedJob) async throws -> Bool {
        try await transaction { c in
            let rows = try await c.execute(
                """
                SELECT id FROM candor_jobs WHERE id = ? AND lease_token = ? AND state = 'running'
                """, [.int(job.id), .text(job.token)])
            guard !rows.isEmpty else { return false }
            try await finishAttempt(c, job, outcome: "released", error: nil)
            _ = try await c.execute(
                """
                UPDATE candor_jobs SET state = 'queued', attempts = attempts - 1, not_before = \(now), lease_owner = NULL,
                  lease_token = NULL, lease_expires = NULL, updated_at = \(now) WHERE id = ?
                """, [.int(job.id)])
            return true
        }
    }

    // MARK: - Reading

    public func counts() async throws -> [JobState: Int] {
        try await read { c in
            var out: [JobState: Int] = [:]
            for s in JobState.allCases { out[s] = 0 }
            for row in try await c.execute("SELECT state, COUNT(*) FROM candor_jobs GROUP BY state", []) {
                if let s = row[0].text.flatMap({ JobState(rawValue: $0) }) { out[s] = Int(row[1].int ?? 0) }
            }
            return out
        }
    }

    public func jobs() async throws -> [JobInfo] {
        try await read { c in
            var history: [Int64: [AttemptRecord]] = [:]
            for r in try await c.execute(
                """
                SELECT job_id, attempt, worker, started_at, finished_at, outcome, error FROM candor_attempts ORDER BY job_id, claim
                """, [])
            {
                history[r[0].int ?? 0, default: []].append(
                    AttemptRecord(
                        attempt: Int(r[1].int ?? 0), worker: r[2].text ?? "", startedAt: r[3].double ?? 0,
                        finishedAt: r[4].double, outcome: r[5].text, error: r[6].text))
            }
            let targets = try await allTargets(on: c)
            return try await c.execute(
                """
                SELECT j.id, j.input_path, j.input_sha256, j.input_bytes, j.state, j.attempts, j.max_attempts, j.result_sha256,
                  j.last_error, j.lease_owner, j.case_id, j.session_id, j.submitted_at, j.updated_at,
                  (SELECT length(r.bytes) FROM candor_results r WHERE r.job_id = j.id)
                FROM candor_jobs j ORDER BY j.id
                """, []
            ).map { r in
                let id = r[0].int ?? 0
                return JobInfo(
                    id: id, inputPath: r[1].text ?? "", inputSHA256: r[2].text ?? "", inputBytes: Int(r[3].int ?? 0),
                    state: r[4].text.flatMap({ JobState(rawValue: $0) }) ?? .queued, attempts: Int(r[5].int ?? 0),
                    maxAttempts: Int(r[6].int ?? 0), resultSHA256: r[7].text, resultBytes: r[14].int.map { Int($0) },
                    lastError: r[8].text, leaseOwner: r[9].text, caseID: r[10].text, sessionID: r[11].text,
                    submittedAt: r[12].double ?? 0, updatedAt: r[13].double ?? 0, history: history[id] ?? [],
                    targets: targets[id] ?? [])
            }
        }
    }

    public func result(jobID: Int64) async throws -> JobResult? {
        try await read { c in
            guard let r = try await c.execute("SELECT sha256, bytes FROM candor_results WHERE job_id = ?", [.int(jobID)]).first else {
                return nil
            }
            return JobResult(jobID: jobID, sha256: r[0].text ?? "", bytes: r[1].blob ?? [])
        }
    }
}
