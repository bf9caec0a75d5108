#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// A temporary file could not be created, written or read while keeping voice data on disk
/// (e.g. the disk of `$TMPDIR` is full).
public struct VoiceSpillError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// An append-only scratch file of `Double` records: an unlinked temporary file (created in
/// `$TMPDIR`, else /tmp, and unlinked at once, so nothing is left behind whatever happens)
/// written with `pwrite` and read with `pread`. Writers reserve their byte range under a
/// lock, so values copied from one another (as `VoiceData` copies are) may share one file:
/// each keeps its own index of the ranges it wrote, and nothing is ever overwritten.
final class VoiceSpill: Sendable {
    let fd: Int32
    /// Where the file lives, for error messages.
    let directory: String
    private let end = Mutex<Int64>(0)

    init() throws {
        let env = getenv("TMPDIR").map { String(cString: $0) } ?? ""
        let dir = env.isEmpty ? "/tmp" : env
        var template = Array((dir.hasSuffix("/") ? dir : dir + "/").utf8CString.dropLast()) + Array("candor-voice-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw VoiceSpillError(description: "\(dir): cannot create a temporary file for voice data: \(Self.errorText()) (set TMPDIR to a writable directory)")
        }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        self.fd = fd
        directory = dir
    }

    /// Wraps an open file descriptor (tests use /dev/full to provoke a full disk).
    init(fileDescriptor: Int32, directory: String) {
        fd = fileDescriptor
        self.directory = directory
    }

    deinit { close(fd) }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Appends `values` and returns the byte offset they were written at.
    func append(_ values: UnsafeBufferPointer<Double>) throws -> Int64 {
        let bytes = values.count * MemoryLayout<Double>.stride
        let offset = end.withLock { e -> Int64 in
            let o = e
            e += Int64(bytes)
            return o
        }
        guard let base = values.baseAddress, bytes > 0 else { return offset }
        try transfer(bytes: bytes, what: "write voice data to", short: "nothing written") { done in
            pwrite(fd, UnsafeRawPointer(base) + done, bytes - done, off_t(offset) + off_t(done))
        }
        return offset
    }

    /// Reads `count` values written at byte `offset` into `out[0..<count]`.
    func read(into out: UnsafeMutableBufferPointer<Double>, count: Int, at offset: Int64) throws {
        precondition(count <= out.count)
        let bytes = count * MemoryLayout<Double>.stride
        guard let base = out.baseAddress, bytes > 0 else { return }
        try transfer(bytes: bytes, what: "read back voice data from", short: "file shorter than written") { done in
            pread(fd, UnsafeMutableRawPointer(base) + done, bytes - done, off_t(offset) + off_t(done))
        }
    }

    /// Repeats `io(bytesDone)` (one pwrite/pread) until `bytes` are done, retrying on EINTR.
    private func transfer(bytes: Int, what: String, short: String, _ io: (Int) -> Int) throws {
        var done = 0
        while done < bytes {
            let n = io(done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let why = n < 0 ? Self.errorText() : short
                let hint = what.hasPrefix("write") ? " (set TMPDIR to a disk with free space)" : ""
                throw VoiceSpillError(description: "\(directory): cannot \(what) a temporary file: \(why)\(hint)")
            }
            done += n
        }
    }
}

/// Where a run of records lies in a `VoiceSpill`, with its first and last times.
struct SpillExtent: Sendable {
    var firstTime: Double
    var lastTime: Double
    var offset: Int64
    var count: Int
}

/// The ranges of a record stream (records of `width` doubles, the first being a time, in
/// time order) written to a spill. Runs written back to back are merged into extents of
/// at most `maximumExtent` records, so the index stays a few hundred entries for hours of
/// audio while a short time range reads only an extent or two.
struct SpillIndex: Sendable {
    let width: Int
    var maximumExtent = 2048
    private(set) var extents: [SpillExtent] = []
    private(set) var count = 0

    init(width: Int) { self.width = width }

    /// Writes `records` (count × width doubles) in pieces of at most `maximumExtent` records.
    mutating func append(_ records: UnsafeBufferPointer<Double>, to spill: VoiceSpill) throws {
        let n = records.count / width
        var i = 0
        while i < n {
            var room = maximumExtent
            if let last = extents.last, last.count < maximumExtent { room = maximumExtent - last.count }
            let m = min(room, n - i)
            let piece = UnsafeBufferPointer(rebasing: records[(i * width)..<((i + m) * width)])
            let offset = try spill.append(piece)
            let first = piece[0], lastT = piece[(m - 1) * width]
            let bytes = Int64(width * MemoryLayout<Double>.stride)
            if let last = extents.last, last.count < maximumExtent, last.offset + Int64(last.count) * bytes == offset {
                extents[extents.count - 1].count += m
                extents[extents.count - 1].lastTime = lastT
            } else {
                extents.append(SpillExtent(firstTime: first, lastTime: lastT, offset: offset, count: m))
            }
            count += m
            i += m
        }
    }

    /// Calls `body` with the records of every extent that may hold times in [t0, t1), in
    /// order (callers still filter by time).
    func forEachExtent(from t0: Double, to t1: Double, in spill: VoiceSpill,
                       _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        var buffer = [Double](repeating: 0, count: min(count, maximumExtent) * width)
        // The first extent that ends at or after t0.
        var lo = 0, hi = extents.count
        while lo < hi {
            let m = (lo + hi) / 2
            if extents[m].lastTime < t0 { lo = m + 1 } else { hi = m }
        }
        for e in extents[lo...] {
            if e.firstTime >= t1 { break }
            let n = e.count * width
            if buffer.count < n { buffer = [Double](repeating: 0, count: n) }
            try buffer.withUnsafeMutableBufferPointer { b in
                try spill.read(into: b, count: n, at: e.offset)
                try body(UnsafeBufferPointer(rebasing: b[0..<n]))
            }
        }
    }
}
