import Foundation

/// The witnesses a workspace submits its checkpoints to: `WORKSPACE/keys/witnesses`, one
/// line per witness, `URL VKEY [ca=FILE]` (the URL prefix of its tlog-witness API, its
/// cosignature/v1 verifier key and, for an HTTPS witness with a private CA, the pinned CA
/// certificate(s) in PEM, copied to `keys/FILE` so the workspace is self-contained).
extension KeyStore {
    var witnessesPath: String { path("witnesses") }

    public func witnesses() throws -> [WitnessEndpoint] {
        let p = witnessesPath
        guard FileManager.default.fileExists(atPath: p) else { return [] }
        return try Self.readText(p).split(separator: "\n").compactMap { line -> WitnessEndpoint? in
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { return nil }
            let parts = t.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 2 || (parts.count == 3 && parts[2].hasPrefix("ca=")) else {
                throw AuditError("\(p): malformed line \"\(t.prefix(80))\" (expected URL VKEY [ca=FILE])")
            }
            let key: CosignerKey
            do { key = try CosignerKey(parsing: parts[1]) } catch { throw AuditError("\(p): \(error)") }
            var roots: String?
            if parts.count == 3 {
                let file = String(parts[2].dropFirst(3))
                guard !file.isEmpty, !file.contains("/"), !file.hasPrefix(".") else { throw AuditError("\(p): bad CA file name \(file)") }
                roots = try Self.readText(path(file))
            }
            return WitnessEndpoint(url: parts[0], key: key, trustRoots: roots)
        }
    }

    /// The file name under `keys/` of the pinned CA of the witness with `key`.
    static func witnessCAFile(_ key: CosignerKey) -> String { "witness-ca-\(Hex.encode(key.keyID)).pem" }

    /// Adds (or replaces, for the same key name) a witness; its pinned CA, if any, is copied
    /// into the workspace.
    public func addWitness(_ w: WitnessEndpoint) throws {
        guard w.url.hasPrefix("http://") || w.url.hasPrefix("https://") else {
            throw AuditError("witness URL must start with http:// or https://")
        }
        if w.trustRoots != nil && !w.url.hasPrefix("https://") { throw AuditError("a pinned CA needs an https:// witness URL") }
        try Self.createDirectory(directory)
        var list = try witnesses().filter { $0.key.name != w.key.name }
        list.append(w)
        var text = ""
        for e in list {
            text += "\(e.url) \(e.key.encoded)"
            if let pem = e.trustRoots {
                let file = Self.witnessCAFile(e.key)
                try Self.replace(path(file), pem, mode: 0o644)
                text += " ca=\(file)"
            }
            text += "\n"
        }
        try Self.replace(witnessesPath, text, mode: 0o644)
    }

    /// Writes `text` to `target` atomically (a temporary file renamed over it).
    static func replace(_ target: String, _ text: String, mode: mode_t) throws {
        let tmp = target + ".tmp-\(getpid())"
        unlink(tmp)
        try writeNew(tmp, text, mode: mode)
        guard rename(tmp, target) == 0 else { throw AuditError("\(target): cannot write") }
    }
}
