/// A problem with an input file: unreadable, malformed or not analysable (exit 3).
public struct InputError: CandorError, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) { (self.path, self.problem) = (path, problem) }
    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "\(path): \(problem)" }
}

/// A failure while writing an output file (exit 1).
public struct OutputError: CandorError, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) { (self.path, self.problem) = (path, problem) }
    public var exitStatus: ExitStatus { .failure }
    public var description: String { "\(path): \(problem)" }
}
