import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the client's address (for login
/// throttling and logs). JSON request bodies are limited to 64 KiB; uploads stream with their
/// own limit (`ServerLimits.maxUploadBytes`).
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 64 * 1024 }

    /// The client's IP address as text ("unknown" if the channel has none).
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
