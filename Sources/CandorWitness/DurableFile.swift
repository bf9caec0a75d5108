import CandorAudit
import Foundation

/// Atomic, durable file writes: a temporary file in the same folder, fsync, rename, fsync of
/// the folder.
enum DurableFile {
    static func replace(_ path: String, _ text: String, mode: mode_t) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try write(tmp, text, mode: mode)
        guard rename(tmp, path) == 0 else {
            let e = String(cString: strerror(errno))
            unlink(tmp)
            throw AuditError("\(path): cannot replace: \(e)")
        }
        syncDirectory(of: path)
    }

    /// Creates `path`, refusing to overwrite an existing file.
    static func create(_ path: String, _ text: String, mode: mode_t) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try write(tmp, text, mode: mode)
        defer { unlink(tmp) }
        guard link(tmp, path) == 0 else {
            if errno == EEXIST { throw AuditError("\(path) already exists; refusing to overwrite") }
            throw AuditError("\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: path)
    }

    private static func write(_ path: String, _ text: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw AuditError("\(path): cannot create: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            unlink(path)
            throw AuditError("\(path): write failed")
        }
    }

    private static func syncDirectory(of path: String) {
        let fd = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
