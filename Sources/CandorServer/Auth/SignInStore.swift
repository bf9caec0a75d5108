import CSQLite
import Foundation
import Synchronization

/// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Sign-in state that survives a restart, in `WORKSPACE/server/signin.sqlite` (mode 0600): the
/// live sessions, keyed by the SHA-256 of their token (the token itself is never stored), and
/// the recent failed sign-ins the throttle counts. `SessionTable` and `LoginThrottle` keep
/// their tables in memory and write every change through to this file; they load it when the
/// server starts. A write that fails (a full disk) is kept in `lastError` and leaves the
/// running server's memory as the authority (a revocation then holds until a restart).
public final class SignInStore: Sendable {
    public let path: String
    private let db: Mutex<OpaquePointer>
    private let failure = Mutex<String?>(nil)

    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        // Private also when the folder or file already existed with wider modes (SQLite gives its
        // -wal and -shm files the database file's mode).
        chmod(dir, 0o700)
        chmod(path, 0o600)
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil) == SQLITE_OK,
            let handle
        else {
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw ServerError(.internalServerError, "\(path): cannot open the sign-in database (\(msg))")
        }
        sqlite3_busy_timeout(handle, 10_000)
        let schema = """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS sessions(
                digest TEXT PRIMARY KEY, id TEXT NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL,
                csrf TEXT NOT NULL, expires REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
            CREATE TABLE IF NOT EXISTS login_failures(key TEXT NOT NULL, at REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key);
            CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures(at);
            """
        guard sqlite3_exec(handle, schema, nil, nil, nil) == SQLITE_OK else {
            let msg = String(cString: sqlite3_errmsg(handle))
            sqlite3_close_v2(handle)
            throw ServerError(.internalServerError, "\(path): cannot set up the sign-in database (\(msg))")
        }
        db = Mutex(handle)
    }

    deinit { db.withLock { sqlite3_close_v2($0) } }

    /// The last write that failed, if any (for the log).
    public var lastError: String? { failure.withLock { $0 } }

    /// A bound value: text or a real.
    enum Value {
        case text(String)
        case real(Double)
    }

    /// Runs one statement; returns its rows as text/real columns. Failures are remembered in
    /// `lastError` and give no rows.
    @discardableResult
    func run(_ sql: String, _ binds: [Value] = []) -> [[Value]] {
        let outcome: Result<[[Value]], ServerError> = db.withLock { handle in
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
                return .failure(ServerError(.internalServerError, String(cString: sqlite3_errmsg(handle))))
            }
            defer { sqlite3_finalize(stmt) }
            for (k, b) in binds.enumerated() {
                switch b {
                case .text(let s): sqlite3_bind_text(stmt, Int32(k + 1), s, -1, transient)
                case .real(let d): sqlite3_bind_double(stmt, Int32(k + 1), d)
                }
            }
            var rows: [[Value]] = []
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { return .failure(ServerError(.internalServerError, String(cString: sqlite3_errmsg(handle)))) }
                rows.append(
                    (0..<sqlite3_column_count(stmt)).map { c in
                        sqlite3_column_type(stmt, c) == SQLITE_FLOAT
                            ? .real(sqlite3_column_double(stmt, c))
                            : .text(sqlite3_column_text(stmt, c).map { String(cString: $0) } ?? "")
                    })
            }
            return .success(rows)
        }
        switch outcome {
        case .success(let rows): return rows
        case .failure(let e):
            failure.withLock { $0 = "\(path): \(e.message)" }
            return []
        }
    }

    // MARK: - Sessions

    /// The live sessions by token digest (expired ones are deleted).
    func loadSessions(now: Double) -> [String: SignInSession] {
        run("DELETE FROM sessions WHERE expires <= ?", [.real(now)])
        var out: [String: SignInSession] = [:]
        for row in run("SELECT digest, id, user, kind, csrf, expires FROM sessions") {
            guard row.count == 6, case .text(let digest) = row[0], case .text(let id) = row[1], case .text(let user) = row[2],
                case .text(let kindText) = row[3], let kind = SignInSession.Kind(rawValue: kindText), case .text(let csrf) = row[4],
                case .real(let expires) = row[5]
            else { continue }
            out[digest] = SignInSession(id: id, user: user, kind: kind, csrf: csrf, expires: expires)
        }
        return out
    }

    func saveSession(digest: String, _ s: SignInSession, now: Double) {
        run("DELETE FROM sessions WHERE expires <= ?", [.real(now)])
        run(
            "INSERT OR REPLACE INTO sessions(digest, id, user, kind, csrf, expires) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(digest), .text(s.id), .text(s.user), .text(s.kind.rawValue), .text(s.csrf), .real(s.expires)])
    }

    func deleteSession(digest: String) { run("DELETE FROM sessions WHERE digest = ?", [.text(digest)]) }

    func deleteSessions(user: String) { run("DELETE FROM sessions WHERE user = ?", [.text(user)]) }

    // MARK: - Failed sign-ins

    /// The failure times by throttle key since `since` (older ones are deleted), oldest first.
    func loadFailures(since: Double) -> [String: [Double]] {
        run("DELETE FROM login_failures WHERE at < ?", [.real(since)])
        var out: [String: [Double]] = [:]
        for row in run("SELECT key, at FROM login_failures ORDER BY at") {
            guard row.count == 2, case .text(let key) = row[0], case .real(let at) = row[1] else { continue }
            out[key, default: []].append(at)
        }
        return out
    }

    func addFailure(keys: [String], at: Double, forgetBefore: Double) {
        run("DELETE FROM login_failures WHERE at < ?", [.real(forgetBefore)])
        for key in keys { run("INSERT INTO login_failures(key, at) VALUES (?, ?)", [.text(key), .real(at)]) }
    }

    func clearFailures(key: String) { run("DELETE FROM login_failures WHERE key = ?", [.text(key)]) }
}
