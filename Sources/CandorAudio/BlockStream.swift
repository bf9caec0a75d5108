import CandorCore
/// A block of de-interleaved samples for analysis: the samples of `[start, start + count)`
/// of every output channel, covering a core range plus context on both sides.
public struct SampleBlock: Sendable {
    public var index: Int
    /// First sample (global index) held in `channels[k][0]`.
    public var start: Int
    public var channels: [[Float]]
    public var count: Int { channels.first?.count ?? 0 }
}

/// Streams a file as overlapping per-channel blocks. Block `i` holds the samples
/// `[ranges[i].lowerBound - context, ranges[i].upperBound + context)` clipped to the file.
/// Only the current block's samples (plus one read buffer) are in memory.
public final class BlockStream {
    public let reader: AudioReader
    public let totalFrames: Int
    public let mix: Bool
    public var outputChannels: Int { mix ? 1 : reader.info.channels }

    private var window: [[Float]]
    private var windowStart = 0
    private var readPos = 0
    private var interleaved: [Float]
    private let readFrames = 1 << 14

    public init(path: String, totalFrames: Int, mix: Bool) throws {
        // The scan pass hashed the file already: later passes only decode.
        reader = try AudioReader(path: path, hashing: false)
        self.totalFrames = totalFrames
        self.mix = mix
        window = Array(repeating: [], count: mix ? 1 : reader.info.channels)
        interleaved = [Float](repeating: 0, count: readFrames * reader.info.channels)
    }

    /// Returns the samples `[lo, hi)` (clipped to the file) for every output channel.
    /// Calls must ask for non-decreasing `lo`.
    public func samples(from lo: Int, to hi: Int, index: Int) throws -> SampleBlock {
        let lo = max(0, lo), hi = min(totalFrames, hi)
        // Drop what is no longer needed. The window is never shared (blocks are copied out
        // below), so this moves the kept samples down in place instead of allocating anew.
        if lo > windowStart && !window[0].isEmpty {
            let drop = min(lo - windowStart, window[0].count)
            for c in window.indices { window[c].removeFirst(drop) }
            windowStart += drop
        }
        // Room for this block and one read, reserved at once: growing by appends would hold
        // the old and the doubled buffer together at the peak.
        let needed = max(0, hi - windowStart) + readFrames
        for c in window.indices where window[c].capacity < needed { window[c].reserveCapacity(needed) }
        while readPos < hi {
            let want = min(readFrames, totalFrames - readPos)
            let n = try interleaved.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: want) }
            if n == 0 { throw InputError(path: reader.path, problem: "file ended early while reading (changed since it was scanned?)") }
            append(frames: n)
            readPos += n
        }
        let a = lo - windowStart, b = hi - windowStart
        // A copy, even of the whole window (`Array(slice)` would share the window's buffer, and
        // the next drop would then have to copy the window instead).
        let channels = window.map { w in w.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[a..<b])) } }
        return SampleBlock(index: index, start: lo, channels: channels)
    }

    private func append(frames n: Int) {
        let ch = reader.info.channels
        interleaved.withUnsafeBufferPointer { src in
            if mix {
                let scale = 1 / Float(ch)
                var out = [Float](repeating: 0, count: n)
                out.withUnsafeMutableBufferPointer { o in
                    for f in 0..<n {
                        var s: Float = 0
                        for c in 0..<ch { s += src[f * ch + c] }
                        o[f] = s * scale
                    }
                }
                window[0].append(contentsOf: out)
            } else {
                for c in 0..<ch {
                    var out = [Float](repeating: 0, count: n)
                    out.withUnsafeMutableBufferPointer { o in
                        var i = c
                        for f in 0..<n { o[f] = src[i]; i += ch }
                    }
                    window[c].append(contentsOf: out)
                }
            }
        }
    }
}
