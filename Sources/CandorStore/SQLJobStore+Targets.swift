/// The (case, session) targets of jobs: one analysis, recorded in every session that asked.
extension SQLDialect {
    /// Schema version 2: `candor_job_targets`, filled from the single case/session of the
    /// version 1 jobs (a done job's target counts as recorded).
    static func targetsMigration(int: String, real: String) -> [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS candor_job_targets (
              job_id \(int) NOT NULL REFERENCES candor_jobs(id), case_id TEXT NOT NULL, session_id TEXT NOT NULL,
              added_at \(real) NOT NULL, recorded_at \(real),
              PRIMARY KEY (job_id, case_id, session_id))
            """,
            """
            INSERT INTO candor_job_targets (job_id, case_id, session_id, added_at, recorded_at)
            SELECT id, case_id, session_id, submitted_at, CASE WHEN state = 'done' THEN updated_at ELSE NULL END
            FROM candor_jobs WHERE case_id IS NOT NULL AND session_id IS NOT NULL
            ON CONFLICT (job_id, case_id, session_id) DO NOTHING
            """,
        ]
    }
}

extension SQLJobStore {
    /// Adds the spec's (case, session) to job `id`; true if it is new for the job.
    func addTarget(_ spec: JobSpec, job id: Int64, on c: any SQLConnection) async throws -> Bool {
        guard let caseID = spec.caseID, let sessionID = spec.sessionID else { return false }
        return
            !(try await c.execute(
                """
                INSERT INTO candor_job_targets (job_id, case_id, session_id, added_at) VALUES (?, ?, ?, \(dialect.now))
                ON CONFLICT (job_id, case_id, session_id) DO NOTHING RETURNING job_id
                """, [.int(id), .text(caseID), .text(sessionID)])).isEmpty
    }

    /// A done job that gained a target goes back to the queue; its next attempt records the
    /// stored result in the new session without analysing again.
    func requeueForRecording(_ id: Int64, on c: any SQLConnection) async throws {
        _ = try await c.execute(
            """
            UPDATE candor_jobs SET state = 'queued', not_before = \(dialect.now), max_attempts = attempts + max_attempts,
              updated_at = \(dialect.now) WHERE id = ? AND state = 'done'
            """, [.int(id)])
    }

    /// The targets of job `id` (only those without records unless `all`), in the order they were added.
    func targets(of id: Int64, all: Bool, on c: any SQLConnection) async throws -> [JobTarget] {
        try await c.execute(
            """
            SELECT case_id, session_id, recorded_at FROM candor_job_targets WHERE job_id = ?\(all ? "" : " AND recorded_at IS NULL")
            ORDER BY added_at, case_id, session_id
            """, [.int(id)]
        ).map { JobTarget(caseID: $0[0].text ?? "", sessionID: $0[1].text ?? "", recorded: $0[2] != .null) }
    }

    func hasResult(_ id: Int64, on c: any SQLConnection) async throws -> Bool {
        !(try await c.execute("SELECT job_id FROM candor_results WHERE job_id = ?", [.int(id)])).isEmpty
    }

    /// Marks `targets` recorded; returns how many targets of the job still lack records.
    func markRecorded(_ targets: [JobTarget], job id: Int64, on c: any SQLConnection) async throws -> Int {
        for t in targets {
            _ = try await c.execute(
                """
                UPDATE candor_job_targets SET recorded_at = \(dialect.now)
                WHERE job_id = ? AND case_id = ? AND session_id = ? AND recorded_at IS NULL
                """, [.int(id), .text(t.caseID), .text(t.sessionID)])
        }
        let rows = try await c.execute(
            "SELECT COUNT(*) FROM candor_job_targets WHERE job_id = ? AND recorded_at IS NULL", [.int(id)])
        return Int(rows.first?.first?.int ?? 0)
    }

    /// All targets, by job id (for `jobs()`); none in a queue opened read-only before its
    /// schema had targets.
    func allTargets(on c: any SQLConnection) async throws -> [Int64: [JobTarget]] {
        var out: [Int64: [JobTarget]] = [:]
        guard
            let rows = try? await c.execute(
                "SELECT job_id, case_id, session_id, recorded_at FROM candor_job_targets ORDER BY job_id, added_at, case_id, session_id", []
            )
        else { return out }
        for r in rows {
            out[r[0].int ?? 0, default: []].append(
                JobTarget(caseID: r[1].text ?? "", sessionID: r[2].text ?? "", recorded: r[3] != .null))
        }
        return out
    }
}
