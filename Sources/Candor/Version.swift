#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CandorAudio
import Crypto

/// Software identity written into every analysis and audit record.
public enum CandorVersion {
    /// The version of this build.
    public static let version = "0.1.0"

    /// The git commit the executable was built from: `$CANDOR_GIT_COMMIT`, else the HEAD of
    /// the checkout that contains the executable (the usual `.build/<config>/candor`), else "unknown".
    public static let gitCommit: String = {
        if let env = getenv("CANDOR_GIT_COMMIT") { return String(cString: env) }
        var dir = executablePath
        for _ in 0..<8 {
            guard let slash = dir.lastIndex(of: "/") else { break }
            dir = String(dir[..<slash])
            if dir.isEmpty { break }
            // A checkout's `.git` is a folder; a worktree's is a file "gitdir: PATH" whose
            // folder has HEAD, with branch refs in the main repository (its `commondir`).
            var gitDir = dir + "/.git"
            var commonDir = gitDir
            if let link = readText(gitDir)?.trimmingCharacters(), link.hasPrefix("gitdir: ") {
                let target = String(link.dropFirst(8))
                gitDir = target.hasPrefix("/") ? target : dir + "/" + target
                let common = readText(gitDir + "/commondir")?.trimmingCharacters() ?? "."
                commonDir = common.hasPrefix("/") ? common : gitDir + "/" + common
            }
            if let head = readText(gitDir + "/HEAD")?.trimmingCharacters() {
                if head.hasPrefix("ref: ") {
                    let ref = String(head.dropFirst(5))
                    for base in [gitDir, commonDir] {
                        if let sha = readText(base + "/" + ref)?.trimmingCharacters() { return sha }
                    }
                    if let packed = readText(commonDir + "/packed-refs") {
                        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                            return String(line.prefix(40))
                        }
                    }
                    return "unknown"
                }
                return head
            }
        }
        return "unknown"
    }()

    /// Path of the running executable (`/proc/self/exe`), or `argv[0]`.
    public static let executablePath: String = {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { readlink("/proc/self/exe", $0, b.count - 1) }
        }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : CommandLine.arguments[0]
    }()

    /// SHA-256 of the running executable (hex), or "unknown".
    public static let executableSHA256: String = (try? sha256(ofFile: executablePath)) ?? "unknown"
}

package func readText(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

extension String {
    package func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// Streams a file through SHA-256 (hex digest).
public func sha256(ofFile path: String) throws -> String {
    guard let f = fopen(path, "rb") else { throw InputError(path: path, problem: "cannot open file") }
    defer { fclose(f) }
    var h = SHA256()
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        buf.withUnsafeBytes { h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return hexString(h.finalize())
}
