/// A case and session: the unit that owns one audit log.
public struct SessionRef: Hashable, Sendable, CustomStringConvertible {
    public let caseID: String
    public let sessionID: String
    public init(caseID: String, sessionID: String) throws {
        guard AuditRecord.isValidIdentifier(caseID) else {
            throw AuditError("invalid case id \"\(caseID)\" (use 1-128 of A-Z a-z 0-9 . _ -)")
        }
        guard AuditRecord.isValidIdentifier(sessionID) else {
            throw AuditError("invalid session id \"\(sessionID)\" (use 1-128 of A-Z a-z 0-9 . _ -)")
        }
        self.caseID = caseID
        self.sessionID = sessionID
    }
    public var description: String { "case \(caseID) session \(sessionID)" }
}

/// A stored record.
public struct StoredRecord: Sendable {
    public let seq: Int
    public let bytes: [UInt8]
    public let leafHash: [UInt8]
    public init(seq: Int, bytes: [UInt8], leafHash: [UInt8]) { (self.seq, self.bytes, self.leafHash) = (seq, bytes, leafHash) }
}

/// A stored result file (e.g. an analysis JSON).
public struct StoredResult: Sendable {
    public let sha256: String
    public let name: String
    public let bytes: [UInt8]
    public init(sha256: String, name: String, bytes: [UInt8]) { (self.sha256, self.name, self.bytes) = (sha256, name, bytes) }
}

/// Storage of session audit logs. SQLite (`SQLiteAuditStore`) is the embedded backend; a
/// PostgreSQL backend implements the same protocol (lock: `pg_advisory_xact_lock` on the
/// session inside one transaction).
///
/// Every mutating call must happen inside `withSessionLock`, which serialises appends to one
/// session across processes and commits everything written by `body` atomically (or nothing,
/// if `body` throws or the process dies).
public protocol AuditStore: AnyObject {
    func withSessionLock<T>(_ session: SessionRef, _ body: () throws -> T) throws -> T
    /// Runs `body` on one consistent snapshot of the store, without blocking writers (inside
    /// `withSessionLock` it simply runs `body`).
    func withReadSnapshot<T>(_ body: () throws -> T) throws -> T

    func records(_ session: SessionRef) throws -> [StoredRecord]
    func insertRecord(_ session: SessionRef, seq: Int, bytes: [UInt8], leafHash: [UInt8]) throws

    /// The signed checkpoint with the largest tree size, if any.
    func latestCheckpoint(_ session: SessionRef) throws -> (size: Int, note: String)?
    func checkpoint(_ session: SessionRef, size: Int) throws -> String?
    func insertCheckpoint(_ session: SessionRef, size: Int, note: String) throws

    /// Moves records with seq ≥ `fromSeq` out of the log into a quarantine area (kept for
    /// inspection) and returns them.
    func quarantineRecords(_ session: SessionRef, fromSeq: Int, reason: String) throws -> [StoredRecord]
    /// Records set aside by `quarantineRecords`, oldest first (the report always lists them).
    func quarantined(_ session: SessionRef) throws -> [StoredRecord]

    func putResult(_ session: SessionRef, _ result: StoredResult) throws
    func results(_ session: SessionRef) throws -> [StoredResult]

    func sessions() throws -> [SessionRef]
}
