#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CandorAudio

extension Analysis {
    /// The analysis JSON document, as `candor analyze` writes it (with the final newline).
    /// Holds the whole document in memory: prefer ``write(toFile:)`` for long recordings.
    public func jsonBytes() throws -> [UInt8] {
        let sink = TextSink()
        try jsonTree(self).write(to: sink)
        if let e = sink.error { throw e }
        sink.write("\n")
        return sink.bytes
    }

    /// Writes the analysis JSON document to `path` atomically (a temporary file beside it,
    /// renamed over it when complete; nothing is left behind on failure), or to standard
    /// output for "-". Frame tracks stream page by page.
    /// - Throws: `OutputError` when the file cannot be written, `SpillError` when a paged
    ///   track cannot be read back.
    public func write(toFile path: String) throws {
        try writeAtomically(to: path) { sink in try jsonTree(self).write(to: sink) }
    }
}

/// Writes a file atomically: the content goes to a temporary file beside the target, which
/// is renamed over the target only when complete. On failure no partial file remains.
/// `path == "-"` writes to stdout. The output ends with a newline after `body`'s text.
package func writeAtomically(to path: String, _ body: (TextSink) throws -> Void) throws {
    if path == "-" {
        let sink = TextSink(fd: 1)
        try body(sink)
        if let e = sink.error { throw e }
        sink.write("\n")
        sink.flush()
        return
    }
    let tmp = path + ".tmp-\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
        throw OutputError(path: path, problem: "cannot write (\(String(cString: strerror(errno))))")
    }
    let sink = TextSink(fd: fd)
    do {
        try body(sink)
        if let e = sink.error { throw e }
        sink.write("\n")
        sink.flush()
        if sink.failed || fsync(fd) != 0 { throw OutputError(path: path, problem: "write failed (\(String(cString: strerror(errno))))") }
        close(fd)
        if rename(tmp, path) != 0 {
            throw OutputError(path: path, problem: "cannot rename into place (\(String(cString: strerror(errno))))")
        }
    } catch {
        close(fd)
        unlink(tmp)
        throw error
    }
}
