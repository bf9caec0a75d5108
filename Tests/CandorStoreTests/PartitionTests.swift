import CandorStore
import Foundation
import Testing

/// A silent network partition between a worker and PostgreSQL, longer than the lease: the
/// worker notices within a lease, writes nothing for the job it lost, and carries on when
/// the network returns.
@Suite("Silent partition (processes)", .serialized)
struct PartitionTests {
    @Test("partition longer than the lease: the lease is given up, nothing is written twice, the worker recovers")
    func silentPartition() async throws {
        let direct = try Backend.postgres.freshQueue()
        var comps = try #require(URLComponents(string: direct))
        let proxy = try PartitionProxy(upstreamPort: comps.port ?? 5432)
        defer { proxy.stop() }
        comps.port = proxy.port
        let viaProxy = try #require(comps.string)
        let dir = tempDir("candor-partition")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        writeWAV(inputs + "/a-long.wav", samples: buzz(f0: 130, seconds: 12))
        _ = makeRecordings(inputs, count: 3)
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        #expect(try candor(["batch", "submit", inputs, "--queue", direct, "--workspace", ws, "--case", "P"]).status == 0)

        let lease = 3.0
        let w = try BackgroundWorker(
            [
                "--queue", viaProxy, "--workspace", ws, "--exit-when-empty", "--lease", "\(lease)",
                "--retry-base", "0.2", "--poll", "0.2", "--threads", "1",
            ], logPath: dir + "/w.log")
        try #require(await w.waitFor(timeout: 120) { $0.contains("job 1 attempt 1/3") }, "\(w.log)")
        proxy.partitioned = true
        let cutAt = Date()
        // Noticed within the partition (about one lease after the last renewal).
        let noticed = await w.waitFor(timeout: 4 * lease) { $0.contains("job 1: lease lost") }
        let noticedAfter = Date().timeIntervalSince(cutAt)
        #expect(noticed, "the worker did not give up the job within the partition: \(w.log)")
        // Keep the network down a little longer than the lease in any case.
        let left = 3 * lease - Date().timeIntervalSince(cutAt)
        if left > 0 { try await Task.sleep(nanoseconds: UInt64(left * 1e9)) }
        proxy.partitioned = false
        let status = await w.wait(timeout: 180)
        #expect(status == 0, "the worker did not recover and finish: \(w.log)")

        let store = try await openStore(direct)
        let jobs = try await store.jobs()
        #expect(jobs.count == 4)
        let auditEnv = ["CANDOR_AUDIT_DB": direct]
        for job in jobs {
            #expect(job.state == .done, "job \(job.id): \(job.state) \(job.history)")
            #expect(job.history.filter { $0.outcome == "done" }.count == 1, "job \(job.id): \(job.history)")
            let session = try #require(job.sessionID)
            let shown = try candor(["audit", "show", "--case", "P", "--session", session, "--workspace", ws], env: auditEnv)
            #expect(shown.stdout.components(separatedBy: "analysis_completed").count - 1 == 1, "\(session): \(shown.stdout)")
            let v = try candor(["audit", "verify", "--case", "P", "--session", session, "--workspace", ws], env: auditEnv)
            #expect(v.status == 0, "\(session): \(v.stdout) \(v.stderr)")
        }
        await store.close()
        print(
            String(format: "[partition] lease %.0f s: job given up %.1f s after the cut; recovered, 4 jobs done once", lease, noticedAfter))
    }
}
