#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import Candor
import CandorCore
import CandorAudio
import CandorFeatures
import Crypto
import Synchronization

/// A failure with its own exit code and one-line message.
public struct CLIError: CandorError {
    public var exitStatus: ExitStatus { ExitStatus(rawValue: code) ?? .failure }
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
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let label: String
    private let last = Mutex<Int>(-1)
    init(label: String, quiet: Bool) {
        enabled = !quiet && isatty(2) == 1
        self.label = label
    }
    func update(_ fraction: Double) {
        guard enabled else { return }
        let pct = Int(fraction * 100)
        last.withLock { last in
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

func printErr(_ s: String) { writeStderr(s + "\n") }

/// Writes straight to file descriptor 2 (no shared C stdio state).
func writeStderr(_ s: String) {
    var bytes = Array(s.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes { systemWrite(2, $0.baseAddress! + off, $0.count - off) }
        if n <= 0 { return }
        off += n
    }
}

func terminate(_ code: Int32) -> Never { exit(code) }

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
        } catch let e as any CandorError {
            // The one place where an error becomes a message and an exit code.
            printErr("candor: error: \(e)")
            terminate(e.exitStatus.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                terminate(0)
            }
            if code == .validationFailure {
                if !message.isEmpty { printErr(message) }
                if let hint = CommandSuggestion.hint(for: Array(CommandLine.arguments.dropFirst())) { printErr(hint) }
                terminate(ExitCodes.usage)
            }
            if !message.isEmpty { printErr("candor: error: \(message)") }
            terminate(code.rawValue)
        }
    }
}
