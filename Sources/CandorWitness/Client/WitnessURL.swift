import CandorAudit
import Foundation

/// The parts of a witness URL the HTTP client needs.
struct WitnessURL {
    let secure: Bool
    let host: String
    let port: Int
    let pathAndQuery: String

    init(_ url: String) throws {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = c.host, !host.isEmpty
        else { throw AuditError("invalid witness URL \(url)") }
        secure = scheme == "https"
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = c.port ?? (secure ? 443 : 80)
        guard (1...65535).contains(port) else { throw AuditError("invalid port in witness URL \(url)") }
        let path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        pathAndQuery = path + (c.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// Whether the host is a literal IPv4 or IPv6 address (no SNI then: the certificate's
    /// IP address entries are checked against the peer's address).
    var isAddress: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    var sniHost: String? { isAddress ? nil : host }
    var hostHeader: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
}
