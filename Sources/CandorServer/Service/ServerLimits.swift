/// Request size limits and timeouts.
public struct ServerLimits: Sendable {
    /// Largest recording accepted by an upload (bytes); larger bodies get 413 and nothing is kept.
    public var maxUploadBytes = 2 * 1024 * 1024 * 1024
    /// Largest JSON or form body (bytes).
    public var maxFormBytes = 64 * 1024
    /// Seconds a connection may stay idle (a slow client holding a connection is cut off).
    public var idleTimeoutSeconds: Int64 = 60
    public init() {}
}
