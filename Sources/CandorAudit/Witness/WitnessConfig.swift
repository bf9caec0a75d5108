import Foundation

/// The witnesses a workspace submits its checkpoints to: `WORKSPACE/keys/witnesses`, one
/// line per witness, `URL VKEY` (the URL prefix of its tlog-witness API and its
/// cosignature/v1 verifier key).
extension KeyStore {
    var witnessesPath: String { path("witnesses") }

    public func witnesses() throws -> [WitnessEndpoint] {
        let p = witnessesPath
        guard FileManager.default.fileExists(atPath: p) else { return [] }
        return try Self.readText(p).split(separator: "\n").compactMap { line -> WitnessEndpoint? in
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { return nil }
            let parts = t.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else { throw AuditError("\(p): malformed line \"\(t.prefix(80))\" (expected URL VKEY)") }
            do { return WitnessEndpoint(url: String(parts[0]), key: try CosignerKey(parsing: String(parts[1]))) } catch {
                throw AuditError("\(p): \(error)")
            }
        }
    }

    /// Adds (or replaces, for the same key name) a witness.
    public func addWitness(_ w: WitnessEndpoint) throws {
        guard w.url.hasPrefix("http://") || w.url.hasPrefix("https://") else {
            throw AuditError("witness URL must start with http:// or https://")
        }
        try Self.createDirectory(directory)
        var list = try witnesses().filter { $0.key.name != w.key.name }
        list.append(w)
        let text = list.map { "\($0.url) \($0.key.encoded)\n" }.joined()
        let tmp = witnessesPath + ".tmp-\(getpid())"
        unlink(tmp)
        try Self.writeNew(tmp, text, mode: 0o644)
        guard rename(tmp, witnessesPath) == 0 else { throw AuditError("\(witnessesPath): cannot write") }
    }
}
