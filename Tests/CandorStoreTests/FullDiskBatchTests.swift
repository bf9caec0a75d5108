import CandorStore
import CandorTestSupport
import Foundation
import Testing

/// Batch workers whose workspace and output folder sit on a full file system (a small tmpfs,
/// mounted as root): jobs fail with a clear error, no output appears that the log does not
/// hold, no temporary file is left, the worker exits, and once space is freed the failed jobs
/// are retried to completion with one analysis record each.
@Suite("Batch on a full disk (processes)", .serialized)
struct FullDiskBatchTests {
    @Test("a full workspace disk: clear errors, no unlogged output, recovery after space is freed")
    func fullDisk() async throws {
        let dir = tempDir("candor-nospace-batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mnt = dir + "/small"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        guard getuid() == 0, try run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt]).status == 0 else {
            print("skipped: cannot mount a small tmpfs (needs root)")
            return
        }
        defer { _ = try? run("/bin/umount", [mnt]) }
        // The queue is on a healthy disk; the workspace (audit log, results) and the --out folder are not.
        let ws = mnt + "/ws", out = mnt + "/out", inputs = dir + "/in", queue = dir + "/queue.sqlite"
        for d in [inputs, out] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        _ = makeRecordings(inputs, count: 3)
        try #require(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        let submit = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "F-1", "--max-attempts", "2"])
        try #require(submit.status == 0, "\(submit.stderr)")
        _ = try run("/bin/dd", ["if=/dev/zero", "of=\(mnt)/filler", "bs=4k"])

        let common = ["--queue", queue, "--workspace", ws, "--out", out, "--exit-when-empty", "--retry-base", "0.1", "--threads", "1"]
        let w = try BackgroundWorker(common, logPath: dir + "/w.log")
        let status = await w.wait(timeout: 180)
        #expect(status != -1, "the worker hung on a full disk: \(w.log)")

        let store = try await openStore(queue)
        var jobs = try await store.jobs()
        #expect(jobs.count == 3)
        print("jobs on the full disk:", jobs.map { "\($0.id) \($0.state) \($0.lastError ?? "")" })
        #expect(jobs.contains { $0.state == .failed }, "the disk was not full enough to fail a job")
        for job in jobs where job.state != .done {
            // One clear line naming the problem, no raw dump.
            let error = job.lastError ?? ""
            #expect(job.state == .failed, "job \(job.id): \(job.state)")
            #expect(!error.isEmpty && !error.contains("\n"), "job \(job.id): \(error)")
            #expect(error.contains("no space left on device") || error.contains("disk is full"), "job \(job.id): \(error)")
        }
        // Whatever reached the output folder is in the log; nothing temporary is left.
        let produced = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(produced.allSatisfy { !$0.contains(".tmp") }, "\(produced)")
        let verifyAll = try candor(["audit", "verify", "--all", "--workspace", ws])
        #expect(verifyAll.status == 0, "\(verifyAll.stdout)\(verifyAll.stderr)")

        // Free the space, put the failed jobs back, and finish.
        try FileManager.default.removeItem(atPath: mnt + "/filler")
        let retry = try candor(["batch", "submit", inputs, "--queue", queue, "--workspace", ws, "--case", "F-1", "--retry-failed"])
        #expect(retry.status == 0, "\(retry.stderr)")
        let w2 = try BackgroundWorker(common, logPath: dir + "/w2.log")
        #expect(await w2.wait(timeout: 180) == 0, "\(w2.log)")
        jobs = try await store.jobs()
        #expect(jobs.allSatisfy { $0.state == .done }, "\(jobs.map { ($0.id, $0.state, $0.lastError ?? "") })")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".json") }.count == 3)
        let list = try candor(["audit", "list", "--json", "--workspace", ws])
        #expect(list.status == 0, "\(list.stderr)")
        let final = try candor(["audit", "verify", "--all", "--workspace", ws])
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")
        // One analysis record per session, however many attempts failed on the full disk.
        for name in try FileManager.default.contentsOfDirectory(atPath: inputs).sorted() {
            let session = (name as NSString).deletingPathExtension
            let show = try candor(["audit", "show", "--case", "F-1", "--session", session, "--workspace", ws, "--json"])
            #expect(show.status == 0, "\(session): \(show.stderr)")
            let completed = show.stdout.split(separator: "\n").filter { $0.contains("\"analysis_completed\"") }.count
            #expect(completed == 1, "\(session): \(completed) analysis records")
        }
    }
}
