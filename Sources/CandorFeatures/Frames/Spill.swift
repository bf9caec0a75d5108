import CandorCore
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Temporary storage could not be written or read (disk full, I/O error).
public struct SpillError: CandorError, Sendable {
    public var exitStatus: ExitStatus { .failure }
    public let message: String
    public var description: String { message }
}

/// An anonymous temporary file for per-frame data too long to keep in memory: a
/// three-hour channel has about a million 10 ms frames. The file is created in `$TMPDIR`
/// (default /tmp) and unlinked at once, so it never outlives the process, even on a crash.
/// Reads and writes are positional (`pread`/`pwrite`).
///
/// `@unchecked Sendable`: the only state is a file descriptor fixed at init; positional
/// reads and writes on one descriptor are safe from several threads, and callers write
/// disjoint byte ranges (blocks of frames) before anything reads them.
public final class SpillFile: @unchecked Sendable {
    private let fd: Int32
    public let directory: String

    public init(directory: String? = nil) throws {
        let dir = directory ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        self.directory = dir
        var template = Array((dir + "/candor-spill-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SpillError(
                message: "\(dir): cannot create a temporary file (\(String(cString: strerror(errno)))); set TMPDIR to a writable directory")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    /// Wraps an open descriptor, which it will close (tests: /dev/full for a full disk).
    init(fileDescriptor: Int32, directory: String) {
        fd = fileDescriptor
        self.directory = directory
    }

    deinit { close(fd) }

    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SpillError(
                    message:
                        "\(directory): cannot write temporary analysis data (\(String(cString: strerror(errno)))); free space or set TMPDIR"
                )
            }
            done += n
        }
    }

    /// Reads `bytes.count` bytes at `offset`; bytes never written read as zeros.
    public func read(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pread(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SpillError(message: "\(directory): cannot read temporary analysis data (\(String(cString: strerror(errno))))")
            }
            if n == 0 {  // past the end: never written
                (bytes.baseAddress! + done).initializeMemory(as: UInt8.self, repeating: 0, count: bytes.count - done)
                return
            }
            done += n
        }
    }

    public func write(_ values: [Float], at offset: Int) throws {
        try values.withUnsafeBytes { try write($0, at: offset) }
    }

    public func readFloats(count: Int, at offset: Int) throws -> [Float] {
        guard count > 0 else { return [] }
        return try [Float](unsafeUninitializedCapacity: count) { buf, n in
            try read(into: UnsafeMutableRawBufferPointer(buf), at: offset)
            n = count
        }
    }
}

/// Per-frame tracks of every channel of one analysis, on one frame grid, in a `SpillFile`.
/// Layout: track-major (all frames of channel 0 track 0, then track 1, …), 4-byte floats,
/// so one frame range of one track is one contiguous read.
public final class FrameStore: Sendable {
    public enum Track: Int, CaseIterable, Sendable {
        case f0, strength, intensity, band, periodicity, vadF0, syllable
        case shape0, shape1, shape2, shape3, shape4, shape5
    }
    public let grid: FrameGrid
    public let channels: Int
    /// Whether the voice-activity tracks (band … shape5) are stored.
    public let hasSpeech: Bool
    private let file: SpillFile
    private var trackCount: Int { hasSpeech ? Track.allCases.count : 3 }

    public init(grid: FrameGrid, channels: Int, hasSpeech: Bool, directory: String? = nil) throws {
        self.grid = grid
        self.channels = channels
        self.hasSpeech = hasSpeech
        file = try SpillFile(directory: directory)
    }

    private func offset(_ channel: Int, _ track: Track, _ frame: Int) -> Int {
        ((channel * trackCount + track.rawValue) * grid.count + frame) * 4
    }

    public func write(channel: Int, track: Track, from frame: Int, _ values: [Float]) throws {
        precondition(track.rawValue < trackCount && frame + values.count <= grid.count)
        try file.write(values, at: offset(channel, track, frame))
    }

    public func read(channel: Int, track: Track, _ r: Range<Int>) throws -> [Float] {
        precondition(track.rawValue < trackCount && r.lowerBound >= 0 && r.upperBound <= grid.count)
        return try file.readFloats(count: r.count, at: offset(channel, track, r.lowerBound))
    }

    /// Writes one block's outputs for a channel at frame `base`.
    func write(channel c: Int, base: Int, f0: [Float], strength: [Float], intensity: [Float], speech: SpeechFrames?) throws {
        try write(channel: c, track: .f0, from: base, f0)
        try write(channel: c, track: .strength, from: base, strength)
        try write(channel: c, track: .intensity, from: base, intensity)
        guard hasSpeech, let s = speech else { return }
        try write(channel: c, track: .band, from: base, s.bandDb)
        try write(channel: c, track: .periodicity, from: base, s.periodicity)
        try write(channel: c, track: .vadF0, from: base, s.f0)
        try write(channel: c, track: .syllable, from: base, s.syllableDb)
        let nb = SpeechFrames.shapeBands
        let n = s.bandDb.count
        var band = [Float](repeating: 0, count: n)
        for b in 0..<nb {
            s.shape.withUnsafeBufferPointer { sh in
                for i in 0..<n { band[i] = sh[i * nb + b] }
            }
            try write(channel: c, track: Track(rawValue: Track.shape0.rawValue + b)!, from: base, band)
        }
    }

    /// The tracks of channel `c` over frames `r` (grids start at frame `r.lowerBound`).
    public func load(channel c: Int, _ r: Range<Int>) throws -> ChannelFrames {
        let g = FrameGrid(t1: grid.time(r.lowerBound), dt: grid.dt, count: r.count)
        let pitch = PitchTrack(
            grid: g, f0: try read(channel: c, track: .f0, r),
            strength: try read(channel: c, track: .strength, r))
        let intensity = IntensityTrack(grid: g, db: try read(channel: c, track: .intensity, r))
        guard hasSpeech else {
            return ChannelFrames(
                pitch: pitch, intensity: intensity,
                speech: SpeechFrames(grid: FrameGrid(t1: g.t1, dt: g.dt, count: 0)))
        }
        let nb = SpeechFrames.shapeBands
        var shape = [Float](repeating: 0, count: r.count * nb)
        for b in 0..<nb {
            let band = try read(channel: c, track: Track(rawValue: Track.shape0.rawValue + b)!, r)
            shape.withUnsafeMutableBufferPointer { sh in
                for i in 0..<r.count { sh[i * nb + b] = band[i] }
            }
        }
        let speech = SpeechFrames(
            grid: g, bandDb: try read(channel: c, track: .band, r),
            periodicity: try read(channel: c, track: .periodicity, r),
            f0: try read(channel: c, track: .vadF0, r),
            syllableDb: try read(channel: c, track: .syllable, r), shape: shape)
        return ChannelFrames(pitch: pitch, intensity: intensity, speech: speech)
    }

    /// A paged source for channel `c`.
    public func source(channel c: Int) -> ChannelFrameSource {
        ChannelFrameSource(grid: grid) { [self] r in try load(channel: c, r) }
    }
}
