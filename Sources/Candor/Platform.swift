// Platform differences in one place (Linux is what Candor is built and tested on; the
// Darwin branches keep the package compiling there).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)`, named apart from the many Swift `write` methods.
@inline(__always)
package func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Online processor cores (at least 1).
package func processorCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// This process's id.
package func processID() -> Int32 { getpid() }

/// Removes a file (errors ignored).
package func removeFile(_ path: String) { unlink(path) }

/// `$TMPDIR`, else /tmp.
package func temporaryDirectory() -> String {
    getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
}
