#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The temporary output files this process has open, removed by a SIGINT/SIGTERM handler
/// before the process ends with that signal.
///
/// The handler may only call async-signal-safe functions, so the paths are kept as C
/// strings in a fixed table of slots that it reads without a lock; `add`/`remove` change the
/// table under `lock`, publishing a slot's string before the slot pointer.
enum TempRegistry {
    static let capacity = 64
    // nonisolated(unsafe): written only under `lock`; read lock-free by the signal handler,
    // which sees either the old or the new pointer of a slot (word-sized stores).
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    static let lock = Mutex<Bool>(false)

    static func add(_ path: String) {
        lock.withLock { installed in
            if !installed {
                installed = true
                for sig in [SIGINT, SIGTERM] {
                    let previous = signal(sig, tempRegistrySignalHandler)
                    // Keep a handler someone else installed; replace only the default.
                    if unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_DFL, to: Int.self) { signal(sig, previous) }
                }
            }
            for i in 0..<capacity where slots[i] == nil {
                slots[i] = strdup(path)
                return
            }
        }
    }

    static func remove(_ path: String) {
        lock.withLock { _ in
            for i in 0..<capacity {
                guard let s = slots[i], String(cString: s) == path else { continue }
                slots[i] = nil
                free(s)
                return
            }
        }
    }
}

/// Unlinks every registered temporary file, then ends the process with the signal.
private func tempRegistrySignalHandler(_ sig: Int32) {
    for i in 0..<TempRegistry.capacity {
        if let s = TempRegistry.slots[i] { unlink(s) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
