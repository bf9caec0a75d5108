import Foundation

extension SignedNote {
    /// Splits a signed note at its last blank line into the body (with its final newline)
    /// and its signature lines (each without its newline).
    public static func split(_ note: String) throws -> (body: String, signatures: [String]) {
        guard note.hasSuffix("\n"), let r = note.range(of: "\n\n", options: .backwards) else {
            throw AuditError("signed note has no signature block")
        }
        let body = String(note[..<r.lowerBound]) + "\n"
        let sigs = note[r.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        return (body, sigs)
    }

    /// `— name base64(blob)` → (name, blob); nil when malformed.
    public static func parseSignatureLine(_ line: String) -> (name: String, blob: [UInt8])? {
        let l = line.hasSuffix("\n") ? String(line.dropLast()) : line
        guard l.hasPrefix("\u{2014} ") else { return nil }
        let parts = l.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let blob = Base64.decode(String(parts[1])) else { return nil }
        return (String(parts[0]), blob)
    }

    /// Adds signature lines to a signed note (skipping lines it already has).
    public static func appending(_ lines: [String], to note: String) throws -> String {
        let (_, existing) = try split(note)
        var out = note
        for l in lines {
            let line = l.hasSuffix("\n") ? String(l.dropLast()) : l
            guard parseSignatureLine(line) != nil else { throw AuditError("malformed signature line") }
            if !existing.contains(line) && !out.contains("\n" + line + "\n") { out += line + "\n" }
        }
        return out
    }

    /// The cosignature time by `key` on `note`, if it carries a valid one (throws on an invalid one).
    public static func cosignatureTime(_ note: String, key: CosignerKey) throws -> UInt64? {
        let (body, sigs) = try split(note)
        var found: UInt64?
        for line in sigs { if let t = try key.verify(line: line, body: body) { found = t } }
        return found
    }
}
