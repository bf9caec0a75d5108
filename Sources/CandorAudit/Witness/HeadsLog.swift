import Foundation

extension SessionRef {
    /// The workspace's log of session heads. Its ids are not valid case or session ids, so no
    /// user session can take them, and `sessions()` never lists it.
    public static let heads = SessionRef(reservedCase: ".workspace", session: ".heads")

    init(reservedCase c: String, session s: String) {
        caseID = c
        sessionID = s
    }

    public var isHeadsLog: Bool { self == .heads }
}

/// One entry of the heads log: session `case`/`session` reached tree `size` with `root`.
public struct SessionHead: Sendable, Equatable {
    public let session: SessionRef
    public let size: Int
    public let root: Merkle.Hash
}

/// The workspace heads log: one append-only Merkle log per workspace (stored like a session
/// log, under the reserved `SessionRef.heads`), with one canonical JSON leaf
/// `{"case","root","seq","session","size","time"}` each time a session log grows. Its
/// checkpoints (origin `<log key name>/heads`, signed by the log key) are submitted to the
/// witnesses, so deleting a whole session, which leaves no trace in the other sessions, still
/// contradicts what the witnesses cosigned.
extension AuditWorkspace {
    public static func headsOrigin(logKeyName: String) -> String { "\(logKeyName)/heads" }

    /// Origin of any log of this workspace.
    public func origin(_ s: SessionRef, logKeyName: String) -> String {
        s.isHeadsLog
            ? Self.headsOrigin(logKeyName: logKeyName)
            : AuditRecord.origin(logKeyName: logKeyName, caseID: s.caseID, sessionID: s.sessionID)
    }

    static func headRecord(seq: Int, head: SessionHead) -> [UInt8] {
        CanonicalJSON.encode(
            .object([
                "case": .string(head.session.caseID), "session": .string(head.session.sessionID), "seq": .int(Int64(seq)),
                "size": .int(Int64(head.size)), "root": .string(Hex.encode(head.root)), "time": .string(AuditRecord.timestamp()),
            ]))
    }

    /// Parses a heads-log record.
    public static func parseHead(_ bytes: [UInt8], seq: Int) throws -> SessionHead {
        guard let obj = try? CanonicalJSON.parse(bytes), CanonicalJSON.encode(obj) == bytes,
            obj["seq"]?.intValue == Int64(seq), let c = obj["case"]?.stringValue, let s = obj["session"]?.stringValue,
            let size = obj["size"]?.intValue, size > 0, let rootHex = obj["root"]?.stringValue,
            let root = Hex.decode(rootHex), root.count == 32, let ref = try? SessionRef(caseID: c, sessionID: s)
        else { throw AuditError("heads log record \(seq) is malformed") }
        return SessionHead(session: ref, size: Int(size), root: root)
    }

    /// Appends heads to the heads log with a signed checkpoint. Runs inside the caller's
    /// session lock (it takes the heads lock after it, always in that order). On the first use
    /// it first records the head of every session already in the store (upgrade).
    func appendHeads(_ newHeads: [SessionHead], logSigner: NoteSigner) throws {
        try store.withSessionLock(.heads) {
            let existing = try store.records(.heads)
            var leaves = existing.map { Merkle.leafHash($0.bytes) }
            if let cp = try store.latestCheckpoint(.heads) {
                let (parsed, _) = try openCheckpoint(cp.note)
                guard parsed.size == existing.count, parsed.root == Merkle.root(leaves) else {
                    throw AuditError("the workspace heads log does not match its signed checkpoint; run candor audit verify --all")
                }
            } else if !existing.isEmpty {
                throw AuditError("the workspace heads log has records but no signed checkpoint; run candor audit verify --all")
            }
            var heads = newHeads
            if existing.isEmpty {
                let named = Set(newHeads.map(\.session))
                for s in try store.sessions() where !named.contains(s) {
                    if let h = try currentHead(s) { heads.insert(h, at: 0) }
                }
            }
            guard !heads.isEmpty else { return }
            for h in heads {
                let bytes = Self.headRecord(seq: leaves.count, head: h)
                let leaf = Merkle.leafHash(bytes)
                try store.insertRecord(.heads, seq: leaves.count, bytes: bytes, leafHash: leaf)
                leaves.append(leaf)
            }
            let note = try Checkpoint(
                origin: Self.headsOrigin(logKeyName: logSigner.name), size: leaves.count,
                root: Merkle.root(leaves)
            ).signed(by: logSigner)
            try store.insertCheckpoint(.heads, size: leaves.count, note: note)
        }
    }

    /// The head of a session as its latest checkpoint states it.
    func currentHead(_ s: SessionRef) throws -> SessionHead? {
        guard let cp = try store.latestCheckpoint(s), let parsed = try? openCheckpoint(cp.note).0 else { return nil }
        return SessionHead(session: s, size: parsed.size, root: parsed.root)
    }

    /// Records the current head of every session whose latest head is not in the heads log yet
    /// (used by `candor witness add` and `witness sync`, so the first witnessed heads log covers
    /// every session). Returns the number of heads added.
    @discardableResult
    public func recordAllHeads() throws -> Int {
        let logSigner = try keys.logSigner()
        var added = 0
        for s in try store.sessions() {
            try store.withSessionLock(s) {
                let known = try latestHeads()[s]
                // Only growth is recorded: a session smaller than its recorded head was rolled back.
                guard let h = try currentHead(s), (known?.size ?? 0) < h.size else { return }
                try appendHeads([h], logSigner: logSigner)
                added += 1
            }
        }
        return added
    }

    /// The latest head of each session in the heads log (unverified; `verifyAll` checks it).
    public func latestHeads() throws -> [SessionRef: SessionHead] {
        var out: [SessionRef: SessionHead] = [:]
        for (i, r) in try store.records(.heads).enumerated() {
            let h = try Self.parseHead(r.bytes, seq: i)
            out[h.session] = h
        }
        return out
    }
}
