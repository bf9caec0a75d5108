import CandorAudit
import PostgresNIO

/// Session audit logs in PostgreSQL, so that the records of batch jobs land in the same
/// database as the queue and the results, reachable from every machine.
///
/// `AuditStore` is a synchronous protocol, so each call waits for postgres-nio's future on
/// the calling thread (never an event-loop thread: the worker runs analyses, and with them
/// their audit appends, on its own job threads). `withSessionLock` opens a transaction and
/// takes `pg_advisory_xact_lock` on the session, which serialises appends to one session
/// across processes and machines; the transaction makes each append all-or-nothing.
///
/// Not Sendable (it owns one connection, and the transaction depth): one instance per thread,
/// like `SQLiteAuditStore`.
public final class PostgresAuditStore: AuditStore {
    private let connection: PostgresConnection
    private let logger: Logger
    private var depth = 0
    private let timeouts = StoreTimeouts.standard
    /// Set when a statement timed out: the connection is dropped and every later call fails.
    private var broken = false
    public let location: String

    public init(_ target: PostgresTarget) throws {
        location = target.display
        var logger = Logger(label: "candor.audit.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let config: PostgresConnection.Configuration
        do { config = try target.configuration() } catch { throw AuditError("\(error)") }
        do {
            connection = try waitBounded(
                PostgresConnection.connect(
                    on: PostgresConnection.defaultEventLoopGroup.any(), configuration: config, id: 1, logger: logger),
                seconds: timeouts.connect, "connecting to the PostgreSQL audit store \(target.display)")
        } catch let e as StoreTimeout {
            throw AuditError(e.description)
        } catch {
            throw AuditError("cannot connect to the PostgreSQL audit store \(target.display): \(pgMessage(error))")
        }
        do {
            for sql in timeouts.serverSettings { try run(sql) }
            if let schema = target.schema {
                for sql in PGConnection.useSchema(schema) { try run(sql) }
            }
            try run("BEGIN")
            for sql in timeouts.advisoryLockSettings { try run(sql) }
            try run("SELECT pg_advisory_xact_lock(hashtextextended(current_schema(), 7317002))")
            try run(
                """
                CREATE TABLE IF NOT EXISTS candor_audit_records (
                  case_id TEXT NOT NULL, session_id TEXT NOT NULL, seq BIGINT NOT NULL,
                  bytes BYTEA NOT NULL, leaf_hash BYTEA NOT NULL, PRIMARY KEY (case_id, session_id, seq))
                """)
            try run(
                """
                CREATE TABLE IF NOT EXISTS candor_audit_checkpoints (
                  case_id TEXT NOT NULL, session_id TEXT NOT NULL, size BIGINT NOT NULL, note TEXT NOT NULL,
                  PRIMARY KEY (case_id, session_id, size))
                """)
            try run(
                """
                CREATE TABLE IF NOT EXISTS candor_audit_quarantine (
                  case_id TEXT NOT NULL, session_id TEXT NOT NULL, seq BIGINT NOT NULL, bytes BYTEA NOT NULL,
                  reason TEXT NOT NULL, quarantined_at TEXT NOT NULL)
                """)
            try run(
                """
                CREATE TABLE IF NOT EXISTS candor_audit_results (
                  case_id TEXT NOT NULL, session_id TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL,
                  bytes BYTEA NOT NULL, PRIMARY KEY (case_id, session_id, sha256))
                """)
            try run("COMMIT")
        } catch {
            closeWhenReleased(connection)
            throw error
        }
    }

    deinit { closeWhenReleased(connection) }

    /// Runs one statement (with `?` placeholders) and waits for its rows.
    @discardableResult
    private func run(_ sql: String, _ binds: [SQLValue] = []) throws -> [[SQLValue]] {
        guard !broken else { throw AuditError("PostgreSQL audit store \(location): the connection was lost") }
        let query = PGConnection.query(sql, binds)
        do {
            let result = try waitBounded(
                connection.query(query, logger: logger), seconds: timeouts.clientLimit(sql),
                "PostgreSQL audit store \(location)")
            return try result.map { row in try row.map(PGConnection.value) }
        } catch let e as StoreTimeout {
            broken = true
            closeWhenReleased(connection)
            throw AuditError(e.description)
        } catch {
            throw AuditError("PostgreSQL audit store \(location): \(pgMessage(error))")
        }
    }

    private func transaction<T>(_ begin: String, lock session: SessionRef?, _ body: () throws -> T) throws -> T {
        if depth > 0 {
            if let session { try lockSession(session) }
            depth += 1
            defer { depth -= 1 }
            return try body()
        }
        try run(begin)
        depth = 1
        do {
            if let session { try lockSession(session) }
            let value = try body()
            depth = 0
            try run("COMMIT")
            return value
        } catch {
            depth = 0
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    private func lockSession(_ s: SessionRef) throws {
        for sql in timeouts.advisoryLockSettings { try run(sql) }
        try run("SELECT pg_advisory_xact_lock(hashtextextended(? || chr(10) || ?, 7317003))", [.text(s.caseID), .text(s.sessionID)])
    }

    public func withSessionLock<T>(_ session: SessionRef, _ body: () throws -> T) throws -> T {
        try transaction("BEGIN", lock: session, body)
    }

    public func withReadSnapshot<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", lock: nil, body)
    }

    private func key(_ s: SessionRef) -> [SQLValue] { [.text(s.caseID), .text(s.sessionID)] }

    public func records(_ s: SessionRef) throws -> [StoredRecord] {
        try run("SELECT seq, bytes, leaf_hash FROM candor_audit_records WHERE case_id = ? AND session_id = ? ORDER BY seq", key(s))
            .map { StoredRecord(seq: Int($0[0].int ?? -1), bytes: $0[1].blob ?? [], leafHash: $0[2].blob ?? []) }
    }

    public func insertRecord(_ s: SessionRef, seq: Int, bytes: [UInt8], leafHash: [UInt8]) throws {
        try run(
            "INSERT INTO candor_audit_records (case_id, session_id, seq, bytes, leaf_hash) VALUES (?, ?, ?, ?, ?)",
            key(s) + [.int(Int64(seq)), .blob(bytes), .blob(leafHash)])
    }

    public func latestCheckpoint(_ s: SessionRef) throws -> (size: Int, note: String)? {
        try run(
            """
            SELECT size, note FROM candor_audit_checkpoints WHERE case_id = ? AND session_id = ? ORDER BY size DESC LIMIT 1
            """, key(s)
        ).first.map { (size: Int($0[0].int ?? 0), note: $0[1].text ?? "") }
    }

    public func checkpoint(_ s: SessionRef, size: Int) throws -> String? {
        try run(
            "SELECT note FROM candor_audit_checkpoints WHERE case_id = ? AND session_id = ? AND size = ?",
            key(s) + [.int(Int64(size))]
        ).first?[0].text
    }

    public func insertCheckpoint(_ s: SessionRef, size: Int, note: String) throws {
        try run(
            """
            INSERT INTO candor_audit_checkpoints (case_id, session_id, size, note) VALUES (?, ?, ?, ?)
            ON CONFLICT (case_id, session_id, size) DO UPDATE SET note = EXCLUDED.note
            """, key(s) + [.int(Int64(size)), .text(note)])
    }

    public func quarantineRecords(_ s: SessionRef, fromSeq: Int, reason: String) throws -> [StoredRecord] {
        let moved = try records(s).filter { $0.seq >= fromSeq }
        let now = AuditRecord.timestamp()
        for r in moved {
            try run(
                """
                INSERT INTO candor_audit_quarantine (case_id, session_id, seq, bytes, reason, quarantined_at) VALUES (?, ?, ?, ?, ?, ?)
                """, key(s) + [.int(Int64(r.seq)), .blob(r.bytes), .text(reason), .text(now)])
        }
        try run("DELETE FROM candor_audit_records WHERE case_id = ? AND session_id = ? AND seq >= ?", key(s) + [.int(Int64(fromSeq))])
        try run("DELETE FROM candor_audit_checkpoints WHERE case_id = ? AND session_id = ? AND size > ?", key(s) + [.int(Int64(fromSeq))])
        return moved
    }

    public func quarantined(_ s: SessionRef) throws -> [StoredRecord] {
        try run("SELECT seq, bytes FROM candor_audit_quarantine WHERE case_id = ? AND session_id = ? ORDER BY quarantined_at, seq", key(s))
            .map { StoredRecord(seq: Int($0[0].int ?? -1), bytes: $0[1].blob ?? [], leafHash: Merkle.leafHash($0[1].blob ?? [])) }
    }

    public func putResult(_ s: SessionRef, _ r: CandorAudit.StoredResult) throws {
        try run(
            """
            INSERT INTO candor_audit_results (case_id, session_id, sha256, name, bytes) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (case_id, session_id, sha256) DO NOTHING
            """, key(s) + [.text(r.sha256), .text(r.name), .blob(r.bytes)])
    }

    public func results(_ s: SessionRef) throws -> [CandorAudit.StoredResult] {
        try run("SELECT sha256, name, bytes FROM candor_audit_results WHERE case_id = ? AND session_id = ? ORDER BY name", key(s))
            .map { CandorAudit.StoredResult(sha256: $0[0].text ?? "", name: $0[1].text ?? "", bytes: $0[2].blob ?? []) }
    }

    public func sessions() throws -> [SessionRef] {
        try run("SELECT DISTINCT case_id, session_id FROM candor_audit_records ORDER BY case_id, session_id")
            .compactMap { try? SessionRef(caseID: $0[0].text ?? "", sessionID: $0[1].text ?? "") }
    }

    /// Test helper: runs raw SQL (used to simulate an insider editing the tables).
    public func executeRaw(_ sql: String) throws { try run(sql) }
}
