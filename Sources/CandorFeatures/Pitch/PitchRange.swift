import CandorAudio

/// The speaker's own pitch range from a wide first pass (the two-pass method of Hirst 2011,
/// "The analysis by synthesis of speech melody: from data to models", Journal of Speech
/// Sciences 1(1): 55–83; De Looze & Hirst 2008): floor = 0.75 × the first quartile of the
/// voiced F0, ceiling = 1.5 × the third quartile.
public struct PitchRangeEstimate: Sendable, Equatable {
    /// Range of the first pass, Hz.
    public static let firstPassFloor = 60.0
    public static let firstPassCeiling = 700.0
    /// Fewer voiced first-pass frames than this keep the given range.
    public static let minimumVoicedFrames = 50

    /// Quartiles of the first pass's voiced F0 (pooled over the analysed channels), Hz.
    public var q25: Double
    public var q75: Double
    public var voicedFrames: Int
    public var floor: Double { 0.75 * q25 }
    public var ceiling: Double { 1.5 * q75 }

    public init(q25: Double, q75: Double, voicedFrames: Int) {
        self.q25 = q25
        self.q75 = q75
        self.voicedFrames = voicedFrames
    }

    /// Quartiles from a histogram of voiced F0 in 0.1 Hz bins (memory flat in duration);
    /// nil with fewer than `minimumVoicedFrames` voiced frames.
    public init?(histogram: [Int]) {
        let n = histogram.reduce(0, +)
        guard n >= Self.minimumVoicedFrames else { return nil }
        func quantile(_ q: Double) -> Double {
            let rank = Int((q * Double(n - 1)).rounded(.down))
            var seen = 0
            for (k, c) in histogram.enumerated() {
                seen += c
                if seen > rank { return (Double(k) + 0.5) / Self.binsPerHz }
            }
            return Double(histogram.count) / Self.binsPerHz
        }
        self.init(q25: quantile(0.25), q75: quantile(0.75), voicedFrames: n)
    }

    static let binsPerHz = 10.0

    /// The first pass: pitch only (no voice-activity features) over 60–700 Hz with `settings`'
    /// method, then the quartiles of every channel's voiced frames. Nil when too few frames
    /// are voiced.
    public static func measure(
        path: String, scan: AudioScan, options: AnalysisOptions
    ) async throws -> PitchRangeEstimate? {
        var first = options
        first.pitch.floor = firstPassFloor
        first.pitch.ceiling = min(firstPassCeiling, 0.5 * Double(scan.info.sampleRate))
        first.speechFeatures = false
        first.pitchRange = nil
        let analysis = try await analyzeAudio(path: path, scan: scan, options: first)
        var histogram = [Int](repeating: 0, count: Int(firstPassCeiling * binsPerHz) + 1)
        for ch in analysis.channels {
            var start = 0
            while start < ch.grid.count {
                let r = start..<min(ch.grid.count, start + 10_000)
                let f = try ch.load(r).pitch.f0
                for v in f where v > 0 {
                    histogram[min(histogram.count - 1, Int(Double(v) * binsPerHz))] += 1
                }
                start = r.upperBound
            }
        }
        return PitchRangeEstimate(histogram: histogram)
    }
}
