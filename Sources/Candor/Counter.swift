import Synchronization

/// A process-wide counter (unique temporary names).
final class Counter: Sendable {
    private let value = Mutex<Int>(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

let bufferCounter = Counter()
