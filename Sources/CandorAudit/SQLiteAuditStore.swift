import CSQLite
import Foundation

/// The embedded audit store: one SQLite database file per workspace (WAL mode,
/// synchronous=FULL). `withSessionLock` takes SQLite's write lock with BEGIN IMMEDIATE
/// (waiting up to the busy timeout), which serialises appends across processes; SQLite's
/// journal makes each append all-or-nothing even if the process is killed.
///
/// Not Sendable: one instance per thread.
public final class SQLiteAuditStore: AuditStore {
    private var db: OpaquePointer?
    public let path: String
    private var transactionDepth = 0

    /// Opens (creating if needed) the store read-write. With `readOnly`, opens an existing
    /// database with `mode=ro` (no WAL switch, no schema change), falling back to
    /// `immutable=1` when SQLite cannot create its shared-memory file (a read-only folder or
    /// mount): verification then works on a read-only or full workspace.
    public init(path: String, busyTimeoutMs: Int32 = 60_000, readOnly: Bool = false) throws {
        self.path = path
        var handle: OpaquePointer?
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else { throw AuditError("\(path): no audit database") }
            let h: OpaquePointer
            switch openSQLiteReadOnly(path) {
            case .success(let opened): h = opened
            case .failure(let f): throw AuditError("\(path): cannot open audit database read-only: \(f.message)")
            }
            db = h
            sqlite3_busy_timeout(h, busyTimeoutMs)
            return
        }
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw AuditError("\(path): cannot open audit database: \(msg)")
        }
        db = handle
        sqlite3_busy_timeout(handle, busyTimeoutMs)
        try exec("PRAGMA journal_mode=WAL")
        try exec("PRAGMA synchronous=FULL")
        try exec(
            """
            CREATE TABLE IF NOT EXISTS audit_records (
                case_id TEXT NOT NULL, session_id TEXT NOT NULL, seq INTEGER NOT NULL,
                bytes BLOB NOT NULL, leaf_hash BLOB NOT NULL,
                PRIMARY KEY (case_id, session_id, seq));
            CREATE TABLE IF NOT EXISTS audit_checkpoints (
                case_id TEXT NOT NULL, session_id TEXT NOT NULL, size INTEGER NOT NULL, note TEXT NOT NULL,
                PRIMARY KEY (case_id, session_id, size));
            CREATE TABLE IF NOT EXISTS audit_quarantine (
                case_id TEXT NOT NULL, session_id TEXT NOT NULL, seq INTEGER NOT NULL, bytes BLOB NOT NULL,
                reason TEXT NOT NULL, quarantined_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS audit_results (
                case_id TEXT NOT NULL, session_id TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL,
                bytes BLOB NOT NULL, PRIMARY KEY (case_id, session_id, sha256));
            """)
    }

    deinit { sqlite3_close_v2(db) }

    private func error(_ what: String) -> AuditError {
        AuditError("\(path): \(what): \(String(cString: sqlite3_errmsg(db)))\(osReason())")
    }

    private func osReason() -> String { sqliteOSCause(db) }

    private func exec(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let msg = errmsg.map { String(cString: $0) } ?? "error \(rc)"
            sqlite3_free(errmsg)
            throw AuditError("\(path): \(msg)\(osReason())")
        }
    }

    private enum Param {
        case text(String)
        case int(Int)
        case blob([UInt8])
    }

    /// Runs one statement, calling `row` for each result row.
    private func query(_ sql: String, _ params: [Param], row: (OpaquePointer) throws -> Void = { _ in }) throws {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw error("prepare") }
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, p) in params.enumerated() {
            let idx = Int32(i + 1)
            switch p {
            case .text(let s): sqlite3_bind_text(stmt, idx, s, -1, transient)
            case .int(let v): sqlite3_bind_int64(stmt, idx, Int64(v))
            case .blob(let b):
                _ = b.withUnsafeBytes {
                    sqlite3_bind_blob(stmt, idx, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), transient)
                }
            }
        }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error("query") }
            try row(stmt)
        }
    }

    private static func blob(_ stmt: OpaquePointer, _ col: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard n > 0, let p = sqlite3_column_blob(stmt, col) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    private static func text(_ stmt: OpaquePointer, _ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        return String(cString: p)
    }

    public func withSessionLock<T>(_ session: SessionRef, _ body: () throws -> T) throws -> T {
        try transaction("BEGIN IMMEDIATE", body)
    }

    public func withReadSnapshot<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN DEFERRED", body)
    }

    private func transaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        // BEGIN IMMEDIATE waits through the busy handler; retry for rare immediate SQLITE_BUSY.
        var attempts = 0
        while true {
            do { try exec(begin); break } catch {
                attempts += 1
                if attempts > 600 { throw error }
                usleep(50_000)
            }
        }
        transactionDepth = 1
        do {
            let value = try body()
            transactionDepth = 0
            try exec("COMMIT")
            return value
        } catch {
            transactionDepth = 0
            try? exec("ROLLBACK")
            throw error
        }
    }

    public func records(_ s: SessionRef) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        try query(
            "SELECT seq, bytes, leaf_hash FROM audit_records WHERE case_id=? AND session_id=? ORDER BY seq",
            [.text(s.caseID), .text(s.sessionID)]
        ) { st in
            out.append(StoredRecord(seq: Int(sqlite3_column_int64(st, 0)), bytes: Self.blob(st, 1), leafHash: Self.blob(st, 2)))
        }
        return out
    }

    public func insertRecord(_ s: SessionRef, seq: Int, bytes: [UInt8], leafHash: [UInt8]) throws {
        try query(
            "INSERT INTO audit_records (case_id, session_id, seq, bytes, leaf_hash) VALUES (?,?,?,?,?)",
            [.text(s.caseID), .text(s.sessionID), .int(seq), .blob(bytes), .blob(leafHash)])
    }

    public func latestCheckpoint(_ s: SessionRef) throws -> (size: Int, note: String)? {
        var out: (Int, String)?
        try query(
            "SELECT size, note FROM audit_checkpoints WHERE case_id=? AND session_id=? ORDER BY size DESC LIMIT 1",
            [.text(s.caseID), .text(s.sessionID)]
        ) { st in
            out = (Int(sqlite3_column_int64(st, 0)), Self.text(st, 1))
        }
        return out.map { (size: $0.0, note: $0.1) }
    }

    public func checkpoint(_ s: SessionRef, size: Int) throws -> String? {
        var out: String?
        try query(
            "SELECT note FROM audit_checkpoints WHERE case_id=? AND session_id=? AND size=?",
            [.text(s.caseID), .text(s.sessionID), .int(size)]
        ) { st in out = Self.text(st, 0) }
        return out
    }

    public func insertCheckpoint(_ s: SessionRef, size: Int, note: String) throws {
        try query(
            "INSERT OR REPLACE INTO audit_checkpoints (case_id, session_id, size, note) VALUES (?,?,?,?)",
            [.text(s.caseID), .text(s.sessionID), .int(size), .text(note)])
    }

    public func quarantineRecords(_ s: SessionRef, fromSeq: Int, reason: String) throws -> [StoredRecord] {
        let moved = try records(s).filter { $0.seq >= fromSeq }
        let now = AuditRecord.timestamp()
        for r in moved {
            try query(
                "INSERT INTO audit_quarantine (case_id, session_id, seq, bytes, reason, quarantined_at) VALUES (?,?,?,?,?,?)",
                [.text(s.caseID), .text(s.sessionID), .int(r.seq), .blob(r.bytes), .text(reason), .text(now)])
        }
        try query(
            "DELETE FROM audit_records WHERE case_id=? AND session_id=? AND seq>=?",
            [.text(s.caseID), .text(s.sessionID), .int(fromSeq)])
        try query(
            "DELETE FROM audit_checkpoints WHERE case_id=? AND session_id=? AND size>?",
            [.text(s.caseID), .text(s.sessionID), .int(fromSeq)])
        return moved
    }

    public func quarantined(_ s: SessionRef) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        try query(
            "SELECT seq, bytes FROM audit_quarantine WHERE case_id=? AND session_id=? ORDER BY rowid",
            [.text(s.caseID), .text(s.sessionID)]
        ) { st in
            let bytes = Self.blob(st, 1)
            out.append(StoredRecord(seq: Int(sqlite3_column_int64(st, 0)), bytes: bytes, leafHash: Merkle.leafHash(bytes)))
        }
        return out
    }

    public func putResult(_ s: SessionRef, _ r: StoredResult) throws {
        try query(
            "INSERT OR IGNORE INTO audit_results (case_id, session_id, sha256, name, bytes) VALUES (?,?,?,?,?)",
            [.text(s.caseID), .text(s.sessionID), .text(r.sha256), .text(r.name), .blob(r.bytes)])
    }

    public func results(_ s: SessionRef) throws -> [StoredResult] {
        var out: [StoredResult] = []
        try query(
            "SELECT sha256, name, bytes FROM audit_results WHERE case_id=? AND session_id=? ORDER BY name",
            [.text(s.caseID), .text(s.sessionID)]
        ) { st in
            out.append(StoredResult(sha256: Self.text(st, 0), name: Self.text(st, 1), bytes: Self.blob(st, 2)))
        }
        return out
    }

    public func sessions() throws -> [SessionRef] {
        var out: [SessionRef] = []
        try query("SELECT DISTINCT case_id, session_id FROM audit_records ORDER BY case_id, session_id", []) { st in
            if let s = try? SessionRef(caseID: Self.text(st, 0), sessionID: Self.text(st, 1)) { out.append(s) }
        }
        return out
    }

    /// Test and repair helper: runs raw SQL (used to simulate storage faults in tests).
    public func executeRaw(_ sql: String) throws { try exec(sql) }
}
