import CandorStore
import Foundation
import Testing

/// End-to-end: `candor batch submit`, several `candor worker` processes, `batch status`.
@Suite("Batch workers (processes)", .serialized)
struct BatchProcessTests {
    /// Seconds of the long recording that keeps the first worker busy while it is killed.
    /// (120 s takes several seconds to analyse with one thread in a debug build: a wide window for the kill.)
    static let longSeconds = 120.0

    @Test(
        "50 files, two workers, one SIGKILLed mid-job and restarted: every file gets exactly one result",
        arguments: Backend.allCases)
    func killedWorkerLosesNothing(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        let dir = tempDir("candor-batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        // The long recording sorts first, so it is job 1 and the first worker takes it.
        writeWAV(inputs + "/a-long.wav", samples: buzz(f0: 140, seconds: Self.longSeconds))
        let files = makeRecordings(inputs, count: 50)
        // Every file becomes a session of case B-1 with its own signed audit log.
        let keys = try candor(["keys", "init", "--operator", "batch-op", "--workspace", ws])
        try #require(keys.status == 0, "\(keys.stderr)")
        let submit = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "B-1"])
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdout.contains("51 new job(s)"), "\(submit.stdout)")

        let common = ["--queue", queue, "--workspace", ws, "--exit-when-empty", "--lease", "2", "--retry-base", "0.1", "--threads", "1"]
        // The workers' temporary files go to a folder of their own, which must end empty.
        let tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let a = try BackgroundWorker(common, logPath: dir + "/a.log", env: ["TMPDIR": tmp])
        let started = Date()
        let claimedLong = await a.waitFor(timeout: 120) { $0.contains("job 1 attempt 1/3") }
        try #require(claimedLong, "worker A never claimed job 1: \(a.log)")
        let b = try BackgroundWorker(common, logPath: dir + "/b.log", env: ["TMPDIR": tmp])
        _ = await b.waitFor(timeout: 30) { $0.contains(" done: ") }
        try #require(!a.log.contains("job 1 done"), "the long job finished before the kill; make it longer")
        a.signal(SIGKILL)
        #expect(await a.wait(timeout: 10) == SIGKILL)  // terminationStatus is the signal number after a kill
        let a2 = try BackgroundWorker(common, logPath: dir + "/a2.log", env: ["TMPDIR": tmp])
        let statusB = await b.wait(timeout: 600), statusA2 = await a2.wait(timeout: 600)
        let elapsed = Date().timeIntervalSince(started)
        #expect(statusB == 0, "\(b.log)")
        #expect(statusA2 == 0, "\(a2.log)")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
        #expect(leftovers.isEmpty, "temporary files left by the workers: \(leftovers)")

        let store = try await openStore(queue)
        let jobs = try await store.jobs()
        #expect(jobs.count == 51)
        #expect(
            jobs.allSatisfy { $0.state == .done },
            "\(jobs.filter { $0.state != .done }.map { ($0.inputPath, $0.state, $0.lastError ?? "") })")
        var seenInputs = Set<String>()
        for job in jobs {
            let result = try #require(try await store.result(jobID: job.id), "job \(job.id) has no result")
            #expect(JobKeys.sha256Hex(result.bytes) == result.sha256)
            #expect(result.sha256 == job.resultSHA256)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.bytes)) as? [String: Any])
            let input = try #require(doc["input"] as? [String: Any])
            #expect(input["sha256"] as? String == job.inputSHA256)
            #expect(sha256(ofFile: job.inputPath) == job.inputSHA256)
            #expect(job.history.filter { $0.outcome == "done" }.count == 1, "job \(job.id): \(job.history)")
            seenInputs.insert(job.inputPath)
        }
        #expect(seenInputs == Set(files + [inputs + "/a-long.wav"]))
        // The killed worker's attempt at the long job expired; another worker finished it.
        let long = try #require(jobs.first { $0.inputPath.hasSuffix("a-long.wav") })
        #expect(long.history.first?.outcome == "lease_expired")
        #expect(long.history.first?.worker.contains(":\(a.process.processIdentifier):") == true)
        #expect(long.history.last?.outcome == "done" && long.attempts == 2)
        // Results computed and stored: exactly one per job across the surviving workers.
        let doneLines = (b.log + a2.log).split(separator: "\n").filter { $0.contains(" done: ") }.count
        #expect(doneLines + a.log.split(separator: "\n").filter { $0.contains(" done: ") }.count == 51)

        // Every session log verifies, and holds exactly one analysis whose output is the stored result.
        // With PostgreSQL the logs are in the queue's database (not in the workspace).
        let auditEnv = backend == .postgres ? ["CANDOR_AUDIT_DB": queue] : [:]
        for job in jobs {
            let session = try #require(job.sessionID)
            #expect(job.caseID == "B-1")
            let v = try candor(["audit", "verify", "--case", "B-1", "--session", session, "--workspace", ws], env: auditEnv)
            #expect(v.status == 0, "session \(session): \(v.stdout) \(v.stderr)")
            let shown = try candor(["audit", "show", "--case", "B-1", "--session", session, "--workspace", ws], env: auditEnv)
            #expect(shown.stdout.components(separatedBy: "analysis_completed").count - 1 == 1, "session \(session)")
            #expect(shown.stdout.contains("output_sha256: \(job.resultSHA256 ?? "?")"), "session \(session)")
        }
        if backend == .postgres {
            let local = try candor(["audit", "verify", "--case", "B-1", "--session", "rec000", "--workspace", ws])
            #expect(local.status == 3, "the workspace should hold no audit log when the queue is PostgreSQL: \(local.stdout)")
        }

        // Re-submitting after completion creates no new jobs and no new work.
        let again = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "B-1"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 new job(s), 51 already queued or done"), "\(again.stdout)")
        #expect(try await store.jobs().count == 51)
        let idle = try candor(["worker"] + common)
        #expect(idle.status == 0)
        #expect(idle.stderr.contains("0 done"), "\(idle.stderr)")
        await store.close()
        print(
            "[\(backend)] 51 files (one \(Int(Self.longSeconds)) s, fifty 1-1.5 s), two workers with one killed: \(String(format: "%.1f", elapsed)) s"
        )
    }

    @Test(
        "a poison file ends failed with its error after the retry limit and does not block the queue",
        arguments: Backend.allCases)
    func poisonFile(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        let dir = tempDir("candor-poison")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        let poison = inputs + "/a-poison.wav"
        writeWAV(poison, samples: buzz(f0: 120, seconds: 1))
        let good = makeRecordings(inputs, count: 6)
        let submit = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--max-attempts", "3"])
        #expect(submit.status == 0, "\(submit.stderr)")
        // After submission the file is truncated: every attempt fails.
        let data = try #require(FileManager.default.contents(atPath: poison))
        FileManager.default.createFile(atPath: poison, contents: data.prefix(data.count / 2))

        let w = try candor([
            "worker", "--queue", queue, "--workspace", ws, "--exit-when-empty", "--retry-base", "0.2",
            "--concurrency", "2",
        ])
        #expect(w.status == 0, "\(w.stderr)")
        let status = try candor(["batch", "status", "--json", "--queue", queue, "--workspace", ws])
        #expect(status.status == 0, "\(status.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let counts = try #require(doc["counts"] as? [String: Int])
        #expect(counts == ["queued": 0, "running": 0, "done": 6, "failed": 1, "total": 7])
        let jobs = try #require(doc["jobs"] as? [[String: Any]])
        let p = try #require(jobs.first { ($0["input"] as? String)?.hasSuffix("a-poison.wav") == true })
        #expect(p["state"] as? String == "failed")
        #expect(p["attempts"] as? Int == 3)
        #expect(p["result"] is NSNull)
        let lastError = try #require(p["last_error"] as? String)
        #expect(lastError.contains("a-poison.wav") && lastError.contains("changed since it was submitted"), "\(lastError)")
        let history = try #require(p["history"] as? [[String: Any]])
        #expect(history.count == 3)
        #expect(
            history.allSatisfy { ($0["outcome"] as? String) == "error" && (($0["error"] as? String)?.contains("a-poison.wav") ?? false) })
        for g in good {
            let j = try #require(jobs.first { $0["input"] as? String == g })
            #expect(j["state"] as? String == "done")
            let r = try #require(j["result"] as? [String: Any])
            #expect((r["sha256"] as? String)?.count == 64)
        }
        // The good jobs did not wait for the poison job's retries.
        #expect(w.stderr.contains("no attempts left"))
        let human = try candor(["batch", "status", "--queue", queue, "--workspace", ws])
        #expect(human.stdout.contains("done 6") && human.stdout.contains("failed 1") && human.stdout.contains("a-poison.wav"))

        // A result is reachable with `batch result`, byte for byte.
        let firstGood = try #require(jobs.first { $0["state"] as? String == "done" })
        let id = try #require(firstGood["id"] as? Int)
        let out = dir + "/fetched.json"
        #expect(try candor(["batch", "result", String(id), "--queue", queue, "--workspace", ws, "--out", out]).status == 0)
        let sha = try #require((firstGood["result"] as? [String: Any])?["sha256"] as? String)
        #expect(sha256(ofFile: out) == sha)
    }

    @Test("unreadable inputs are reported at submit (exit 3) and the readable ones are still queued")
    func unreadableAtSubmit() async throws {
        let dir = tempDir("candor-submit")
        let ws = dir + "/ws", inputs = dir + "/in"
        try FileManager.default.createDirectory(atPath: inputs + "/sub", withIntermediateDirectories: true)
        _ = makeRecordings(inputs + "/sub", count: 3)
        FileManager.default.createFile(
            atPath: inputs + "/garbage.wav", contents: Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        FileManager.default.createFile(atPath: inputs + "/notes.txt", contents: Data("not audio".utf8))
        let r = try candor(["batch", "submit", inputs, dir + "/missing.wav", "--workspace", ws])
        #expect(r.status == 3)
        #expect(r.stderr.contains("garbage.wav"), "\(r.stderr)")
        #expect(r.stderr.contains("missing.wav"))
        #expect(!r.stderr.contains("notes.txt"))
        #expect(r.stdout.contains("3 new job(s)"), "\(r.stdout)")
        let store = try await openStore(ws + "/queue.sqlite")
        #expect(try await store.counts()[.queued] == 3)
        await store.close()
    }

    @Test("a worker whose models differ from the job's refuses the job (the models are part of the job key)")
    func modelsMustMatch() async throws {
        let dir = tempDir("candor-models")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        let file = makeRecordings(dir, count: 1)[0]
        #expect(try candor(["batch", "submit", file, "--workspace", ws, "--max-attempts", "1"]).status == 0)
        let otherModels = dir + "/models"
        try FileManager.default.createDirectory(atPath: otherModels, withIntermediateDirectories: true)
        let shipped = Paths.packageRoot.appendingPathComponent("models").path
        let first = try #require(
            try FileManager.default.contentsOfDirectory(atPath: shipped).filter { $0.hasSuffix(".json") }.sorted().first)
        try FileManager.default.copyItem(atPath: shipped + "/" + first, toPath: otherModels + "/" + first)
        let w = try candor(["worker", "--workspace", ws, "--exit-when-empty"], env: ["CANDOR_MODELS": otherModels])
        #expect(w.status == 0)
        let store = try await openStore(ws + "/queue.sqlite")
        let job = try #require(try await store.jobs().first)
        #expect(job.state == .failed)
        #expect(job.lastError?.contains("differ from those the job was submitted with") == true, "\(job.lastError ?? "")")
        await store.close()
        // With the same models as at submission it goes through.
        #expect(try candor(["batch", "submit", file, "--workspace", ws, "--retry-failed"]).status == 0)
        #expect(try candor(["worker", "--workspace", ws, "--exit-when-empty"]).status == 0)
        let again = try await openStore(ws + "/queue.sqlite")
        #expect(try await again.jobs().first?.state == .done)
        await again.close()
    }

    @Test("SIGTERM releases a running job when the grace period is over, or lets it finish within it")
    func cleanShutdown() async throws {
        let dir = tempDir("candor-term")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        let long = dir + "/long.wav"
        writeWAV(long, samples: buzz(f0: 150, seconds: Self.longSeconds))
        #expect(try candor(["batch", "submit", long, "--workspace", ws]).status == 0)
        let queue = ws + "/queue.sqlite"

        let w1 = try BackgroundWorker(["--workspace", ws, "--grace", "0", "--threads", "1"], logPath: dir + "/w1.log")
        try #require(await w1.waitFor(timeout: 120) { $0.contains("job 1 attempt 1/3") }, "\(w1.log)")
        w1.signal(SIGTERM)
        #expect(await w1.wait(timeout: 30) == 0, "\(w1.log)")
        #expect(w1.log.contains("released back to the queue"))
        var store = try await openStore(queue)
        var job = try #require(try await store.jobs().first)
        #expect(job.state == .queued && job.attempts == 0 && job.history.map(\.outcome) == ["released"])
        await store.close()

        let w2 = try BackgroundWorker(["--workspace", ws, "--grace", "600", "--threads", "1"], logPath: dir + "/w2.log")
        try #require(await w2.waitFor(timeout: 120) { $0.contains("job 1 attempt 1/3") }, "\(w2.log)")
        w2.signal(SIGINT)
        #expect(await w2.wait(timeout: 600) == 0, "\(w2.log)")
        store = try await openStore(queue)
        job = try #require(try await store.jobs().first)
        #expect(job.state == .done && job.history.map(\.outcome) == ["released", "done"])
        await store.close()
    }
}
