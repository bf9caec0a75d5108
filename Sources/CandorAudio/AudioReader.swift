@_exported import CandorCore
import CSndFile
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What libsndfile tells about a file, plus its size on disk.
public struct AudioInfo: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    /// Frames the header declares (libsndfile's count).
    public var frames: Int
    /// Human-readable container and encoding, e.g. "WAV (Microsoft), Signed 16 bit PCM".
    public var format: String
    public var bytes: Int
    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }
}

/// Byte source behind libsndfile's virtual I/O. Every byte libsndfile reads passes through
/// here, so the file's SHA-256 is computed in the same streaming pass as the decoding:
/// contiguous reads are hashed as they arrive, skipped gaps are read and hashed separately,
/// and re-reads of already hashed bytes are ignored.
final class HashingSource {
    let fd: Int32
    let length: Int64
    var position: Int64 = 0
    var hashedUpTo: Int64 = 0
    var hasher: SHA256?
    var ioError = false

    init(fd: Int32, length: Int64, hashing: Bool = true) {
        self.fd = fd
        self.length = length
        hasher = hashing ? SHA256() : nil
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int64) -> Int64 {
        let want = max(0, min(count, length - position))
        var done: Int64 = 0
        while done < want {
            let n = pread(fd, buffer + Int(done), Int(want - done), off_t(position + done))
            if n < 0 {
                if errno == EINTR { continue }
                ioError = true
                break
            }
            if n == 0 { break }
            done += Int64(n)
        }
        if done > 0 { account(buffer: UnsafeRawPointer(buffer), at: position, count: done) }
        position += done
        return done
    }

    private func account(buffer: UnsafeRawPointer, at start: Int64, count: Int64) {
        guard hasher != nil else { return }
        if start > hashedUpTo { hashGap(to: start) }
        let end = start + count
        if end > hashedUpTo && start <= hashedUpTo {
            let skip = Int(hashedUpTo - start)
            hasher!.update(bufferPointer: UnsafeRawBufferPointer(start: buffer + skip, count: Int(end - hashedUpTo)))
            hashedUpTo = end
        }
    }

    private func hashGap(to end: Int64) {
        let chunk = 1 << 16
        let tmp = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { tmp.deallocate() }
        while hashedUpTo < end {
            let want = Int(min(Int64(chunk), end - hashedUpTo))
            let n = pread(fd, tmp, want, off_t(hashedUpTo))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ioError = true; return }
            hasher!.update(bufferPointer: UnsafeRawBufferPointer(start: tmp, count: n))
            hashedUpTo += Int64(n)
        }
    }

    /// Hashes whatever libsndfile did not read (trailing chunks) and returns the hex digest.
    func finishHash() -> String? {
        guard hasher != nil else { return nil }
        hashGap(to: length)
        if ioError { return nil }
        let digest = hasher!.finalize()
        hasher = nil
        return hexString(digest)
    }
}

private func systemClose(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

private func source(_ p: UnsafeMutableRawPointer?) -> HashingSource {
    Unmanaged<HashingSource>.fromOpaque(p!).takeUnretainedValue()
}

private let virtualIO: SF_VIRTUAL_IO = {
    var io = SF_VIRTUAL_IO()
    io.get_filelen = { user in source(user).length }
    io.seek = { offset, whence, user in
        let s = source(user)
        var target: Int64
        switch whence {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = s.position + offset
        case SEEK_END: target = s.length + offset
        default: return -1
        }
        if target < 0 { return -1 }
        s.position = target
        return target
    }
    io.read = { ptr, count, user in
        guard let ptr else { return 0 }
        return source(user).read(into: ptr, count: count)
    }
    io.write = { _, _, _ in 0 }
    io.tell = { user in source(user).position }
    return io
}()

/// Streams a sound file through libsndfile in blocks of interleaved Float samples.
/// Never loads the whole file. Not thread-safe: one reader per task.
public final class AudioReader {
    public let path: String
    public let info: AudioInfo
    private let fd: Int32
    private let src: HashingSource
    private var handle: OpaquePointer?
    private var vio = virtualIO

    public convenience init(path: String) throws {
        try self.init(path: path, hashing: true)
    }

    /// `hashing: false` skips the SHA-256 (for later passes over a file already scanned).
    init(path: String, hashing: Bool) throws {
        self.path = path
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InputError(
                path: path, problem: errno == ENOENT ? "no such file" : "cannot access file (\(String(cString: strerror(errno))))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw InputError(
                path: path, problem: (st.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not an audio file" : "not a regular file")
        }
        guard st.st_size > 0 else { throw InputError(path: path, problem: "empty file (0 bytes)") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError(path: path, problem: "cannot open file (\(String(cString: strerror(errno))))")
        }
        self.fd = fd
        src = HashingSource(fd: fd, length: Int64(st.st_size), hashing: hashing)
        var sfinfo = SF_INFO()
        // libsndfile copies the callbacks struct, so a local copy may go into the closure.
        var io = vio
        let source = Unmanaged.passUnretained(src).toOpaque()
        let h = QuietStderr.run { sf_open_virtual(&io, Int32(SFM_READ), &sfinfo, source) }
        guard let h else {
            var msg = String(cString: sf_strerror(nil))
            // With virtual I/O libsndfile's generic message speaks of a missing file or a pipe.
            if msg.contains("does not exist") { msg = "unrecognised format, or a damaged or truncated file" }
            systemClose(fd)
            throw InputError(path: path, problem: "not a readable audio file (\(msg))")
        }
        handle = h
        let rate = Int(sfinfo.samplerate), ch = Int(sfinfo.channels)
        info = AudioInfo(
            sampleRate: rate, channels: ch, frames: Int(sfinfo.frames),
            format: AudioReader.describe(format: sfinfo.format), bytes: Int(st.st_size))
        if rate < 8000 || rate > 192_000 {
            close()
            throw InputError(path: path, problem: "sample rate \(rate) Hz is outside the supported 8000–192000 Hz")
        }
        if ch < 1 || ch > 8 {
            close()
            throw InputError(path: path, problem: "\(ch) channels; 1 to 8 are supported")
        }
    }

    deinit { close() }

    public func close() {
        if let h = handle {
            sf_close(h)
            handle = nil
            systemClose(fd)
        }
    }

    private static func describe(format: Int32) -> String {
        func name(_ f: Int32) -> String? {
            var fi = SF_FORMAT_INFO()
            fi.format = f
            guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &fi, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
                let n = fi.name
            else { return nil }
            return String(cString: n)
        }
        let major = name(format & Int32(SF_FORMAT_TYPEMASK)) ?? "unknown container"
        let sub = name(format & Int32(SF_FORMAT_SUBMASK)) ?? "unknown encoding"
        return "\(major), \(sub)"
    }

    /// Reads up to `frames` interleaved frames into `buffer` (capacity >= frames * channels).
    /// Returns the number of frames read; 0 at the end of the data.
    public func read(into buffer: UnsafeMutableBufferPointer<Float>, frames: Int) throws -> Int {
        guard let h = handle else { return 0 }
        precondition(buffer.count >= frames * info.channels)
        let n = Int(sf_readf_float(h, buffer.baseAddress, sf_count_t(frames)))
        if src.ioError { throw InputError(path: path, problem: "read error") }
        if n < 0 { throw InputError(path: path, problem: "decoding failed") }
        let err = sf_error(h)
        if n == 0 && err != 0 {
            throw InputError(path: path, problem: "decoding failed (\(String(cString: sf_strerror(h))))")
        }
        return n
    }

    /// Seeks to frame `frame` (for a second pass). Returns false where the format cannot seek.
    public func seek(toFrame frame: Int) -> Bool {
        guard let h = handle else { return false }
        return sf_seek(h, sf_count_t(frame), SEEK_SET) == sf_count_t(frame)
    }

    /// The file's SHA-256 (hex). Hashes any bytes the decoder skipped. Call once, after reading.
    public func finishSHA256() throws -> String {
        guard let d = src.finishHash() else { throw InputError(path: path, problem: "read error while hashing") }
        return d
    }

    /// libsndfile's parser log (used to spot headers that claim more data than the file holds).
    public var parserLog: String {
        guard let h = handle else { return "" }
        var buf = [UInt8](repeating: 0, count: 4096)
        sf_command(h, Int32(SFC_GET_LOG_INFO), &buf, Int32(buf.count - 1))
        let end = buf.firstIndex(of: 0) ?? buf.count
        return String(decoding: buf[..<end], as: UTF8.self)
    }
}

/// Lower-case hex of a byte sequence.
public func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
