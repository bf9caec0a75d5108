/// The exit codes of `candor`, documented in docs/exit-codes.md.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// Anything not covered below (I/O, a store that cannot be reached, an internal error).
    case failure = 1
    /// The command line is wrong.
    case usage = 2
    /// An input (recording, segments, model, key or settings file) cannot be read or is invalid.
    case invalidInput = 3
    /// An audit log or bundle failed verification.
    case auditFailed = 4
}

/// An error that knows how `candor` ends when it stops a command: its exit status, and a
/// one-line message (its `description`) naming the file and the problem. The CLI maps
/// errors to exit codes in one place, through this protocol.
public protocol CandorError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}
