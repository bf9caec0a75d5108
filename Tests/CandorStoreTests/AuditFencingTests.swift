import CandorStore
import CandorTestSupport
import Foundation
import Testing

/// The audit side of batch jobs: each job's records appear exactly once in each session that
/// asked for it, written only while the attempt holds the job's lease.
@Suite("Batch audit records (processes)", .serialized)
struct AuditFencingTests {
    /// `audit show` of a session (in the queue's database for PostgreSQL).
    static func show(_ ws: String, _ caseID: String, _ session: String, _ backend: Backend, _ queue: String) throws -> RunResult {
        try candor(
            ["audit", "show", "--case", caseID, "--session", session, "--workspace", ws],
            env: backend == .postgres ? ["CANDOR_AUDIT_DB": queue] : [:])
    }

    static func verify(_ ws: String, _ caseID: String, _ session: String, _ backend: Backend, _ queue: String) throws -> RunResult {
        try candor(
            ["audit", "verify", "--case", caseID, "--session", session, "--workspace", ws],
            env: backend == .postgres ? ["CANDOR_AUDIT_DB": queue] : [:])
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Files left in a folder (temporary files of the worker must not survive it).
    static func leftovers(_ dir: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] }

    @Test(
        "the same recordings for two cases: analysed once, both session logs verify with their own records",
        arguments: Backend.allCases)
    func twoCases(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        let dir = tempDir("candor-two-cases")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in", tmp = dir + "/tmp", out = dir + "/out"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        _ = makeRecordings(inputs, count: 3)
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let worker = ["worker", "--queue", queue, "--workspace", ws, "--exit-when-empty", "--threads", "1", "--out", out]
        // Case A is analysed first; case B asks for the same recordings after they are done,
        // and case C while they are still queued (with B pending too).
        let a = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "A"])
        #expect(a.stdout.contains("3 new job(s)"), "\(a.stdout)")
        let w1 = try candor(worker + ["--status-file", dir + "/status.json"], env: ["TMPDIR": tmp])
        #expect(w1.status == 0, "\(w1.stderr)")
        // The worker's health file: its final state, a successful claim, no job in flight.
        let health = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/status.json"))) as? [String: Any])
        #expect(health["schema"] as? String == "candor.worker-status/1" && health["state"] as? String == "exited", "\(health)")
        #expect(health["connection"] as? String == "connected" && health["last_claim_at"] is String, "\(health)")
        #expect((health["jobs_in_flight"] as? [Any])?.isEmpty == true, "\(health)")
        let b = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "B"])
        #expect(b.stdout.contains("0 new job(s)") && b.stdout.contains("3 existing job(s) also recorded"), "\(b.stdout)")
        let c = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "C"])
        #expect(c.stdout.contains("3 existing job(s) also recorded"), "\(c.stdout)")
        // An output file lost after the first run is written again from the stored result.
        let outs = Self.leftovers(out).sorted()
        #expect(outs.count == 3, "\(outs)")
        if let first = outs.first { try FileManager.default.removeItem(atPath: out + "/" + first) }
        let w2 = try candor(worker, env: ["TMPDIR": tmp])
        #expect(w2.status == 0, "\(w2.stderr)")
        #expect(Self.leftovers(out).sorted() == outs)
        #expect(Self.leftovers(tmp).isEmpty, "temporary files left: \(Self.leftovers(tmp))")

        let store = try await openStore(queue)
        let jobs = try await store.jobs()
        #expect(jobs.count == 3)
        for job in jobs {
            #expect(job.state == .done)
            #expect(Set(job.targets.map(\.caseID)) == ["A", "B", "C"] && job.targets.allSatisfy(\.recorded), "\(job.targets)")
            let result = try #require(try await store.result(jobID: job.id))
            let session = try #require(job.sessionID)
            for caseID in ["A", "B", "C"] {
                let v = try Self.verify(ws, caseID, session, backend, queue)
                #expect(v.status == 0, "\(caseID)/\(session): \(v.stdout) \(v.stderr)")
                let shown = try Self.show(ws, caseID, session, backend, queue)
                #expect(Self.count("analysis_completed", in: shown.stdout) == 1, "\(caseID)/\(session): \(shown.stdout)")
                #expect(Self.count("evidence_ingested", in: shown.stdout) == 1, "\(caseID)/\(session)")
                #expect(shown.stdout.contains("output_sha256: \(result.sha256)"), "\(caseID)/\(session)")
            }
        }
        // Analysed once: the later attempts only recorded the stored result.
        #expect(Self.count(" done: ", in: w1.stderr) == 3)
        await store.close()
    }

    @Test(
        "a worker killed after logging a job but before completing it: the next attempt logs nothing twice",
        arguments: Backend.allCases)
    func killedAfterLogging(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        let dir = tempDir("candor-kill-logged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in", tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        _ = makeRecordings(inputs, count: 2)
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        #expect(try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "K"]).status == 0)
        let common = ["--queue", queue, "--workspace", ws, "--exit-when-empty", "--lease", "2", "--retry-base", "0.1", "--threads", "1"]
        let a = try BackgroundWorker(
            common, logPath: dir + "/a.log",
            env: ["CANDOR_WORKER_TEST_PAUSE_AFTER_LOG_MS": "60000", "TMPDIR": tmp])
        try #require(await a.waitFor(timeout: 120) { $0.contains("test pause after logging job 1") }, "\(a.log)")
        a.signal(SIGKILL)
        _ = await a.wait(timeout: 10)
        let b = try candor(["worker"] + common, env: ["TMPDIR": tmp])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(Self.leftovers(tmp).isEmpty, "temporary files left: \(Self.leftovers(tmp))")

        let store = try await openStore(queue)
        for job in try await store.jobs() {
            #expect(job.state == .done)
            let session = try #require(job.sessionID)
            let v = try Self.verify(ws, "K", session, backend, queue)
            #expect(v.status == 0, "\(session): \(v.stdout) \(v.stderr)")
            let shown = try Self.show(ws, "K", session, backend, queue)
            #expect(Self.count("analysis_completed", in: shown.stdout) == 1, "\(session): \(shown.stdout)")
            #expect(shown.stdout.contains("output_sha256: \(job.resultSHA256 ?? "?")"), "\(session)")
        }
        let first = try #require(try await store.jobs().first { $0.id == 1 })
        #expect(first.history.map(\.outcome) == ["lease_expired", "done"], "\(first.history)")
        await store.close()
        // batch status --json: a done job shows no current error (the expired attempt keeps its own).
        let status = try candor(["batch", "status", "--json", "--queue", queue, "--workspace", ws])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stderr)")
        let job1 = try #require((doc["jobs"] as? [[String: Any]])?.first { $0["id"] as? Int == 1 })
        #expect(job1["last_error"] is NSNull, "\(job1)")
        let history = try #require(job1["history"] as? [[String: Any]])
        #expect(history.first?["error"] is String && history.allSatisfy { $0["started_at"] is String }, "\(history)")
    }

    @Test(
        "a worker frozen past its lease and then resumed writes nothing: the job is logged once, by the new holder",
        arguments: Backend.allCases)
    func frozenWorkerWritesNothing(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        let dir = tempDir("candor-frozen")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", file = dir + "/long.wav"
        writeWAV(file, samples: buzz(f0: 140, seconds: 30))
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        #expect(try candor(["batch", "submit", file, "--queue", queue, "--workspace", ws, "--case", "F"]).status == 0)
        let common = ["--queue", queue, "--workspace", ws, "--exit-when-empty", "--lease", "2", "--retry-base", "0.1", "--threads", "1"]
        let a = try BackgroundWorker(common, logPath: dir + "/a.log")
        try #require(await a.waitFor(timeout: 120) { $0.contains("job 1 attempt 1/3") }, "\(a.log)")
        a.signal(SIGSTOP)
        let b = try candor(["worker"] + common)
        #expect(b.status == 0 && b.stderr.contains("job 1 done"), "\(b.stderr)")
        a.signal(SIGCONT)
        #expect(await a.wait(timeout: 120) == 0, "\(a.log)")
        #expect(!a.log.contains("job 1 done"), "\(a.log)")
        #expect(a.log.contains("lost"), "\(a.log)")
        let shown = try Self.show(ws, "F", "long", backend, queue)
        #expect(Self.count("analysis_completed", in: shown.stdout) == 1, "\(shown.stdout)")
        #expect(try Self.verify(ws, "F", "long", backend, queue).status == 0)
    }
}
