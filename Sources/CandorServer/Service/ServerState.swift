import CandorStore
import Logging

/// Everything the routes share: sign-in, case data, uploads, the queue, metrics.
public struct ServerState: Sendable {
    public var auth: Authenticator
    public var cases: CaseService
    public var uploads: UploadStore
    public var jobs: any JobStore
    public var hooks: AnalysisHooks
    public var metrics: ServerMetrics
    public var limits: ServerLimits
    /// Cookies get the Secure attribute (the server runs TLS).
    public var secureCookies: Bool
    public var logger: Logger

    public init(
        auth: Authenticator, cases: CaseService, uploads: UploadStore, jobs: any JobStore, hooks: AnalysisHooks,
        metrics: ServerMetrics, limits: ServerLimits, secureCookies: Bool, logger: Logger
    ) {
        self.auth = auth
        self.cases = cases
        self.uploads = uploads
        self.jobs = jobs
        self.hooks = hooks
        self.metrics = metrics
        self.limits = limits
        self.secureCookies = secureCookies
        self.logger = logger
    }
}
