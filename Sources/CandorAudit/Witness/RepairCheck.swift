import Foundation

extension AuditWorkspace {
    /// For `repair`: when every record from `from` on continues the chain (seq, prev) and
    /// carries a valid signature by a trusted operator key, returns their count. Such a tail
    /// is what deleting checkpoint rows leaves, not an interrupted append (an append writes a
    /// record and its checkpoint in one transaction), so repair must not discard it.
    func signedTail(_ s: SessionRef, from: Int) throws -> Int? {
        let recs = try store.records(s)
        guard from < recs.count else { return nil }
        var trusted: [String: NoteVerifierKey] = [:]
        for t in try keys.allOperatorKeys() { if let k = try? NoteVerifierKey(parsing: t) { trusted[t] = k } }
        var prev = from > 0 ? Hex.encode(Merkle.leafHash(recs[from - 1].bytes)) : AuditRecord.genesisPrev
        for (i, r) in recs.enumerated() where i >= from {
            guard let value = try? CanonicalJSON.parse(r.bytes), var obj = value.objectValue,
                CanonicalJSON.encode(value) == r.bytes, obj["seq"]?.intValue == Int64(i), obj["prev"]?.stringValue == prev,
                obj["case"]?.stringValue == s.caseID, obj["session"]?.stringValue == s.sessionID,
                let keyText = obj["operator_key"]?.stringValue, let key = trusted[keyText],
                let sig = obj["sig"]?.stringValue.flatMap(Base64.decode)
            else { return nil }
            obj.removeValue(forKey: "sig")
            guard key.isValidSignature(sig, for: CanonicalJSON.encode(.object(obj))) else { return nil }
            prev = Hex.encode(Merkle.leafHash(r.bytes))
        }
        return recs.count - from
    }
}
