import Foundation

/// The audit side of a workspace: its keys, its store, and the operations on session logs.
/// Not Sendable (it owns a database connection): use one per thread.
public final class AuditWorkspace {
    public let path: String
    public let keys: KeyStore
    public let store: any AuditStore
    /// How witnesses are reached (set by the CLI); without it, checkpoints are not submitted.
    public var witnessTransport: (any WitnessTransport)?
    /// Receives one-line notices for the user (who signed; unwitnessed checkpoints).
    public var onNotice: ((String) -> Void)?

    /// Opens (creating if needed) the workspace at `path`, with the SQLite store `audit.sqlite`
    /// unless another store is given.
    /// With `readOnly` nothing is created or changed (verification of a read-only workspace).
    public init(path: String, store: (any AuditStore)? = nil, readOnly: Bool = false) throws {
        self.path = path
        keys = KeyStore(workspace: path)
        if let store {
            self.store = store
        } else if readOnly {
            self.store = try SQLiteAuditStore(path: (path as NSString).appendingPathComponent("audit.sqlite"), readOnly: true)
        } else {
            try KeyStore.createDirectory(path)
            self.store = try SQLiteAuditStore(path: (path as NSString).appendingPathComponent("audit.sqlite"))
        }
    }

    // MARK: - Appending

    /// Raised when the stored log does not end at its last signed checkpoint.
    public static func tornTailMessage(_ s: SessionRef, count: Int, size: Int) -> String {
        "audit log of \(s) has \(count - size) record(s) beyond its last signed checkpoint (size \(size)): an append was interrupted; appends are refused until `candor audit repair --case \(s.caseID) --session \(s.sessionID)` runs"
    }

    /// Appends records signed by `operatorName` (default: the workspace's default operator),
    /// then a signed checkpoint for each new tree size, atomically. Adds `session_opened`
    /// first if the session is new, and `key_rotated` if the operator's key changed since its
    /// last record in this session. Returns the seq of each appended record.
    @discardableResult
    public func append(_ s: SessionRef, operator operatorName: String? = nil, _ drafts: [RecordDraft]) throws -> [Int] {
        let name = try operatorName ?? keys.defaultOperator()
        let signer = try keys.operatorSigner(name)
        // Never sign with a key that verification will not trust (its public key must be kept).
        guard try keys.allOperatorKeys().contains(signer.verifierKey.encoded) else {
            throw AuditError(
                "operator \(name): key \(signer.verifierKey.encoded) is not among the trusted operator keys in \(keys.directory)/operators; refusing to sign"
            )
        }
        let logSigner = try keys.logSigner()
        let appended: [Int] = try store.withSessionLock(s) {
            let existing = try store.records(s)
            let (storedLeaves, checkpointKey) = try checkedLeaves(s, existing)
            var leaves = storedLeaves
            var prefix: [RecordDraft] = try rotationDrafts(name: name, current: signer.verifierKey.encoded, existing: existing)
            let logKey = logSigner.verifierKey.encoded
            if let old = checkpointKey?.encoded, old != logKey {
                guard let steps = KeyStore.chain(try keys.logRotations(), from: old, to: logKey) else {
                    throw AuditError("log key: no recorded rotation from \(old) to the current key")
                }
                prefix.insert(
                    RecordDraft(
                        .keyRotated,
                        [
                            "key_kind": "log", "old_key": .string(old), "new_key": .string(logKey),
                            "endorsements": Self.endorsements(steps),
                        ]), at: 0)
            }
            if existing.isEmpty && !drafts.isEmpty && drafts.first?.type != .sessionOpened {
                prefix.insert(RecordDraft(.sessionOpened), at: 0)
            }
            var seqs: [Int] = []
            for (k, draft) in (prefix + drafts).enumerated() {
                let seq = leaves.count
                let prev = leaves.last.map(Hex.encode) ?? AuditRecord.genesisPrev
                let bytes = try AuditRecord.build(
                    caseID: s.caseID, sessionID: s.sessionID, seq: seq, prev: prev,
                    time: AuditRecord.timestamp(), draft: draft, signer: signer)
                let leaf = Merkle.leafHash(bytes)
                try store.insertRecord(s, seq: seq, bytes: bytes, leafHash: leaf)
                Self.testPause()
                leaves.append(leaf)
                let origin = AuditRecord.origin(logKeyName: logSigner.name, caseID: s.caseID, sessionID: s.sessionID)
                let note = try Checkpoint(origin: origin, size: leaves.count, root: Merkle.root(leaves)).signed(by: logSigner)
                try store.insertCheckpoint(s, size: leaves.count, note: note)
                if k >= prefix.count { seqs.append(seq) }
            }
            if !(prefix + drafts).isEmpty {
                try appendHeads([SessionHead(session: s, size: leaves.count, root: Merkle.root(leaves))], logSigner: logSigner)
            }
            return seqs
        }
        onNotice?("audit: \(s): signed as \(name) (key \(Hex.encode(signer.verifierKey.keyID)))")
        for target in [s, SessionRef.heads] {
            if let line = timestampLatest(target) { onNotice?("audit: " + line) }
            for (w, o) in (try? submitToWitnesses(target)) ?? [] {
                if let line = Self.describe(target, w, o) { onNotice?("audit: " + line) }
            }
        }
        return appended
    }

    /// Throws if an append to `s` would be refused (torn tail, or a log not matching its checkpoint).
    public func checkAppendable(_ s: SessionRef) throws {
        _ = try store.withReadSnapshot { try checkedLeaves(s, try store.records(s)) }
    }

    /// Test hook: `CANDOR_AUDIT_TEST_PAUSE_MS` pauses each append between writing a record and
    /// its checkpoint (inside the transaction), so tests can kill a process mid-append.
    private static func testPause() {
        if let v = ProcessInfo.processInfo.environment["CANDOR_AUDIT_TEST_PAUSE_MS"], let ms = UInt32(v), ms > 0 {
            let note = Array("audit: test pause mid-append\n".utf8)
            _ = note.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            usleep(ms * 1000)
        }
    }

    /// Leaf hashes of the stored records, after checking the log ends exactly at a checkpoint
    /// signed by the log key whose root matches (refusing to append to a torn or altered log).
    private func checkedLeaves(_ s: SessionRef, _ existing: [StoredRecord]) throws -> (leaves: [Merkle.Hash], signer: NoteVerifierKey?) {
        guard let cp = try store.latestCheckpoint(s) else {
            if existing.isEmpty { return ([], nil) }
            throw AuditError(Self.tornTailMessage(s, count: existing.count, size: 0))
        }
        if cp.size < existing.count { throw AuditError(Self.tornTailMessage(s, count: existing.count, size: cp.size)) }
        let leaves = existing.map { Merkle.leafHash($0.bytes) }
        for (i, r) in existing.enumerated() where r.seq != i || r.leafHash != leaves[i] {
            throw AuditError("audit log of \(s) is damaged at seq \(i); run candor audit verify")
        }
        let parsed: Checkpoint, signer: NoteVerifierKey
        do { (parsed, signer) = try openCheckpoint(cp.note) } catch {
            throw AuditError("audit log of \(s): latest checkpoint does not verify (\(error)); run candor audit verify")
        }
        guard parsed.size == existing.count, parsed.root == Merkle.root(leaves) else {
            throw AuditError("audit log of \(s) does not match its signed checkpoint; run candor audit verify")
        }
        return (leaves, signer)
    }

    static func endorsements(_ steps: [KeyStore.Rotation]) -> AuditJSON {
        .array(
            steps.map { .object(["old_key": .string($0.oldKey), "new_key": .string($0.newKey), "endorsement": .string($0.endorsement)]) })
    }

    /// key_rotated drafts linking the operator's key in its last record of this session to its current key.
    private func rotationDrafts(name: String, current: String, existing: [StoredRecord]) throws -> [RecordDraft] {
        var lastKey: String?
        for r in existing.reversed() {
            guard let obj = try? CanonicalJSON.parse(r.bytes) else { continue }
            if obj["operator"]?.stringValue == name { lastKey = obj["operator_key"]?.stringValue; break }
        }
        guard let from = lastKey, from != current else { return [] }
        guard let steps = KeyStore.chain(try keys.rotations(name), from: from, to: current) else {
            throw AuditError("operator \(name): no recorded rotation from key \(from) to the current key")
        }
        return [
            RecordDraft(.keyRotated, ["old_key": .string(from), "new_key": .string(current), "endorsements": Self.endorsements(steps)])
        ]
    }

    /// Opens a stored checkpoint with the current log key or, after `keys rotate --log`, with a
    /// retired log key that endorsed its way to the current one. Returns the checkpoint and the key.
    func openCheckpoint(_ note: String) throws -> (Checkpoint, NoteVerifierKey) {
        let current = try keys.logVerifierKey()
        do { return (try Checkpoint.open(note, logKey: current), current) } catch {
            let rotations = try keys.logRotations()
            for r in rotations where KeyStore.chain(rotations, from: r.oldKey, to: current.encoded) != nil {
                if let old = try? NoteVerifierKey(parsing: r.oldKey), let cp = try? Checkpoint.open(note, logKey: old) { return (cp, old) }
            }
            throw error
        }
    }

    /// Records a log key rotation in every session (a key_rotated record, then a checkpoint signed by the new key).
    public func recordLogRotation(operator operatorName: String? = nil) throws -> Int {
        let sessions = try store.sessions()
        for s in sessions { try append(s, operator: operatorName, []) }
        return sessions.count
    }

    /// Stores a result file (e.g. the analysis JSON) for the session; returns its sha256 (hex)
    /// and its bundle name `results/<sha256>.json`.
    @discardableResult
    public func storeResult(_ s: SessionRef, bytes: [UInt8], extension ext: String = "json") throws -> (sha256: String, name: String) {
        let sha = Hex.encode(Merkle.sha256(bytes))
        let name = "results/\(sha).\(ext)"
        try store.withSessionLock(s) { try store.putResult(s, StoredResult(sha256: sha, name: name, bytes: bytes)) }
        return (sha, name)
    }

    public func results(_ s: SessionRef) throws -> [StoredResult] { try store.results(s) }

    // MARK: - Reading and verifying

    /// The session log as the verifier sees it, read in one transaction.
    public func contents(_ s: SessionRef) throws -> LogContents {
        try store.withReadSnapshot {
            let recs = try store.records(s)
            guard !recs.isEmpty else { throw AuditError("no audit log for \(s) in \(path)", status: .invalidInput) }
            var results: [String: [UInt8]] = [:]
            for r in try store.results(s) { results[r.name] = r.bytes }
            let note = try store.latestCheckpoint(s)?.note
            // After `keys rotate --log`, a session not yet re-signed has a checkpoint by a retired, endorsed log key.
            let logKey = try note.flatMap { try? openCheckpoint($0).1 } ?? keys.logVerifierKey()
            return LogContents(
                lines: recs.map(\.bytes), checkpoint: note,
                logKey: logKey.encoded, operatorKeys: try keys.allOperatorKeys(),
                results: results)
        }
    }

    public func verify(_ s: SessionRef, evidence: [EvidenceFile] = [], since: String? = nil) throws -> VerificationReport {
        LogVerifier.verify(try contents(s), evidence: evidence, since: since, expected: s)
    }

    /// Parsed records (for `audit show`), after logging the access.
    public func show(_ s: SessionRef, operator operatorName: String? = nil, what: String = "audit log") throws -> [AuditJSON] {
        try recordViewing(s, operator: operatorName, what: what)
        return try store.records(s).map { (try? CanonicalJSON.parse($0.bytes)) ?? .null }
    }

    /// Logs that `what` of an existing session was viewed (an `accessed` record), before it is shown.
    public func recordViewing(_ s: SessionRef, operator operatorName: String? = nil, what: String = "audit log") throws {
        try requireExisting(s)
        try append(s, operator: operatorName, [RecordDraft(.accessed, ["action": "viewed", "what": .string(what)])])
    }

    /// Appends a supervisor's review of record `concernsSeq`.
    @discardableResult
    public func review(
        _ s: SessionRef, operator operatorName: String? = nil, concernsSeq: Int, kind: String,
        note: String, override: String? = nil
    ) throws -> Int {
        guard ["note", "override", "disregard"].contains(kind) else { throw AuditError("review kind must be note, override or disregard") }
        if kind == "override" && override == nil { throw AuditError("an override review needs --value") }
        let recs = try store.records(s)
        guard concernsSeq >= 0, concernsSeq < recs.count else {
            throw AuditError("\(s) has no record with seq \(concernsSeq)", status: .invalidInput)
        }
        var fields: [String: AuditJSON] = [
            "kind": .string(kind), "note": .string(note), "concerns_seq": .int(Int64(concernsSeq)),
            "concerns_leaf": .string(Hex.encode(Merkle.leafHash(recs[concernsSeq].bytes))),
        ]
        if let override { fields["override"] = .string(override) }
        return try append(s, operator: operatorName, [RecordDraft(.review, fields)]).first ?? -1
    }

    /// Reading, reviewing or exporting never creates a session log.
    public func requireExisting(_ s: SessionRef) throws {
        if try store.records(s).isEmpty { throw AuditError("no audit log for \(s) in \(path)", status: .invalidInput) }
    }

    // MARK: - Proofs

    public struct InclusionProof: Sendable {
        public let seq: Int, size: Int
        public let leafHash: Merkle.Hash, root: Merkle.Hash
        public let proof: [Merkle.Hash]
        public let checkpoint: String
    }

    public func inclusionProof(_ s: SessionRef, seq: Int) throws -> InclusionProof {
        try store.withReadSnapshot {
            let leaves = try store.records(s).map { Merkle.leafHash($0.bytes) }
            guard let cp = try store.latestCheckpoint(s), cp.size <= leaves.count,
                let proof = Merkle.inclusionProof(index: seq, leaves: Array(leaves[0..<cp.size]))
            else {
                throw AuditError("\(s): no record \(seq) under the latest checkpoint")
            }
            return InclusionProof(
                seq: seq, size: cp.size, leafHash: leaves[seq], root: Merkle.root(Array(leaves[0..<cp.size])),
                proof: proof, checkpoint: cp.note)
        }
    }

    /// The consistency proof from the stored checkpoint of `oldSize` to the latest one.
    public func consistencyProof(_ s: SessionRef, oldSize: Int) throws -> (old: String, new: String, proof: [Merkle.Hash]) {
        try store.withReadSnapshot {
            let leaves = try store.records(s).map { Merkle.leafHash($0.bytes) }
            guard let cp = try store.latestCheckpoint(s), cp.size <= leaves.count, let old = try store.checkpoint(s, size: oldSize),
                let proof = Merkle.consistencyProof(oldSize: oldSize, leaves: Array(leaves[0..<cp.size]))
            else {
                throw AuditError("\(s): no checkpoint of size \(oldSize)")
            }
            return (old, cp.note, proof)
        }
    }

    // MARK: - Repair

    /// `candor audit repair`: if (and only if) the log has a torn tail, moves the records beyond
    /// the last signed checkpoint to quarantine and appends a `repaired` record saying so.
    /// Returns the number of records set aside (0 when the log was intact).
    public func repair(_ s: SessionRef, operator operatorName: String? = nil, reason: String = "interrupted append") throws -> Int {
        let name = try operatorName ?? keys.defaultOperator()
        _ = try keys.operatorSigner(name)
        return try store.withSessionLock(s) {
            let report = LogVerifier.verify(try contents(s))
            guard let failure = report.failure else { return 0 }
            guard failure.kind == .tornTail, let from = failure.seq else {
                throw AuditError("audit log of \(s) is not intact and not a torn tail (\(failure)); repair refuses to change it")
            }
            if let n = try signedTail(s, from: from) {
                throw AuditError(
                    "audit log of \(s): the \(n) record(s) beyond the last checkpoint (size \(from)) chain and carry valid signatures, so its checkpoints were deleted, not torn by an interrupted write; repair refuses to quarantine them"
                )
            }
            let moved = try store.quarantineRecords(s, fromSeq: from, reason: reason)
            let digest = Merkle.sha256(moved.flatMap { $0.bytes + [0x0A] })
            try append(
                s, operator: name,
                [
                    RecordDraft(
                        .repaired,
                        [
                            "discarded_from_seq": .int(Int64(from)), "discarded_records": .int(Int64(moved.count)),
                            "discarded_sha256": .string(Hex.encode(digest)), "reason": .string(reason),
                        ])
                ])
            return moved.count
        }
    }
}
