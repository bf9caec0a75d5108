#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import CandorAudio
import CandorFeatures
import Crypto

/// Software identity written into every analysis and audit record.
public enum CandorVersion {
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

func readText(_ path: String) -> String? {
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
    func trimmingCharacters() -> String {
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

/// A failure with its own exit code and one-line message.
public struct CLIError: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public init(code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// Documented exit codes.
public enum ExitCodes {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let invalidInput: Int32 = 3
    public static let auditFailed: Int32 = 4
}

/// Writes a file atomically: the content goes to a temporary file beside the target, which
/// is renamed over the target only when complete. On failure no partial file remains.
/// `path == "-"` writes to stdout.
func writeAtomically(to path: String, _ body: (TextSink) throws -> Void) throws {
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
        throw CLIError(code: ExitCodes.failure, "\(path): cannot write (\(String(cString: strerror(errno))))")
    }
    let sink = TextSink(fd: fd)
    do {
        try body(sink)
        if let e = sink.error { throw e }
        sink.write("\n")
        sink.flush()
        if sink.failed || fsync(fd) != 0 { throw CLIError(code: ExitCodes.failure, "\(path): write failed (\(String(cString: strerror(errno))))") }
        close(fd)
        if rename(tmp, path) != 0 { throw CLIError(code: ExitCodes.failure, "\(path): cannot rename into place (\(String(cString: strerror(errno))))") }
    } catch {
        close(fd)
        unlink(tmp)
        throw error
    }
}

/// Shared options of every command.
public struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace folder (default: $CANDOR_WORKSPACE or ./candor-workspace).")
    public var workspace: String?

    @Flag(name: .long, help: "Print only errors.")
    public var quiet = false

    public init() {}

    public var workspacePath: String {
        if let w = workspace { return w }
        if let e = getenv("CANDOR_WORKSPACE") { return String(cString: e) }
        return "candor-workspace"
    }
}

/// Progress on stderr, only when stderr is a terminal and not --quiet.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: `last` is only touched under `lock`.
    private let enabled: Bool
    private let label: String
    private var last = -1
    private let lock = NSLockLite()
    init(label: String, quiet: Bool) {
        enabled = !quiet && isatty(2) == 1
        self.label = label
    }
    func update(_ fraction: Double) {
        guard enabled else { return }
        let pct = Int(fraction * 100)
        lock.withLock {
            if pct != last {
                last = pct
                writeStderr("\r\(label): \(pct)%")
            }
        }
    }
    func finish() {
        guard enabled else { return }
        writeStderr("\r\u{1B}[K")
    }
}

/// A tiny pthread mutex (Foundation-free).
final class NSLockLite: @unchecked Sendable {
    // @unchecked: the pthread mutex serialises all access.
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return try body()
    }
}

func printErr(_ s: String) { writeStderr(s + "\n") }

/// Writes straight to file descriptor 2 (no shared C stdio state).
func writeStderr(_ s: String) {
    var bytes = Array(s.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + off, $0.count - off) }
        if n <= 0 { return }
        off += n
    }
}

func terminate(_ code: Int32) -> Never { Glibc.exit(code) }

extension CandorCommand {
    /// Runs the command line with Candor's exit codes: usage errors exit 2 (not 64),
    /// invalid input 3, audit failures 4, anything else 1; one line on stderr.
    public static func runMain() async -> Never {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            terminate(0)
        } catch let e as InputError {
            printErr("candor: error: \(e)")
            terminate(ExitCodes.invalidInput)
        } catch let e as CLIError {
            printErr("candor: error: \(e.message)")
            terminate(e.code)
        } catch let e as SpillError {
            printErr("candor: error: \(e.message)")
            terminate(ExitCodes.failure)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                terminate(0)
            }
            if code == .validationFailure {
                if !message.isEmpty { printErr(message) }
                terminate(ExitCodes.usage)
            }
            if !message.isEmpty { printErr("candor: error: \(message)") }
            terminate(code.rawValue)
        }
    }
}
