import CandorStore
import Foundation
import Testing

private func spec(_ k: Int, path: String? = nil, maxAttempts: Int = 3) -> JobSpec {
    let sha = JobKeys.sha256Hex(Array("input \(k)".utf8))
    return JobSpec(
        inputPath: path ?? "/data/file\(k).wav", inputSHA256: sha, inputBytes: 1000 + k,
        parametersJSON: #"{"pitchFloorHz":75}"#, maxAttempts: maxAttempts)
}

/// The queue semantics, run against both backends.
@Suite("Job store", .serialized)
struct JobStoreTests {
    @Test("submitting the same job twice adds no job", arguments: Backend.allCases)
    func submitIsIdempotent(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        let first = try await store.submit([spec(1), spec(2), spec(3)], retryFailed: false)
        #expect(first.allSatisfy { if case .created = $0 { return true } else { return false } })
        #expect(Set(first.map(\.id)).count == 3)
        // Same content under another path, and the same three again: all existing.
        let again = try await store.submit([spec(1, path: "/elsewhere/copy.wav"), spec(2), spec(3)], retryFailed: false)
        #expect(again.map(\.id) == first.map(\.id))
        #expect(again.allSatisfy { if case .existing(_, .queued) = $0 { return true } else { return false } })
        // Different parameters make a different job.
        var other = spec(1)
        other = JobSpec(
            inputPath: other.inputPath, inputSHA256: other.inputSHA256, inputBytes: other.inputBytes,
            parametersJSON: #"{"pitchFloorHz":100}"#)
        let third = try await store.submit([other], retryFailed: false)
        if case .created = third[0] {} else { Issue.record("different parameters should create a job, got \(third[0])") }
        #expect(try await store.counts()[.queued] == 4)
    }

    @Test("a claimed job completes once; a second completion is refused", arguments: Backend.allCases)
    func completeExactlyOnce(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit([spec(1)], retryFailed: false)
        let job = try #require(try await store.claim(worker: "w1", leaseSeconds: 30))
        #expect(job.attempt == 1)
        #expect(try await store.claim(worker: "w2", leaseSeconds: 30) == nil)
        #expect(try await store.heartbeat(job, leaseSeconds: 30))
        let bytes = Array(#"{"schema":"candor.analysis/1"}"#.utf8)
        #expect(try await store.complete(job, result: bytes))
        #expect(try await store.complete(job, result: Array("other".utf8)) == false)
        let stored = try #require(try await store.result(jobID: job.id))
        #expect(stored.bytes == bytes)
        #expect(stored.sha256 == JobKeys.sha256Hex(bytes))
        let info = try #require(try await store.jobs().first)
        #expect(info.state == .done && info.resultSHA256 == stored.sha256 && info.resultBytes == bytes.count)
        #expect(info.history.map(\.outcome) == ["done"])
        #expect(try await store.claim(worker: "w2", leaseSeconds: 30) == nil)
    }

    @Test("an expired lease is re-claimed, and the old holder can no longer store a result", arguments: Backend.allCases)
    func expiredLeaseIsReclaimed(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit([spec(1)], retryFailed: false)
        // The lease must outlast the next claim even on a loaded machine (CI runs other
        // work): 3 s, then wait it out.
        let stale = try #require(try await store.claim(worker: "dead-worker", leaseSeconds: 3))
        #expect(try await store.claim(worker: "w2", leaseSeconds: 30) == nil)
        try await Task.sleep(nanoseconds: 3_500_000_000)
        let fresh = try #require(try await store.claim(worker: "w2", leaseSeconds: 30))
        #expect(fresh.id == stale.id && fresh.attempt == 2 && fresh.token != stale.token)
        #expect(try await store.heartbeat(stale, leaseSeconds: 30) == false)
        #expect(try await store.complete(stale, result: Array("stale".utf8)) == false)
        #expect(try await store.fail(stale, error: "x", retryDelaySeconds: 0) == nil)
        #expect(try await store.complete(fresh, result: Array("fresh".utf8)))
        #expect(try await store.result(jobID: fresh.id)?.bytes == Array("fresh".utf8))
        let info = try #require(try await store.jobs().first)
        #expect(info.history.map(\.outcome) == ["lease_expired", "done"])
        #expect(info.history[0].error?.contains("dead-worker") == true)
        #expect(info.history.map(\.worker) == ["dead-worker", "w2"])
    }

    @Test("failed attempts back off, keep each error, and end failed at the limit", arguments: Backend.allCases)
    func retriesThenFails(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit([spec(1, maxAttempts: 3), spec(2)], retryFailed: false)
        // A back-off keeps the job out of reach, and the queue moves on to the next job.
        let a1 = try #require(try await store.claim(worker: "w", leaseSeconds: 30))
        #expect(try await store.fail(a1, error: "error one", retryDelaySeconds: 60) == .queued)
        let other = try #require(try await store.claim(worker: "w", leaseSeconds: 30))
        #expect(other.id != a1.id)
        #expect(try await store.complete(other, result: [1]))
        #expect(try await store.claim(worker: "w", leaseSeconds: 30) == nil)

        // A second job with no back-off goes through all its attempts.
        let poison = try await store.submit([spec(3, maxAttempts: 3)], retryFailed: false)[0].id
        var states: [JobState?] = []
        for k in 1...3 {
            let j = try #require(try await store.claim(worker: "w\(k)", leaseSeconds: 30))
            #expect(j.id == poison && j.attempt == k)
            states.append(try await store.fail(j, error: "error \(k)", retryDelaySeconds: 0))
        }
        #expect(states == [.queued, .queued, .failed])
        #expect(try await store.claim(worker: "w", leaseSeconds: 30) == nil)
        let info = try #require(try await store.jobs().first { $0.id == poison })
        #expect(info.state == .failed && info.attempts == 3 && info.lastError == "error 3")
        #expect(info.history.map(\.error) == ["error 1", "error 2", "error 3"])
        #expect(try await store.result(jobID: poison) == nil)

        // Re-submitting a failed job leaves it failed unless asked to retry.
        let again = try await store.submit([spec(3)], retryFailed: false)
        #expect(again == [.existing(id: poison, state: .failed)])
        #expect(try await store.submit([spec(3)], retryFailed: true) == [.requeued(id: poison)])
        let retry = try #require(try await store.claim(worker: "w", leaseSeconds: 30))
        #expect(retry.id == poison && retry.attempt == 1)
    }

    @Test("releasing a job (clean shutdown) does not count as an attempt", arguments: Backend.allCases)
    func releaseDoesNotCount(_ backend: Backend) async throws {
        let store = try await openStore(try backend.freshQueue())
        defer { Task { await store.close() } }
        _ = try await store.submit([spec(1, maxAttempts: 1)], retryFailed: false)
        let j = try #require(try await store.claim(worker: "w", leaseSeconds: 30))
        #expect(try await store.release(j))
        #expect(try await store.release(j) == false)
        let again = try #require(try await store.claim(worker: "w2", leaseSeconds: 30))
        #expect(again.attempt == 1)
        #expect(try await store.complete(again, result: [42]))
        let info = try #require(try await store.jobs().first)
        #expect(info.history.map(\.outcome) == ["released", "done"])
    }

    @Test("concurrent claimers on separate connections never claim a job twice", arguments: Backend.allCases)
    func concurrentClaims(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        let setup = try await openStore(queue)
        _ = try await setup.submit((0..<40).map { spec($0) }, retryFailed: false)
        await setup.close()
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for w in 0..<6 {
                group.addTask {
                    let store = try await openStore(queue)
                    var mine: [Int64] = []
                    while let j = try await store.claim(worker: "w\(w)", leaseSeconds: 30) {
                        mine.append(j.id)
                        _ = try await store.complete(j, result: Array("w\(w)".utf8))
                    }
                    await store.close()
                    return mine
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
        let check = try await openStore(queue)
        #expect(try await check.counts()[.done] == 40)
        await check.close()
    }

    @Test("the schema is created on first use and reopening keeps the jobs", arguments: Backend.allCases)
    func schemaPersists(_ backend: Backend) async throws {
        let queue = try backend.freshQueue()
        // Two first users at once: the migration is serialised, neither fails.
        async let a = openStore(queue)
        async let b = openStore(queue)
        let (s1, s2) = try await (a, b)
        _ = try await s1.submit([spec(7)], retryFailed: false)
        #expect(try await s2.counts()[.queued] == 1)
        await s1.close()
        await s2.close()
        let s3 = try await openStore(queue)
        #expect(try await s3.jobs().map(\.inputPath) == ["/data/file7.wav"])
        await s3.close()
    }
}

@Suite("Queue URLs")
struct QueueURLTests {
    @Test func parsesPostgresURLs() throws {
        guard
            case .postgres(let t) = try QueueLocation.parse("postgres://ana:p%40ss@db.example:6543/corpus?sslmode=verify-full&schema=lab1")
        else {
            Issue.record("not postgres"); return
        }
        #expect(t.host == "db.example" && t.port == 6543 && t.username == "ana" && t.password == "p@ss")
        #expect(t.database == "corpus" && t.sslMode == "verify-full" && t.schema == "lab1")
        #expect(!t.display.contains("p@ss"))
        #expect(try QueueLocation.parse("/tmp/q.sqlite") == .sqlite(path: "/tmp/q.sqlite"))
        #expect(try QueueLocation.parse("sqlite:///tmp/q.sqlite") == .sqlite(path: "/tmp/q.sqlite"))
        #expect(throws: StoreError.self) { try QueueLocation.parse("postgres://h/db?sslmode=sometimes") }
        #expect(throws: StoreError.self) { try QueueLocation.parse("postgres://h/db?schema=x;drop") }
        #expect(throws: StoreError.self) { try QueueLocation.parse("mysql://h/db") }
    }

    @Test func unreachableServerFailsClearly() async throws {
        // Port 1 on loopback: nothing listens there.
        await #expect(throws: StoreError.self) {
            _ = try await SQLJobStore.open(try QueueLocation.parse("postgres://u:p@127.0.0.1:1/db?sslmode=disable"))
        }
    }
}
