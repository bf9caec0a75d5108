import CandorCore
import Foundation
import PostgresNIO

/// Where the queue is: `postgres://` / `postgresql://` URLs name a PostgreSQL server; anything
/// else (`sqlite:PATH`, `sqlite://PATH` or a plain path) names a SQLite file.
public enum QueueLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresTarget)

    public static func parse(_ text: String) throws -> QueueLocation {
        let lower = text.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            return .postgres(try PostgresTarget(url: text))
        }
        if lower.hasPrefix("sqlite://") { return .sqlite(path: String(text.dropFirst("sqlite://".count))) }
        if lower.hasPrefix("sqlite:") { return .sqlite(path: String(text.dropFirst("sqlite:".count))) }
        if text.contains("://") { throw StoreError("\(text): unsupported queue URL (use postgres://… or a SQLite file path)") }
        return .sqlite(path: text)
    }
}

/// A PostgreSQL connection URL, as libpq reads it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=…&sslrootcert=FILE&schema=NAME`.
/// The password may instead come from `$PGPASSWORD`. `sslmode` is `disable`, `prefer`
/// (the default: TLS if the server offers it, unverified), `require` (TLS, unverified),
/// `verify-ca` (TLS, chain checked against `sslrootcert` or the system roots) or `verify-full`
/// (chain and host name). `schema` keeps Candor's tables in their own schema.
public struct PostgresTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String
    public var sslRootCert: String?
    public var schema: String?

    public init(url: String) throws {
        guard let comps = URLComponents(string: url), let host = comps.host, !host.isEmpty else {
            throw StoreError("\(Self.redact(url)): not a valid postgres:// URL")
        }
        self.host = host
        port = comps.port ?? 5432
        let envUser = ProcessInfo.processInfo.environment["PGUSER"]
        username = comps.user?.removingPercentEncoding ?? envUser ?? "postgres"
        // An empty $PGPASSWORD means none, as for libpq.
        let envPassword = ProcessInfo.processInfo.environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        password = comps.password?.removingPercentEncoding ?? envPassword
        let path = comps.path.hasPrefix("/") ? String(comps.path.dropFirst()) : comps.path
        database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        var mode = "prefer"
        for item in comps.queryItems ?? [] {
            switch item.name {
            case "sslmode": mode = item.value ?? mode
            case "sslrootcert": sslRootCert = item.value
            case "schema": schema = item.value
            default: throw StoreError("\(Self.redact(url)): unknown parameter \(item.name) (known: sslmode, sslrootcert, schema)")
            }
        }
        guard ["disable", "prefer", "require", "verify-ca", "verify-full"].contains(mode) else {
            throw StoreError("\(Self.redact(url)): sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
        sslMode = mode
        if let s = schema, s.isEmpty || s.count > 63 || !s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw StoreError("\(Self.redact(url)): schema must be 1-63 of A-Z a-z 0-9 _")
        }
    }

    /// host:port/database, for messages (never the password).
    public var display: String {
        "postgres://\(username)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    static func redact(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "postgres URL" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "postgres URL"
    }

    func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if sslMode == "disable" {
            tls = .disable
        } else {
            var t = TLSConfiguration.makeClientConfiguration()
            switch sslMode {
            case "verify-full": t.certificateVerification = .fullVerification
            case "verify-ca": t.certificateVerification = .noHostnameVerification
            default: t.certificateVerification = .none
            }
            if let root = sslRootCert {
                guard access(root, R_OK) == 0 else {
                    throw StoreError("\(display): sslrootcert \(root): \(String(cString: strerror(errno)))")
                }
                t.trustRoots = .file(root)
            }
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: t) } catch {
                throw StoreError("\(display): TLS set-up failed (\(connectionProblem("\(error)") ?? "\(error)"))")
            }
            tls = sslMode == "prefer" ? .prefer(context) : .require(context)
        }
        var config = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password,
            database: database, tls: tls)
        config.options.connectTimeout = .seconds(10)
        return config
    }
}

extension SQLJobStore {
    /// Connects to PostgreSQL and creates or migrates the schema. Fails with a clear message
    /// if the server cannot be reached.
    /// With `readOnly`, the schema is neither created nor migrated (for `batch status`).
    public static func postgres(_ target: PostgresTarget, readOnly: Bool = false) async throws -> SQLJobStore {
        let config = try target.configuration()
        let ids = ConnectionCounter()
        let pool = ConnectionPool {
            try await PGConnection.connect(config, schema: target.schema, id: ids.next(), describe: target.display)
        }
        let store = SQLJobStore(location: target.display, dialect: .postgres, pool: pool)
        do {
            if readOnly {
                // Reading a database nothing was ever submitted to: say so, not "relation does not exist".
                let found = try await store.read { c in try await c.execute("SELECT to_regclass('candor_jobs') IS NOT NULL", []) }
                guard found.first?.first?.int == 1 else {
                    throw StoreError("\(target.display): no Candor queue in this database yet (`candor batch submit` creates it)")
                }
            } else {
                try await store.migrate()
            }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Opens the store a queue location names.
    public static func open(_ location: QueueLocation, readOnly: Bool = false) async throws -> SQLJobStore {
        switch location {
        case .sqlite(let path): return try await sqlite(path: path, readOnly: readOnly)
        case .postgres(let target): return try await postgres(target, readOnly: readOnly)
        }
    }
}

/// Connection ids for postgres-nio's logs.
typealias ConnectionCounter = Counter
