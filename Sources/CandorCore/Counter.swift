import Synchronization

/// A thread-safe counter: unique numbers within the process (temporary names, log ids).
public final class Counter: Sendable {
    private let value = Mutex<Int>(0)
    public init() {}
    /// 1, 2, 3, … across all callers.
    public func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
