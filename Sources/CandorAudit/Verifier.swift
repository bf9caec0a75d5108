import CandorCore
import Foundation

/// What kind of check failed.
public enum FailureKind: String, Sendable {
    /// A record's bytes are not a well-formed canonical record (so its leaf hash cannot be what was committed).
    case hash
    /// seq / prev / case / session / review links do not continue the log.
    case chain
    /// The operator's signature does not verify, or the operator key is not trusted.
    case signature
    /// The checkpoint is not signed by the log key, or its size or root does not match the records.
    case checkpoint
    /// An earlier checkpoint is not a prefix of this log.
    case consistency
    /// A recording or result file does not match the hash in the log.
    case evidence
    /// Records exist beyond the last signed checkpoint (an interrupted append).
    case tornTail = "torn-tail"
}

public struct VerificationFailure: CandorError, Sendable, Equatable {
    public var exitStatus: ExitStatus { .auditFailed }
    public let kind: FailureKind
    public let seq: Int?
    public let message: String
    public var description: String {
        if let seq { return "seq \(seq): \(kind.rawValue): \(message)" }
        return "\(kind.rawValue): \(message)"
    }
}

/// Everything needed to verify one session log, from a bundle folder or from the store.
public struct LogContents: Sendable {
    /// Record bytes, one per line of records.jsonl, without the newline.
    public var lines: [[UInt8]]
    /// True when the last line of records.jsonl had no terminating newline.
    public var lastLineUnterminated = false
    /// The signed checkpoint (note text), or nil if there is none.
    public var checkpoint: String?
    /// The log's verifier key text.
    public var logKey: String
    /// Trusted operator verifier keys.
    public var operatorKeys: [String]
    /// Result files by their bundle-relative name (`results/<sha256>.json`); nil = not available.
    public var results: [String: [UInt8]]?

    public init(
        lines: [[UInt8]], lastLineUnterminated: Bool = false, checkpoint: String?, logKey: String,
        operatorKeys: [String], results: [String: [UInt8]]?
    ) {
        self.lines = lines
        self.lastLineUnterminated = lastLineUnterminated
        self.checkpoint = checkpoint
        self.logKey = logKey
        self.operatorKeys = operatorKeys
        self.results = results
    }

    /// Splits records.jsonl bytes into lines.
    public static func splitLines(_ bytes: [UInt8]) -> (lines: [[UInt8]], unterminated: Bool) {
        if bytes.isEmpty { return ([], false) }
        var parts = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let unterminated = bytes.last != 0x0A
        if !unterminated { parts.removeLast() }
        return (parts, unterminated)
    }
}

/// A file given with `--evidence`, already hashed.
public struct EvidenceFile: Sendable {
    public let path: String
    public let sha256: String
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// What an `--evidence` file matched in a log.
public enum EvidenceMatch: String, Sendable {
    /// A recording: the sha256 of an `evidence_ingested` record (or an analysis's input_sha256).
    case recording
    /// An analysis output: the output_sha256 of an `analysis_completed` record.
    case output
}

public struct VerificationReport: Sendable {
    public var size = 0
    public var root: [UInt8] = []
    public var origin = ""
    public var failure: VerificationFailure?
    public var checkedResults = 0
    /// Each `--evidence` file, the first record it matched, and whether it matched a
    /// recording (an `evidence_ingested` sha256 or an analysis's input) or an analysis output.
    public var matchedEvidence: [(path: String, seq: Int, kind: EvidenceMatch)] = []
    public var isIntact: Bool { failure == nil }
}

public enum LogVerifier {
    /// Verifies a session log: checkpoint signature, every record (canonical bytes, chain,
    /// signature), the checkpoint's size and root, result files, evidence files, and
    /// consistency with an earlier checkpoint. Stops at the first failure.
    /// With `expected`, the log must be that session's (its origin names the case and session).
    public static func verify(
        _ c: LogContents, evidence: [EvidenceFile] = [], since: String? = nil,
        expected: SessionRef? = nil
    ) -> VerificationReport {
        var report = VerificationReport()
        do {
            try run(c, evidence: evidence, since: since, expected: expected, report: &report)
        } catch {
            report.failure = error
        }
        return report
    }

    /// Every record checked on its own (canonical form, envelope, chain link to the record
    /// before it, operator signature), continuing past failures: what `audit show` prints per
    /// record and `audit verify` lists after its verdict. Nil entries are records that pass.
    public static func recordFindings(_ c: LogContents) -> [VerificationFailure?] {
        var trusted: [String: NoteVerifierKey] = [:]
        for text in c.operatorKeys {
            if let k = try? NoteVerifierKey(parsing: text) { trusted[k.encoded] = k }
        }
        var leaves: [Merkle.Hash] = []
        var records: [[String: AuditJSON]] = []
        var findings: [VerificationFailure?] = []
        for (seq, line) in c.lines.enumerated() {
            do {
                records.append(
                    try checkRecord(
                        line, seq: seq, unterminated: c.lastLineUnterminated && seq == c.lines.count - 1, prevLeaf: leaves.last,
                        records: records, leaves: leaves, trusted: trusted))
                findings.append(nil)
            } catch {
                records.append((try? CanonicalJSON.parse(line))?.objectValue ?? [:])
                findings.append(error)
            }
            leaves.append(Merkle.leafHash(line))
        }
        return findings
    }

    private static func fail(_ kind: FailureKind, _ seq: Int?, _ message: String) -> VerificationFailure {
        VerificationFailure(kind: kind, seq: seq, message: message)
    }

    private static func run(
        _ c: LogContents, evidence: [EvidenceFile], since: String?, expected: SessionRef?,
        report: inout VerificationReport
    ) throws(VerificationFailure) {
        // 1. The checkpoint, signed by the log key.
        let logKey: NoteVerifierKey
        do { logKey = try NoteVerifierKey(parsing: c.logKey) } catch {
            throw fail(.checkpoint, nil, "log verifier key: \(error)")
        }
        guard let note = c.checkpoint else {
            if !c.lines.isEmpty { throw fail(.tornTail, 0, "records exist but there is no signed checkpoint; run `candor audit repair`") }
            throw fail(.checkpoint, nil, "there is no signed checkpoint")
        }
        let cp: Checkpoint
        do { cp = try Checkpoint.open(note, logKey: logKey) } catch {
            throw fail(.checkpoint, nil, "\(error)")
        }
        report.size = cp.size
        report.root = cp.root
        report.origin = cp.origin
        if let expected {
            let want = AuditRecord.origin(logKeyName: logKey.name, caseID: expected.caseID, sessionID: expected.sessionID)
            guard cp.origin == want else {
                throw fail(.checkpoint, nil, "checkpoint origin \"\(cp.origin)\" is not the log of \(expected) (\"\(want)\")")
            }
        }

        var trusted: [String: NoteVerifierKey] = [:]
        for text in c.operatorKeys {
            if let k = try? NoteVerifierKey(parsing: text) { trusted[k.encoded] = k }
        }

        // 2. Every record up to the checkpoint size.
        var leaves: [Merkle.Hash] = []
        var records: [[String: AuditJSON]] = []
        var caseID = "", sessionID = ""
        let covered = min(c.lines.count, cp.size)
        for seq in 0..<covered {
            let line = c.lines[seq]
            let obj = try checkRecord(
                line, seq: seq, unterminated: c.lastLineUnterminated && seq == c.lines.count - 1,
                prevLeaf: leaves.last, records: records, leaves: leaves, trusted: trusted)
            if seq == 0 {
                caseID = obj["case"]?.stringValue ?? ""
                sessionID = obj["session"]?.stringValue ?? ""
                let expected = AuditRecord.origin(logKeyName: logKey.name, caseID: caseID, sessionID: sessionID)
                guard cp.origin == expected else {
                    throw fail(.checkpoint, nil, "checkpoint origin \"\(cp.origin)\" is not this log's origin \"\(expected)\"")
                }
            } else if obj["case"]?.stringValue != caseID || obj["session"]?.stringValue != sessionID {
                throw fail(.chain, seq, "record belongs to another case or session")
            }
            leaves.append(Merkle.leafHash(line))
            records.append(obj)
        }
        // 3. Size and root.
        if c.lines.count < cp.size {
            throw fail(
                .checkpoint, c.lines.count, "checkpoint commits to \(cp.size) records but only \(c.lines.count) are present (log truncated)"
            )
        }
        if cp.size == 0 && !c.lines.isEmpty {
            throw fail(.tornTail, 0, "records exist but the checkpoint commits to none; run `candor audit repair`")
        }
        guard Merkle.root(leaves) == cp.root else {
            throw fail(.checkpoint, nil, "the Merkle root of the \(cp.size) records does not match the signed checkpoint")
        }
        if c.lines.count > cp.size {
            throw fail(
                .tornTail, cp.size,
                "\(c.lines.count - cp.size) record(s) beyond the last signed checkpoint (size \(cp.size)): an append was interrupted; run `candor audit repair`"
            )
        }
        // 4. Result files named in analysis_completed records.
        if let results = c.results {
            for (seq, r) in records.enumerated() where r["type"]?.stringValue == RecordType.analysisCompleted.rawValue {
                guard let name = r["result_file"]?.stringValue else { continue }
                guard let bytes = results[name] else { throw fail(.evidence, seq, "result file \(name) is missing") }
                guard Hex.encode(Merkle.sha256(bytes)) == r["output_sha256"]?.stringValue else {
                    throw fail(.evidence, seq, "result file \(name) does not match output_sha256")
                }
                report.checkedResults += 1
            }
        }
        // 5. Evidence files given by the user.
        for file in evidence {
            if let seq = records.firstIndex(where: { r in
                (r["type"]?.stringValue == RecordType.evidenceIngested.rawValue && r["sha256"]?.stringValue == file.sha256)
                    || r["input_sha256"]?.stringValue == file.sha256
            }) {
                report.matchedEvidence.append((file.path, seq, .recording))
                continue
            }
            if let seq = records.firstIndex(where: { $0["output_sha256"]?.stringValue == file.sha256 }) {
                report.matchedEvidence.append((file.path, seq, .output))
                continue
            }
            let base = (file.path as NSString).lastPathComponent
            let sameName = records.firstIndex { r in
                r["type"]?.stringValue == RecordType.evidenceIngested.rawValue
                    && (r["path"]?.stringValue).map { ($0 as NSString).lastPathComponent == base } == true
            }
            let firstEvidence = records.firstIndex { $0["type"]?.stringValue == RecordType.evidenceIngested.rawValue }
            throw fail(
                .evidence, sameName ?? firstEvidence,
                "\(file.path) (sha256 \(file.sha256)) matches no recording or result in the log")
        }
        // 6. Consistency with an earlier checkpoint.
        if let since {
            // The earlier checkpoint may be signed by a log key retired since: accept keys that
            // key_rotated (key_kind "log") records of this log chain to the current log key.
            var logKeys = [logKey]
            var newer: [String: String] = [:]
            for r in records where r["type"]?.stringValue == RecordType.keyRotated.rawValue && r["key_kind"]?.stringValue == "log" {
                if let o = r["old_key"]?.stringValue, let n = r["new_key"]?.stringValue { newer[o] = n }
            }
            for o in newer.keys {
                var k = o, hops = 0
                while k != logKey.encoded, let n = newer[k], hops <= newer.count { k = n; hops += 1 }
                if k == logKey.encoded, let key = try? NoteVerifierKey(parsing: o) { logKeys.append(key) }
            }
            var opened: Checkpoint?
            var lastError = ""
            for key in logKeys {
                do { opened = try Checkpoint.open(since, logKey: key); break } catch { lastError = "\(error)" }
            }
            guard let old = opened else { throw fail(.consistency, nil, "earlier checkpoint: \(lastError)") }
            guard old.origin == cp.origin else { throw fail(.consistency, nil, "earlier checkpoint is for another log (\(old.origin))") }
            guard old.size <= cp.size else {
                throw fail(.consistency, cp.size, "earlier checkpoint has \(old.size) records but the log now has \(cp.size)")
            }
            let proof = Merkle.consistencyProof(oldSize: old.size, leaves: leaves) ?? []
            guard Merkle.verifyConsistency(size1: old.size, size2: cp.size, root1: old.root, root2: cp.root, proof: proof) else {
                throw fail(.consistency, nil, "the log of \(cp.size) records is not an extension of the earlier checkpoint of \(old.size)")
            }
        }
    }

    /// One record: canonical JSON, envelope fields, chain links, signature.
    private static func checkRecord(
        _ line: [UInt8], seq: Int, unterminated: Bool, prevLeaf: Merkle.Hash?,
        records: [[String: AuditJSON]], leaves: [Merkle.Hash],
        trusted: [String: NoteVerifierKey]
    ) throws(VerificationFailure) -> [String: AuditJSON] {
        if unterminated { throw fail(.hash, seq, "the last line of records.jsonl has no newline") }
        let value: AuditJSON
        do { value = try CanonicalJSON.parse(line) } catch { throw fail(.hash, seq, "record is not valid JSON (\(error))") }
        guard var obj = value.objectValue else { throw fail(.hash, seq, "record is not a JSON object") }
        guard CanonicalJSON.encode(value) == line else { throw fail(.hash, seq, "record bytes are not in canonical form") }
        for f in ["case", "session", "prev", "time", "type", "operator", "operator_key", "sig"] where obj[f]?.stringValue == nil {
            throw fail(.hash, seq, "record lacks string field \"\(f)\"")
        }
        guard let type = RecordType(rawValue: obj["type"]!.stringValue!) else { throw fail(.hash, seq, "unknown record type") }
        // Chain.
        guard obj["seq"]?.intValue == Int64(seq) else {
            throw fail(
                .chain, seq, "expected seq \(seq), found \(obj["seq"].map { "\($0)" } ?? "none") (record deleted, inserted or reordered)")
        }
        let expectedPrev = prevLeaf.map(Hex.encode) ?? AuditRecord.genesisPrev
        guard obj["prev"]!.stringValue! == expectedPrev else {
            throw fail(.chain, seq, "prev does not equal the leaf hash of the previous record")
        }
        if seq == 0 && type != .sessionOpened { throw fail(.chain, seq, "the first record is not session_opened") }
        if type == .review {
            guard let target = obj["concerns_seq"]?.intValue, target >= 0, target < Int64(seq),
                obj["concerns_leaf"]?.stringValue == Hex.encode(leaves[Int(target)])
            else { throw fail(.chain, seq, "review does not link to an earlier record (concerns_seq, concerns_leaf)") }
        }
        // Signature.
        let sigText = obj["sig"]!.stringValue!
        let keyText = obj["operator_key"]!.stringValue!
        guard let key = trusted[keyText] else { throw fail(.signature, seq, "operator key \(keyText) is not a trusted operator key") }
        guard key.name == obj["operator"]!.stringValue! else { throw fail(.signature, seq, "operator key name does not match operator") }
        guard let sig = Base64.decode(sigText) else { throw fail(.signature, seq, "sig is not base64") }
        obj.removeValue(forKey: "sig")
        guard key.isValidSignature(sig, for: CanonicalJSON.encode(.object(obj))) else {
            throw fail(.signature, seq, "operator signature does not verify")
        }
        if type == .keyRotated && obj["key_kind"]?.stringValue == "log" {
            // Log key rotation: each step is endorsed by the previous log key (keys as written in the steps).
            var keysInSteps: [String: NoteVerifierKey] = [:]
            for step in obj["endorsements"]?.arrayValue ?? [] {
                for f in ["old_key", "new_key"] {
                    if let t = step[f]?.stringValue, let k = try? NoteVerifierKey(parsing: t) { keysInSteps[t] = k }
                }
            }
            guard let oldText = obj["old_key"]?.stringValue, let newText = obj["new_key"]?.stringValue,
                let steps = obj["endorsements"]?.arrayValue, endorsedChain(steps, from: oldText, to: newText, trusted: keysInSteps)
            else { throw fail(.signature, seq, "log key rotation is not endorsed by the old log key") }
        } else if type == .keyRotated {
            guard let oldText = obj["old_key"]?.stringValue, obj["new_key"]?.stringValue == keyText,
                let steps = obj["endorsements"]?.arrayValue, endorsedChain(steps, from: oldText, to: keyText, trusted: trusted)
            else { throw fail(.signature, seq, "key_rotated is not endorsed by a chain of trusted old keys") }
        }
        return obj
    }

    /// Each step {old_key, new_key, endorsement} is signed by its trusted old key, and the
    /// steps lead from `from` to `to`.
    private static func endorsedChain(_ steps: [AuditJSON], from: String, to: String, trusted: [String: NoteVerifierKey]) -> Bool {
        var key = from
        for step in steps {
            guard let old = step["old_key"]?.stringValue, let new = step["new_key"]?.stringValue, old == key,
                let oldKey = trusted[old], let newKey = trusted[new], oldKey.name == newKey.name,
                let sig = step["endorsement"]?.stringValue.flatMap(Base64.decode),
                oldKey.isValidSignature(sig, for: AuditRecord.rotationMessage(oldKey: old, newKey: new))
            else { return false }
            key = new
        }
        return !steps.isEmpty && key == to
    }
}
