import Foundation

/// Keys of one workspace, under `WORKSPACE/keys/`:
/// - `log.key` (0600, signer key) and `log.vkey`: the workspace's log key that signs checkpoints;
/// - `operators/NAME.key` (0600): the operator's current Ed25519 key (signed-note signer format);
/// - `operators/NAME.<keyid>.pub`: every public key the operator has had (current and retired);
/// - `operators/NAME.rotations`: one line per rotation, `old-vkey new-vkey base64(endorsement)`,
///   the endorsement being the old key's signature over `AuditRecord.rotationMessage`;
/// - `default-operator`: the name used when `$CANDOR_OPERATOR` is not set.
public struct KeyStore: Sendable {
    public let directory: String
    public init(workspace: String) { directory = (workspace as NSString).appendingPathComponent("keys") }

    var operatorsDir: String { (directory as NSString).appendingPathComponent("operators") }
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    func operatorPath(_ name: String) -> String { (operatorsDir as NSString).appendingPathComponent(name) }

    // MARK: files

    static func createDirectory(_ dir: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AuditError("\(dir): cannot create directory: \(error.localizedDescription)")
        }
    }

    /// Creates `path` with `mode`, refusing to overwrite; the content is complete before the
    /// final name appears (written to a temporary file, then hard-linked into place).
    static func writeNew(_ path: String, _ text: String, mode: mode_t) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AuditError("\(tmp): cannot create: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        defer { unlink(tmp) }
        guard written == bytes.count, synced == 0 else { throw AuditError("\(tmp): write failed") }
        guard link(tmp, path) == 0 else {
            if errno == EEXIST { throw AuditError("\(path) already exists; refusing to overwrite") }
            throw AuditError("\(path): cannot create: \(String(cString: strerror(errno)))")
        }
    }

    static func readText(_ path: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path), let s = String(data: d, encoding: .utf8) else {
            throw AuditError("\(path): cannot read")
        }
        return s
    }

    /// Reads a private key file, refusing files that group or others can access.
    static func readPrivate(_ path: String) throws -> NoteSigner {
        var st = stat()
        guard stat(path, &st) == 0 else { throw AuditError("\(path): no such key") }
        guard st.st_mode & 0o077 == 0 else { throw AuditError("\(path): private key is accessible by other users; run chmod 600 \(path)") }
        do { return try NoteSigner(parsingPrivate: try readText(path)) } catch { throw AuditError("\(path): \(error)") }
    }

    // MARK: log key

    /// The workspace's log key, created on first use.
    public func logSigner() throws -> NoteSigner {
        let p = path("log.key")
        if FileManager.default.fileExists(atPath: p) { return try Self.readPrivate(p) }
        try Self.createDirectory(directory)
        let suffix = Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255) })
        let signer = try NoteSigner.generate(name: "candor-log-\(suffix)")
        do { try Self.writeNew(p, signer.encodedPrivate + "\n", mode: 0o600) } catch {
            // Another process created it first: use theirs.
            if FileManager.default.fileExists(atPath: p) { return try Self.readPrivate(p) }
            throw error
        }
        try? Self.writeNew(path("log.vkey"), signer.verifierKey.encoded + "\n", mode: 0o644)
        return signer
    }

    public func logVerifierKey() throws -> NoteVerifierKey {
        let p = path("log.vkey")
        if FileManager.default.fileExists(atPath: p) {
            do { return try NoteVerifierKey(parsing: try Self.readText(p)) } catch { throw AuditError("\(p): \(error)") }
        }
        // Reading never creates a key: a workspace without its keys cannot verify anything.
        guard FileManager.default.fileExists(atPath: path("log.key")) else {
            throw AuditError("\(directory): no log key (log.vkey); copy the workspace's keys folder to verify its logs")
        }
        return try logSigner().verifierKey
    }

    // MARK: operator keys

    public func hasOperator(_ name: String) -> Bool { FileManager.default.fileExists(atPath: operatorPath("\(name).key")) }

    /// `candor keys init --operator NAME`: creates the key (refusing to overwrite); it becomes the
    /// default operator only when the workspace has none yet.
    @discardableResult
    public func initOperator(_ name: String) throws -> NoteVerifierKey {
        guard AuditRecord.isValidIdentifier(name) else {
            throw AuditError("invalid operator name \"\(name)\" (use 1-128 of A-Z a-z 0-9 . _ -)")
        }
        try Self.createDirectory(operatorsDir)
        _ = try logSigner()
        let signer = try NoteSigner.generate(name: name)
        try Self.writeNew(operatorPath("\(name).key"), signer.encodedPrivate + "\n", mode: 0o600)
        try writePublic(signer.verifierKey)
        // The first operator becomes the default; a later `keys init` by another person does not
        // silently take over the others' default (they use --operator or $CANDOR_OPERATOR).
        if (try? Self.readText(path("default-operator")))?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true {
            try setDefaultOperator(name)
        }
        return signer.verifierKey
    }

    private func writePublic(_ key: NoteVerifierKey) throws {
        let p = operatorPath("\(key.name).\(Hex.encode(key.keyID)).pub")
        if !FileManager.default.fileExists(atPath: p) { try Self.writeNew(p, key.encoded + "\n", mode: 0o644) }
    }

    public func setDefaultOperator(_ name: String) throws {
        let p = path("default-operator")
        // A private, unpredictable temporary name created with O_EXCL|O_NOFOLLOW (writeNew).
        let tmp = p + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        do {
            try Self.writeNew(tmp, name + "\n", mode: 0o644)
            guard rename(tmp, p) == 0 else { unlink(tmp); throw AuditError("rename failed") }
        } catch { throw AuditError("\(p): cannot write: \(error)") }
    }

    /// `$CANDOR_OPERATOR`, else the operator `keys init` created last.
    public func defaultOperator() throws -> String {
        if let env = ProcessInfo.processInfo.environment["CANDOR_OPERATOR"], !env.isEmpty {
            guard AuditRecord.isValidIdentifier(env) else {
                throw AuditError("CANDOR_OPERATOR=\"\(env.prefix(140))\" is not a valid operator name (use 1-128 of A-Z a-z 0-9 . _ -)")
            }
            return env
        }
        let p = path("default-operator")
        guard let s = try? Self.readText(p), case let name = s.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
            throw AuditError("no operator key in \(directory): run candor keys init --operator NAME")
        }
        return name
    }

    public func operatorSigner(_ name: String) throws -> NoteSigner {
        guard AuditRecord.isValidIdentifier(name) else {
            throw AuditError("invalid operator name \"\(name.prefix(140))\" (use 1-128 of A-Z a-z 0-9 . _ -)")
        }
        guard hasOperator(name) else {
            throw AuditError("no key for operator \"\(name)\" in \(operatorsDir): run candor keys init --operator \(name)")
        }
        return try Self.readPrivate(operatorPath("\(name).key"))
    }

    /// `candor keys rotate --operator NAME`: a new key replaces the current one; the old public
    /// key stays trusted, and the old key endorses the new one.
    @discardableResult
    public func rotateOperator(_ name: String) throws -> (old: NoteVerifierKey, new: NoteVerifierKey) {
        let old = try operatorSigner(name)
        let new = try NoteSigner.generate(name: name)
        try writePublic(new.verifierKey)
        try rotate(old: old, new: new, log: operatorPath("\(name).rotations"), key: operatorPath("\(name).key"))
        return (old.verifierKey, new.verifierKey)
    }

    /// `candor keys rotate --log`: a new log key (same name, so checkpoint origins do not change)
    /// replaces the current one; the old key endorses it. Checkpoints signed by retired log keys
    /// stay checkable through the endorsement chain.
    @discardableResult
    public func rotateLog() throws -> (old: NoteVerifierKey, new: NoteVerifierKey) {
        let old = try logSigner()
        let new = try NoteSigner.generate(name: old.name)
        try rotate(old: old, new: new, log: path("log.rotations"), key: path("log.key"))
        let vp = path("log.vkey")
        let tmp = vp + ".new"
        unlink(tmp)
        try Self.writeNew(tmp, new.verifierKey.encoded + "\n", mode: 0o644)
        guard rename(tmp, vp) == 0 else { throw AuditError("\(vp): cannot replace key") }
        return (old.verifierKey, new.verifierKey)
    }

    /// Records the endorsement (before the new key takes effect, so the rotation can always be
    /// logged), then replaces the private key file atomically.
    private func rotate(old: NoteSigner, new: NoteSigner, log rp: String, key kp: String) throws {
        let endorsement = try old.sign(AuditRecord.rotationMessage(oldKey: old.verifierKey.encoded, newKey: new.verifierKey.encoded))
        let line = "\(old.verifierKey.encoded) \(new.verifierKey.encoded) \(Base64.encode(endorsement))\n"
        if !FileManager.default.fileExists(atPath: rp) { try Self.writeNew(rp, "", mode: 0o644) }
        guard let h = FileHandle(forWritingAtPath: rp) else { throw AuditError("\(rp): cannot append") }
        try h.seekToEnd()
        try h.write(contentsOf: Data(line.utf8))
        try h.synchronize()
        try h.close()
        let tmp = kp + ".new"
        unlink(tmp)
        try Self.writeNew(tmp, new.encodedPrivate + "\n", mode: 0o600)
        guard rename(tmp, kp) == 0 else { throw AuditError("\(kp): cannot replace key") }
    }

    public struct Rotation: Sendable {
        public let oldKey: String
        public let newKey: String
        public let endorsement: String
    }

    public func rotations(_ name: String) throws -> [Rotation] { try Self.readRotations(operatorPath("\(name).rotations")) }
    public func logRotations() throws -> [Rotation] { try Self.readRotations(path("log.rotations")) }

    static func readRotations(_ rp: String) throws -> [Rotation] {
        guard FileManager.default.fileExists(atPath: rp) else { return [] }
        return try Self.readText(rp).split(separator: "\n").map { line in
            let p = line.split(separator: " ")
            guard p.count == 3 else { throw AuditError("\(rp): malformed line") }
            return Rotation(oldKey: String(p[0]), newKey: String(p[1]), endorsement: String(p[2]))
        }
    }

    /// The rotation steps leading from key `from` to key `to` (empty if equal; nil if none).
    public static func chain(_ rotations: [Rotation], from: String, to: String) -> [Rotation]? {
        var steps: [Rotation] = []
        var key = from
        while key != to {
            guard steps.count <= rotations.count, let step = rotations.first(where: { $0.oldKey == key }) else { return nil }
            steps.append(step)
            key = step.newKey
        }
        return steps
    }

    /// Every operator public key (current and retired) in the workspace, as vkey texts.
    public func allOperatorKeys() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: operatorsDir) else { return [] }
        return try names.filter { $0.hasSuffix(".pub") }.sorted().map {
            try Self.readText(operatorPath($0)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
