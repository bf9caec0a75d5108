import Foundation

/// The exported, offline-verifiable bundle (a folder):
/// `records.jsonl`, `checkpoint`, `log.vkey`, `operators/*.pub`, `results/*`, `README.txt`.
public enum AuditBundle {
    /// Reads a bundle folder into verifier input. Missing files become verification failures
    /// (an absent checkpoint, no records), not crashes.
    public static func read(_ dir: String) throws -> LogContents {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw AuditError("\(dir): not a bundle folder")
        }
        func file(_ name: String) -> [UInt8]? {
            FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(name)).map { [UInt8]($0) }
        }
        guard let recordBytes = file("records.jsonl") else { throw AuditError("\(dir)/records.jsonl: missing") }
        guard let vkey = file("log.vkey") else { throw AuditError("\(dir)/log.vkey: missing") }
        let (lines, unterminated) = LogContents.splitLines(recordBytes)
        let opsDir = (dir as NSString).appendingPathComponent("operators")
        let opNames = ((try? FileManager.default.contentsOfDirectory(atPath: opsDir)) ?? []).filter { $0.hasSuffix(".pub") }.sorted()
        let ops = opNames.compactMap { file("operators/\($0)").map { String(decoding: $0, as: UTF8.self) } }
        var results: [String: [UInt8]] = [:]
        let resDir = (dir as NSString).appendingPathComponent("results")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: resDir)) ?? [] {
            if let b = file("results/\(name)") { results["results/\(name)"] = b }
        }
        return LogContents(
            lines: lines, lastLineUnterminated: unterminated,
            checkpoint: file("checkpoint").map { String(decoding: $0, as: UTF8.self) },
            logKey: String(decoding: vkey, as: UTF8.self), operatorKeys: ops, results: results)
    }

    /// Writes `contents` as a bundle at `dir` (which must not exist or be an empty folder;
    /// a trailing slash is allowed), via a private temporary sibling folder renamed into place,
    /// so a partial bundle never looks complete. An existing folder is never removed: only an
    /// empty one is replaced, atomically, by the complete bundle.
    public static func write(_ contents: LogContents, session: SessionRef, to dir: String) throws {
        let target = normalizedFolder(dir)
        try checkTarget(target)
        let tmp = try stage(target)
        do {
            try fill(tmp, contents, session: session)
            try release(tmp, to: target)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// The bundle folder must not exist, or be an empty folder.
    public static func checkTarget(_ dir: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: dir))?.isEmpty == true else {
                throw AuditError("\(dir) already exists and is not an empty folder; refusing to overwrite")
            }
        }
    }

    public static func readme(session: SessionRef, logKey: String) -> String {
        """
        Candor audit bundle: case \(session.caseID), session \(session.sessionID)
        ====================================================================

        This folder is the complete, signed audit log of one interview session. It can be
        verified without Candor, from public specifications only (RFC 6962/9162 Merkle trees,
        C2SP signed-note and tlog-checkpoint, Ed25519 RFC 8032, SHA-256 FIPS 180-4).
        With Candor:  candor audit verify THIS_FOLDER [--evidence RECORDING]

        Files
        -----
        records.jsonl   one record per line; the bytes of a line (without its newline) are the record.
        checkpoint      the signed checkpoint (C2SP tlog-checkpoint as a C2SP signed-note).
        log.vkey        the log's verifier key: name+hexkeyid+base64(0x01 || Ed25519 public key).
                        Log key of this workspace: \(logKey)
                        Compare it with the key published or handed over separately.
        operators/      the operators' verifier keys, same format, NAME.KEYID.pub.
        results/        result files (analysis JSON) named by their SHA-256.

        Canonical JSON (how every record is encoded)
        --------------------------------------------
        UTF-8 without BOM; no whitespace; object keys sorted by Unicode code point and unique;
        numbers are integers only (no fraction, exponent or leading zeros; non-integers are
        strings); in strings only " and \\ and U+0000..U+001F are escaped (\\b \\t \\n \\f \\r, others
        as \\u00xx lowercase), everything else is raw UTF-8. This equals Python's
        json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).

        Record fields
        -------------
        Every record: case, session, seq (0, 1, 2, ...), prev (hex SHA-256 leaf hash of the
        previous record; 64 zeros for seq 0), time (UTC RFC 3339), type, operator,
        operator_key (the operator's verifier key), sig (base64 Ed25519 signature by
        operator_key over the canonical JSON of the record without "sig").
        Types: session_opened; evidence_ingested (path, bytes, sha256, format);
        analysis_completed (input_sha256, output_sha256, result_file, software_version,
        git_commit, executable_sha256, parameters, models [{id, sha256}]); accessed (action,
        what); review (kind note|override|disregard, note, override, concerns_seq,
        concerns_leaf = leaf hash of the record it concerns); key_rotated (old_key, new_key,
        endorsements [{old_key, new_key, endorsement}], each endorsement being the old key's
        Ed25519 signature over "candor key rotation\\n" + old_key + "\\n" + new_key + "\\n";
        with "key_kind": "log" the keys are log keys, each step endorsed by its old log key);
        repaired (discarded_from_seq, discarded_records, discarded_sha256, reason).

        How to verify by hand
        ---------------------
        1. Read log.vkey: name, key id (8 hex), base64 of 0x01 || 32-byte public key. Check
           key id == first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
        2. checkpoint: split at the last blank line. The text before it, including its final
           newline, is the body. Each signature line is U+2014 (em dash), space, key name,
           space, base64(4-byte key id || 64-byte Ed25519 signature). Find the line whose name
           and key id are the log key's and verify the signature over the body bytes.
        3. The body's lines are: origin (log-key-name/case/session), tree size N (decimal),
           base64 of the 32-byte root hash.
        4. records.jsonl must hold exactly N lines, each ending in "\\n". For line i (from 0):
           it parses as JSON and re-encodes canonically to the same bytes; seq == i; prev ==
           hex(leaf hash of line i-1) (64 zeros for i = 0); record 0 is session_opened;
           operator_key is one of operators/*.pub and its name equals operator; sig verifies
           over the canonical JSON of the record with "sig" removed. Every record has the case
           and session of the origin. A review's concerns_leaf is the leaf hash of line
           concerns_seq (< i). A key_rotated record's endorsements verify step by step.
        5. Leaf hash of a line = SHA-256(0x00 || line bytes). Node hash = SHA-256(0x01 || left
           || right). The root of N leaves (RFC 6962 section 2.1): for N = 1 the leaf hash;
           otherwise split at k = the largest power of two below N and hash the roots of the
           first k and the remaining N-k leaves. The root of 0 leaves is SHA-256 of nothing.
           It must equal the checkpoint's root.
        6. Result files: SHA-256 of results/X must equal output_sha256 of the
           analysis_completed record naming it in result_file. The original recording's
           SHA-256 must equal sha256 of its evidence_ingested record.

        7. Trust: compare log.vkey and the operator keys with the trust anchor handed over
           separately (`candor keys trust`), never with this folder's own copies. Witness
           cosignatures are further signature lines on the checkpoint: name, then
           base64(4-byte key id || 8-byte big-endian time || 64-byte Ed25519 signature), key id
           = first 4 bytes of SHA-256(name || 0x0A || 0x04 || witness public key), signed
           message = "cosignature/v1\ntime " + time + "\n" + the checkpoint body (C2SP
           tlog-cosignature). The trust anchor says how many pinned witnesses must have cosigned.

        Any failure means the bundle is not intact. The first failing record is the one to
        examine. A Python implementation of these steps (hashlib + cryptography) is kept in
        Candor's source tree as Tests/audit_verifier.py.

        """
    }
}

extension AuditWorkspace {
    /// `candor audit export`: logs the export (an `accessed` record) first, then writes the
    /// bundle including that record. Returns the verification report of the written bundle.
    @discardableResult
    public func export(_ s: SessionRef, to dir: String, operator operatorName: String? = nil) throws -> VerificationReport {
        try requireExisting(s)
        let target = AuditBundle.normalizedFolder(dir)
        try AuditBundle.checkTarget(target)
        // Stage the bundle fully before the export is logged (a folder that cannot be written
        // or a full disk fails here, with nothing logged), then log it, write the final
        // records and release the folder.
        let tmp = try AuditBundle.stage(target)
        do {
            try AuditBundle.fill(tmp, try contents(s), session: s)
            try append(s, operator: operatorName, [RecordDraft(.accessed, ["action": "exported", "what": .string("audit bundle")])])
            try AuditBundle.fill(tmp, try contents(s), session: s)
            try AuditBundle.release(tmp, to: target)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        return LogVerifier.verify(try AuditBundle.read(target))
    }
}
