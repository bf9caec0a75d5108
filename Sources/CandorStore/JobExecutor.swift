import Foundation

/// A pool of dedicated threads that runs the analysis tasks of claimed jobs (a task executor
/// preference is inherited by child tasks, so the analysis's parallel blocks run here too).
///
/// Why: the analysis is CPU-bound. On Swift's shared cooperative pool (one thread per core)
/// it would keep the heartbeat and database tasks waiting, leases would expire while a long
/// recording is being analysed, and another worker would start the same job again. With the
/// jobs on their own threads, the kernel shares the cores and heartbeats keep their schedule.
public final class JobExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queue` and `stopped` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var stopped = false

    public init(threads: Int, name: String = "candor-job") {
        for k in 0..<max(1, threads) {
            // A strong reference: the threads keep the executor alive until `shutdown()` lets them end.
            let t = Thread { self.loop() }
            t.name = "\(name)-\(k)"
            t.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        queue.append(unowned)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads finish once the queue is empty (the executor must outlive its tasks).
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty && stopped {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
