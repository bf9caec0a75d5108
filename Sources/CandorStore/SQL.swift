import CandorCore
/// A value bound to, or read from, a SQL statement. Both backends map their types onto these.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    var int: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int64(d)
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
    var double: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let s): return Double(s)
        default: return nil
        }
    }
    var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        default: return nil
        }
    }
    var blob: [UInt8]? {
        switch self {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return nil
        }
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    static func opt(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
}

/// One open database connection. A connection is used by one task at a time (the pool hands
/// it out exclusively), so implementations need no locking of their own.
protocol SQLConnection: AnyObject, Sendable {
    /// Runs one statement with `?` placeholders and returns its rows.
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]]
    func close() async
    /// False once the connection is lost or timed out: the pool drops it instead of reusing it.
    var isUsable: Bool { get }
}

/// What differs between the SQL dialects; the queue logic itself is written once.
struct SQLDialect: Sendable {
    var name: String
    /// Starts a write transaction (SQLite: take the write lock up front, so two writers never deadlock).
    var begin: String
    /// Seconds since the Unix epoch as a float, from the database's clock (one clock for all machines).
    var now: String
    /// Appended to the claim query.
    var lockClause: String
    /// Run first inside the migration transaction (serialises concurrent first use).
    var migrationLock: [String]
    /// Schema versions: the statements taking version k-1 to k.
    var migrations: [[String]]
}

/// Errors from the store: one line, naming the store.
public struct StoreError: CandorError, Sendable {
    public var exitStatus: ExitStatus { .failure }
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Hands out connections exclusively and keeps idle ones for reuse.
actor ConnectionPool {
    private var idle: [any SQLConnection] = []
    private let make: @Sendable () async throws -> any SQLConnection
    private var closed = false

    init(make: @escaping @Sendable () async throws -> any SQLConnection) { self.make = make }

    func checkout() async throws -> any SQLConnection {
        if closed { throw StoreError("the store is closed") }
        while let c = idle.popLast() {
            if c.isUsable { return c }
            await c.close()
        }
        return try await make()
    }

    func checkin(_ c: any SQLConnection) async {
        if closed || idle.count >= 4 || !c.isUsable { await c.close() } else { idle.append(c) }
    }

    func closeAll() async {
        closed = true
        let all = idle
        idle = []
        for c in all { await c.close() }
    }
}
