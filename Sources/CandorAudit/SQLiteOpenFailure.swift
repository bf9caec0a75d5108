/// Why `openSQLiteReadOnly` could not open a database: SQLite's message.
public struct SQLiteOpenFailure: Error, Sendable {
    public let message: String
}
