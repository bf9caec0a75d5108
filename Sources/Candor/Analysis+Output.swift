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

    /// Writes the analysis JSON document to `path` through ``OutputFile`` (a private temporary
    /// file, renamed or copied into place when complete; nothing is left behind on failure),
    /// or to standard output for "-". Frame tracks stream page by page. `beforeRelease` sees
    /// the finished document (its `sha256`, `readBack()`) before it appears at `path`: log it there (a throw discards it).
    /// - Throws: `OutputError` when the file cannot be written, `SpillError` when a paged
    ///   track cannot be read back.
    public func write(
        toFile path: String, protection: OutputProtection = OutputProtection(),
        beforeRelease: (OutputFile) throws -> Void = { _ in }
    ) throws {
        try writeAtomically(to: path, protection: protection, beforeRelease: beforeRelease) { sink in try jsonTree(self).write(to: sink) }
    }
}

/// Writes a file through ``OutputFile`` (private temporary file, renamed or copied into
/// place only when complete; nothing is left behind on failure), or to stdout for "-".
/// The output ends with a newline after `body`'s text. `beforeRelease` runs (the
/// output's `sha256` set) after it is on disk and before it appears at `path` (log it there).
package func writeAtomically(
    to path: String, protection: OutputProtection = OutputProtection(),
    beforeRelease: (OutputFile) throws -> Void = { _ in }, _ body: (TextSink) throws -> Void
) throws {
    let out = try OutputFile(path: path, protection: protection)
    do {
        try body(out.sink)
        if let e = out.sink.error { throw e }
        out.sink.write("\n")
        try out.finish()
        try beforeRelease(out)
        try out.commit()
    } catch {
        out.discard()
        throw error
    }
}
