import CandorStore
import Foundation
import Testing

/// Workers against a database that goes away: a private PostgreSQL stopped with
/// `pg_ctl stop -m fast` and restarted while three workers run short jobs. The suite runs
/// `CANDOR_CHAOS_REPS` repetitions (default 2); `make test-chaos` runs 10.
@Suite("Chaos: database restarts under three workers (processes)", .serialized)
struct ChaosTests {
    static var repetitions: Int { Int(ProcessInfo.processInfo.environment["CANDOR_CHAOS_REPS"] ?? "") ?? 2 }
    /// How long the database stays down each time.
    static let downSeconds = 5.0
    /// The workers' `--grace`: a SIGTERM must end the worker within it (plus 2 s to exit).
    static let grace = 5.0

    @Test("database stopped for 5 s mid-run: no worker hangs, every job done once, no duplicate records, SIGTERM honoured")
    func restarts() async throws {
        func note(_ s: String) { FileHandle.standardError.write(Data("[chaos] \(s)\n".utf8)) }
        note("starting a private PostgreSQL")
        let pg = try PrivatePostgres()
        note("PostgreSQL on port \(pg.port)")
        defer { pg.destroy() }
        let dir = tempDir("candor-chaos")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in", tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        var summary: [String] = []
        for rep in 1...Self.repetitions {
            let started = Date()
            let queue = pg.url + "&schema=chaos\(rep)"
            let files = makeRecordings(inputs, count: 9, prefix: "r\(rep)-")
            let submit = try candor(
                ["batch", "submit"] + files + ["--queue", queue, "--workspace", ws, "--case", "CH", "--max-attempts", "6"])
            try #require(submit.status == 0, "\(submit.stderr)")
            let common = [
                "--queue", queue, "--workspace", ws, "--exit-when-empty", "--lease", "3", "--retry-base", "0.2",
                "--poll", "0.2", "--threads", "1", "--grace", "\(Self.grace)",
            ]
            let workers = try (0..<3).map { k in
                try BackgroundWorker(common, logPath: dir + "/rep\(rep)-w\(k).log", env: ["TMPDIR": tmp])
            }
            // Stop the database once the first job is done (mid-run), keep it down, restart.
            _ = await workers[0].waitFor(timeout: 120) { $0.contains(" done: ") }
            note("rep \(rep): stopping the database")
            try pg.stop()
            // One worker is told to stop while the database is down: it must exit within its
            // grace period, never waiting for the database (the watchdog, 10 s after the grace
            // period, is only the last resort and must not be what ends it).
            let terminated = workers[2]
            let termAt = Date()
            terminated.signal(SIGTERM)
            while terminated.process.isRunning && Date().timeIntervalSince(termAt) < 20 { usleep(50_000) }
            let termSeconds = Date().timeIntervalSince(termAt)
            #expect(!terminated.process.isRunning, "rep \(rep): SIGTERM not honoured within 20 s with the database down: \(terminated.log)")
            #expect(
                termSeconds <= Self.grace + 2,
                "rep \(rep): SIGTERM took \(termSeconds) s with the database down (grace \(Self.grace) s): \(terminated.log)")
            let left = Self.downSeconds - termSeconds
            if left > 0 { try await Task.sleep(nanoseconds: UInt64(left * 1e9)) }
            try pg.start()
            note("rep \(rep): database restarted")
            for (k, w) in workers.enumerated() {
                let status = await w.wait(timeout: 120)
                #expect(status == 0, "rep \(rep) worker \(k) (status \(status), -1 = hung): \(w.log)")
            }
            // A worker stopped by SIGTERM may leave jobs queued: finish them.
            let rest = try candor(["worker"] + common)
            #expect(rest.status == 0, "\(rest.stderr)")

            let store = try await openStore(queue)
            let jobs = try await store.jobs()
            #expect(jobs.count == 9)
            for job in jobs {
                #expect(job.state == .done, "rep \(rep) job \(job.id): \(job.state) \(job.lastError ?? "")")
                #expect(job.history.filter { $0.outcome == "done" }.count == 1, "rep \(rep) job \(job.id): \(job.history)")
                let session = try #require(job.sessionID)
                let env = ["CANDOR_AUDIT_DB": queue]
                let shown = try candor(["audit", "show", "--case", "CH", "--session", session, "--workspace", ws], env: env)
                #expect(shown.stdout.components(separatedBy: "analysis_completed").count - 1 == 1, "rep \(rep) \(session): \(shown.stdout)")
                #expect(shown.stdout.contains("output_sha256: \(job.resultSHA256 ?? "?")"), "rep \(rep) \(session)")
                let v = try candor(["audit", "verify", "--case", "CH", "--session", session, "--workspace", ws], env: env)
                #expect(v.status == 0, "rep \(rep) \(session): \(v.stdout) \(v.stderr)")
            }
            await store.close()
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
            #expect(leftovers.isEmpty, "rep \(rep): temporary files left: \(leftovers)")
            let errors = workers.map { $0.log.components(separatedBy: "store error").count - 1 }.reduce(0, +)
            summary.append(
                String(
                    format: "rep %d: 9 jobs done once, %d store errors survived, SIGTERM exit after %.1f s (status %d), %.1f s",
                    rep, errors, termSeconds, terminated.process.terminationStatus, Date().timeIntervalSince(started)))
        }
        print("[chaos] " + summary.joined(separator: "; "))
    }
}
