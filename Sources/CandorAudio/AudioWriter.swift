import CSndFile
import CandorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes sound files through libsndfile. The data go to a temporary file next to the
/// target, which is renamed onto the target only when everything was written; on any
/// failure the temporary file is removed, so a partial file never looks complete.
public enum AudioWriter {
    public enum Format: String, Sendable, CaseIterable {
        /// WAV, signed 16-bit PCM (samples are clipped to [-1, 1]).
        case wavPCM16
        /// WAV, 32-bit IEEE float.
        case wavFloat
        /// FLAC, 16-bit (samples are clipped to [-1, 1]).
        case flac16
        /// WAV, signed 24-bit PCM.
        case wavPCM24
        /// WAV, signed 32-bit PCM.
        case wavPCM32
        /// Ogg Vorbis (lossy).
        case oggVorbis
        /// Ogg Opus (lossy; 8, 12, 16, 24 or 48 kHz only).
        case opus
        /// MPEG-1/2 Layer III (lossy), where the system libsndfile has an MP3 encoder.
        case mp3

        var sfFormat: Int32 {
            switch self {
            case .wavPCM16: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
            case .wavFloat: return Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
            case .flac16: return Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
            case .wavPCM24: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24)
            case .wavPCM32: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_32)
            case .oggVorbis: return Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
            case .opus: return Int32(SF_FORMAT_OGG | SF_FORMAT_OPUS)
            case .mp3: return Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)
            }
        }

        /// Guesses the format from a file name: `.flac` → FLAC, anything else → WAV PCM16.
        public static func from(path: String) -> Format {
            path.lowercased().hasSuffix(".flac") ? .flac16 : .wavPCM16
        }
    }

    /// Writes `interleaved` samples (frames × channels) to `path`.
    public static func write(
        path: String, interleaved: [Float], channels: Int, sampleRate: Int, format: Format
    ) throws {
        guard channels >= 1 else { throw OutputError(path: path, problem: "channel count must be >= 1") }
        guard interleaved.count % channels == 0 else {
            throw OutputError(path: path, problem: "sample count \(interleaved.count) is not a multiple of \(channels) channels")
        }
        guard sampleRate > 0 else { throw OutputError(path: path, problem: "invalid sample rate \(sampleRate)") }
        if interleaved.contains(where: { !$0.isFinite }) {
            throw OutputError(path: path, problem: "refusing to write NaN or infinite samples")
        }
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = format.sfFormat
        guard sf_format_check(&info) != 0 else {
            throw OutputError(path: path, problem: "libsndfile cannot write \(format.rawValue) at \(sampleRate) Hz, \(channels) channels")
        }
        // A private temporary file (unpredictable name, O_EXCL|O_NOFOLLOW, mode 0600 until
        // complete): a file or symlink planted beside the target is never followed.
        let tmp = path + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OutputError(path: path, problem: "cannot create file (\(String(cString: strerror(errno))))")
        }
        guard let h = sf_open_fd(fd, Int32(SFM_WRITE), &info, 1) else {
            let msg = String(cString: sf_strerror(nil))
            close(fd)
            unlink(tmp)
            throw OutputError(path: path, problem: "cannot create file (\(msg))")
        }
        // Clip so integer formats do not wrap; libsndfile's float→int path scales by 32767.
        if format != .wavFloat {
            var one: Int32 = 1
            sf_command(h, Int32(SFC_SET_CLIPPING), &one, Int32(MemoryLayout<Int32>.size))
        }
        let frames = interleaved.count / channels
        let written = interleaved.withUnsafeBufferPointer { buf in
            sf_writef_float(h, buf.baseAddress, sf_count_t(frames))
        }
        let writeError = sf_error(h)
        let closeStatus = sf_close(h)
        guard written == sf_count_t(frames), writeError == 0, closeStatus == 0 else {
            unlink(tmp)
            throw OutputError(path: path, problem: "write failed after \(written) of \(frames) frames")
        }
        let mask = umask(0)
        umask(mask)
        chmod(tmp, 0o666 & ~mask)
        guard rename(tmp, path) == 0 else {
            let msg = String(cString: strerror(errno))
            unlink(tmp)
            throw OutputError(path: path, problem: "cannot move finished file into place (\(msg))")
        }
    }

    /// Writes one or more channels given separately (all must have the same length).
    public static func write(
        path: String, channels: [[Float]], sampleRate: Int, format: Format
    ) throws {
        guard let n = channels.first?.count, channels.allSatisfy({ $0.count == n }) else {
            throw OutputError(path: path, problem: "channels are missing or of unequal length")
        }
        let c = channels.count
        var inter = [Float](repeating: 0, count: n * c)
        inter.withUnsafeMutableBufferPointer { out in
            for (k, ch) in channels.enumerated() {
                ch.withUnsafeBufferPointer { src in
                    for i in 0..<n { out[i * c + k] = src[i] }
                }
            }
        }
        try write(path: path, interleaved: inter, channels: c, sampleRate: sampleRate, format: format)
    }

    /// Writes a mono signal.
    public static func write(path: String, mono: [Float], sampleRate: Int, format: Format) throws {
        try write(path: path, interleaved: mono, channels: 1, sampleRate: sampleRate, format: format)
    }
}
