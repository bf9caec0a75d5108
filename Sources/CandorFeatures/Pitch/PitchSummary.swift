#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Summary statistics of the voiced frames of a pitch track (or of a time range of it).
/// Semitones are relative to 100 Hz, as in Praat.
public struct PitchSummary: Sendable, Equatable {
    public var voicedFrames: Int
    public var frames: Int
    public var meanHz: Double?
    public var medianHz: Double?
    public var sdHz: Double?
    public var minHz: Double?
    public var maxHz: Double?
    public var meanST: Double?
    public var sdST: Double?
    /// Standard error of the mean in Hz, from the frame SD and an effective sample size that
    /// allows for the correlation of neighbouring frames (one independent value per 30 ms).
    public var meanHzSE: Double?
    public var voicedFraction: Double { frames > 0 ? Double(voicedFrames) / Double(frames) : 0 }

    /// A summary from its values (e.g. read back from an analysis JSON).
    public init(
        voicedFrames: Int, frames: Int, meanHz: Double?, medianHz: Double?, sdHz: Double?, minHz: Double?,
        maxHz: Double?, meanST: Double?, sdST: Double?, meanHzSE: Double?
    ) {
        self.voicedFrames = voicedFrames
        self.frames = frames
        self.meanHz = meanHz
        self.medianHz = medianHz
        self.sdHz = sdHz
        self.minHz = minHz
        self.maxHz = maxHz
        self.meanST = meanST
        self.sdST = sdST
        self.meanHzSE = meanHzSE
    }

    public init(track: PitchTrack, range: Range<Int>? = nil) {
        let r = range ?? 0..<track.f0.count
        frames = r.count
        var values: [Double] = []
        values.reserveCapacity(r.count)
        track.f0.withUnsafeBufferPointer { f in
            for i in r where f[i] > 0 { values.append(Double(f[i])) }
        }
        voicedFrames = values.count
        guard !values.isEmpty else { return }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        meanHz = mean
        let sorted = values.sorted()
        medianHz = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : 0.5 * (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2])
        minHz = sorted.first
        maxHz = sorted.last
        let st = values.map { 12 * log2($0 / 100) }
        let mst = st.reduce(0, +) / n
        meanST = mst
        if values.count > 1 {
            let v = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
            sdHz = v.squareRoot()
            sdST = (st.reduce(0) { $0 + ($1 - mst) * ($1 - mst) } / (n - 1)).squareRoot()
            let effective = max(1, n * track.grid.dt / 0.03)
            meanHzSE = v.squareRoot() / effective.squareRoot()
        }
    }
}

/// Frame index range of `grid` whose centres fall in [t0, t1).
public func frameRange(_ grid: FrameGrid, from t0: Double, to t1: Double) -> Range<Int> {
    let a = max(0, Int(((t0 - grid.t1) / grid.dt).rounded(.up)))
    let b = min(grid.count, Int(((t1 - grid.t1) / grid.dt).rounded(.up)))
    return a..<max(a, b)
}

extension PitchSummary {
    /// The summary of a whole channel read in chunks from `source`, in memory bounded
    /// independently of duration, with the same numbers as `init(track:)`: sums are taken
    /// in the same order, and the median's order statistics are selected exactly by
    /// `ExactQuantile` (one pass each).
    ///
    /// With `only`, just the frames whose centres fall inside those spans (sorted, disjoint)
    /// count as voiced: a speaker's own-voice speech (`OwnVoice`), leaving out the frames
    /// where the channel only carries another speaker's voice. `frames` stays the channel's.
    public init(source: ChannelFrameSource, only spans: [Span]? = nil, chunk: Int = 1 << 15) throws {
        let g = source.grid
        frames = g.count
        voicedFrames = 0
        func scan(_ body: (UnsafeBufferPointer<Float>) -> Void) throws {
            var a = 0
            while a < g.count {
                let b = min(g.count, a + chunk)
                var f0 = try source.load(a..<b).pitch.f0
                if let spans { maskOutside(spans, grid: g, range: a..<b, &f0) }
                f0.withUnsafeBufferPointer(body)
                a = b
            }
        }
        // Pass 1: count, sums, extremes, and the median's first selection pass.
        var n = 0, sum = 0.0, sumST = 0.0
        var lo = Double.infinity, hi = -Double.infinity
        var median = ExactQuantile(q: 0.5)
        try scan { f in
            for v in f where v > 0 {
                let d = Double(v)
                n += 1
                sum += d
                sumST += 12 * log2(d / 100)
                lo = Swift.min(lo, d)
                hi = Swift.max(hi, d)
                median.add(v)
            }
        }
        voicedFrames = n
        guard median.startSecondPass() else { return }
        let count = Double(n)
        let mean = sum / count, mst = sumST / count
        meanHz = mean
        meanST = mst
        minHz = lo
        maxHz = hi
        // Pass 2: squared deviations (same order as the in-memory code) and the median.
        var ss = 0.0, ssST = 0.0
        try scan { f in
            for v in f where v > 0 {
                let d = Double(v)
                ss += (d - mean) * (d - mean)
                let st = 12 * log2(d / 100)
                ssST += (st - mst) * (st - mst)
                median.refine(v)
            }
        }
        // As `init(track:)`: the middle value, or the mean of the two middle values.
        let (middle, fraction) = median.orderStatistics()
        medianHz = fraction == 0 ? Double(middle[0]) : 0.5 * (Double(middle[0]) + Double(middle[1]))
        if n > 1 {
            let v = ss / (count - 1)
            sdHz = v.squareRoot()
            sdST = (ssST / (count - 1)).squareRoot()
            let effective = Swift.max(1, count * g.dt / 0.03)
            meanHzSE = v.squareRoot() / effective.squareRoot()
        }
    }
}

/// Energy mean of a channel's intensity track read in chunks (as `meanIntensityDB`).
/// With `only`, just the frames inside those spans (a speaker's own-voice speech).
public func meanIntensityDB(source: ChannelFrameSource, only spans: [Span]? = nil, chunk: Int = 1 << 15) throws -> Double? {
    let g = source.grid
    var mean = EnergyMean()
    var a = 0
    while a < g.count {
        let b = min(g.count, a + chunk)
        var db = try source.load(a..<b).intensity.db
        // Only the own-voice frames count: a frame outside them carries another speaker, it is
        // not silence (NaN is skipped; a floor frame inside is silence, with no energy).
        if let spans { maskOutside(spans, grid: g, range: a..<b, &db, fill: .nan) }
        for v in db { mean.add(v) }
        a = b
    }
    return mean.db
}
