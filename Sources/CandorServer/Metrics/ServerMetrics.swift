import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// The service's metrics, through swift-metrics into a Prometheus registry that `GET /metrics`
/// writes in Prometheus text format:
/// - `candor_http_requests_total{route,method,status}` (route = the route pattern, never the raw path);
/// - `candor_login_failures_total`, `candor_login_throttled_total`;
/// - `candor_jobs{state}` and `candor_queue_depth` (read from the queue at each scrape);
/// - `candor_analysis_seconds` (histogram of the in-process workers' job durations).
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let loginFailures: CoreMetrics.Counter
    let loginThrottled: CoreMetrics.Counter
    let queueDepth: CoreMetrics.Gauge
    let analysisSeconds: CoreMetrics.Recorder

    /// swift-metrics has one process-wide backend: bootstrapped once, by the first instance.
    private static let shared = Mutex<PrometheusCollectorRegistry?>(nil)

    public init() {
        registry = Self.shared.withLock { existing in
            if let existing { return existing }
            let r = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: r)
            factory.defaultValueHistogramBuckets = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800]
            MetricsSystem.bootstrap(factory)
            existing = r
            return r
        }
        loginFailures = CoreMetrics.Counter(label: "candor_login_failures_total")
        loginThrottled = CoreMetrics.Counter(label: "candor_login_throttled_total")
        queueDepth = CoreMetrics.Gauge(label: "candor_queue_depth")
        analysisSeconds = CoreMetrics.Recorder(label: "candor_analysis_seconds", aggregate: true)
    }

    public func request(route: String, method: String, status: Int) {
        CoreMetrics.Counter(
            label: "candor_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
    }

    public func jobs(_ counts: [String: Int]) {
        var pending = 0
        for (state, n) in counts {
            CoreMetrics.Gauge(label: "candor_jobs", dimensions: [("state", state)]).record(n)
            if state == "queued" || state == "running" { pending += n }
        }
        queueDepth.record(pending)
    }

    public func analysed(seconds: Double) { analysisSeconds.record(seconds) }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
