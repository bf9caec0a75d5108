/// Appends that happen at most once per key, and only while a fence allows them: the audit
/// side of batch jobs, whose attempts may be repeated (a worker killed after logging) or
/// overtaken (a worker that lost its lease to another).
extension AuditWorkspace {
    /// What `appendOnce` did.
    public enum OnceOutcome: Sendable {
        /// The records were appended, at these seqs.
        case appended([Int])
        /// The session already had a record with the key: this one (parsed); nothing appended.
        case alreadyLogged(AuditJSON)
    }

    /// Under the session lock: if a record of the session carries `keyField` = `key`, returns
    /// it and appends nothing. Otherwise runs `fence` (which throws to refuse, e.g. when a
    /// batch job's lease is no longer held), stores `result` (if any) and appends `drafts`,
    /// all in one transaction. `drafts` must carry `keyField` = `key` in one of them.
    public func appendOnce(
        _ s: SessionRef, operator operatorName: String? = nil, keyField: String, key: String,
        result: [UInt8]? = nil, _ drafts: [RecordDraft], fence: () throws -> Void
    ) throws -> OnceOutcome {
        guard drafts.contains(where: { $0.fields[keyField] == .string(key) }) else {
            throw AuditError("appendOnce: no draft carries \(keyField) = \(key)")
        }
        return try store.withSessionLock(s) {
            if let logged = try loggedRecord(s, keyField: keyField, key: key) { return .alreadyLogged(logged) }
            try fence()
            if let result { _ = try storeResult(s, bytes: result) }
            return .appended(try append(s, operator: operatorName, drafts))
        }
    }

    /// The first record of the session whose `keyField` is `key`.
    public func loggedRecord(_ s: SessionRef, keyField: String, key: String) throws -> AuditJSON? {
        let needle = Array("\"\(keyField)\":".utf8)
        for r in try store.records(s) where r.bytes.contains(subsequence: needle) {
            if let obj = try? CanonicalJSON.parse(r.bytes), obj[keyField] == .string(key) { return obj }
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the bytes (a cheap filter before parsing a record).
    fileprivate func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        var i = 0
        while i + needle.count <= count {
            if self[i] == needle[0] && Array(self[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }
}
