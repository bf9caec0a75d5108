import PostgresNIO
import Synchronization

/// A PostgreSQL connection (postgres-nio) behind the same statement interface as SQLite.
/// Every await on it is bounded (`StoreTimeouts`): a statement that does not answer in time
/// marks the connection broken, which the pool then drops and replaces.
final class PGConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    /// host:port/database, for messages.
    let describe: String
    let timeouts: StoreTimeouts
    private let broken = Mutex(false)

    init(_ connection: PostgresConnection, logger: Logger, describe: String, timeouts: StoreTimeouts) {
        self.connection = connection
        self.logger = logger
        self.describe = describe
        self.timeouts = timeouts
    }

    var isUsable: Bool { !broken.withLock { $0 } && !connection.isClosed }

    /// Connects, sets the server-side time limits, then (when a schema is named) creates it if
    /// needed and puts it first on the search path.
    static func connect(
        _ config: PostgresConnection.Configuration, schema: String?, id: Int, describe: String,
        timeouts: StoreTimeouts = .standard
    ) async throws -> PGConnection {
        var logger = Logger(label: "candor.store.postgres")
        logger.logLevel = .critical
        let conn: PostgresConnection
        do {
            let l = logger
            conn = try await withDeadline(timeouts.connect, "connecting to the PostgreSQL queue \(describe)") {
                try await PostgresConnection.connect(configuration: config, id: id, logger: l)
            }
        } catch let e as StoreTimeout {
            throw StoreError(e.description)
        } catch {
            throw StoreError("cannot connect to the PostgreSQL queue \(describe): \(pgMessage(error))")
        }
        let c = PGConnection(conn, logger: logger, describe: describe, timeouts: timeouts)
        do {
            for sql in timeouts.serverSettings { _ = try await c.execute(sql, []) }
            if let schema {
                for sql in PGConnection.useSchema(schema) { _ = try await c.execute(sql, []) }
            }
        } catch {
            // postgres-nio insists that every connection is closed before it is released.
            await c.close()
            throw error
        }
        return c
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        guard isUsable else { throw StoreError("PostgreSQL \(describe): the connection was lost") }
        let query = Self.query(sql, binds)
        let (connection, logger) = (self.connection, self.logger)
        do {
            return try await withDeadline(timeouts.clientLimit(sql), "PostgreSQL \(describe)") {
                var out: [[SQLValue]] = []
                for try await row in try await connection.query(query, logger: logger) {
                    out.append(try row.map(Self.value))
                }
                return out
            }
        } catch let e as StoreTimeout {
            markBroken()
            throw StoreError(e.description)
        } catch let e as StoreError {
            throw e
        } catch {
            if connection.isClosed { markBroken() }
            throw StoreError("PostgreSQL \(describe): \(pgMessage(error))")
        }
    }

    /// Stops using the connection and closes it in the background.
    private func markBroken() {
        broken.withLock { $0 = true }
        closeWhenReleased(connection)
    }

    func close() async {
        let connection = self.connection
        _ = try? await withDeadline(timeouts.close, "closing the PostgreSQL connection") { try await connection.close() }
    }

    deinit { closeWhenReleased(connection) }

    /// Creates the schema if needed and puts it first on the search path. Concurrent
    /// `CREATE SCHEMA IF NOT EXISTS` of one name can collide, so creation is serialised with
    /// an advisory lock keyed by the schema's name: queues in other schemas never wait on it
    /// (a stalled process set up in one schema cannot hold up every queue in the database).
    /// `schema` is validated by `QueueLocation` (A-Z a-z 0-9 _), so it is safe as a literal.
    static func useSchema(_ schema: String) -> [String] {
        ["BEGIN"] + StoreTimeouts.standard.advisoryLockSettings
            + [
                "SELECT pg_advisory_xact_lock(hashtextextended('\(schema)', 7317000))",
                "CREATE SCHEMA IF NOT EXISTS \"\(schema)\"", "COMMIT", "SET search_path TO \"\(schema)\"",
            ]
    }

    /// A postgres-nio query from SQL with `?` placeholders and its values.
    static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for v in binds {
            switch v {
            case .null: bindings.appendNull()
            case .int(let x): bindings.append(x)
            case .double(let x): bindings.append(x)
            case .text(let s): bindings.append(s)
            case .blob(let b): bindings.append(ByteBuffer(bytes: b))
            }
        }
        return PostgresQuery(unsafeSQL: numberedPlaceholders(sql), binds: bindings)
    }

    /// `?` → `$1, $2, …` (the SQL of this module never has `?` inside string literals).
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        var n = 0
        for ch in sql {
            if ch == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2: return .int(Int64(try cell.decode(Int16.self)))
        case .int4: return .int(Int64(try cell.decode(Int32.self)))
        case .int8: return .int(try cell.decode(Int64.self))
        case .float4: return .double(Double(try cell.decode(Float.self)))
        case .float8: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            let buf = try cell.decode(ByteBuffer.self)
            return .blob(Array(buf.readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// Closes a connection nobody closed, keeping it alive until the close completes
/// (postgres-nio asserts that a connection is closed before it is released).
func closeWhenReleased(_ conn: PostgresConnection) {
    guard !conn.isClosed else { return }
    conn.close().whenComplete { _ in withExtendedLifetime(conn) {} }
}

/// The usual connection failures in plain words (NIO's descriptions carry socket-address
/// dumps, `<none>` placeholders and BoringSSL source paths); nil for anything else.
func connectionProblem(_ text: String) -> String? {
    let t = text.lowercased()
    if t.contains("connection refused") { return "connection refused (is the server running and listening there?)" }
    if t.contains("unknownhost") || t.contains("name or service not known") { return "unknown host name" }
    if t.contains("timeout") || t.contains("timed out") { return "no answer (connection timed out)" }
    if t.contains("certificate_verify_failed") || t.contains("certificate verify failed") {
        return "TLS: the server's certificate does not verify (check sslrootcert and the host name in the URL)"
    }
    if t.contains("failedtovalidatehostname") || t.contains("in certificate from peer") {
        return "TLS: the server's certificate is not for the host name in the URL (verify-full checks it; use a name the certificate lists)"
    }
    if t.contains("handshake") || t.contains("ssl") || t.contains("tls") {
        return "TLS handshake failed (check sslmode and sslrootcert)"
    }
    if t.contains("connection reset") || t.contains("closed") || t.contains("eof") { return "the server closed the connection" }
    return nil
}

/// PostgreSQL errors say "Generic description" in their `description`; dig out the server's
/// message or the connection problem instead (never the password).
func pgMessage(_ error: any Error) -> String {
    if let e = error as? PSQLError {
        if let msg = e.serverInfo?[.message] {
            let state = e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            // pg_hba.conf refusing a plain connection: the server takes TLS only.
            let hint = msg.hasSuffix("no encryption") ? "; the server accepts only TLS (use sslmode=verify-full)" : ""
            return msg + state + hint
        }
        if e.code == .authMechanismRequiresPassword {
            return "the server asks for a password and none was given (put it in the URL, percent-encoded, or in $PGPASSWORD)"
        }
        if let u = e.underlying { return connectionProblem("\(u)") ?? "\(e.code): \(u)".replacingOccurrences(of: "<none>", with: "?") }
        return connectionProblem("\(e.code)") ?? "\(e.code)"
    }
    if let e = error as? PostgresTransactionError {
        if let c = e.closureError { return pgMessage(c) }
        if let c = e.commitError { return pgMessage(c) }
        if let c = e.beginError { return pgMessage(c) }
    }
    return "\(error)"
}

extension SQLDialect {
    static let postgres = SQLDialect(
        name: "postgres",
        begin: "BEGIN",
        now: "extract(epoch from clock_timestamp())::float8",
        lockClause: " FOR UPDATE SKIP LOCKED",
        migrationLock: StoreTimeouts.standard.advisoryLockSettings
            + ["SELECT pg_advisory_xact_lock(hashtextextended(current_schema(), 7317001))"],
        migrations: [
            [
                """
                CREATE TABLE IF NOT EXISTS candor_jobs (
                  id BIGSERIAL PRIMARY KEY,
                  input_sha256 TEXT NOT NULL, params_hash TEXT NOT NULL, models_hash TEXT NOT NULL,
                  input_path TEXT NOT NULL, input_bytes BIGINT NOT NULL, params_json TEXT NOT NULL,
                  case_id TEXT, session_id TEXT,
                  state TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, claims BIGINT NOT NULL DEFAULT 0,
                  max_attempts BIGINT NOT NULL, not_before DOUBLE PRECISION NOT NULL,
                  lease_owner TEXT, lease_token TEXT, lease_expires DOUBLE PRECISION,
                  result_sha256 TEXT, last_error TEXT,
                  submitted_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
                  UNIQUE (input_sha256, params_hash, models_hash))
                """,
                "CREATE INDEX IF NOT EXISTS candor_jobs_state ON candor_jobs (state, not_before)",
                """
                CREATE TABLE IF NOT EXISTS candor_attempts (
                  job_id BIGINT NOT NULL REFERENCES candor_jobs(id), claim BIGINT NOT NULL, attempt BIGINT NOT NULL,
                  worker TEXT NOT NULL, started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION,
                  outcome TEXT, error TEXT,
                  PRIMARY KEY (job_id, claim))
                """,
                """
                CREATE TABLE IF NOT EXISTS candor_results (
                  job_id BIGINT PRIMARY KEY REFERENCES candor_jobs(id), sha256 TEXT NOT NULL,
                  bytes BYTEA NOT NULL, created_at DOUBLE PRECISION NOT NULL)
                """,
            ], SQLDialect.targetsMigration(int: "BIGINT", real: "DOUBLE PRECISION"),
        ])
}
