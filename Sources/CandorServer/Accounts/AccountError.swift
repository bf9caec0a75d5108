import CandorCore

/// A refused account operation (unknown user, duplicate name, invalid name or password),
/// with the exit status the CLI reports.
public struct AccountError: CandorError, CustomStringConvertible {
    public let message: String
    public let exitStatus: ExitStatus
    public init(_ message: String, exitStatus: ExitStatus = .failure) {
        self.message = message
        self.exitStatus = exitStatus
    }
    public var description: String { message }
}
