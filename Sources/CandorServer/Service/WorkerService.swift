import CandorStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// In-process workers (`candor serve --workers N`) as a service of the server's service group:
/// on SIGTERM they stop claiming and finish (or release) their jobs within the grace period,
/// like `candor worker`.
public struct WorkerService: Service {
    let store: any JobStore
    let options: WorkerOptions
    let metrics: ServerMetrics
    let logger: Logger
    let process: @Sendable (ClaimedJob) async throws -> [UInt8]

    public init(
        store: any JobStore, options: WorkerOptions, metrics: ServerMetrics, logger: Logger,
        process: @escaping @Sendable (ClaimedJob) async throws -> [UInt8]
    ) {
        self.store = store
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.process = process
    }

    public func run() async throws {
        let shutdown = ShutdownSignal()
        let started = Mutex<[Int64: Double]>([:])
        let (logger, metrics) = (self.logger, self.metrics)
        let summary = await withGracefulShutdownHandler {
            await runWorker(
                store: store, options: options, shutdown: shutdown,
                events: { event in
                    switch event {
                    case .claimed(let j):
                        started.withLock { $0[j.id] = Date().timeIntervalSince1970 }
                        logger.info("job claimed", metadata: ["job": "\(j.id)", "attempt": "\(j.attempt)"])
                    case .done(let j, _):
                        if let t0 = started.withLock({ $0.removeValue(forKey: j.id) }) {
                            metrics.analysed(seconds: Date().timeIntervalSince1970 - t0)
                        }
                        logger.info("job done", metadata: ["job": "\(j.id)"])
                    case .failed(let j, let error, let next):
                        started.withLock { _ = $0.removeValue(forKey: j.id) }
                        logger.error("job failed", metadata: ["job": "\(j.id)", "error": "\(error)", "next": "\(next.rawValue)"])
                    case .released(let j): logger.info("job released", metadata: ["job": "\(j.id)"])
                    case .leaseLost(let j): logger.warning("job lease lost", metadata: ["job": "\(j.id)"])
                    case .storeError(let e): logger.error("queue error", metadata: ["error": "\(e)"])
                    }
                }, process: process)
        } onGracefulShutdown: {
            shutdown.request()
        }
        logger.info(
            "workers stopped", metadata: ["done": "\(summary.done)", "failed": "\(summary.failed)", "released": "\(summary.released)"])
    }
}
