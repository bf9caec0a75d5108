import CandorAudio
import CandorFeatures

extension Candor {
    /// The 88 eGeMAPS v02 functionals (openSMILE's names and order) of `file`, or of the
    /// stretch `[start, end)` seconds of it. Throws `InputError` (exit 3) for unreadable input.
    public static func egemaps(file: String, start: Double? = nil, end: Double? = nil) throws -> EgemapsFeatures {
        guard start != nil || end != nil else { return try EgemapsExtractor.extract(path: file) }
        let info = try AudioReader(path: file).info
        let sr = Double(info.sampleRate)
        let lo = max(0, Int(((start ?? 0) * sr).rounded()))
        let hi = min(info.frames, Int(((end ?? info.duration) * sr).rounded()))
        return try EgemapsExtractor.extract(path: file, range: lo..<max(lo, hi))
    }
}
