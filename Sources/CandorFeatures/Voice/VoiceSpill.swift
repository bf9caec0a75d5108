import Synchronization

/// An append-only scratch file of `Double` records in a `SpillFile` (an unlinked temporary
/// file in `$TMPDIR`, else /tmp). Writers reserve their byte range under a lock, so values
/// copied from one another (as `VoiceData` copies are) may share one file: each keeps its
/// own index of the ranges it wrote, and nothing is ever overwritten.
final class VoiceSpill: Sendable {
    let file: SpillFile
    private let end = Mutex<Int>(0)

    init() throws { file = try SpillFile() }

    init(file: SpillFile) { self.file = file }

    /// Appends `values` and returns the byte offset they were written at. Throws
    /// `SpillError` (e.g. the disk is full).
    func append(_ values: UnsafeBufferPointer<Double>) throws -> Int {
        let bytes = UnsafeRawBufferPointer(values)
        let offset = end.withLock { e -> Int in
            let o = e
            e += bytes.count
            return o
        }
        if !bytes.isEmpty { try file.write(bytes, at: offset) }
        return offset
    }

    /// Reads `count` values written at byte `offset` into `out[0..<count]`.
    func read(into out: UnsafeMutableBufferPointer<Double>, count: Int, at offset: Int) throws {
        precondition(count <= out.count)
        guard count > 0 else { return }
        try file.read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: out[0..<count])), at: offset)
    }
}

/// Where a run of records lies in a `VoiceSpill`, with its first and last times.
struct SpillExtent: Sendable {
    var firstTime: Double
    var lastTime: Double
    var offset: Int
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
            let bytes = width * MemoryLayout<Double>.stride
            if let last = extents.last, last.count < maximumExtent, last.offset + last.count * bytes == offset {
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
    func forEachExtent(
        from t0: Double, to t1: Double, in spill: VoiceSpill,
        _ body: (UnsafeBufferPointer<Double>) throws -> Void
    ) throws {
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
