import CSQLite
import Foundation

/// Opening an existing SQLite database without writing to it, shared by the audit store and
/// the SQLite job queue: `mode=ro` (no WAL switch, no schema change), falling back to
/// `immutable=1` when SQLite cannot create its shared-memory file (a read-only folder or
/// mount) and the write-ahead log is empty (with a non-empty `-wal`, `immutable=1` would show
/// an older state). Returns the open handle, or SQLite's message when no mode works.
public func openSQLiteReadOnly(_ path: String) -> Result<OpaquePointer, SQLiteOpenFailure> {
    var escaped = ""
    for ch in path.unicodeScalars {
        if ch == "%" || ch == "?" || ch == "#" {
            escaped += String(format: "%%%02X", ch.value)
        } else {
            escaped.unicodeScalars.append(ch)
        }
    }
    let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    var handle: OpaquePointer?
    for mode in walSize > 0 ? ["mode=ro"] : ["mode=ro", "mode=ro&immutable=1"] {
        sqlite3_close(handle)
        handle = nil
        let rc = sqlite3_open_v2(
            "file:\(escaped)?\(mode)", &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let h = handle else { continue }
        if sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", nil, nil, nil) == SQLITE_OK { return .success(h) }
    }
    let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
    sqlite3_close(handle)
    return .failure(SQLiteOpenFailure(message: message))
}

/// SQLite reports a full disk during a WAL write as a plain "disk I/O error": the cause to add
/// to the message (" (no space left on device)"), or "".
public func sqliteOSCause(_ db: OpaquePointer?) -> String {
    sqlite3_system_errno(db) == ENOSPC ? " (no space left on device)" : ""
}
