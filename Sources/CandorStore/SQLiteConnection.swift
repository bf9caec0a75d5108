import CSQLite
import CandorAudit
import Foundation

/// SQLITE_TRANSIENT: tells SQLite to copy bound text/blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A SQLite connection in WAL mode with a busy timeout, so several worker processes on one
/// machine share the workspace queue.
final class SQLiteConnection: SQLConnection, @unchecked Sendable {
    // @unchecked: the pool hands a connection to one task at a time, and the handle is
    // opened with SQLITE_OPEN_FULLMUTEX, so SQLite serialises any access anyway.
    private let db: OpaquePointer
    let path: String

    init(path: String, busyTimeoutMs: Int32 = 60_000, readOnly: Bool = false) throws {
        var handle: OpaquePointer?
        if readOnly {
            db = try Self.openReadOnly(path)
            self.path = path
            sqlite3_busy_timeout(db, busyTimeoutMs)
            return
        }
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError("\(path): cannot open the SQLite queue (\(msg))")
        }
        db = handle
        self.path = path
        sqlite3_busy_timeout(db, busyTimeoutMs)
        do {
            _ = try run("PRAGMA journal_mode=WAL", [])
            _ = try run("PRAGMA synchronous=FULL", [])
            _ = try run("PRAGMA foreign_keys=ON", [])
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
    }

    /// Opens an existing queue with `mode=ro` (no WAL switch, no schema change), falling back
    /// to `immutable=1` when SQLite cannot create its shared-memory file (a read-only folder or
    /// mount) and the write-ahead log is empty.
    private static func openReadOnly(_ path: String) throws -> OpaquePointer {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("\(path): no such queue") }
        switch openSQLiteReadOnly(path) {
        case .success(let h): return h
        case .failure(let f): throw StoreError("\(path): cannot open the SQLite queue read-only (\(f.message))")
        }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        try run(sql, binds)
    }

    func close() async { sqlite3_close_v2(db) }

    var isUsable: Bool { true }

    private func fail(_ what: String) -> StoreError {
        StoreError("\(path): \(what): \(String(cString: sqlite3_errmsg(db)))\(sqliteOSCause(db))")
    }

    func run(_ sql: String, _ binds: [SQLValue]) throws -> [[SQLValue]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw fail("cannot prepare SQL") }
        defer { sqlite3_finalize(stmt) }
        for (i, v) in binds.enumerated() {
            let k = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(stmt, k)
            case .int(let x): rc = sqlite3_bind_int64(stmt, k, x)
            case .double(let x): rc = sqlite3_bind_double(stmt, k, x)
            case .text(let s): rc = sqlite3_bind_text(stmt, k, s, -1, transient)
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, k, $0.baseAddress, Int32($0.count), transient) }
            }
            guard rc == SQLITE_OK else { throw fail("cannot bind parameter \(k)") }
        }
        var rows: [[SQLValue]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw fail("query failed") }
            let n = sqlite3_column_count(stmt)
            var row: [SQLValue] = []
            row.reserveCapacity(Int(n))
            for c in 0..<n {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(stmt, c)))
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(stmt, c))))
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(stmt, c))
                    if count == 0 { row.append(.blob([])); break }
                    let p = sqlite3_column_blob(stmt, c)!
                    row.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: count))))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return rows
    }
}

extension SQLDialect {
    static let sqlite = SQLDialect(
        name: "sqlite",
        begin: "BEGIN IMMEDIATE",
        now: "((julianday('now') - 2440587.5) * 86400.0)",
        lockClause: "",
        migrationLock: [],
        migrations: [
            [
                """
                CREATE TABLE IF NOT EXISTS candor_jobs (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  input_sha256 TEXT NOT NULL, params_hash TEXT NOT NULL, models_hash TEXT NOT NULL,
                  input_path TEXT NOT NULL, input_bytes INTEGER NOT NULL, params_json TEXT NOT NULL,
                  case_id TEXT, session_id TEXT,
                  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, claims INTEGER NOT NULL DEFAULT 0,
                  max_attempts INTEGER NOT NULL, not_before REAL NOT NULL,
                  lease_owner TEXT, lease_token TEXT, lease_expires REAL,
                  result_sha256 TEXT, last_error TEXT,
                  submitted_at REAL NOT NULL, updated_at REAL NOT NULL,
                  UNIQUE (input_sha256, params_hash, models_hash))
                """,
                "CREATE INDEX IF NOT EXISTS candor_jobs_state ON candor_jobs (state, not_before)",
                """
                CREATE TABLE IF NOT EXISTS candor_attempts (
                  job_id INTEGER NOT NULL REFERENCES candor_jobs(id), claim INTEGER NOT NULL, attempt INTEGER NOT NULL,
                  worker TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL, outcome TEXT, error TEXT,
                  PRIMARY KEY (job_id, claim))
                """,
                """
                CREATE TABLE IF NOT EXISTS candor_results (
                  job_id INTEGER PRIMARY KEY REFERENCES candor_jobs(id), sha256 TEXT NOT NULL,
                  bytes BLOB NOT NULL, created_at REAL NOT NULL)
                """,
            ], SQLDialect.targetsMigration(int: "INTEGER", real: "REAL"),
        ])
}
