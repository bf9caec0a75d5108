#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Runs `body` with the process's stderr pointed at /dev/null. The MP3 decoder under
/// libsndfile (libmpg123) prints its own warnings on stderr while a file is opened (e.g.
/// "Xing stream size off by more than 1%" for a truncated file); Candor reports the problem
/// itself, in one line. Calls are serialised, so concurrent opens restore stderr correctly.
enum QuietStderr {
    private static let lock = Mutex(())

    static func run<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in
            let saved = dup(2)
            let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
            guard saved >= 0, null >= 0 else {
                if saved >= 0 { close(saved) }
                if null >= 0 { close(null) }
                return try body()
            }
            dup2(null, 2)
            close(null)
            defer {
                dup2(saved, 2)
                close(saved)
            }
            return try body()
        }
    }
}
