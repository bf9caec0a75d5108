#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// Staged writing of a bundle folder: a private temporary sibling folder (random name,
// mode 0700), filled, then renamed into place.
extension AuditBundle {
    /// `dir` without trailing slashes ("bundle/" and "bundle" name the same folder).
    public static func normalizedFolder(_ dir: String) -> String {
        var d = dir
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        return d
    }

    /// Creates the private temporary sibling folder of `dir`; returns its path.
    static func stage(_ dir: String) throws -> String {
        let parent = (dir as NSString).deletingLastPathComponent
        let base = (dir as NSString).lastPathComponent
        let folder = parent.isEmpty ? "." : parent
        for _ in 0..<16 {
            let tmp = folder + "/.\(base).candor-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
            if mkdir(tmp, 0o700) == 0 { return tmp }
            if errno != EEXIST { break }
        }
        throw AuditError("\(dir): cannot write bundle: cannot create a folder in \(folder) (\(String(cString: strerror(errno))))")
    }

    /// Writes the bundle files into the staging folder `tmp` (replacing earlier ones).
    static func fill(_ tmp: String, _ contents: LogContents, session: SessionRef) throws {
        let fm = FileManager.default
        func put(_ name: String, _ bytes: [UInt8]) throws {
            let path = tmp + "/" + name
            unlink(path)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw AuditError("\(path): cannot write (\(String(cString: strerror(errno))))") }
            defer { close(fd) }
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + off, bytes.count - off) }
                if n < 0 { if errno == EINTR { continue }; throw AuditError("\(path): cannot write (\(String(cString: strerror(errno))))") }
                off += n
            }
            guard fsync(fd) == 0 else { throw AuditError("\(path): cannot write (\(String(cString: strerror(errno))))") }
        }
        do {
            try fm.createDirectory(atPath: tmp + "/operators", withIntermediateDirectories: true)
            try put("records.jsonl", contents.lines.flatMap { $0 + [0x0A] })
            try put("checkpoint", Array((contents.checkpoint ?? "").utf8))
            let logKey = try NoteVerifierKey(parsing: contents.logKey)
            try put("log.vkey", Array((logKey.encoded + "\n").utf8))
            // Operator keys used by the records (signers and rotation endorsers).
            var used = Set<String>()
            var named: [String: [UInt8]] = [:]
            for line in contents.lines {
                guard let obj = try? CanonicalJSON.parse(line) else { continue }
                if let k = obj["operator_key"]?.stringValue { used.insert(k) }
                for step in obj["endorsements"]?.arrayValue ?? [] {
                    for f in ["old_key", "new_key"] { if let k = step[f]?.stringValue { used.insert(k) } }
                }
                if let name = obj["result_file"]?.stringValue, let bytes = contents.results?[name] { named[name] = bytes }
            }
            for text in contents.operatorKeys {
                guard let k = try? NoteVerifierKey(parsing: text), used.contains(k.encoded) else { continue }
                try put("operators/\(k.name).\(Hex.encode(k.keyID)).pub", Array((k.encoded + "\n").utf8))
            }
            if !named.isEmpty { try fm.createDirectory(atPath: tmp + "/results", withIntermediateDirectories: true) }
            for (name, bytes) in named { try put(name, bytes) }
            try put("README.txt", Array(readme(session: session, logKey: logKey.encoded).utf8))
        } catch let e as AuditError {
            throw AuditError("cannot write bundle: \(e.message)")
        } catch {
            throw AuditError("\(tmp): cannot write bundle: \(error.localizedDescription)")
        }
    }

    /// Renames the staged folder to `dir` (replacing only an empty folder; rename(2) refuses
    /// a non-empty one) and makes it readable as the umask allows.
    static func release(_ tmp: String, to dir: String) throws {
        let mask = umask(0)
        umask(mask)
        chmod(tmp, 0o777 & ~mask)
        guard rename(tmp, dir) == 0 else {
            throw AuditError("\(dir): cannot write bundle: cannot move it into place (\(String(cString: strerror(errno))))")
        }
    }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, p, n)
    #else
    Darwin.write(fd, p, n)
    #endif
}
