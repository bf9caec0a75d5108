#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CandorAudio
import CandorCore
import Crypto

/// An output that would destroy evidence: it resolves to an input of the command or to a
/// recording in the audit log. Exit 2 (the command line asks for it); `--force` overrides.
public struct OutputRefused: CandorError, Sendable {
    public var exitStatus: ExitStatus { .usage }
    public let path: String
    public let reason: String
    public var description: String { "\(path): refusing to overwrite \(reason) (use --force to overwrite anyway)" }
}

/// What an output must never overwrite.
public struct OutputProtection: Sendable {
    /// Files the command reads (recordings, segment files, analysis JSON, models): the output
    /// must not be the same path or the same file (device and inode).
    public var inputs: [String] = []
    /// SHA-256 (hex) of recordings logged as evidence: an existing regular file at the output
    /// path with one of these hashes is not overwritten.
    public var evidenceSHA256: Set<String> = []
    /// Paths of recordings logged as evidence (same rule as `inputs`).
    public var evidencePaths: [String] = []
    /// Overwrite anyway.
    public var force = false
    public init(inputs: [String] = [], evidenceSHA256: Set<String> = [], evidencePaths: [String] = [], force: Bool = false) {
        self.inputs = inputs
        self.evidenceSHA256 = evidenceSHA256
        self.evidencePaths = evidencePaths
        self.force = force
    }
}

/// The one output writer of every command (library, CLI, batch worker).
///
/// - The content goes to a private temporary file (random name, `O_CREAT|O_EXCL|O_NOFOLLOW`,
///   mode 0600) beside the target; ``commit()`` makes it readable as the umask allows and
///   renames it into place. A planted file or symlink at a temporary name is never followed.
/// - An existing non-regular target (a character device, a FIFO) and "-" (stdout) are never
///   renamed over: the content is staged in a private temporary file in `$TMPDIR` and copied
///   into the target by ``commit()``.
/// - Between ``finish()`` (flushed, fsynced, hashed) and ``commit()`` the caller logs the
///   output's hash, so the output never appears under its name before it is logged.
/// - Temporary files are removed on failure, on ``discard()``, on SIGINT/SIGTERM, and stale
///   ones of dead processes are removed when the next output goes to the same folder.
public final class OutputFile {
    public let path: String
    let tempPath: String
    private let fd: Int32
    /// Copy into this existing non-regular file (or stdout for "-") instead of renaming.
    private let copyTarget: Bool
    package let sink: TextSink
    private var finished = false
    /// The content's SHA-256 (hex), once ``finish()`` ran.
    public private(set) var sha256: String?
    private var done = false

    /// Opens the output. Throws `OutputRefused` when the target is protected, `OutputError`
    /// when the temporary file cannot be created.
    public convenience init(path: String, protection: OutputProtection = OutputProtection()) throws {
        try self.init(path: path, protection: protection, names: { randomTempName() })
    }

    /// `names` gives candidate temporary names (tests plant files at them).
    package init(path: String, protection: OutputProtection, names: () -> String) throws {
        self.path = path
        try OutputFile.check(path, protection)
        var st = stat()
        copyTarget = path == "-" || (stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG)
        let dir: String
        if copyTarget {
            dir = temporaryDirectory()
        } else {
            let slash = path.lastIndex(of: "/")
            dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            removeStaleTemps(in: dir)
        }
        var opened: (String, Int32)?
        for _ in 0..<32 {
            let candidate = (dir.hasSuffix("/") ? dir : dir + "/") + names()
            // Registered before it exists, so a SIGINT/SIGTERM arriving just after the file
            // is created still removes it (unregistered again if the name is taken).
            TempRegistry.add(candidate)
            let f = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if f >= 0 { opened = (candidate, f); break }
            let failure = errno
            TempRegistry.remove(candidate)
            errno = failure
            if failure != EEXIST { break }
        }
        guard let (tmp, f) = opened else {
            throw OutputError(path: path, problem: "cannot create a temporary file in \(dir) (\(String(cString: strerror(errno))))")
        }
        tempPath = tmp
        fd = f
        sink = TextSink(fd: f)
    }

    deinit { if !done { discard() } }

    /// Writes raw bytes.
    public func write(_ bytes: [UInt8]) {
        for (i, b) in bytes.enumerated() {
            sink.write(byte: b)
            if i & 0xFFFF == 0xFFFF { sink.write("") }  // lets the sink flush
        }
    }

    /// Writes text.
    public func write(_ text: String) { sink.write(text) }

    /// Flushes and fsyncs the temporary file; returns the content's SHA-256 (hex). Log it now.
    @discardableResult
    public func finish() throws -> String {
        if let e = sink.error { discard(); throw e }
        sink.flush()
        if sink.failed || fsync(fd) != 0 {
            let why = String(cString: strerror(errno))
            discard()
            throw OutputError(path: path, problem: "write failed (\(why))")
        }
        finished = true
        var h = SHA256()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var off: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off) }
            if n < 0 {
                discard(); throw OutputError(path: path, problem: "cannot read back the output (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            buf.withUnsafeBytes { h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            off += off_t(n)
        }
        let hex = h.finalize().map { String(format2: $0) }.joined()
        sha256 = hex
        return hex
    }

    /// The content written so far (after ``finish()``), read back from the temporary file.
    public func readBack() throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var off: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off) }
            if n < 0 { throw OutputError(path: path, problem: "cannot read back the output (\(String(cString: strerror(errno))))") }
            if n == 0 { return out }
            out.append(contentsOf: buf[0..<n])
            off += off_t(n)
        }
    }

    /// Releases the output under its name (rename, or copy into a device/FIFO/stdout).
    public func commit() throws {
        if !finished { try finish() }
        defer { done = true; close(fd); TempRegistry.remove(tempPath); if copyTarget { unlink(tempPath) } }
        if copyTarget {
            try copyOut()
            return
        }
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        if rename(tempPath, path) != 0 {
            let why = String(cString: strerror(errno))
            unlink(tempPath)
            throw OutputError(path: path, problem: "cannot rename into place (\(why))")
        }
    }

    /// Removes the temporary file; nothing appears at `path`.
    public func discard() {
        guard !done else { return }
        done = true
        close(fd)
        unlink(tempPath)
        TempRegistry.remove(tempPath)
    }

    private func copyOut() throws {
        let out = path == "-" ? 1 : open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard out >= 0 else { throw OutputError(path: path, problem: "cannot open for writing (\(String(cString: strerror(errno))))") }
        defer { if out != 1 { close(out) } }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var off: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off) }
            if n <= 0 { break }
            var w = 0
            while w < n {
                let k = buf.withUnsafeBytes { systemWrite(out, $0.baseAddress! + w, n - w) }
                if k < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(path: path, problem: "write failed (\(String(cString: strerror(errno))))")
                }
                w += k
            }
            off += off_t(n)
        }
    }

    /// Refuses a target that is an input or logged evidence (unless forced).
    public static func check(_ path: String, _ p: OutputProtection) throws {
        guard path != "-", !p.force else { return }
        var target = stat()
        let exists = stat(path, &target) == 0
        var link = stat()
        let linkExists = lstat(path, &link) == 0
        let canonical = canonicalPath(path)
        for (list, what) in [(p.inputs, "an input of this command"), (p.evidencePaths, "a recording logged as evidence")] {
            for other in list {
                if canonicalPath(other) == canonical { throw OutputRefused(path: path, reason: "\(what) (\(other))") }
                var st = stat()
                guard stat(other, &st) == 0 else { continue }
                if (exists && st.st_dev == target.st_dev && st.st_ino == target.st_ino)
                    || (linkExists && st.st_dev == link.st_dev && st.st_ino == link.st_ino)
                {
                    throw OutputRefused(path: path, reason: "\(what) (\(other), the same file)")
                }
            }
        }
        if exists, (target.st_mode & S_IFMT) == S_IFREG, !p.evidenceSHA256.isEmpty,
            let sha = try? fileSHA256(path), p.evidenceSHA256.contains(sha)
        {
            throw OutputRefused(path: path, reason: "a recording logged as evidence (sha256 \(sha))")
        }
    }
}

/// `sha256(ofFile:)` (named apart from `OutputFile.sha256`).
func fileSHA256(_ path: String) throws -> String { try sha256(ofFile: path) }

/// The folder-resolved absolute path (the file itself may not exist).
func canonicalPath(_ path: String) -> String {
    if let r = realpath(path, nil) { defer { free(r) }; return String(cString: r) }
    let slash = path.lastIndex(of: "/")
    let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard let r = realpath(dir, nil) else { return path }
    defer { free(r) }
    let d = String(cString: r)
    return (d.hasSuffix("/") ? d : d + "/") + base
}

extension String {
    init(format2 b: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}

/// `.candor-<pid>-<16 random hex>.tmp`: the pid lets a later run recognise stale files.
func randomTempName() -> String {
    var g = SystemRandomNumberGenerator()
    let r = String(g.next() as UInt64, radix: 16)
    return ".candor-\(getpid())-\(String(repeating: "0", count: 16 - r.count) + r).tmp"
}

/// Removes this user's temporary output files in `dir` left by processes that no longer run.
func removeStaleTemps(in dir: String) {
    guard let d = opendir(dir) else { return }
    defer { closedir(d) }
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard name.hasPrefix(".candor-"), name.hasSuffix(".tmp") else { continue }
        let parts = name.dropFirst(".candor-".count).dropLast(".tmp".count).split(separator: "-")
        guard parts.count == 2, let pid = Int32(parts[0]), parts[1].count == 16, parts[1].allSatisfy(\.isHexDigit) else { continue }
        if pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH { continue }
        let full = (dir.hasSuffix("/") ? dir : dir + "/") + name
        var st = stat()
        guard lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() else { continue }
        unlink(full)
    }
}
