import CandorAudit
import Foundation
import Synchronization

/// A C2SP tlog-witness: its key, the log keys it accepts, and its durable per-origin state.
///
/// Folder layout (`candor witness init --dir DIR`):
/// - `witness.key` (0600) and `witness.vkey`: the cosigner key (cosignature/v1, type 0x04);
/// - `logs`: one log verifier key per line; a checkpoint is accepted for origin `NAME/...` (or
///   `NAME`) only with a valid signature by a key named NAME;
/// - `state/<sha256(origin)>.checkpoint`: the latest checkpoint cosigned for each origin, with
///   the log's signature and the witness's cosignature. Written to a temporary file, fsynced and
///   renamed into place before the answer is sent, so a restart never forgets a cosignature.
public final class WitnessService: Sendable {
    public let directory: String
    public let signer: CosignerSigner
    /// Serialises check-and-update of the state (the race the specification warns about);
    /// different processes must not serve one folder at once.
    private let lock = Mutex<Void>(())

    public init(directory: String) throws {
        self.directory = directory
        let keyPath = (directory as NSString).appendingPathComponent("witness.key")
        var st = stat()
        guard stat(keyPath, &st) == 0 else {
            throw AuditError("\(keyPath): no witness key; run candor witness init --dir \(directory) --name NAME")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw AuditError("\(keyPath): private key is accessible by other users; run chmod 600 \(keyPath)")
        }
        do { signer = try CosignerSigner(parsingPrivate: try Self.read(keyPath)) } catch { throw AuditError("\(keyPath): \(error)") }
        try FileManager.default.createDirectory(atPath: statePath, withIntermediateDirectories: true)
    }

    var statePath: String { (directory as NSString).appendingPathComponent("state") }
    var logsPath: String { (directory as NSString).appendingPathComponent("logs") }

    static func read(_ path: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path) else { throw AuditError("\(path): cannot read") }
        return String(decoding: d, as: UTF8.self)
    }

    /// `candor witness init`: a new key (refusing to overwrite one) and an empty log list.
    @discardableResult
    public static func create(directory: String, name: String) throws -> CosignerKey {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keyPath = (directory as NSString).appendingPathComponent("witness.key")
        let signer = try CosignerSigner.generate(name: name)
        try DurableFile.create(keyPath, signer.encodedPrivate + "\n", mode: 0o600)
        try DurableFile.replace(
            (directory as NSString).appendingPathComponent("witness.vkey"), signer.verifierKey.encoded + "\n", mode: 0o644)
        let logs = (directory as NSString).appendingPathComponent("logs")
        if !FileManager.default.fileExists(atPath: logs) { try DurableFile.replace(logs, "", mode: 0o644) }
        return signer.verifierKey
    }

    /// The log verifier keys this witness accepts.
    public func logKeys() throws -> [NoteVerifierKey] {
        guard FileManager.default.fileExists(atPath: logsPath) else { return [] }
        return try Self.read(logsPath).split(separator: "\n").compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { return nil }
            do { return try NoteVerifierKey(parsing: t) } catch { throw AuditError("\(logsPath): \(error)") }
        }
    }

    /// `candor witness allow`: accept checkpoints signed by `key`.
    public func allow(_ key: NoteVerifierKey) throws {
        try lock.withLock { _ in
            var keys = try logKeys()
            guard !keys.contains(key) else { return }
            keys.append(key)
            try DurableFile.replace(logsPath, keys.map { $0.encoded + "\n" }.joined(), mode: 0o644)
        }
    }

    func stateFile(_ origin: String) -> String {
        (statePath as NSString).appendingPathComponent(Hex.encode(Merkle.sha256(Array(origin.utf8))) + ".checkpoint")
    }

    /// The latest cosigned checkpoint of `origin`, if any.
    public func latest(origin: String) -> String? {
        FileManager.default.contents(atPath: stateFile(origin)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// An HTTP answer: status, content type, body.
    public struct Answer: Sendable, Equatable {
        public let status: Int
        public let contentType: String
        public let body: String
        static func text(_ status: Int, _ body: String) -> Answer {
            Answer(status: status, contentType: "text/plain; charset=utf-8", body: body + "\n")
        }
    }

    /// `POST /add-checkpoint` (C2SP tlog-witness).
    public func addCheckpoint(_ bytes: [UInt8], now: UInt64 = UInt64(Date().timeIntervalSince1970)) -> Answer {
        let req: AddCheckpointRequest
        let body: String
        let sigLines: [String]
        let cp: Checkpoint
        do {
            req = try AddCheckpointRequest(parsing: bytes)
            (body, sigLines) = try SignedNote.split(req.checkpoint)
            cp = try Checkpoint(parsingBody: body)
        } catch { return .text(400, "bad request: \(error)") }
        let candidates: [NoteVerifierKey]
        do {
            candidates = try logKeys().filter { cp.origin == $0.name || cp.origin.hasPrefix($0.name + "/") }
        } catch { return .text(500, "\(error)") }
        guard !candidates.isEmpty else { return .text(404, "unknown log origin \(cp.origin)") }
        let logLines = sigLines.filter { line in
            guard let (name, blob) = SignedNote.parseSignatureLine(line), blob.count == 68 else { return false }
            return candidates.contains { k in
                k.name == name && Array(blob[0..<4]) == k.keyID && k.isValidSignature(Array(blob[4...]), for: Array(body.utf8))
            }
        }
        guard !logLines.isEmpty else { return .text(403, "no valid signature by a known key of \(cp.origin)") }
        guard req.oldSize <= cp.size else { return .text(400, "old size \(req.oldSize) exceeds the checkpoint size \(cp.size)") }
        if req.oldSize == 0 && !req.proof.isEmpty { return .text(400, "the consistency proof must be empty for old size 0") }
        return lock.withLock { _ -> Answer in
            var knownSize = 0
            var knownRoot: [UInt8]? = nil
            if let note = latest(origin: cp.origin) {
                guard let (b, _) = try? SignedNote.split(note), let known = try? Checkpoint(parsingBody: b) else {
                    return .text(500, "stored state of \(cp.origin) is unreadable")
                }
                (knownSize, knownRoot) = (known.size, known.root)
            }
            guard req.oldSize == knownSize else { return Answer(status: 409, contentType: "text/x.tlog.size", body: "\(knownSize)\n") }
            if req.oldSize == cp.size {
                if let knownRoot, knownRoot != cp.root {
                    return Answer(status: 409, contentType: "text/x.tlog.size", body: "\(knownSize)\n")
                }
            } else if let knownRoot,
                !Merkle.verifyConsistency(size1: knownSize, size2: cp.size, root1: knownRoot, root2: cp.root, proof: req.proof)
            {
                return .text(422, "the consistency proof from size \(knownSize) to \(cp.size) does not verify")
            }
            do {
                let line = try signer.cosign(body: body, time: now)
                let stored = body + "\n" + logLines.map { $0 + "\n" }.joined() + line
                try DurableFile.replace(stateFile(cp.origin), stored, mode: 0o644)
                return Answer(status: 200, contentType: "text/x.tlog.cosignature", body: line)
            } catch {
                return .text(500, "cannot persist the witness state: \(error)")
            }
        }
    }
}
