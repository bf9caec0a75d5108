import CandorAudit
import Foundation

/// Copies of the SQLite audit store, to simulate an insider restoring an older database.
enum AuditDB {
    static func snapshot(_ ws: String, to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let store = try SQLiteAuditStore(path: ws + "/audit.sqlite")
        try store.executeRaw("VACUUM INTO '\(path)'")
    }

    static func restore(_ ws: String, from path: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ws + "/audit.sqlite" + suffix) }
        try FileManager.default.copyItem(atPath: path, toPath: ws + "/audit.sqlite")
    }

    static func sql(_ ws: String, _ statement: String) throws {
        try SQLiteAuditStore(path: ws + "/audit.sqlite").executeRaw(statement)
    }
}
