import CandorCore
import CandorDSP

/// Per-channel statistics from the validation pass.
public struct ChannelStats: Sendable, Equatable {
    public var mean: Double
    public var minimum: Float
    public var maximum: Float
    /// Largest |x - mean|: the "global peak" Praat's pitch analysis compares frames with.
    public var peakAboveMean: Double { max(Double(maximum) - mean, mean - Double(minimum)) }
}

/// Result of the first streaming pass: hash, true frame count and channel statistics.
public struct AudioScan: Sendable {
    public var info: AudioInfo
    public var sha256: String
    /// Frames actually decoded (the header's count may be larger for damaged files).
    public var framesRead: Int
    public var channels: [ChannelStats]
    public var duration: Double { Double(framesRead) / Double(info.sampleRate) }

    /// The "global peak" (largest |x − mean|) of each output channel, which Praat's silence
    /// criteria compare frames with. Downmixed (`mix`), the largest channel peak bounds the
    /// mix's peak; it only scales the silence criterion.
    public func globalPeaks(mix: Bool) -> [Float] {
        mix ? [Float(channels.map(\.peakAboveMean).max() ?? 0)] : channels.map { Float($0.peakAboveMean) }
    }
}

/// One streaming pass over a file: decodes it block by block, computes its SHA-256 on the
/// same bytes, counts frames, checks every sample is finite, and gathers channel statistics.
/// Memory use is one block, whatever the duration.
public func scanAudio(path: String, blockFrames: Int = 1 << 15) throws -> AudioScan {
    let reader = try AudioReader(path: path)
    let ch = reader.info.channels
    var sums = [Double](repeating: 0, count: ch)
    var mins = [Float](repeating: .infinity, count: ch)
    var maxs = [Float](repeating: -.infinity, count: ch)
    var total = 0
    var buffer = [Float](repeating: 0, count: blockFrames * ch)
    while true {
        let n = try buffer.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: blockFrames) }
        if n == 0 { break }
        var badFrame = -1
        buffer.withUnsafeBufferPointer { b in
            if ch == 1, let p = b.baseAddress, let (lo, hi) = finiteMinMax(p, n) {
                // Mono fast path: vector checks; the Double sum with four partial sums
                // equals the sequential one for integer PCM (every partial sum is exact).
                sums[0] += sumAsDouble(p, n)
                mins[0] = min(mins[0], lo)
                maxs[0] = max(maxs[0], hi)
                return
            }
            for c in 0..<ch {
                var s = 0.0, lo = mins[c], hi = maxs[c]
                var i = c
                for f in 0..<n {
                    let v = b[i]
                    if !v.isFinite { if badFrame < 0 { badFrame = f }; break }
                    s += Double(v)
                    lo = min(lo, v)
                    hi = max(hi, v)
                    i += ch
                }
                sums[c] += s
                mins[c] = lo
                maxs[c] = hi
            }
        }
        if badFrame >= 0 {
            let t = Double(total + badFrame) / Double(reader.info.sampleRate)
            throw InputError(path: path, problem: "contains NaN or infinite samples (first at \(formatSeconds(t)) s)")
        }
        total += n
    }
    let sha = try reader.finishSHA256()
    if total == 0 { throw InputError(path: path, problem: "contains no audio samples") }
    // Float recordings hold samples near ±1. Samples beyond ±1000 (60 dB above full scale)
    // overflow the single-precision energy sums of the analysis: refuse them, never give
    // wrong numbers with exit 0.
    let extreme = max(mins.map { -Double($0) }.max() ?? 0, maxs.map { Double($0) }.max() ?? 0)
    if extreme > sampleMagnitudeLimit {
        throw InputError(
            path: path,
            problem:
                "has samples up to ±\(Float(extreme)), beyond ±\(Int(sampleMagnitudeLimit)) (60 dB above full scale); rescale the recording to ±1"
        )
    }
    let declared = reader.info.frames
    if let (claimed, actual) = declaredDataMismatch(reader.parserLog) {
        throw InputError(
            path: path,
            problem: "truncated: the header declares \(claimed) bytes of audio data but the file holds only \(actual)")
    }
    if total < declared {
        throw InputError(path: path, problem: "truncated: the header declares \(declared) frames but only \(total) could be decoded")
    }
    let stats = (0..<ch).map { ChannelStats(mean: sums[$0] / Double(total), minimum: mins[$0], maximum: maxs[$0]) }
    var info = reader.info
    info.frames = total
    return AudioScan(info: info, sha256: sha, framesRead: total, channels: stats)
}

public func formatSeconds(_ t: Double) -> String {
    let r = (t * 1000).rounded() / 1000
    return String(r)
}

/// Finds libsndfile's "data : N (should be M)" note: a data chunk claiming more bytes than exist.
func declaredDataMismatch(_ log: String) -> (Int, Int)? {
    for line in log.split(separator: "\n") {
        let t = line.trimmingPrefixSpaces()
        guard t.hasPrefix("data"), let open = t.firstIndex(of: "("), t.contains("should be") else { continue }
        let digits = { (s: Substring) -> Int? in Int(s.filter(\.isNumber)) }
        let colon = t.firstIndex(of: ":") ?? t.startIndex
        guard let claimed = digits(t[colon..<open]),
            let actual = digits(t[open...]), claimed > actual
        else { continue }
        return (claimed, actual)
    }
    return nil
}

extension Substring {
    func trimmingPrefixSpaces() -> Substring { drop(while: { $0 == " " || $0 == "\t" }) }
}

/// Minimum and maximum of `n` samples, eight at a time, or nil when any sample is NaN or
/// infinite (the caller then finds the first bad one with the scalar loop).
private func finiteMinMax(_ p: UnsafePointer<Float>, _ n: Int) -> (Float, Float)? {
    guard n > 0 else { return nil }
    let raw = UnsafeRawPointer(p)
    var lo8 = SIMD8<Float>(repeating: p[0]), hi8 = lo8
    var exp8 = SIMD8<UInt32>()  // largest exponent field seen: all ones means NaN or infinity
    var i = 0
    while i + 8 <= n {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let e = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self) & 0x7F80_0000
        exp8 = exp8.replacing(with: e, where: e .> exp8)
        lo8 = lo8.replacing(with: v, where: v .< lo8)
        hi8 = hi8.replacing(with: v, where: v .> hi8)
        i += 8
    }
    var lo = p[0], hi = p[0]
    for l in 0..<8 {
        if exp8[l] == 0x7F80_0000 { return nil }
        lo = min(lo, lo8[l])
        hi = max(hi, hi8[l])
    }
    while i < n {
        let v = p[i]
        if !v.isFinite { return nil }
        lo = min(lo, v)
        hi = max(hi, v)
        i += 1
    }
    return (lo, hi)
}

/// The largest sample magnitude analysed (float recordings normally stay within ±1).
public let sampleMagnitudeLimit: Double = 1000
